// The operations commands on a real staged relay (issue #5, "What it must
// show"), not on a sync or a run record made through the ledger API:
// `verify` after `s5j relay --once` finds a deleted and an overwritten
// destination object, and the next relay restores exactly those two;
// `status` from a second process sees the live relay (pid, progress) in
// JSON and text, and once the run has stopped its figures per state equal
// what `ledger export` gives.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "integration/relay_test_support.h"
#include "support/verify_report.h"

namespace s5j::relay_test {
namespace {

using nlohmann::json;
using testing::events_named;
using testing::SeedObject;

const char* kTransferYaml = "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n  workers: 4\n";

struct StateFigures {
  uint64_t objects = 0;
  uint64_t bytes = 0;
  bool operator==(const StateFigures&) const = default;
};

std::map<std::string, StateFigures> status_states(const json& status) {
  std::map<std::string, StateFigures> out;
  for (const auto& s : status["states"])
    out[s["state"].get<std::string>()] = {s["objects"].get<uint64_t>(), s["bytes"].get<uint64_t>()};
  return out;
}


// `s5j ledger export --format jsonl`, counted per state (objects, sum of sizes).
// `leased`: records that name a lease owner.
std::map<std::string, StateFigures> export_states(const std::string& config, uint64_t* records = nullptr,
                                                  uint64_t* leased = nullptr) {
  auto r = s5j({"ledger", "export", "-c", config, "--format", "jsonl"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::map<std::string, StateFigures> out;
  std::istringstream in(r.out);
  uint64_t n = 0, with_lease = 0;
  for (std::string line; std::getline(in, line);) {
    auto j = json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
    if (j.is_discarded()) continue;
    auto& f = out[j["state"].get<std::string>()];
    ++f.objects;
    f.bytes += j["size"].get<uint64_t>();
    if (!j["lease_owner"].is_null()) ++with_lease;
    ++n;
  }
  if (records) *records = n;
  if (leased) *leased = with_lease;
  return out;
}

// Status and export agree: every state status lists has the export's
// figures (zero when the export has none of it), and the export has no
// state status leaves out; the totals are the sums.
void expect_status_matches_export(const std::string& config) {
  const json status = status_json(config);
  uint64_t records = 0;
  const auto exported = export_states(config, &records);
  const auto shown = status_states(status);
  uint64_t objects = 0, bytes = 0;
  for (const auto& [state, figures] : shown) {
    const auto it = exported.find(state);
    const StateFigures want = it == exported.end() ? StateFigures{} : it->second;
    EXPECT_EQ(figures.objects, want.objects) << state;
    EXPECT_EQ(figures.bytes, want.bytes) << state;
  }
  for (const auto& [state, figures] : exported) {
    EXPECT_TRUE(shown.count(state)) << "status does not show state " << state << " (" << figures.objects
                                    << " objects in the export)";
    objects += figures.objects;
    bytes += figures.bytes;
  }
  EXPECT_EQ(records, objects);
  EXPECT_EQ(status["total"]["objects"].get<uint64_t>(), objects) << status.dump();
  EXPECT_EQ(status["total"]["bytes"].get<uint64_t>(), bytes) << status.dump();
  const auto verified = exported.count("verified") ? exported.at("verified") : StateFigures{};
  const auto vanished = exported.count("vanished") ? exported.at("vanished") : StateFigures{};
  EXPECT_EQ(status["remaining"]["objects"].get<uint64_t>(), objects - verified.objects - vanished.objects);
  EXPECT_EQ(status["remaining"]["bytes"].get<uint64_t>(), bytes - verified.bytes - vanished.bytes);
}

class RelayOperationsTest : public RelayTest {
 protected:
  std::set<std::string> relay_logs() {
    std::set<std::string> out;
    for (const auto& f : testing::log_files(dir_ + "/logs"))
      if (f.find("/relay-") != std::string::npos) out.insert(f);
    return out;
  }
  // Keys of the events called `name` in the relay logs not in `before`.
  std::multiset<std::string> keys_in_new_relay_logs(const std::set<std::string>& before, const std::string& name) {
    std::multiset<std::string> keys;
    for (const auto& f : relay_logs())
      if (!before.count(f))
        for (const auto& e : events_named(testing::read_event_file(f), name)) keys.insert(e["key"].get<std::string>());
    return keys;
  }
  void put_dst(const std::string& key, const std::string& data) {
    auto put = dst_client_->put_object(dst_bucket_, key, s3::BodySource{.size = data.size(), .data = data});
    ASSERT_TRUE(put.has_value()) << put.error().describe();
  }
};

// Small objects: the relay uploads each with one PUT, so the destination
// ETag is the MD5 of the bytes and an overwrite of the same size shows in
// it without --deep.
TEST_F(RelayOperationsTest, VerifyAfterRelayFindsDeletedAndOverwrittenAndTheNextRelayRestoresThem) {
  std::vector<SeedObject> objects;
  for (int i = 0; i < 30; ++i)
    objects.push_back({"in/obj-" + std::to_string(i), testing::random_bytes(1000 + 37 * i, 500 + i)});
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects));
  const auto cfg = config("", kTransferYaml);

  auto first = s5j({"relay", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("relay complete: 30 objects staged"), std::string::npos) << first.out;
  expect_identical();

  auto [clean_code, clean] = testing::run_verify(cfg);
  EXPECT_EQ(clean_code, 0) << clean.dump();
  testing::expect_verify_counts(clean, {.checked = 30, .ok = 30, .reopened = 0});
  EXPECT_EQ(clean["clean"], true);

  ASSERT_TRUE(dst_client_->delete_object(dst_bucket_, "out/obj-3").has_value());
  const std::string original7 = objects[7].data;
  const std::string other7 = testing::random_bytes(original7.size(), 999);
  ASSERT_NE(other7, original7);
  put_dst("out/obj-7", other7);  // same size, other bytes

  auto [code, report] = testing::run_verify(cfg);
  EXPECT_EQ(code, 12) << report.dump();
  testing::expect_verify_counts(report, {.checked = 30, .ok = 28, .missing = 1,
                                         .different = 1, .unproven = 0, .reopened = 2, .not_verified = 2});
  EXPECT_EQ(testing::json_strings(report["samples"]["missing"]), std::vector<std::string>{"in/obj-3"});
  EXPECT_EQ(testing::json_strings(report["samples"]["different"]), std::vector<std::string>{"in/obj-7"});
  EXPECT_EQ(report["bytes_read"], 0);

  for (const char* key : {"in/obj-3", "in/obj-7"}) {
    const auto r = record(key);
    EXPECT_EQ(r.state, ledger::ObjectState::pending) << key;
    EXPECT_TRUE(r.last_error.starts_with("verify: ")) << key << ": " << r.last_error;
    EXPECT_FALSE(r.staged.has_value()) << key;
  }
  EXPECT_EQ(record("in/obj-8").state, ledger::ObjectState::verified);
  EXPECT_EQ(totals()[ledger::ObjectState::verified], 28u);

  // The next relay fetches and uploads those two again, and nothing else.
  const auto before = relay_logs();
  auto second = s5j({"relay", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("relay complete: 2 objects staged"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("and 2 objects uploaded and verified"), std::string::npos) << second.out;
  const std::multiset<std::string> both{"in/obj-3", "in/obj-7"};
  EXPECT_EQ(keys_in_new_relay_logs(before, "object_staged"), both);
  EXPECT_EQ(keys_in_new_relay_logs(before, "upload_started"), both);
  EXPECT_EQ(keys_in_new_relay_logs(before, "object_verified"), both);

  auto restored3 = testing::bucket_digests(*dst_client_, dst_bucket_, "out/obj-3");
  auto restored7 = testing::bucket_digests(*dst_client_, dst_bucket_, "out/obj-7");
  auto source3 = testing::bucket_digests(*src_client_, src_bucket_, "in/obj-3");
  auto source7 = testing::bucket_digests(*src_client_, src_bucket_, "in/obj-7");
  EXPECT_EQ(restored3, source3);
  EXPECT_EQ(restored7, source7);
  expect_identical();
  expect_volumes_empty();
  EXPECT_EQ(totals()[ledger::ObjectState::verified], 30u);

  auto [after_code, after] = testing::run_verify(cfg);
  EXPECT_EQ(after_code, 0) << after.dump();
  EXPECT_EQ(after["ok"], 30);
  EXPECT_EQ(after["reopened"], 0);
}

// Issue #23 (7): after `reset` the ledger is empty but the destination
// holds the job's objects. The next relay lists the destination once and
// sends only what is missing there or differs, and says how many it found.
TEST_F(RelayOperationsTest, RelayAfterResetSendsOnlyWhatTheDestinationLacks) {
  std::vector<SeedObject> objects;
  for (int i = 0; i < 12; ++i)
    objects.push_back({"in/r-" + std::to_string(i), testing::random_bytes(2000 + i, 800 + i)});
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects));
  const auto cfg = config("", kTransferYaml);
  auto first = s5j({"relay", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  expect_identical();

  auto reset = s5j({"reset", "-c", cfg, "--yes"});
  ASSERT_EQ(reset.exit_code, 0) << reset.out << reset.err;
  EXPECT_NE(reset.out.find("the next relay lists the destination and skips objects already identical there"),
            std::string::npos)
      << reset.out;
  put_dst("out/r-5", testing::random_bytes(objects[5].data.size(), 4242));  // same size, other bytes

  const auto before = relay_logs();
  auto second = s5j({"relay", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("relay complete: 1 objects staged"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("11 already identical at the destination (not sent)"), std::string::npos)
      << second.out;
  const std::multiset<std::string> only5{"in/r-5"};
  EXPECT_EQ(keys_in_new_relay_logs(before, "object_staged"), only5);
  EXPECT_EQ(keys_in_new_relay_logs(before, "upload_started"), only5);
  expect_identical();
  expect_volumes_empty();
  EXPECT_EQ(totals()[ledger::ObjectState::verified], 12u);
}

// A 7 MiB object is one PUT at the source but a two-part upload at the
// destination (threshold 6 MiB): its destination ETag is not the MD5 of the
// bytes. Overwritten at the destination by other bytes in the same part
// layout, the plain verify cannot tell and reports it unproven (left
// verified); --deep reads it back, reopens it, and the next relay restores it.
TEST_F(RelayOperationsTest, OverwriteOfAMultipartUploadNeedsDeepAfterARelay) {
  const std::string big = testing::random_bytes(7 * kMiB, 70);
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, {{"in/big", big}, {"in/small", "small bytes"}}));
  const auto cfg = config("", kTransferYaml);
  auto first = s5j({"relay", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  const auto big_record = record("in/big");
  ASSERT_TRUE(big_record.dest_etag.ends_with("-2")) << big_record.dest_etag;  // the premise
  ASSERT_TRUE(big_record.md5.has_value());

  ASSERT_TRUE(testing::seed_objects(*dst_client_, dst_bucket_,
                                    {{"out/big", testing::random_bytes(7 * kMiB, 72), 5 * kMiB}}));

  auto [code, plain] = testing::run_verify(cfg);
  EXPECT_EQ(code, 12) << plain.dump();
  testing::expect_verify_counts(plain, {.ok = 1, .different = 0, .unproven = 1, .reopened = 0});
  EXPECT_EQ(testing::json_strings(plain["samples"]["unproven"]), std::vector<std::string>{"in/big"});
  EXPECT_EQ(record("in/big").state, ledger::ObjectState::verified);

  auto [deep_code, deep] = testing::run_verify(cfg, /*deep=*/true);
  EXPECT_EQ(deep_code, 12) << deep.dump();
  testing::expect_verify_counts(deep, {.ok = 1, .different = 1, .unproven = 0, .reopened = 1});
  EXPECT_EQ(testing::json_strings(deep["samples"]["different"]), std::vector<std::string>{"in/big"});
  EXPECT_EQ(record("in/big").state, ledger::ObjectState::pending);

  const auto before = relay_logs();
  auto second = s5j({"relay", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(keys_in_new_relay_logs(before, "object_verified"), std::multiset<std::string>{"in/big"});
  expect_identical();
  expect_volumes_empty();
  auto [after_code, after] = testing::run_verify(cfg, /*deep=*/true);
  EXPECT_EQ(after_code, 0) << after.dump();
  EXPECT_EQ(after["ok"], 2);
}

// A relay slowed down by a bandwidth cap on the source side, watched from
// this (second) process with `s5j status`; stopped with SIGTERM halfway, then
// finished by another run.
TEST_F(RelayOperationsTest, StatusShowsTheLiveRelayAndItsFiguresMatchTheLedgerExport) {
  constexpr int kObjects = 40;
  constexpr uint64_t kSize = 256 * 1024;
  std::vector<SeedObject> objects;
  for (int i = 0; i < kObjects; ++i)
    objects.push_back({"in/o-" + std::to_string(100 + i), testing::random_bytes(kSize, 700 + i)});
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects));
  // 10 MiB at 1 MiB/s: about ten seconds of work.
  const std::string cfg = testing::write_job_config(testing::JobConfig{
      {testing::endpoint_a(), src_bucket_, "in/", "  max_bandwidth: 1MiB\n"},
      {testing::endpoint_b(), dst_bucket_, "out/"},
      dir_,
      "staging:\n  volumes: [" + volumes_[0] + ", " + volumes_[1] + "]\n  reserve: 0\n  scan_interval: 1\n" +
          kTransferYaml});

  testing::BackgroundProcess relay({testing::s5j_binary(), "relay", "--once", "-c", cfg, "--no-progress"}, {}, dir_);

  // Poll until status shows the run active as the relay's pid with some of
  // the objects verified and some still to do.
  json live;
  bool seen = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (!seen && relay.running() && std::chrono::steady_clock::now() < deadline) {
    live = status_json(cfg);
    seen = live.value("job_exists", false) && live["run"].is_object() && live["run"]["active"] == true &&
           live["run"]["pid"] == relay.pid() && state_objects(live, "verified") > 0 &&
           live["remaining"]["objects"].get<uint64_t>() > 0;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(50));  // pacing the polls
  }
  ASSERT_TRUE(seen) << "status never showed the relay active with progress; last: " << live.dump()
                    << (relay.running() ? "" : " (the relay had ended)");
  EXPECT_EQ(live["mode"], "staged");
  EXPECT_EQ(live["run"]["command"], "relay");
  const std::string role = live["run"]["role"].get<std::string>();
  EXPECT_TRUE(role == "stage" || role == "drain") << role;
  EXPECT_FALSE(live["run"]["started_at"].is_null());
  EXPECT_TRUE(live["run"]["ended_at"].is_null());
  EXPECT_TRUE(live["run"]["exit_code"].is_null());
  EXPECT_EQ(live["total"]["objects"], kObjects);  // one listing page: all known before the first upload
  EXPECT_EQ(live["total"]["bytes"], kObjects * kSize);
  EXPECT_EQ(live["throughput"]["basis"], "ledger");
  ASSERT_TRUE(live["staging"].is_object());
  EXPECT_EQ(live["staging"]["volumes"].size(), 2u);

  // Within a figures period (5 s) the relay publishes its pace: status
  // lists it as the job's one worker with its figures, and the ETA is
  // reckoned by size class (the 256 KiB objects are all of class lt1MiB).
  json paced;
  const auto paced_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool by_size = false;
  while (!by_size && relay.running() && std::chrono::steady_clock::now() < paced_deadline) {
    paced = status_json(cfg);
    by_size = paced["eta_basis"] == "size_classes" && paced["eta_seconds"].is_number() &&
              paced["remaining"]["objects"].get<uint64_t>() > 0;
    if (!by_size) std::this_thread::sleep_for(std::chrono::milliseconds(100));  // pacing the polls
  }
  ASSERT_TRUE(by_size) << "no ETA by size class while the relay ran; last: " << paced.dump();
  EXPECT_GT(paced["eta_seconds"].get<double>(), 0.0);
  EXPECT_TRUE(paced["eta_inferred_size_classes"].empty()) << paced.dump();
  ASSERT_EQ(paced["remaining_by_size_class"].size(), 1u) << paced.dump();
  EXPECT_EQ(paced["remaining_by_size_class"][0]["size_class"], "lt1MiB");
  EXPECT_EQ(paced["remaining_by_size_class"][0]["objects"], paced["remaining"]["objects"]);
  ASSERT_EQ(paced["workers"].size(), 1u) << paced.dump();
  const json& worker = paced["workers"][0];
  EXPECT_EQ(worker["pid"], relay.pid());
  EXPECT_EQ(worker["roles"], json::array({"drain", "stage"}));  // one process, both roles
  EXPECT_TRUE(worker["leases_held"].is_number()) << worker.dump();
  EXPECT_TRUE(worker["bytes_per_second"].is_number()) << worker.dump();
  ASSERT_EQ(worker["legs"].size(), 2u) << worker.dump();

  std::cout << "[ info ] live: " << state_objects(live, "verified") << " verified, throughput "
            << live["throughput"].dump() << ", eta_seconds " << live["eta_seconds"].dump() << "\n";
  // The export works beside the running writer: every record once.
  {
    auto r = s5j({"ledger", "export", "-c", cfg, "--format", "jsonl"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::set<std::string> keys;
    size_t lines = 0;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line); ++lines) {
      auto j = json::parse(line, nullptr, false);
      if (!j.is_discarded()) keys.insert(j["key"].get<std::string>());
    }
    EXPECT_EQ(lines, static_cast<size_t>(kObjects));
    EXPECT_EQ(keys.size(), static_cast<size_t>(kObjects));
  }

  // The text form names the run too.
  auto text = s5j({"status", "-c", cfg});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("run: ACTIVE as pid " + std::to_string(relay.pid()) + " on "), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("(relay, role " + role), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("(staged relay)"), std::string::npos) << text.out;
  ASSERT_TRUE(relay.running()) << "the relay ended before it could be stopped: the bandwidth cap is too loose";

  relay.kill(SIGTERM);
  auto stopped = relay.wait();
  ASSERT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err;
  EXPECT_NE(stopped.out.find("relay stopped"), std::string::npos) << stopped.out;

  const json after = status_json(cfg);
  ASSERT_TRUE(after["run"].is_object()) << after.dump();
  EXPECT_EQ(after["run"]["active"], false);
  EXPECT_EQ(after["run"]["pid"], relay.pid());
  EXPECT_FALSE(after["run"]["ended_at"].is_null());
  EXPECT_EQ(after["run"]["outcome"], "stopped") << after.dump();
  EXPECT_EQ(after["run"]["exit_code"], 0) << after.dump();
  EXPECT_TRUE(after["eta_seconds"].is_null());
  EXPECT_GT(after["remaining"]["objects"].get<uint64_t>(), 0u) << "the stop came after the end: " << after.dump();
  // A clean stop lets what is in flight finish and gives back what was
  // claimed but not started: nothing is left mid-way or leased.
  EXPECT_EQ(state_objects(after, "staging"), 0u) << after.dump();
  EXPECT_EQ(state_objects(after, "uploading"), 0u) << after.dump();
  uint64_t leased = 0;
  export_states(cfg, nullptr, &leased);
  EXPECT_EQ(leased, 0u) << "records still leased after a clean stop";
  expect_status_matches_export(cfg);
  std::cout << "[ info ] stopped with " << state_objects(after, "verified") << " verified, "
            << state_objects(after, "staged") << " staged, " << state_objects(after, "pending") << " pending\n";

  // Another run finishes the job; the figures agree again.
  auto rest = s5j({"relay", "--once", "-c", cfg, "--no-progress"});
  ASSERT_EQ(rest.exit_code, 0) << rest.out << rest.err;
  expect_identical();
  expect_volumes_empty();
  const json done = status_json(cfg);
  EXPECT_EQ(state_objects(done, "verified"), static_cast<uint64_t>(kObjects)) << done.dump();
  EXPECT_EQ(done["remaining"]["objects"], 0);
  expect_status_matches_export(cfg);
}

}  // namespace
}  // namespace s5j::relay_test
