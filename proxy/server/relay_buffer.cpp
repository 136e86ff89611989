#include "server/relay_buffer.hpp"

#include <memory>
#include <vector>

#include "server/transport.hpp"

namespace gdpr::proxy {
namespace {

// Enough free blocks for the bursts of one worker; beyond that, blocks go
// back to the allocator so a past peak does not stay resident.
constexpr std::size_t kMaxPooledPerThread = 32;

struct ThreadPool {
  std::vector<std::unique_ptr<std::uint8_t[]>> free;
  std::size_t in_use = 0;
};

ThreadPool& this_thread_pool() {
  thread_local ThreadPool pool;
  return pool;
}

}  // namespace

void RelayBuffer::acquire() {
  if (data_) return;
  auto& pool = this_thread_pool();
  if (pool.free.empty()) {
    // Not value-initialised: a relay only reads bytes it has written.
    data_ = new std::uint8_t[kPooledBufferSize];
  } else {
    data_ = pool.free.back().release();
    pool.free.pop_back();
  }
  ++pool.in_use;
}

void RelayBuffer::release() {
  if (!data_) return;
  auto& pool = this_thread_pool();
  --pool.in_use;
  if (pool.free.size() < kMaxPooledPerThread) {
    pool.free.emplace_back(data_);
  } else {
    delete[] data_;
  }
  data_ = nullptr;
}

std::size_t RelayBuffer::in_use_on_this_thread() { return this_thread_pool().in_use; }
std::size_t RelayBuffer::pooled_on_this_thread() { return this_thread_pool().free.size(); }

asio::awaitable<std::tuple<error_code, std::size_t>> read_into(Transport& from, RelayBuffer& buffer,
                                                               std::size_t filled) {
  // After a read that filled the buffer more is probably waiting (a large
  // row or COPY streaming through): read it straight away. Otherwise the peer
  // is usually still busy, and trying first would only cost a wasted syscall.
  if (buffer.held() && buffer.last_read_filled) {
    auto [ec, n] =
        co_await from.read_available(asio::buffer(buffer.get() + filled, kPooledBufferSize - filled));
    buffer.last_read_filled = n == kPooledBufferSize - filled;
    if (ec || n > 0) co_return std::tuple{ec, n};
  }
  if (buffer.held() && filled == 0) buffer.release();
  for (;;) {
    std::uint8_t first = 0;
    auto [wait_ec, got_first] = co_await from.wait_readable(first);
    if (wait_ec) co_return std::tuple{wait_ec, std::size_t{0}};
    buffer.acquire();
    std::size_t n = 0;
    if (got_first > 0) buffer.get()[filled + n++] = first;
    auto [ec, more] =
        co_await from.read_available(asio::buffer(buffer.get() + filled + n, kPooledBufferSize - filled - n));
    n += more;
    buffer.last_read_filled = filled + n == kPooledBufferSize;
    // Bytes first; an error (e.g. EOF right after them) shows on the next read.
    if (n > 0) co_return std::tuple{error_code{}, n};
    if (ec) co_return std::tuple{ec, std::size_t{0}};
    // Readable but nothing to read (a spurious wake-up): wait again, bufferless.
    if (filled == 0) buffer.release();
  }
}

}  // namespace gdpr::proxy
