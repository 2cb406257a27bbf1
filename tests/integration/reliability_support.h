// Shared pieces of the reliability tests (faults, crash loop, bad input,
// security): a source bucket on RGW A and a destination bucket on RGW B,
// running the s5j binary, and checks that nothing was lost or corrupted.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/open_ledger.h"
#include "support/job_files.h"
#include "support/process.h"
#include "support/s3_fixtures.h"
#include "support/test_env.h"

namespace s5j::testing {

constexpr uint64_t kMiB = 1024 * 1024;

// Runs s5j with `args`; no ambient AWS credentials leak into a test.
inline ProcessResult run_s5j(const std::vector<std::string>& args, std::vector<std::string> env = {}) {
  std::vector<std::string> argv{s5j_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  env.insert(env.begin(), {"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_PROFILE=",
                           "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"});
  auto r = run_process(argv, env);
  // Whatever a test runs, the configured secrets never show in its output.
  for (const auto& secret : {secret_key(), limited_secret_key()}) {
    EXPECT_EQ(r.out.find(secret), std::string::npos) << "secret in the stdout of s5j " << args.at(0);
    EXPECT_EQ(r.err.find(secret), std::string::npos) << "secret in the stderr of s5j " << args.at(0);
  }
  return r;
}

inline int line_count(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// Verified objects per the ledger of the job in `dir`, and whether every
// object of the job is verified (objects == total).
struct LedgerVerdict {
  uint64_t verified = 0;
  uint64_t other = 0;  // in any other state
};
inline LedgerVerdict ledger_verdict(const std::string& ledger_path, const std::string& job = "default") {
  LedgerVerdict v;
  auto ledger = ledger::open_ledger({.location = ledger_path});
  EXPECT_TRUE(ledger.has_value()) << (ledger ? "" : ledger.error().describe());
  if (!ledger) return v;
  auto record = (*ledger)->find_job(job);
  if (!record || !*record) return v;
  auto totals = (*ledger)->totals((**record).id);
  EXPECT_TRUE(totals.has_value());
  if (!totals) return v;
  for (const auto& t : *totals) (t.state == ledger::ObjectState::verified ? v.verified : v.other) += t.objects;
  return v;
}

// A source bucket on RGW A (prefix "in/") and a destination bucket on RGW B
// (prefix "out/"), removed afterwards.
class TwoBuckets : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("rel");
    src_ = make_test_client(endpoint_a());
    dst_ = make_test_client(endpoint_b());
    src_bucket_ = unique_bucket_name("src");
    dst_bucket_ = unique_bucket_name("dst");
    ASSERT_TRUE(src_->create_bucket(src_bucket_).has_value());
    ASSERT_TRUE(dst_->create_bucket(dst_bucket_).has_value());
  }
  void TearDown() override {
    remove_bucket(*src_, src_bucket_);
    remove_bucket(*dst_, dst_bucket_);
  }
  // Config with the given endpoint lists ("url" or "url1, url2"); `extra`
  // is appended verbatim.
  std::string config(const std::string& src_endpoints, const std::string& dst_endpoints, const std::string& extra,
                     const std::string& src_extra = {}, const std::string& dst_extra = {}) {
    return write_job_config(JobConfig{
        {src_endpoints, src_bucket_, "in/", src_extra}, {dst_endpoints, dst_bucket_, "out/", dst_extra}, dir_, extra});
  }
  std::string config(const std::string& extra) { return config(endpoint_a(), endpoint_b(), extra); }
  std::string ledger_path() const { return dir_ + "/ledger.db"; }
  std::string log_dir() const { return dir_ + "/logs"; }

  // Source and destination hold the same keys with the same bytes.
  void expect_identical() {
    auto src = bucket_digests(*src_, src_bucket_, "in/", 16);
    auto dst = bucket_digests(*dst_, dst_bucket_, "out/", 16);
    EXPECT_EQ(src.size(), dst.size());
    size_t differing = 0;
    for (const auto& [key, md5] : src) {
      auto it = dst.find(key);
      if (it == dst.end() || it->second != md5) {
        if (++differing <= 5) ADD_FAILURE() << "destination differs or lacks: " << key;
      }
    }
    EXPECT_EQ(differing, 0u);
  }
  void expect_no_open_uploads() {
    auto uploads = dst_->list_multipart_uploads(dst_bucket_, "");
    ASSERT_TRUE(uploads.has_value()) << uploads.error().describe();
    EXPECT_TRUE(uploads->uploads.empty()) << uploads->uploads.size() << " multipart uploads left behind";
  }
  // Keys under "out/" at the destination (relative), for "nothing wrong
  // arrived" checks.
  std::map<std::string, std::string> destination_digests() { return bucket_digests(*dst_, dst_bucket_, "out/", 16); }

  std::string dir_;
  std::unique_ptr<s3::S3Client> src_, dst_;
  std::string src_bucket_, dst_bucket_;
};

}  // namespace s5j::testing
