// The two exception types that cross C++ code inside the extension.
//
//  gdpr::Error    raised by our own C++ code: a user-facing error with a SQLSTATE,
//                 message, and optional detail and hint.
//  gdpr::PgError  a PostgreSQL ERROR caught by pg::guard() and carried through
//                 C++ frames as an exception, so destructors run; invoke_cpp()
//                 re-throws it into PostgreSQL unchanged (same SQLSTATE, detail...).
//
// Neither type ever leaves C++: every entry point from PostgreSQL goes through
// gdpr::invoke_cpp() (pg/invoke.hpp).
#pragma once

#include <stdexcept>
#include <string>

#include "pg/pg_fwd.hpp"

namespace gdpr {

// SQLSTATE codes we raise ourselves; see PostgreSQL's errcodes.txt.
namespace sqlstate {
inline constexpr const char* invalid_parameter_value = "22023";
inline constexpr const char* data_exception = "22000";
inline constexpr const char* invalid_text_representation = "22P02";
inline constexpr const char* syntax_error = "42601";
inline constexpr const char* insufficient_privilege = "42501";
inline constexpr const char* undefined_table = "42P01";
inline constexpr const char* undefined_column = "42703";
inline constexpr const char* undefined_object = "42704";
inline constexpr const char* duplicate_object = "42710";
inline constexpr const char* wrong_object_type = "42809";
inline constexpr const char* datatype_mismatch = "42804";
inline constexpr const char* dependent_objects_still_exist = "2BP01";
inline constexpr const char* feature_not_supported = "0A000";
inline constexpr const char* object_not_in_prerequisite_state = "55000";
inline constexpr const char* out_of_memory = "53200";
inline constexpr const char* internal_error = "XX000";
}  // namespace sqlstate

class Error : public std::runtime_error {
 public:
  Error(const char* sqlstate_code, std::string message, std::string detail = {}, std::string hint = {})
      : std::runtime_error(std::move(message)),
        sqlstate_(sqlstate_code),
        detail_(std::move(detail)),
        hint_(std::move(hint)) {}

  const char* sqlstate() const noexcept { return sqlstate_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::string& hint() const noexcept { return hint_; }

 private:
  const char* sqlstate_;  // always one of the string literals above
  std::string detail_;
  std::string hint_;
};

class PgError : public std::exception {
 public:
  // `data` is a CopyErrorData() copy in the memory context that was current
  // when the error was caught; it lives until that context is reset.
  explicit PgError(ErrorData* data) noexcept : data_(data) {}
  ErrorData* data() const noexcept { return data_; }
  const char* what() const noexcept override;

 private:
  ErrorData* data_;
};

}  // namespace gdpr
