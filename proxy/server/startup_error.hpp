#pragma once
// A reason the proxy cannot start (or a reload cannot be applied); the message
// is one line for the operator and names the setting at fault.

#include <stdexcept>

namespace gdpr::proxy {

class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace gdpr::proxy
