// destination.checksum_algorithm against Debian 12's Ceph RGW (Ceph 16):
// a sync with crc32c and with crc64nvme completes byte-identical and
// verified, the ledger records the CRC-64/NVME, and verify is clean. RGW 16
// accepts the x-amz-checksum-* headers and ignores them: HEAD with checksum
// mode answers none (so verify's proof by checksum is shown over the
// in-memory server that keeps them as AWS does:
// tests/unit/ops/verify_by_checksum_test.cpp). A destination that refuses
// the headers (501 from a proxy of our own in front of RGW) gets none for
// the rest of the run, and the log names that fallback once.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "checksum/crc64nvme.h"
#include "fault/fault_proxy.h"
#include "integration/reliability_support.h"
#include "ledger/open_ledger.h"
#include "support/verify_report.h"

namespace s5j::testing {
namespace {

class ChecksumAlgorithmTest : public TwoBuckets {
 protected:
  // Small objects (buffered PUT), one over the part size (streamed PUT),
  // one over the threshold (hashed parts) and a multipart one in 5 MiB
  // parts (streamed parts, the whole CRC at Complete).
  void seed() {
    objects_.clear();
    for (int i = 0; i < 12; ++i) objects_.push_back({"in/small/" + std::to_string(i), random_bytes(1000 + i * 991, 30 + i)});
    objects_.push_back({"in/streamed", random_bytes(5 * kMiB + 123, 60)});
    objects_.push_back({"in/large", random_bytes(13 * kMiB + 5, 61)});
    objects_.push_back({"in/mpu5", random_bytes(11 * kMiB + 77, 62), 5 * kMiB});
    ASSERT_TRUE(seed_objects(*src_, src_bucket_, objects_, 8));
  }
  std::string sync_config(const std::string& dst_endpoint, const std::string& algorithm) {
    return config(endpoint_a(), dst_endpoint, "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n  workers: 4\n",
                  {}, "  checksum_algorithm: " + algorithm + "\n");
  }
  std::map<std::string, int> fallbacks() {
    std::map<std::string, int> out;
    for (const auto& e : events_named(read_events(log_dir()), "feature_fallback"))
      ++out[e["side"].get<std::string>() + " " + e["feature"].get<std::string>()];
    return out;
  }
  std::vector<SeedObject> objects_;
};

TEST_F(ChecksumAlgorithmTest, SyncWithEachAlgorithmCompletesVerifiedOnRgw) {
  for (const std::string algorithm : {"crc32c", "crc64nvme"}) {
    SCOPED_TRACE(algorithm);
    seed();
    const auto cfg = sync_config(endpoint_b(), algorithm);
    auto r = run_s5j({"sync", "-c", cfg, "--no-progress"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    expect_identical();
    EXPECT_EQ(ledger_verdict(ledger_path()).verified, objects_.size());
    EXPECT_TRUE(fallbacks().empty());  // RGW accepts the headers

    // The CRC-64/NVME is recorded for every object (computed in flight, also
    // where it could not be sent: the streamed PUT).
    {
      auto l = ledger::open_ledger({.location = ledger_path()});
      ASSERT_TRUE(l.has_value()) << l.error().describe();
      const auto job = (*l)->find_job("default");
      ASSERT_TRUE(job && *job);
      for (const auto& o : objects_) {
        const auto rec = (*l)->find_object((**job).id, o.key);
        ASSERT_TRUE(rec && *rec) << o.key;
        if (algorithm == "crc64nvme")
          EXPECT_EQ((**rec).crc64nvme, checksum::crc64nvme_of(o.data)) << o.key;
        else
          EXPECT_FALSE((**rec).crc64nvme.has_value()) << o.key;
      }
    }

    // What Debian's RGW answers to HEAD with checksum mode: no checksum.
    for (const char* key : {"out/small/3", "out/large", "out/mpu5"}) {
      auto head = dst_->head_object(dst_bucket_, key, {.checksum_mode = true});
      ASSERT_TRUE(head.has_value()) << head.error().describe();
      for (const auto& h : head->raw_headers)
        EXPECT_EQ(h.name.find("x-amz-checksum-crc"), std::string::npos) << key << ": " << h.name << ": " << h.value;
    }
    auto [code, report] = run_verify(cfg);
    EXPECT_EQ(code, 0) << report.dump();
    EXPECT_EQ(report["ok"], objects_.size());
    EXPECT_EQ(report["ok_by_checksum"], 0);  // every ETag still the one recorded

    // The next algorithm on a fresh destination and ledger.
    remove_bucket(*dst_, dst_bucket_);
    ASSERT_TRUE(dst_->create_bucket(dst_bucket_).has_value());
    std::filesystem::remove(ledger_path());
    std::filesystem::remove_all(log_dir());
  }
}

TEST_F(ChecksumAlgorithmTest, RefusedChecksumsFallBackToNoneOnceAndTheSyncCompletes) {
  seed();
  // Every request carrying x-amz-checksum-crc32c (PutObject, hashed
  // UploadPart, Complete with the whole object's) is answered 501.
  FaultProxy dst_front({.upstream = endpoint_b(),
                        .plan = {.rate = 1.0,
                                 .kinds = {FaultKind::not_implemented},
                                 .filter = {.headers = {"x-amz-checksum-crc32c"}}}});
  const auto cfg = sync_config(dst_front.url(), "crc32c");
  auto r = run_s5j({"sync", "-c", cfg, "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_identical();
  EXPECT_EQ(ledger_verdict(ledger_path()).verified, objects_.size());
  const auto got = fallbacks();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got.begin()->first, "destination x-amz-checksum-crc32c");
  EXPECT_EQ(got.begin()->second, 1);
  // Refused only while the first refusal was on its way back (4 workers).
  EXPECT_GE(dst_front.counters().faulted(FaultKind::not_implemented), 1u);
  EXPECT_LE(dst_front.counters().faulted(FaultKind::not_implemented), 8u);
}

}  // namespace
}  // namespace s5j::testing
