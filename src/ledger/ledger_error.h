// Error codes of the ledger layer, and helpers that build them.
//
//   LedgerError              fatal: the ledger file is unusable (not a ledger,
//                            newer schema, I/O error, disk full); the message
//                            names the file and what to do.
//   LedgerBusy               retryable: another process held the ledger
//                            longer than the busy timeout (PostgreSQL: a
//                            deadlock or serialization failure).
//   LedgerUnavailable        retryable: the ledger's server cannot be
//                            reached or the connection was lost
//                            (PostgreSQL restarted, network down); the
//                            next call reconnects by itself.
//   LedgerIllegalTransition  permanent: a transition the job's state
//                            machine does not allow (a bug in the caller).
//   LedgerNotFound           permanent: unknown job, object, run or upload.
//   LedgerConflict           permanent: e.g. a job reopened with another mode.
//   LedgerUnsupported        fatal: backend not available in this build.
//
// And one code about the ledger's job lock that its users return:
//   AlreadyRunning           fatal: acquire_job_lock() found the lock held by
//                            a live run (transfer::JobRun names its pid and
//                            host); the CLI exits 13.
//
// Callers compare Error::code with these constants or ask
// is_ledger_error(), never with a string literal.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace s5j::ledger {

inline constexpr char kLedgerError[] = "LedgerError";
inline constexpr char kLedgerBusy[] = "LedgerBusy";
inline constexpr char kLedgerIllegalTransition[] = "LedgerIllegalTransition";
inline constexpr char kLedgerNotFound[] = "LedgerNotFound";
inline constexpr char kLedgerConflict[] = "LedgerConflict";
inline constexpr char kLedgerUnsupported[] = "LedgerUnsupported";
inline constexpr char kLedgerUnavailable[] = "LedgerUnavailable";

inline constexpr char kAlreadyRunning[] = "AlreadyRunning";

// True for the seven Ledger* codes above (not AlreadyRunning): the ledger
// failed, and the CLI reports it as a ledger problem.
bool is_ledger_error(const Error& error);

std::unexpected<Error> ledger_error(ErrorKind kind, std::string_view code, std::string message);

}  // namespace s5j::ledger
