#include "auth/passfile.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace gdpr::proxy {
namespace {

// Splits one line into its five fields, undoing '\' escapes.
std::optional<std::vector<std::string>> split_line(std::string_view line) {
  std::vector<std::string> fields(1);
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\\' && i + 1 < line.size()) {
      fields.back().push_back(line[++i]);
    } else if (c == ':' && fields.size() < 5) {
      fields.emplace_back();
    } else {
      fields.back().push_back(c);
    }
  }
  if (fields.size() != 5) return std::nullopt;
  return fields;
}

bool matches(const std::string& pattern, std::string_view value) {
  return pattern == "*" || pattern == value;
}

}  // namespace

Passfile Passfile::parse(std::string_view text, const std::string& source) {
  Passfile passfile;
  std::size_t number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    auto line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    auto fields = split_line(line);
    if (!fields) {
      throw PassfileError(
          fmt::format("{}:{}: expected hostname:port:database:username:password", source, number));
    }
    for (unsigned char c : (*fields)[4]) {
      if (c < 0x20 || c > 0x7e) {
        throw PassfileError(fmt::format(
            "{}:{}: the password must be printable ASCII (SASLprep of other passwords is not implemented)",
            source, number));
      }
    }
    passfile.entries_.push_back(Entry{std::move((*fields)[0]), std::move((*fields)[1]),
                                      std::move((*fields)[2]), std::move((*fields)[3]),
                                      std::move((*fields)[4])});
  }
  return passfile;
}

Passfile Passfile::load(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    throw PassfileError(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    throw PassfileError(fmt::format("{}: must not be accessible by group or others (chmod 0600)", path));
  std::ifstream file(path, std::ios::binary);
  if (!file) throw PassfileError(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << file.rdbuf();
  return parse(text.str(), path);
}

std::optional<std::string> Passfile::find(std::string_view host, std::uint16_t port,
                                          std::string_view database, std::string_view user) const {
  const auto port_text = std::to_string(port);
  for (const auto& e : entries_) {
    if (matches(e.host, host) && matches(e.port, port_text) && matches(e.database, database) &&
        matches(e.user, user))
      return e.password;
  }
  return std::nullopt;
}

}  // namespace gdpr::proxy
