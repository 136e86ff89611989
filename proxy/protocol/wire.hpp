#pragma once
// Big-endian integer and C-string helpers for the PostgreSQL wire format.
// Readers never trust the input: every read is bounds-checked and reports
// failure instead of reading past the end.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gdpr::proxy::wire {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline std::uint32_t load_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

inline std::uint16_t load_u16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

// Appends values to a growing message.
class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) {
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<std::uint8_t>(v >> shift));
  }
  void i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
  void cstring(std::string_view s) {
    out_.insert(out_.end(), s.begin(), s.end());
    out_.push_back(0);
  }
  void bytes(ByteView b) { out_.insert(out_.end(), b.begin(), b.end()); }

 private:
  Bytes& out_;
};

// Builds a typed message `type + Int32 length + body`; the length is patched
// in by finish() so serialize() functions never compute it by hand.
class MessageBuilder {
 public:
  explicit MessageBuilder(char type) {
    out_.push_back(static_cast<std::uint8_t>(type));
    out_.resize(5);
  }
  Writer body() { return Writer(out_); }
  Bytes finish() && {
    const auto length = static_cast<std::uint32_t>(out_.size() - 1);
    for (int i = 0; i < 4; ++i) out_[1 + i] = static_cast<std::uint8_t>(length >> (24 - 8 * i));
    return std::move(out_);
  }

 private:
  Bytes out_;
};

// Sequential, bounds-checked reader over a message body.
class Reader {
 public:
  explicit Reader(ByteView data) : data_(data) {}
  std::optional<std::uint8_t> u8() {
    if (remaining() < 1) return std::nullopt;
    return data_[pos_++];
  }
  std::optional<std::uint16_t> u16() {
    if (remaining() < 2) return std::nullopt;
    auto v = load_u16(data_.data() + pos_);
    pos_ += 2;
    return v;
  }
  std::optional<std::uint32_t> u32() {
    if (remaining() < 4) return std::nullopt;
    auto v = load_u32(data_.data() + pos_);
    pos_ += 4;
    return v;
  }
  std::optional<std::int32_t> i32() {
    auto v = u32();
    if (!v) return std::nullopt;
    return static_cast<std::int32_t>(*v);
  }
  // A NUL-terminated string; nullopt when no terminator is left.
  std::optional<std::string> cstring() {
    for (std::size_t i = pos_; i < data_.size(); ++i) {
      if (data_[i] == 0) {
        std::string s(reinterpret_cast<const char*>(data_.data() + pos_), i - pos_);
        pos_ = i + 1;
        return s;
      }
    }
    return std::nullopt;
  }
  std::size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  ByteView data_;
  std::size_t pos_ = 0;
};

}  // namespace gdpr::proxy::wire
