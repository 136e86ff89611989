// IP addresses through the C library: inet_pton accepts exactly the dotted
// quad (no octal, no short forms like "10.1") and RFC 4291 IPv6 text;
// inet_ntop gives the canonical text (RFC 5952 compression for IPv6).
#include <arpa/inet.h>

#include <array>

#include "recognisers.hpp"

namespace gdpr::identifiers::detail {

std::optional<std::string> canonical_ip(std::string_view value) {
  if (value.size() > INET6_ADDRSTRLEN) return std::nullopt;
  std::array<char, INET6_ADDRSTRLEN + 1> input{};  // inet_pton needs a NUL-terminated string
  value.copy(input.data(), value.size());
  std::array<unsigned char, sizeof(struct in6_addr)> binary{};
  std::array<char, INET6_ADDRSTRLEN> text{};
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, input.data(), binary.data()) == 1 &&
        inet_ntop(family, binary.data(), text.data(), text.size()) != nullptr)
      return std::string(text.data());
  }
  return std::nullopt;
}

}  // namespace gdpr::identifiers::detail
