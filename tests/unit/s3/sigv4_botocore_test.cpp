// Differential test: s5j's SigV4 signer against botocore's S3SigV4Auth.
//
// tools/sigv4_oracle.py (run with Debian's /usr/bin/python3, which carries
// python3-botocore) generates deterministic pseudo-random S3 requests, signs
// them with botocore and prints the inputs and botocore's results as JSON
// lines. Every case must give the same encoded path, canonical request,
// string to sign, signature and Authorization header here. A missing
// interpreter or botocore makes the test fail, never skip.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>

#include "s3/sigv4_signer.h"
#include "s3/uri_encode.h"
#include "support/test_env.h"

namespace s5j::s3 {
namespace {

using nlohmann::json;

constexpr int kCases = 1200;
constexpr int kMinCases = 1000;

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

struct OracleRun {
  std::string output;
  int exit_status = -1;
};

// Runs the oracle; stderr is left to the test log so a missing botocore
// explains itself.
OracleRun run_oracle() {
  const char* python_env = std::getenv("S5J_ORACLE_PYTHON");
  const std::string python = (python_env != nullptr && *python_env != '\0') ? python_env : "/usr/bin/python3";
  const std::string script = testing::source_dir() + "/tools/sigv4_oracle.py";
  const std::string command =
      shell_quote(python) + " " + shell_quote(script) + " --count " + std::to_string(kCases) + " --seed 20240229";
  OracleRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
  const int status = pclose(pipe);
  run.exit_status = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  return run;
}

// "20240229T235958Z" -> time_point (UTC).
std::chrono::system_clock::time_point parse_timestamp(const std::string& ts) {
  using namespace std::chrono;
  const int y = std::stoi(ts.substr(0, 4));
  const unsigned mo = static_cast<unsigned>(std::stoi(ts.substr(4, 2)));
  const unsigned d = static_cast<unsigned>(std::stoi(ts.substr(6, 2)));
  const int h = std::stoi(ts.substr(9, 2)), mi = std::stoi(ts.substr(11, 2)), s = std::stoi(ts.substr(13, 2));
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

std::string describe(const json& c) {
  std::ostringstream o;
  o << "case " << c["id"] << " (" << c["method"].get<std::string>() << " " << c["host"].get<std::string>()
    << c["encoded_path"].get<std::string>() << ")";
  return o.str();
}

TEST(SigV4Botocore, EveryOracleCaseMatchesBotocore) {
  const OracleRun run = run_oracle();
  ASSERT_EQ(run.exit_status, 0) << "tools/sigv4_oracle.py failed; it needs /usr/bin/python3 with python3-botocore "
                                   "(override the interpreter with S5J_ORACLE_PYTHON)";

  // Signers are kept per credential set and reused across cases, so the
  // signing-key cache sees region changes between consecutive requests.
  std::map<std::tuple<std::string, std::string, std::string>, std::unique_ptr<SigV4Signer>> signers;

  int cases = 0, matched = 0, reported = 0;
  std::istringstream lines(run.output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const json c = json::parse(line);
    ++cases;

    // The path the oracle built the way botocore's serializer does must be
    // what our encoders build from the same bucket and key.
    const std::string bucket = c["bucket"], key = c["key"], style = c["style"];
    const std::string our_path = style == "virtual" ? encode_virtual_hosted(key) : encode_path_style(bucket, key);

    SigningRequest req;
    req.method = c["method"];
    req.host = c["host"];
    req.encoded_path = c["encoded_path"];
    for (const auto& q : c["query"]) req.query.emplace_back(q[0].get<std::string>(), q[1].get<std::string>());
    for (const auto& h : c["headers"]) req.headers.push_back({h[0].get<std::string>(), h[1].get<std::string>()});
    req.payload_sha256 = c["payload_sha256"];
    req.region = c["region"];
    req.service = c["service"];
    req.time = parse_timestamp(c["timestamp"]);

    auto& signer = signers[{c["access_key"], c["secret_key"], c["session_token"]}];
    if (!signer) signer = std::make_unique<SigV4Signer>(Credentials{c["access_key"], c["secret_key"], c["session_token"]});
    const SignedHeaders got = signer->sign(req);

    const bool ok = our_path == c["encoded_path"] && got.canonical_request == c["canonical_request"] &&
                    got.string_to_sign == c["string_to_sign"] && got.signature == c["signature"] &&
                    http::find_header(got.headers, "Authorization") == c["authorization"].get<std::string>();
    if (ok) {
      ++matched;
    } else if (reported++ < 5) {  // full detail for the first few only
      EXPECT_EQ(our_path, c["encoded_path"]) << describe(c);
      EXPECT_EQ(got.canonical_request, c["canonical_request"]) << describe(c);
      EXPECT_EQ(got.string_to_sign, c["string_to_sign"]) << describe(c);
      EXPECT_EQ(got.signature, c["signature"]) << describe(c);
      EXPECT_EQ(http::find_header(got.headers, "Authorization"), c["authorization"].get<std::string>())
          << describe(c);
    }
    // The values we send must be the ones signed.
    EXPECT_EQ(http::find_header(got.headers, "x-amz-date"), c["timestamp"].get<std::string>()) << describe(c);
    EXPECT_EQ(http::find_header(got.headers, "x-amz-content-sha256"), c["payload_sha256"].get<std::string>())
        << describe(c);
  }

  std::printf("[ botocore ] %d of %d cases matched\n", matched, cases);
  EXPECT_GE(cases, kMinCases) << "the oracle produced too few cases";
  EXPECT_EQ(matched, cases) << (cases - matched) << " cases differ from botocore";
}

}  // namespace
}  // namespace s5j::s3
