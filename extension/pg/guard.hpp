// Calling PostgreSQL from C++.
//
// A PostgreSQL function that can ereport(ERROR) longjmps to the nearest
// PG_TRY; if C++ objects with destructors live between here and there, they are
// skipped. pg::guard(f) runs f inside a PG_TRY of its own, copies the error and
// throws gdpr::PgError, so C++ unwinds normally and invoke_cpp() re-raises it.
//
// Rules for f: call PostgreSQL and store the result, nothing more. It must not
// create C++ objects with non-trivial destructors (the longjmp would skip
// them), and its result type must be trivially destructible (Datum, pointers,
// integers). Calls left unguarded say in a comment why they cannot fail.
#pragma once

#include <type_traits>
#include <utility>

#include "pg/error.hpp"

namespace gdpr::pg {

namespace detail {
// Runs fn(ctx) inside PG_TRY. Returns nullptr, or the copied ErrorData of the
// PostgreSQL ERROR it caught (error state already flushed). pg/guard.cpp.
ErrorData* run_guarded(void (*fn)(void*), void* ctx) noexcept;
}  // namespace detail

template <typename Func>
auto guard(Func&& func) -> std::invoke_result_t<Func&> {
  using Result = std::invoke_result_t<Func&>;
  if constexpr (std::is_void_v<Result>) {
    auto thunk = [](void* ctx) { (*static_cast<std::remove_reference_t<Func>*>(ctx))(); };
    if (ErrorData* error = detail::run_guarded(thunk, &func)) throw PgError(error);
  } else {
    static_assert(std::is_trivially_destructible_v<Result>,
                  "pg::guard may only return trivially destructible values");
    struct Call {
      std::remove_reference_t<Func>* func;
      Result result;
    } call{&func, Result{}};
    auto thunk = [](void* ctx) {
      auto* c = static_cast<Call*>(ctx);
      c->result = (*c->func)();
    };
    if (ErrorData* error = detail::run_guarded(thunk, &call)) throw PgError(error);
    return call.result;
  }
}

}  // namespace gdpr::pg
