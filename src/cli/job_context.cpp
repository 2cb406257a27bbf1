#include "cli/job_context.h"

#include <iostream>

#include "cli/exit_codes.h"
#include "ledger/ledger_error.h"

namespace s5j::cli {

int ledger_failure(const Error& error, const log::Redactor& redactor) {
  std::string message = error.message.empty() ? error.describe() : error.message;
  if (error.code == ledger::kLedgerBusy) message += "; wait for the other process to finish its write and try again";
  std::cerr << "s5j: " << redactor.apply(message) << "\n";
  return kLedgerError;
}

int staging_failure(const Error& error, const log::Redactor& redactor) {
  std::string message = error.message.empty() ? error.describe() : error.message;
  std::cerr << "s5j: " << redactor.apply(message) << "\n";
  return kStagingError;
}

}  // namespace s5j::cli
