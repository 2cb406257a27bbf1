// Servers that lack a feature s5j uses: a proxy of the project's own in
// front of each gateway refuses it with 501 NotImplemented (a reduced API
// such as a device's S3 adapter), and sync, relay and verify still finish
// byte-identical and verified, the log naming each fallback once per side.
//
// Covered here: If-Match on GET and HEAD (every source read is pinned to the
// listed ETag; verify --deep pins its read-back too), and HEAD ?partNumber
// (how a multipart source's part layout is learned).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>

#include "fault/fault_proxy.h"
#include "integration/reliability_support.h"

namespace s5j::testing {
namespace {

class FeatureFallback : public TwoBuckets {
 protected:
  // Small and medium objects, a single-PUT one over the multipart threshold
  // and a multipart one in 5 MiB parts: GET, ranged GET and HEAD all carry
  // If-Match.
  void seed() {
    std::vector<SeedObject> objects;
    uint64_t seed = 7;
    for (int i = 0; i < 60; ++i) objects.push_back({"in/small/" + std::to_string(i), random_bytes(1000 + i * 377, seed++)});
    objects.push_back({"in/large/single", random_bytes(13 * kMiB + 5, seed++)});
    objects.push_back({"in/large/mpu5", random_bytes(12 * kMiB + 77, seed++), 5 * kMiB});
    count_ = objects.size();
    ASSERT_TRUE(seed_objects(*src_, src_bucket_, objects, 8));
  }

  static FaultPlan refuse_if_match() {
    return {.rate = 1.0, .kinds = {FaultKind::not_implemented}, .filter = {.headers = {"if-match"}}};
  }

  // Each side's feature_fallback events in the run's logs: (side, feature) → count.
  std::map<std::pair<std::string, std::string>, int> fallbacks(const std::vector<nlohmann::json>& events) {
    std::map<std::pair<std::string, std::string>, int> out;
    for (const auto& e : events_named(events, "feature_fallback")) ++out[{e["side"], e["feature"]}];
    return out;
  }

  size_t count_ = 0;
};

TEST_F(FeatureFallback, SyncWithoutIfMatchCompletesVerifiedAndSaysSoOnce) {
  seed();
  FaultProxy src_front({.upstream = endpoint_a(), .plan = refuse_if_match()});
  const auto cfg = config(src_front.url(), endpoint_b(),
                          "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n  workers: 8\n");
  auto r = run_s5j({"sync", "-c", cfg, "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_identical();
  EXPECT_EQ(ledger_verdict(ledger_path()).verified, count_);
  const auto got = fallbacks(read_events(log_dir()));
  EXPECT_EQ(got, (std::map<std::pair<std::string, std::string>, int>{{{"source", "If-Match"}, 1}}));
  // Refused only for the requests already in flight when the first
  // refusal came back (8 workers, a few part threads), never again after.
  EXPECT_GE(src_front.counters().faulted(FaultKind::not_implemented), 1u);
  EXPECT_LE(src_front.counters().faulted(FaultKind::not_implemented), 16u);
}

// Without HEAD ?partNumber the layout of a multipart source is inferred
// (5 MiB parts here, which the inference tries) and the object proven as
// before; the refused HEAD is sent once, not once per object.
TEST_F(FeatureFallback, SyncWithoutPartNumberHeadCompletesVerified) {
  std::vector<SeedObject> objects;
  for (int i = 0; i < 4; ++i)
    objects.push_back({"in/mpu/" + std::to_string(i), random_bytes(11 * kMiB + i * 1000, 50 + i), 5 * kMiB});
  ASSERT_TRUE(seed_objects(*src_, src_bucket_, objects, 4));
  FaultProxy src_front({.upstream = endpoint_a(),
                        .plan = {.rate = 1.0,
                                 .kinds = {FaultKind::not_implemented},
                                 .filter = {.methods = {"HEAD"}, .query = std::regex("partNumber=")}}});
  const auto cfg = config(src_front.url(), endpoint_b(),
                          "transfer:\n  part_size: 8MiB\n  multipart_threshold: 6MiB\n  workers: 1\n");
  auto r = run_s5j({"sync", "-c", cfg, "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_identical();
  EXPECT_EQ(ledger_verdict(ledger_path()).verified, objects.size());
  const auto got = fallbacks(read_events(log_dir()));
  EXPECT_EQ(got, (std::map<std::pair<std::string, std::string>, int>{{{"source", "partNumber"}, 1}}));
  EXPECT_EQ(src_front.counters().faulted(FaultKind::not_implemented), 1u);
}

TEST_F(FeatureFallback, RelayWithoutIfMatchCompletesVerified) {
  seed();
  FaultProxy src_front({.upstream = endpoint_a(), .plan = refuse_if_match()});
  for (const char* v : {"/vol1", "/vol2"}) std::filesystem::create_directories(dir_ + v);
  const auto cfg = config(src_front.url(), endpoint_b(),
                          "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\nstaging:\n  volumes: [" + dir_ +
                              "/vol1, " + dir_ + "/vol2]\n");
  auto r = run_s5j({"relay", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_identical();
  EXPECT_EQ(ledger_verdict(ledger_path()).verified, count_);
  const auto got = fallbacks(read_events(log_dir()));
  EXPECT_EQ(got, (std::map<std::pair<std::string, std::string>, int>{{{"source", "If-Match"}, 1}}));
}

// verify --deep reads every destination object back pinned to the ETag it
// listed; a destination without If-Match is compared by s5j instead.
TEST_F(FeatureFallback, DeepVerifyWithoutIfMatchProvesEveryObject) {
  seed();
  const auto direct = config(endpoint_a(), endpoint_b(), "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n");
  ASSERT_EQ(run_s5j({"sync", "-c", direct, "--no-progress"}).exit_code, 0);
  FaultProxy dst_front({.upstream = endpoint_b(), .plan = refuse_if_match()});
  const auto cfg = config(endpoint_a(), dst_front.url(), "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n");
  auto r = run_s5j({"verify", "-c", cfg, "--deep"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ok:         " + std::to_string(count_) + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("different:  0 "), std::string::npos) << r.out;
  EXPECT_GE(dst_front.counters().faulted(FaultKind::not_implemented), 1u) << "verify --deep sent no If-Match";
}

}  // namespace
}  // namespace s5j::testing
