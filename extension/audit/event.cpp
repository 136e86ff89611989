#include "audit/event.hpp"

#include <cstring>
#include <stdexcept>

namespace gdpr::audit {

namespace {

class Writer {
 public:
  template <typename T>
  void scalar(T value) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    out_.append(bytes, sizeof(T));
  }
  void text(const std::string& s) {
    scalar<uint32_t>(static_cast<uint32_t>(s.size()));
    out_ += s;
  }
  void texts(const std::vector<std::string>& v) {
    scalar<uint32_t>(static_cast<uint32_t>(v.size()));
    for (const auto& s : v) text(s);
  }
  void optional_text(const std::optional<std::string>& s) {
    scalar<uint8_t>(s.has_value() ? 1 : 0);
    if (s) text(*s);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <typename T>
  T scalar() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  std::string text() {
    auto n = scalar<uint32_t>();
    need(n);
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::vector<std::string> texts() {
    auto n = scalar<uint32_t>();
    std::vector<std::string> v;
    for (uint32_t i = 0; i < n; ++i) v.push_back(text());
    return v;
  }
  std::optional<std::string> optional_text() {
    if (scalar<uint8_t>() == 0) return std::nullopt;
    return text();
  }
  bool at_end() const noexcept { return pos_ == in_.size(); }

 private:
  void need(size_t n) const {
    if (in_.size() - pos_ < n) throw std::runtime_error("truncated audit event record");
  }
  std::string_view in_;
  size_t pos_ = 0;
};

constexpr uint32_t kFormatVersion = 1;

}  // namespace

std::string serialize(const Event& e) {
  Writer w;
  w.scalar(kFormatVersion);
  w.scalar(e.at);
  w.scalar(e.query_id);
  w.scalar(e.row_count);
  w.scalar(e.relation);
  w.scalar(e.backend_pid);
  w.scalar(e.nesting_level);
  w.scalar<uint8_t>(e.masked ? 1 : 0);
  w.scalar<uint8_t>(e.keys_complete ? 1 : 0);
  w.text(e.actor);
  w.text(e.db_role);
  w.text(e.client_addr);
  w.text(e.application);
  w.text(e.operation);
  w.text(e.outcome);
  w.text(e.relation_name);
  w.texts(e.columns);
  w.texts(e.key_columns);
  w.optional_text(e.row_keys);
  w.optional_text(e.key_ranges);
  return w.take();
}

Event deserialize(std::string_view bytes) {
  Reader r(bytes);
  if (r.scalar<uint32_t>() != kFormatVersion) throw std::runtime_error("unknown audit event record version");
  Event e;
  e.at = r.scalar<int64_t>();
  e.query_id = r.scalar<int64_t>();
  e.row_count = r.scalar<int64_t>();
  e.relation = r.scalar<uint32_t>();
  e.backend_pid = r.scalar<int32_t>();
  e.nesting_level = r.scalar<int32_t>();
  e.masked = r.scalar<uint8_t>() != 0;
  e.keys_complete = r.scalar<uint8_t>() != 0;
  e.actor = r.text();
  e.db_role = r.text();
  e.client_addr = r.text();
  e.application = r.text();
  e.operation = r.text();
  e.outcome = r.text();
  e.relation_name = r.text();
  e.columns = r.texts();
  e.key_columns = r.texts();
  e.row_keys = r.optional_text();
  e.key_ranges = r.optional_text();
  if (!r.at_end()) throw std::runtime_error("trailing bytes after audit event record");
  return e;
}

}  // namespace gdpr::audit
