#include "ledger/ledger_error.h"

namespace s5j::ledger {

std::unexpected<Error> ledger_error(ErrorKind kind, const char* code, std::string message) {
  return make_error(kind, code, std::move(message));
}

}  // namespace s5j::ledger
