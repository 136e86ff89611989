#pragma once
// Relay read buffers that exist only while there is something to read.
//
// An idle session is the common case (1,000 clients waiting between
// transactions), and a 64 KiB buffer per direction would dominate its cost.
// So a relay holds a buffer only while bytes are in flight: it waits for the
// peer without one (Transport::wait_readable), takes one from a per-thread
// pool to read, and gives it back once everything read has been forwarded.
// Each session lives on one worker thread, so the pool needs no lock.

#include <cstddef>
#include <cstdint>
#include <tuple>

#include "server/asio.hpp"

namespace gdpr::proxy {

class Transport;

inline constexpr std::size_t kPooledBufferSize = 64 * 1024;

class RelayBuffer {
 public:
  RelayBuffer() = default;
  ~RelayBuffer() { release(); }
  RelayBuffer(const RelayBuffer&) = delete;
  RelayBuffer& operator=(const RelayBuffer&) = delete;

  // The held block (kPooledBufferSize bytes), or nullptr while none is held.
  std::uint8_t* get() const { return data_; }
  bool held() const { return data_ != nullptr; }
  void acquire();
  // Returns the block to this thread's pool; its contents are lost.
  void release();

  // This thread's counts, for tests and the idle-memory checks.
  static std::size_t in_use_on_this_thread();
  static std::size_t pooled_on_this_thread();

  // The last read filled the buffer: more bytes are probably waiting already.
  bool last_read_filled = false;

 private:
  std::uint8_t* data_ = nullptr;
};

// Reads more bytes from `from` into buffer.get() + filled. With filled == 0
// the buffer is released while waiting and taken again once data is there;
// with a partial message in it (filled > 0) it is kept. Returns the error or
// the number of bytes read (> 0).
asio::awaitable<std::tuple<error_code, std::size_t>> read_into(Transport& from, RelayBuffer& buffer,
                                                               std::size_t filled);

}  // namespace gdpr::proxy
