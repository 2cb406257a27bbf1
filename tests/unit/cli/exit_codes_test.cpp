// Errors become exit codes in one place. Every code of the old inline lists
// lands where README.md's "Exit codes" table says, and the connection
// failures follow the transport's one classification.
#include "cli/exit_codes.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "http/transport_error.h"
#include "ledger/ledger_error.h"
#include "staging/staging_error.h"
#include "support/test_env.h"

namespace s5j::cli {
namespace {

Error with_code(std::string code, int http_status = 0) {
  Error e;
  e.code = std::move(code);
  e.http_status = http_status;
  return e;
}

TEST(ExitCodes, ConfigProblemsExit3) {
  EXPECT_EQ(exit_code_for(with_code("ConfigError")), kConfigError);
  EXPECT_EQ(exit_code_for(with_code("InvalidEndpoint")), kConfigError);
}

// The literal in exit_codes.cpp and the loader's code are one string.
TEST(ExitCodes, TheConfigLoadersOwnErrorExits3) {
  auto config = config::load_config("/nonexistent/s5j-exit-codes-test/config.yaml");
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(exit_code_for(config.error()), kConfigError) << config.error().code;
}

TEST(ExitCodes, RefusedCredentialsExit4) {
  for (const char* code : {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"})
    EXPECT_EQ(exit_code_for(with_code(code, 403)), kCredentialsRejected) << code;
}

// The proxy's credentials are credentials too: 4, with the message naming
// the proxy (tests/integration/proxy_test.cpp).
TEST(ExitCodes, ProxyRefusingItsCredentialsExits4) {
  EXPECT_EQ(exit_code_for(with_code("ProxyRejected")), kCredentialsRejected);
}

TEST(ExitCodes, MissingPermissionExits5) {
  for (const char* code : {"AccessDenied", "AllAccessDisabled"})
    EXPECT_EQ(exit_code_for(with_code(code, 403)), kAccessDenied) << code;
}

TEST(ExitCodes, MissingBucketExits6) { EXPECT_EQ(exit_code_for(with_code("NoSuchBucket", 404)), kBucketNotFound); }

TEST(ExitCodes, UnreachableEndpointExits7) {
  for (const char* code : {"ConnectFailed", "ResolveFailed", "Timeout", "ProxyFailed"})
    EXPECT_EQ(exit_code_for(with_code(code)), kEndpointUnreachable) << code;
}

TEST(ExitCodes, TlsFailureExits8) {
  for (const char* code : {"TlsCertificate", "TlsError"}) EXPECT_EQ(exit_code_for(with_code(code)), kTlsError) << code;
}

// Reached, then broken: not "unreachable" (README: refused, not resolved,
// timed out). Unchanged from before the classification.
TEST(ExitCodes, BrokenConnectionsAndOtherTransportFailuresExit1) {
  for (const char* code : {"ConnectionReset", "SendFailed", "RecvFailed", "TransportError", "BodyAborted"})
    EXPECT_EQ(exit_code_for(with_code(code)), kFailed) << code;
}

TEST(ExitCodes, EveryConnectionFailureClassHasItsExitCode) {
  using enum http::ConnectionFailure;
  const std::pair<const char*, ExitCode> per_class[] = {
      {"ConnectFailed", kEndpointUnreachable}, {"ProxyFailed", kEndpointUnreachable},
      {"Timeout", kEndpointUnreachable},       {"ConnectionReset", kFailed},
      {"TlsError", kTlsError},                 {"TransportError", kFailed},
      {"ProxyRejected", kCredentialsRejected},
  };
  for (const auto& [code, exit_code] : per_class) {
    EXPECT_NE(http::connection_failure_of(with_code(code)), none) << code;
    EXPECT_EQ(exit_code_for(with_code(code)), exit_code) << code;
  }
}

TEST(ExitCodes, NotS3Exits9) { EXPECT_EQ(exit_code_for(with_code("NotS3", 404)), kNotS3); }

TEST(ExitCodes, LedgerStagingAndLockExits) {
  EXPECT_EQ(exit_code_for(with_code("LedgerError")), kLedgerError);
  // Every ledger failure, as README's "ledger unreadable, not a ledger, or
  // locked" says (sync used to exit 1 for a busy ledger, relay 10).
  EXPECT_EQ(exit_code_for(with_code("LedgerBusy")), kLedgerError);
  EXPECT_EQ(exit_code_for(with_code("StagingError")), kStagingError);
  EXPECT_EQ(exit_code_for(with_code("AlreadyRunning")), kAlreadyRunning);
}

TEST(ExitCodes, EverythingElseExits1) {
  for (const char* code : {"", "SlowDown", "NoSuchKey", "StagedCorrupt", "ChecksumMismatch"})
    EXPECT_EQ(exit_code_for(with_code(code)), kFailed) << code;
}

// The man page's EXIT STATUS comes from exit_code_docs(); README.md's table
// is what operators read first. The two say the same, code by code.
TEST(ExitCodes, DocsTableIsReadmesTable) {
  std::ifstream readme(s5j::testing::source_dir() + "/README.md");
  std::stringstream text;
  text << readme.rdbuf();
  const std::string all = text.str();
  const auto begin = all.find("## Exit codes");
  ASSERT_NE(begin, std::string::npos);
  const std::string section = all.substr(begin, all.find("\n## ", begin + 1) - begin);
  const std::regex row(R"(\n\| (\d+) \| (.*) \|)");
  std::vector<std::pair<int, std::string>> readme_rows;
  for (auto it = std::sregex_iterator(section.begin(), section.end(), row); it != std::sregex_iterator(); ++it) {
    readme_rows.emplace_back(std::stoi((*it)[1]), (*it)[2]);
  }
  std::vector<std::pair<int, std::string>> code_rows;
  for (const auto& doc : exit_code_docs()) code_rows.emplace_back(doc.code, std::string(doc.meaning));
  EXPECT_EQ(readme_rows, code_rows);
}

}  // namespace
}  // namespace s5j::cli
