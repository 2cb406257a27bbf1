// Crash loop and power cut (labels integration, long).
//
// KilledTwentyTimesThenFinishes: `s5j sync` of a few hundred objects (empty,
// small, medium, multipart of three kinds) is killed with SIGKILL at seeded
// random moments at least 20 times, restarted each time, then left to
// finish: the destination is byte-identical, the ledger shows every object
// verified, no multipart upload is left, and the bytes uploaded over all
// runs (from the object_copied and part_done events) stay within a small
// bound of the data size; the ratio is printed.
//
// RelayKilledTwentyTimesThenFinishes: the same for `s5j relay --once` over
// two staging volumes too small for the data set (back-pressure keeps both
// legs busy): destination byte-identical, every ledger row verified, no
// multipart upload left (the orphan sweep after the final run included),
// nothing at all left in the job's staging directories (staged files,
// .part leftovers), and the bytes uploaded (object_uploaded and part_done
// events) within the same kind of bound; the ratio is printed.
//
// LedgerCopiesTakenMidRunAreConsistent: while a sync runs, the ledger's
// files (database and WAL, as they stand on disk; the shared-memory index
// is lost in a power cut, so it is not copied) are copied at seeded random
// moments with the writer frozen (SIGSTOP), at least 10 times; each copy
// opens with ledger::open_ledger, passes PRAGMA integrity_check, has every
// verified record backed by checksums or an ETag, and totals that add up.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "integration/reliability_support.h"
#include "staging/volume_lock.h"

