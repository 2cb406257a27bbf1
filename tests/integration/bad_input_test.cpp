// Bad input, end to end with the s5j binary: each case ends with one line
// on stderr naming the problem and the fix, the documented exit code, and
// nothing lost or corrupted (the destination holds nothing wrong, the
// ledger is intact). Hostile keys and a skewed clock are not failures:
// they are copied, and corrected.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <set>
#include <fstream>
#include <thread>

#include "http/curl_transport.h"
#include "integration/reliability_support.h"
#include "support/bucket_policy.h"

namespace s5j::testing {
namespace {

using namespace std::chrono_literals;

struct Side {
  std::string endpoint;
  std::string bucket;
  std::string prefix;
  std::string access_key = testing::access_key();
  std::string secret = testing::secret_key();
  std::string extra;  // more keys of the side ("  key: value\n")
};

std::string write_config(const std::string& dir, const Side& src, const Side& dst, const std::string& extra = {}) {
  auto side = [](const char* name, const Side& s) {
    return std::string(name) + ":\n  bucket: " + s.bucket + "\n  prefix: \"" + s.prefix + "\"\n  region: us-east-1\n" +
           "  access_key: " + s.access_key + "\n  secret_access_key: " + s.secret + "\n  endpoint_urls: [" + s.endpoint +
           "]\n" + s.extra;
  };
  const std::string path = dir + "/config.yaml";
  std::ofstream(path) << side("source", src) << side("destination", dst) << "ledger:\n  path: " << dir
                      << "/ledger.db\nlog:\n  dir: " << dir << "/logs\n"
                      << extra;
  ::chmod(path.c_str(), 0600);
  return path;
}

// Objects the limited user wrote are its own: the bucket owner may not read
// them, so the copy is read back with the limited user's keys.
void expect_limited_copy_identical(s3::S3Client& source, const std::string& src_bucket, const std::string& dst_bucket) {
  s3::ClientOptions options;
  options.endpoint_urls = {endpoint_b()};
  options.credentials = {limited_access_key(), limited_secret_key(), ""};
  auto limited = s3::make_client(options, std::make_shared<http::CurlTransport>(http::NetworkOptions{}));
  ASSERT_TRUE(limited.has_value());
  auto src = bucket_digests(source, src_bucket, "in/");
  auto dst = bucket_digests(**limited, dst_bucket, "out/");
  EXPECT_EQ(src.size(), 3u);
  EXPECT_TRUE(src == dst);
}

const std::vector<std::string> kReadSource = {"s3:ListBucket", "s3:GetObject"};


class BadInput : public TwoBuckets {
 protected:
  void SetUp() override {
    TwoBuckets::SetUp();
    ASSERT_TRUE(seed_objects(*src_, src_bucket_,
                             {{"in/a", "alpha"}, {"in/b", random_bytes(70'000, 1)}, {"in/big", random_bytes(7 * kMiB, 2)}}));
  }
  Side source() const { return {endpoint_a(), src_bucket_, "in/"}; }
  Side destination() const { return {endpoint_b(), dst_bucket_, "out/"}; }
  std::string cfg(const Side& src, const Side& dst, const std::string& extra = {}) {
    return write_config(dir_, src, dst, "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n" + extra);
  }
  // One line on stderr, the exit code, and the words that name the problem.
  static void expect_one_line(const ProcessResult& r, int code, const std::vector<std::string>& words) {
    EXPECT_EQ(r.exit_code, code) << r.out << r.err;
    EXPECT_EQ(line_count(r.err), 1) << r.err;
    for (const auto& w : words) EXPECT_NE(r.err.find(w), std::string::npos) << "'" << w << "' not in: " << r.err;
  }
  // Nothing wrong at the destination: whatever is there is the source's
  // bytes; the ledger, when there is one, opens and verified only that.
  void expect_nothing_wrong() {
    auto src = bucket_digests(*src_, src_bucket_, "in/");
    for (const auto& [key, md5] : destination_digests()) EXPECT_EQ(src[key], md5) << "wrong bytes at out/" << key;
    if (!std::filesystem::exists(ledger_path())) return;
    auto ledger = ledger::open_ledger({.location = ledger_path(), .create_if_missing = false});
    ASSERT_TRUE(ledger.has_value()) << ledger.error().describe();
    auto job = (*ledger)->find_job("default");
    ASSERT_TRUE(job.has_value());
    if (!*job) return;
    auto dst = destination_digests();
    auto records = (*ledger)->list_objects((**job).id, {.limit = 1000, .state = ledger::ObjectState::verified});
    ASSERT_TRUE(records.has_value());
    for (const auto& r : *records) EXPECT_TRUE(dst.count(r.key.substr(3))) << "verified but absent: " << r.key;
  }
};

TEST_F(BadInput, EmptyOrMalformedConfigExits3) {
  for (const std::string& text : {std::string(), std::string("source: [unclosed\n  bucket: x\n"),
                                  std::string("source:\n  bucket: b\ndestination: 12\n")}) {
    const std::string path = dir_ + "/bad.yaml";
    std::ofstream(path) << text;
    ::chmod(path.c_str(), 0600);
    for (const char* command : {"sync", "check"}) {
      auto r = run_s5j({command, "-c", path});
      expect_one_line(r, 3, {path});
    }
  }
  expect_nothing_wrong();
  EXPECT_TRUE(destination_digests().empty());
}

TEST_F(BadInput, UnknownAccessKeyExits4) {
  Side src = source();
  src.access_key = "NOSUCHACCESSKEY00001";
  const auto path = cfg(src, destination());
  expect_one_line(run_s5j({"sync", "-c", path}), 4, {"access_key"});
  expect_one_line(run_s5j({"check", "src", "-c", path}), 4, {"access_key"});
  Side dst = destination();
  dst.access_key = "NOSUCHACCESSKEY00001";
  expect_one_line(run_s5j({"sync", "-c", cfg(source(), dst)}), 4, {"access_key"});
  expect_nothing_wrong();
  EXPECT_TRUE(destination_digests().empty());
}

// A refused secret fails before anything is listed or a ledger created,
// and the line says which side's credentials to fix.
TEST_F(BadInput, WrongSecretNamesItsSideBeforeAnyListing) {
  Side src = source();
  src.secret = "wrong" + src.secret.substr(5);
  auto r = run_s5j({"sync", "-c", cfg(src, destination()), "--no-progress"});
  expect_one_line(r, 4, {"s5j: source: "});
  EXPECT_EQ(r.err.find(src.secret), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(ledger_path()));
  Side dst = destination();
  dst.secret = "wrong" + dst.secret.substr(5);
  r = run_s5j({"sync", "-c", cfg(source(), dst), "--no-progress"});
  expect_one_line(r, 4, {"s5j: destination: "});
  EXPECT_FALSE(std::filesystem::exists(ledger_path()));
  Side missing = destination();
  missing.bucket = dst_bucket_ + "-missing";
  expect_one_line(run_s5j({"sync", "-c", cfg(source(), missing), "--no-progress"}), 6,
                  {"s5j: destination: ", missing.bucket});
  EXPECT_TRUE(destination_digests().empty());
}

TEST_F(BadInput, NoPermissionToListExits5) {
  grant_limited_user(endpoint_a(), src_bucket_, {"s3:GetObject"});
  Side src = source();
  src.access_key = limited_access_key();
  src.secret = limited_secret_key();
  const auto path = cfg(src, destination());
  expect_one_line(run_s5j({"sync", "-c", path}), 5, {"ListObjects", "permission"});
  expect_one_line(run_s5j({"check", "src", "-c", path}), 5, {"permission"});
  expect_nothing_wrong();
  EXPECT_TRUE(destination_digests().empty());
}

TEST_F(BadInput, NoPermissionToReadExits5) {
  grant_limited_user(endpoint_a(), src_bucket_, {"s3:ListBucket"});
  Side src = source();
  src.access_key = limited_access_key();
  src.secret = limited_secret_key();
  auto r = run_s5j({"sync", "-c", cfg(src, destination()), "--no-progress"});
  expect_one_line(r, 5, {"access denied", "source", "GetObject", "s3:GetObject"});
  expect_nothing_wrong();
  EXPECT_TRUE(destination_digests().empty());
  EXPECT_EQ(ledger_verdict(ledger_path()).verified, 0u);
}

TEST_F(BadInput, NoPermissionToWriteExits5) {
  grant_limited_user(endpoint_b(), dst_bucket_, {"s3:ListBucket", "s3:GetObject", "s3:ListBucketMultipartUploads"});
  Side dst = destination();
  dst.access_key = limited_access_key();
  dst.secret = limited_secret_key();
  auto r = run_s5j({"sync", "-c", cfg(source(), dst), "--no-progress"});
  expect_one_line(r, 5, {"access denied", "destination", "s3:PutObject"});
  expect_nothing_wrong();
  EXPECT_TRUE(destination_digests().empty());
  expect_no_open_uploads();
  // The same user with the rights it needs copies everything.
  grant_limited_user(endpoint_b(), dst_bucket_, kLimitedWriteDestination);
  auto ok = run_s5j({"sync", "-c", cfg(source(), dst), "--no-progress"});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  expect_limited_copy_identical(*src_, src_bucket_, dst_bucket_);
}

TEST_F(BadInput, LimitedUserWithTheRightGrantsCopiesEverything) {
  grant_limited_user(endpoint_a(), src_bucket_, kReadSource);
  grant_limited_user(endpoint_b(), dst_bucket_, kLimitedWriteDestination);
  Side src = source(), dst = destination();
  src.access_key = dst.access_key = limited_access_key();
  src.secret = dst.secret = limited_secret_key();
  auto r = run_s5j({"sync", "-c", cfg(src, dst), "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_limited_copy_identical(*src_, src_bucket_, dst_bucket_);
}

TEST_F(BadInput, MissingBucketExits6) {
  Side src = source();
  src.bucket = src_bucket_ + "-missing";
  expect_one_line(run_s5j({"sync", "-c", cfg(src, destination())}), 6, {src.bucket});
  Side dst = destination();
  dst.bucket = dst_bucket_ + "-missing";
  expect_one_line(run_s5j({"sync", "-c", cfg(source(), dst)}), 6, {dst.bucket});
  expect_nothing_wrong();
  EXPECT_TRUE(destination_digests().empty());
}

TEST_F(BadInput, LedgerThatIsNotALedgerExits10AndIsLeftAlone) {
  const std::string junk = "this is somebody's spreadsheet, not a ledger\n" + random_bytes(10'000, 3);
  std::ofstream(ledger_path(), std::ios::binary) << junk;
  auto r = run_s5j({"sync", "-c", cfg(source(), destination())});
  expect_one_line(r, 10, {ledger_path()});
  std::ifstream in(ledger_path(), std::ios::binary);
  const std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(after == junk) << "the file was changed";
  EXPECT_TRUE(destination_digests().empty());
}

TEST_F(BadInput, SecondRunOfARunningJobExits13AndTheFirstFinishes) {
  // A bandwidth cap keeps the first run going while the second starts.
  Side dst = destination();
  dst.extra = "  max_bandwidth: 1MiB\n";
  const auto slow = cfg(source(), dst);
  BackgroundProcess first({s5j_binary(), "sync", "-c", slow, "--no-progress"}, {}, dir_);
  bool started = false;
  for (int i = 0; i < 1000 && first.running() && !started; ++i) {
    started = !events_named(read_events(log_dir()), "plan_done").empty();
    if (!started) std::this_thread::sleep_for(10ms);  // polling the log
  }
  ASSERT_TRUE(started);
  auto second = run_s5j({"sync", "-c", slow});
  expect_one_line(second, 13, {std::to_string(first.pid())});
  auto done = first.wait();
  ASSERT_EQ(done.exit_code, 0) << done.out << done.err;
  expect_identical();
  EXPECT_EQ(ledger_verdict(ledger_path()).verified, 3u);
}

// Keys S3 allows that tools get wrong: 1,024 bytes, control characters,
// "..", a trailing "/". Same prefix length on both sides, so the longest
// key stays within S3's limit at the destination too.
TEST_F(BadInput, HostileKeysAreCopiedExactly) {
  const std::vector<std::string> keys = {
      "in/" + std::string(1017, 'k') + "/end",
      std::string("in/ctl-\x01\x02\x1f\x7f-end"), "in/tab\there", "in/new\nline", "in/carriage\rreturn",
      "in/../escape", "in/a/../b", "in/..", "in/...", "in/x/..", "in/dir/", "in/dir//", "in/trailing/slash/"};
  ASSERT_EQ(keys[0].size(), 1024u);
  std::vector<SeedObject> objects;
  for (size_t i = 0; i < keys.size(); ++i) objects.push_back({keys[i], random_bytes(i * 101, 50 + i)});
  ASSERT_TRUE(seed_objects(*src_, src_bucket_, objects));
  Side dst = destination();
  dst.prefix = "in/";
  auto r = run_s5j({"sync", "-c", cfg(source(), dst), "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto src = bucket_digests(*src_, src_bucket_, "in/");
  auto copied = bucket_digests(*dst_, dst_bucket_, "in/");
  EXPECT_EQ(src.size(), keys.size() + 3);
  EXPECT_TRUE(src == copied);
  for (const auto& k : keys) EXPECT_TRUE(copied.count(k.substr(3))) << "missing: " << k;
  EXPECT_EQ(ledger_verdict(ledger_path()).verified, keys.size() + 3);
}

// This machine's clock 20 minutes behind the servers': the first request
// of each side is refused as skewed, the offset is taken from the server's
// Date, and the run completes.
TEST_F(BadInput, ClockTwentyMinutesOffIsCorrected) {
  const auto path = cfg(source(), destination());
  auto r = run_process({program_path("faketime"), "-f", "-20m", s5j_binary(), "sync", "-c", path, "--no-progress"},
                       {"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY="});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find(secret_key()), std::string::npos);
  expect_identical();
  const auto events = read_events(log_dir());
  std::set<std::string> corrected_sides;
  for (const auto& e : events_named(events, "request_retried"))
    if (e["code"] == "RequestTimeTooSkewed") corrected_sides.insert(e["side"].get<std::string>());
  EXPECT_EQ(corrected_sides, (std::set<std::string>{"source", "destination"}));
  EXPECT_EQ(ledger_verdict(ledger_path()).verified, 3u);
}

}  // namespace
}  // namespace s5j::testing
