#pragma once

// gdprctl's exit codes; documented in docs/compliance/gdprctl.md. Scripts
// depend on them: never renumber.
namespace gdprctl::exit_code {
inline constexpr int ok = 0;
inline constexpr int usage = 1;          // bad arguments, malformed identifier, output exists
inline constexpr int connection = 2;     // cannot connect, authentication failed, connection lost
inline constexpr int permission = 3;     // not a member of gdpr_dpo (SQLSTATE 42501)
inline constexpr int not_found = 4;      // nothing matched the identifier
inline constexpr int server_error = 5;   // any other error reported by the server
inline constexpr int not_available = 6;  // the database lacks the extension or this function
inline constexpr int audit_broken = 7;   // audit verify: the HMAC chain does not verify
inline constexpr int cancelled = 8;      // erase not confirmed, or interrupted (Ctrl-C)
inline constexpr int local_error = 9;    // writing the output file failed
}  // namespace gdprctl::exit_code
