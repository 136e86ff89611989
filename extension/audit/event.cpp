#include "audit/event.hpp"

#include <cstring>
#include <stdexcept>

namespace gdpr::audit {

namespace {

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) { out_.clear(); }
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

 private:
  std::string& out_;
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
  void text(std::string& out) {
    auto n = scalar<uint32_t>();
    need(n);
    out.assign(in_.data() + pos_, n);
    pos_ += n;
  }
  void texts(std::vector<std::string>& out) {
    auto n = scalar<uint32_t>();
    // Each text takes at least its length word: a corrupt count fails here,
    // not in a huge resize.
    need(static_cast<size_t>(n) * sizeof(uint32_t));
    out.resize(n);
    for (auto& s : out) text(s);
  }
  void optional_text(std::optional<std::string>& out) {
    if (scalar<uint8_t>() == 0) {
      out.reset();
      return;
    }
    text(out ? *out : out.emplace());
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
  std::string out;
  serialize(e, out);
  return out;
}

void serialize(const Event& e, std::string& out) {
  Writer w(out);
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
}

Event deserialize(std::string_view bytes) {
  Event e;
  deserialize(bytes, e);
  return e;
}

void deserialize(std::string_view bytes, Event& e) {
  Reader r(bytes);
  if (r.scalar<uint32_t>() != kFormatVersion) throw std::runtime_error("unknown audit event record version");
  e.at = r.scalar<int64_t>();
  e.query_id = r.scalar<int64_t>();
  e.row_count = r.scalar<int64_t>();
  e.relation = r.scalar<uint32_t>();
  e.backend_pid = r.scalar<int32_t>();
  e.nesting_level = r.scalar<int32_t>();
  e.masked = r.scalar<uint8_t>() != 0;
  e.keys_complete = r.scalar<uint8_t>() != 0;
  r.text(e.actor);
  r.text(e.db_role);
  r.text(e.client_addr);
  r.text(e.application);
  r.text(e.operation);
  r.text(e.outcome);
  r.text(e.relation_name);
  r.texts(e.columns);
  r.texts(e.key_columns);
  r.optional_text(e.row_keys);
  r.optional_text(e.key_ranges);
  if (!r.at_end()) throw std::runtime_error("trailing bytes after audit event record");
}

}  // namespace gdpr::audit
