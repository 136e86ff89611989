#pragma once
// Server-side credentials for the policy roles, in libpq's passfile format
// (hostname:port:database:username:password, '*' matches anything, '\'
// escapes ':' and '\', '#' starts a comment line). The proxy uses them when
// the server asks for SCRAM-SHA-256; read once at start-up.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gdpr::proxy {

class PassfileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Passfile {
 public:
  // Throws PassfileError: unreadable, readable by group or others (like
  // libpq, which ignores such files; the proxy refuses to start instead), a
  // malformed line, or a non-ASCII password (SASLprep is not implemented).
  static Passfile load(const std::string& path);
  static Passfile parse(std::string_view text, const std::string& source);

  std::optional<std::string> find(std::string_view host, std::uint16_t port, std::string_view database,
                                  std::string_view user) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string host, port, database, user, password;
  };
  std::vector<Entry> entries_;
};

}  // namespace gdpr::proxy
