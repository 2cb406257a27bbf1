#include "ledger/ledger_error.h"

namespace s5j::ledger {

bool is_ledger_error(const Error& error) {
  const std::string_view c = error.code;
  return c == kLedgerError || c == kLedgerBusy || c == kLedgerIllegalTransition || c == kLedgerNotFound ||
         c == kLedgerConflict || c == kLedgerUnsupported || c == kLedgerUnavailable;
}

std::unexpected<Error> ledger_error(ErrorKind kind, std::string_view code, std::string message) {
  return make_error(kind, code, std::move(message));
}

}  // namespace s5j::ledger
