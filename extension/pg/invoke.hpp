// Entering C++ from PostgreSQL.
//
// Every SQL-callable function and every hook runs its C++ body through
// gdpr::invoke_cpp(). It catches every exception and re-raises it as a
// PostgreSQL ERROR *after* the exception object is destroyed, so nothing is
// leaked and no exception unwinds through PostgreSQL's C frames.
//
// Define SQL functions with GDPR_SQL_FUNCTION(name, body) where body is a
// `Datum body(FunctionCallInfo)` written in ordinary C++.
#pragma once

#include <cstring>
#include <new>
#include <type_traits>

#include "pg/error.hpp"

namespace gdpr {

// What invoke_cpp remembers about a caught exception. Trivially destructible on
// purpose: raise_error() longjmps over it.
struct ErrorSlot {
  ErrorData* pg_error = nullptr;  // re-thrown as is, when set
  char sqlstate[6] = {0};
  char message[1024] = {0};
  char detail[1024] = {0};
  char hint[512] = {0};

  void set(const char* code, const char* msg, const char* det = "", const char* hnt = "") noexcept {
    std::strncpy(sqlstate, code, sizeof sqlstate - 1);
    std::strncpy(message, msg, sizeof message - 1);
    std::strncpy(detail, det, sizeof detail - 1);
    std::strncpy(hint, hnt, sizeof hint - 1);
  }
};
static_assert(std::is_trivially_destructible_v<ErrorSlot>);

// Raises the slot as a PostgreSQL ERROR; implemented in pg/invoke.cpp.
[[noreturn]] void raise_error(const ErrorSlot& slot) noexcept;

template <typename Func>
auto invoke_cpp(Func&& func) noexcept -> decltype(func()) {
  ErrorSlot slot;
  try {
    return func();
  } catch (const PgError& e) {
    slot.pg_error = e.data();
  } catch (const Error& e) {
    slot.set(e.sqlstate(), e.what(), e.detail().c_str(), e.hint().c_str());
  } catch (const std::bad_alloc&) {
    slot.set(sqlstate::out_of_memory, "out of memory in gdpr extension");
  } catch (const std::exception& e) {
    slot.set(sqlstate::internal_error, e.what());
  } catch (...) {
    slot.set(sqlstate::internal_error, "unexpected C++ exception in gdpr extension");
  }
  // Every C++ object of this frame and the callee's is gone by now.
  raise_error(slot);
}

}  // namespace gdpr

#define GDPR_SQL_FUNCTION(sql_name, body)                               \
  extern "C" {                                                          \
  PG_FUNCTION_INFO_V1(sql_name);                                        \
  Datum sql_name(PG_FUNCTION_ARGS) {                                    \
    return ::gdpr::invoke_cpp([&]() -> Datum { return body(fcinfo); }); \
  }                                                                     \
  }