namespace s5j::testing {
namespace {

using namespace std::chrono_literals;

std::vector<SeedObject> crash_objects(uint64_t& total) {
  std::vector<SeedObject> objects;
  uint64_t seed = 7000;
  for (int i = 0; i < 2; ++i) objects.push_back({"in/mp/plain-" + std::to_string(i), random_bytes(11 * kMiB + i, seed++)});
  objects.push_back({"in/mp/mpu5", random_bytes(11 * kMiB + 99, seed++), 5 * kMiB});
  objects.push_back({"in/mp/mpu6", random_bytes(13 * kMiB, seed++), 6 * kMiB});
  for (int i = 0; i < 40; ++i) objects.push_back({"in/medium/" + std::to_string(i), random_bytes(300'000 + i * 20'000, seed++)});
  for (int i = 0; i < 260; ++i) objects.push_back({"in/small/" + std::to_string(i), random_bytes(2'000 + i * 97, seed++)});
  for (int i = 0; i < 5; ++i) objects.push_back({"in/empty/" + std::to_string(i), ""});
  total = 0;
  for (const auto& o : objects) total += o.data.size();
  return objects;
}

// A bandwidth cap on the destination makes a part take about a second, so
// kills land in the middle of parts as well as between objects.
const char* kTransfer = "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n  workers: 2\n";
constexpr uint64_t kLargestPart = 6 * kMiB;  // mpu6 keeps its source's 6 MiB parts
std::string bandwidth_cap(int mib) { return "  max_bandwidth: " + std::to_string(mib) + "MiB\n"; }

// Progress of the run whose log is the newest file: objects verified and
// parts uploaded.
size_t progress_events(const std::string& log_dir, size_t files_before) {
  auto files = log_files(log_dir);
  if (files.size() <= files_before) return 0;
  size_t n = 0;
  for (const auto& e : read_event_file(files.back())) {
    const std::string name = e.value("event", "");
    n += name == "object_verified" || name == "part_done";
  }
  return n;
}

// Everything left under a staging volume's directory for the job: any
// file or link at all (staged copies, .part leftovers, probes), not only
// the names the stager recognises.
std::vector<std::string> files_left(const std::string& volume, const std::string& job = "default") {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(volume + "/s5j-staging/" + job, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if ((!it->is_directory(ec) || it->is_symlink(ec)) && it->path().filename() != staging::kVolumeLockName)
      out.push_back(it->path().string());  // the job's lock file stays: it is no staged data
  EXPECT_FALSE(ec) << volume << ": " << ec.message();
  return out;
}

enum class Command { sync, relay };

class CrashLoop : public TwoBuckets {
 protected:
  // The command line of one run of `command` (relay: --once, so a run that
  // is not killed ends when every object is verified).
  std::vector<std::string> command_line(Command command, const std::string& cfg) const {
    if (command == Command::sync) return {"sync", "-c", cfg, "--no-progress"};
    return {"relay", "--once", "-c", cfg, "--no-progress"};
  }

  // Kills runs of `command` at seeded random moments, at least 20 times,
  // then lets one finish; checks the destination, the ledger, the bytes
  // uploaded over all runs, and (relay) the staging volumes.
  void crash_loop(Command command, const std::string& cfg, uint64_t seed) {
    const bool relay = command == Command::relay;
    uint64_t total = 0;
    const auto objects = crash_objects(total);
    ASSERT_TRUE(seed_objects(*src_, src_bucket_, objects, 16));
    uint64_t largest_single = 0;  // the largest object sent with one PUT
    for (const auto& o : objects)
      if (o.data.size() <= 6 * kMiB) largest_single = std::max<uint64_t>(largest_single, o.data.size());

    // Each run is killed at a random moment: after a random time, or after a
    // random amount of progress, whichever comes first (progress targets keep
    // twenty kills within the data set however fast the gateways are).
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> delay_ms(100, 2500);
    std::uniform_int_distribution<int> progress_target(1, 12);
    int kills = 0, finished_early = 0;
    for (int round = 0; round < 40 && kills < 24; ++round) {
      const size_t files_before = log_files(log_dir()).size();
      std::vector<std::string> argv{s5j_binary()};
      for (auto& a : command_line(command, cfg)) argv.push_back(std::move(a));
      BackgroundProcess run(argv, {}, dir_);
      const int wait = delay_ms(rng);
      const size_t target = static_cast<size_t>(progress_target(rng));
      for (int waited = 0; waited < wait && run.running(); waited += 10) {
        std::this_thread::sleep_for(10ms);  // polling the process and its log
        if (waited % 50 == 0 && progress_events(log_dir(), files_before) >= target) break;
      }
      if (run.running()) {
        run.kill(SIGKILL);
        auto r = run.wait();
        EXPECT_EQ(r.exit_code, 128 + SIGKILL);
        ++kills;
      } else {
        auto r = run.wait();
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;  // finished before its kill: the data set is done
        ++finished_early;
        break;
      }
    }
    EXPECT_GE(kills, 20) << "the data set was copied before 20 kills";

    auto last = run_s5j(command_line(command, cfg));
    ASSERT_EQ(last.exit_code, 0) << last.out << last.err;
    expect_identical();
    expect_no_open_uploads();
    auto verdict = ledger_verdict(ledger_path());
    EXPECT_EQ(verdict.verified, objects.size());
    EXPECT_EQ(verdict.other, 0u);
    for (const auto& volume : volumes_) {
      const auto left = files_left(volume);
      EXPECT_TRUE(left.empty()) << left.size() << " files left on " << volume << ", e.g. " << left.front();
    }
    auto again = run_s5j(command_line(command, cfg));
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
    const std::string n = std::to_string(objects.size());
    EXPECT_NE(again.out.find(relay ? "relay complete: 0 objects staged" : "nothing to copy: all " + n + " objects"),
              std::string::npos)
        << again.out;
    if (relay) EXPECT_NE(again.out.find(n + " of " + n + " objects verified in all"), std::string::npos) << again.out;

    // Bytes sent over all runs, and no object started again once verified.
    uint64_t uploaded = 0, orphans = 0, cleaned = 0;
    std::set<std::string> verified;
    const char* started = relay ? "upload_started" : "object_started";
    const char* sent = relay ? "object_uploaded" : "object_copied";
    for (const auto& file : log_files(log_dir())) {
      for (const auto& e : read_event_file(file)) {
        const std::string name = e.value("event", "");
        if (name == started) {
          EXPECT_EQ(verified.count(e["key"]), 0u) << "verified object sent again: " << e["key"];
        } else if (name == "object_verified") {
          verified.insert(e["key"]);
        } else if (name == sent && e["method"] == "put") {
          uploaded += e["bytes_uploaded"].get<uint64_t>();
        } else if (name == "part_done") {
          uploaded += e["bytes"].get<uint64_t>();
        } else if (name == "orphan_upload_aborted") {
          ++orphans;
        } else if (name == "staging_cleaned") {
          cleaned += e["partials_removed"].get<uint64_t>() + e["stale_removed"].get<uint64_t>();
        }
      }
    }
    const double ratio = static_cast<double>(uploaded) / static_cast<double>(total);
    std::printf("\ncrash loop (%s): %d kills (%d runs finished before their kill), %zu objects, %.1f MiB of data, "
                "%.1f MiB uploaded: ratio %.3f; %llu orphaned uploads aborted",
                relay ? "relay" : "sync", kills, finished_early, objects.size(), total / double(kMiB),
                uploaded / double(kMiB), ratio, static_cast<unsigned long long>(orphans));
    if (relay) std::printf(", %llu leftover staged files cleaned", static_cast<unsigned long long>(cleaned));
    std::printf("\n");
    // What a kill can cost: the objects and parts in flight whose upload had
    // finished but whose ledger record was not yet committed (2 workers,
    // 2 part threads: two parts and two single PUTs at most).
    EXPECT_LE(uploaded, total + static_cast<uint64_t>(kills) * 2 * (kLargestPart + largest_single));
    // Every object's bytes were logged by the run that committed it.
    EXPECT_GE(uploaded, total);
  }

  // Two staging directories for the relay, under the test's temp dir.
  std::string relay_config(const std::string& staging_extra, const std::string& source_extra,
                           const std::string& destination_extra) {
    volumes_ = {dir_ + "/vol1", dir_ + "/vol2"};
    for (const auto& v : volumes_) std::filesystem::create_directories(v);
    const std::string staging = "staging:\n  volumes: [" + volumes_[0] + ", " + volumes_[1] +
                                "]\n  reserve: 0\n  scan_interval: 1\n" + staging_extra;
    return config(endpoint_a(), endpoint_b(), staging + kTransfer, source_extra, destination_extra);
  }

  std::vector<std::string> volumes_;
};

TEST_F(CrashLoop, KilledTwentyTimesThenFinishes) {
  crash_loop(Command::sync, config(endpoint_a(), endpoint_b(), kTransfer, {}, bandwidth_cap(10)), 424242);
}

// The staged relay, both legs in one process. Each volume holds 16 MiB
// (staging.volume_limit), less than the data set, so staging waits for the
// drain to free space and both legs are at work through the whole loop;
// the source is capped too, so kills also land in the middle of ranged
// GETs, between a staged file's rename and its ledger record, and while
// staging waits for space.
TEST_F(CrashLoop, RelayKilledTwentyTimesThenFinishes) {
  crash_loop(Command::relay, relay_config("  volume_limit: 16MiB\n", bandwidth_cap(20), bandwidth_cap(10)), 515151);
}

// ---------------------------------------------------------------- power cut

struct CopyVerdict {
  bool opened = false;
  std::string integrity;
  uint64_t records = 0;
  uint64_t verified = 0;
};

std::string integrity_check(const std::string& path) {
  sqlite3* db = nullptr;
  std::string result = "cannot open";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK) {
      result.clear();
      while (sqlite3_step(st) == SQLITE_ROW) result += reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return result;
}

// Opens the copy the way s5j does and checks what it says.
CopyVerdict check_copy(const std::string& db_path) {
  CopyVerdict v;
  v.integrity = integrity_check(db_path);
  auto ledger = ledger::open_ledger({.location = db_path});
  EXPECT_TRUE(ledger.has_value()) << db_path << ": " << (ledger ? "" : ledger.error().describe());
  if (!ledger) return v;
  v.opened = true;
  auto job = (*ledger)->find_job("default");
  EXPECT_TRUE(job.has_value());
  if (!job || !*job) return v;  // copied before the job was recorded: an empty ledger is consistent
  auto totals = (*ledger)->totals((**job).id);
  EXPECT_TRUE(totals.has_value());
  if (!totals) return v;
  uint64_t total_objects = 0, verified_total = 0;
  for (const auto& t : *totals) {
    total_objects += t.objects;
    if (t.state == ledger::ObjectState::verified) verified_total = t.objects;
  }
  ledger::ListQuery query{.limit = 500};
  for (int page = 0; page < 100; ++page) {
    auto records = (*ledger)->list_objects((**job).id, query);
    EXPECT_TRUE(records.has_value());
    if (!records || records->empty()) break;
    for (const auto& r : *records) {
      ++v.records;
      if (r.state != ledger::ObjectState::verified) continue;
      ++v.verified;
      EXPECT_TRUE(r.crc32c.has_value() || !r.dest_etag.empty())
          << db_path << ": verified without evidence: " << r.key;
      EXPECT_FALSE(r.dest_etag.empty() && !r.md5) << db_path << ": verified without ETag or MD5: " << r.key;
    }
    query.after_key = records->back().key;
  }
  EXPECT_EQ(v.records, total_objects) << db_path << ": totals do not add up to the records";
  EXPECT_EQ(v.verified, verified_total) << db_path;
  return v;
}

TEST_F(CrashLoop, LedgerCopiesTakenMidRunAreConsistent) {
  uint64_t total = 0;
  const auto objects = crash_objects(total);
  ASSERT_TRUE(seed_objects(*src_, src_bucket_, objects, 16));
  const auto cfg = config(endpoint_a(), endpoint_b(), kTransfer, {}, bandwidth_cap(5));
  namespace fs = std::filesystem;

  BackgroundProcess run({s5j_binary(), "sync", "-c", cfg, "--no-progress"}, {}, dir_);
  std::mt19937_64 rng(9001);
  std::uniform_int_distribution<int> gap_ms(100, 900);
  std::vector<std::string> copies;
  for (int i = 0; i < 40 && run.running() && copies.size() < 16; ++i) {
    const int gap = gap_ms(rng);
    for (int waited = 0; waited < gap && run.running(); waited += 10) std::this_thread::sleep_for(10ms);
    if (!run.running() || !fs::exists(ledger_path())) continue;
    // Frozen, the files are exactly as a power cut at this instant would
    // find them (every write the process made has reached the page cache).
    run.kill(SIGSTOP);
    const std::string copy_dir = dir_ + "/cut-" + std::to_string(copies.size());
    fs::create_directories(copy_dir);
    std::error_code ec;
    fs::copy_file(ledger_path(), copy_dir + "/ledger.db", ec);
    const bool db_ok = !ec;
    if (fs::exists(ledger_path() + "-wal")) fs::copy_file(ledger_path() + "-wal", copy_dir + "/ledger.db-wal", ec);
    run.kill(SIGCONT);
    if (db_ok) copies.push_back(copy_dir + "/ledger.db");
  }
  auto result = run.wait();
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  ASSERT_GE(copies.size(), 10u) << "the run ended before 10 copies were taken";

  uint64_t last_verified = 0;
  std::vector<uint64_t> verified_per_copy;
  for (const auto& copy : copies) {
    auto v = check_copy(copy);
    EXPECT_TRUE(v.opened) << copy;
    EXPECT_EQ(v.integrity, "ok") << copy;
    verified_per_copy.push_back(v.verified);
    EXPECT_GE(v.verified, last_verified) << copy << ": a later copy knows fewer verified objects";
    last_verified = v.verified;
  }
  EXPECT_LT(verified_per_copy.front(), objects.size()) << "no copy was taken mid-run";
  std::printf("\npower cut: %zu ledger copies, verified objects per copy:", copies.size());
  for (auto n : verified_per_copy) std::printf(" %llu", (unsigned long long)n);
  std::printf(" (of %zu)\n", objects.size());
  // The run itself finished everything.
  EXPECT_EQ(ledger_verdict(ledger_path()).verified, objects.size());
  expect_identical();
}

}  // namespace
}  // namespace s5j::testing
