// Which codes are the ledger's failures (the CLI reports them as exit code
// 10), and the rejection codes' wire spelling.
#include "ledger/ledger_error.h"

#include <gtest/gtest.h>

#include <string>

#include "ledger/transition.h"

namespace s5j::ledger {
namespace {

Error with_code(std::string code) {
  Error e;
  e.code = std::move(code);
  return e;
}

TEST(LedgerErrors, AreTheSevenLedgerCodes) {
  for (const char* code : {"LedgerError", "LedgerBusy", "LedgerIllegalTransition", "LedgerNotFound", "LedgerConflict",
                           "LedgerUnsupported", "LedgerUnavailable"})
    EXPECT_TRUE(is_ledger_error(with_code(code))) << code;
  for (const char* code : {"AlreadyRunning", "StagingError", "Ledger", "NoSuchObject"})
    EXPECT_FALSE(is_ledger_error(with_code(code))) << code;
}

TEST(LedgerErrors, RejectionConstantsSpellTheStableCodes) {
  EXPECT_EQ(std::string(kNoSuchObject), "NoSuchObject");
  EXPECT_EQ(std::string(kStateChanged), "StateChanged");
  EXPECT_EQ(std::string(kLeaseLost), "LeaseLost");
  EXPECT_EQ(std::string(kMissingChecksums), "MissingChecksums");
  EXPECT_EQ(std::string(kChecksumMismatch), "ChecksumMismatch");
  EXPECT_EQ(std::string(kMissingStagedCopy), "MissingStagedCopy");
  EXPECT_EQ(std::string(kNoSuchUpload), "NoSuchUpload");
  EXPECT_EQ(std::string(kUploadClosed), "UploadClosed");
  EXPECT_EQ(std::string(kAlreadyRunning), "AlreadyRunning");
}

}  // namespace
}  // namespace s5j::ledger
