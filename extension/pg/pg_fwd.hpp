// Forward declarations of the PostgreSQL types that C++ headers mention.
// C++ headers never include postgres.h (its macros and C-isms would leak into
// every translation unit); .cpp files include PostgreSQL first, inside extern "C".
#pragma once

#include <cstdint>

extern "C" {
struct ErrorData;
struct FunctionCallInfoBaseData;
typedef struct FunctionCallInfoBaseData* FunctionCallInfo;
typedef uintptr_t Datum;
typedef unsigned int Oid;
}
