// Error codes of the ledger layer, and helpers that build them.
//
//   LedgerError              fatal: the ledger file is unusable (not a ledger,
//                            newer schema, I/O error, disk full); the message
//                            names the file and what to do.
//   LedgerBusy               retryable: another process held the ledger
//                            longer than the busy timeout.
//   LedgerIllegalTransition  permanent: a transition the job's state
//                            machine does not allow (a bug in the caller).
//   LedgerNotFound           permanent: unknown job, object, run or upload.
//   LedgerConflict           permanent: e.g. a job reopened with another mode.
//   LedgerUnsupported        fatal: backend not available in this build.
#pragma once

#include <string>

#include "base/error.h"

namespace s5j::ledger {

inline constexpr const char* kLedgerError = "LedgerError";
inline constexpr const char* kLedgerBusy = "LedgerBusy";
inline constexpr const char* kLedgerIllegalTransition = "LedgerIllegalTransition";
inline constexpr const char* kLedgerNotFound = "LedgerNotFound";
inline constexpr const char* kLedgerConflict = "LedgerConflict";
inline constexpr const char* kLedgerUnsupported = "LedgerUnsupported";

std::unexpected<Error> ledger_error(ErrorKind kind, const char* code, std::string message);

}  // namespace s5j::ledger
