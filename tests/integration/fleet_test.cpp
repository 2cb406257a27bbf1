// Several `s5j sync` processes on one job through a PostgreSQL ledger (a
// real PostgreSQL 15, fixture "postgres", and the two real gateways): they
// share the work, a worker killed midway has its objects finished by the
// others, a worker frozen past its lease cannot write over its successor
// (fencing), and a database restart in the middle of a run is ridden out.
// Each test is its own job on the shared server (a unique job name), with
// its own buckets.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "ledger/open_ledger.h"
#include "support/job_files.h"
#include "support/process.h"
#include "support/s3_fixtures.h"
#include "support/test_env.h"

namespace s5j {
namespace {

using testing::events_named;
using testing::SeedObject;

constexpr uint64_t kMiB = 1024 * 1024;

class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("fleet");
    job_ = testing::unique_bucket_name("fleet");
    src_ = testing::make_test_client(testing::endpoint_a());
    dst_ = testing::make_test_client(testing::endpoint_b());
    src_bucket_ = testing::unique_bucket_name("fleetsrc");
    dst_bucket_ = testing::unique_bucket_name("fleetdst");
    ASSERT_TRUE(src_->create_bucket(src_bucket_).has_value());
    ASSERT_TRUE(dst_->create_bucket(dst_bucket_).has_value());
  }
  void TearDown() override {
    testing::remove_bucket(*src_, src_bucket_);
    testing::remove_bucket(*dst_, dst_bucket_);
  }

  std::vector<SeedObject> seed(int small, int big) {
    std::vector<SeedObject> objects;
    for (int i = 0; i < small; ++i)
      objects.push_back({"in/small/" + std::to_string(i), testing::random_bytes(30000 + 17 * i, i + 1)});
    for (int i = 0; i < big; ++i)
      objects.push_back({"in/big/" + std::to_string(i), testing::random_bytes(12 * kMiB, 900 + i)});
    EXPECT_TRUE(testing::seed_objects(*src_, src_bucket_, objects, 16));
    return objects;
  }

  // A 3 s lease, so a dead worker's objects come back quickly; each side
  // capped so that the run lasts long enough to act on it midway.
  std::string config(const std::string& bandwidth) {
    const std::string side = "  max_bandwidth: " + bandwidth + "\n";
    return testing::write_job_config(
        {{testing::endpoint_a(), src_bucket_, "in/", side},
         {testing::endpoint_b(), dst_bucket_, "out/", side},
         dir_,
         "job:\n  name: " + job_ +
             "\ntransfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n  workers: 3\n",
         "  postgres_url: " + testing::postgres_url() + "\n  lease_timeout: 3\n"});
  }

  testing::BackgroundProcess* start_worker(const std::string& cfg) {
    const std::string out = dir_ + "/worker-" + std::to_string(workers_.size());
    std::filesystem::create_directories(out);
    workers_.push_back(std::make_unique<testing::BackgroundProcess>(
        std::vector<std::string>{testing::s5j_binary(), "sync", "-c", cfg, "--no-progress"},
        std::vector<std::string>{}, out));
    return workers_.back().get();
  }

  // Events called `name` in the log of the run with `pid`.
  std::vector<nlohmann::json> events_of(int pid, const std::string& name) {
    for (const auto& f : testing::log_files(dir_ + "/logs"))
      if (f.find("-" + std::to_string(pid) + ".jsonl") != std::string::npos)
        return events_named(testing::read_event_file(f), name);
    return {};
  }

  // Polls until `done` holds (the logs, not time); at most ~90 s.
  static bool eventually(const std::function<bool()>& done) {
    for (int i = 0; i < 4500; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  std::map<std::string, uint32_t> attempts_by_key() {
    std::map<std::string, uint32_t> out;
    auto ledger = ledger::open_ledger({.location = testing::postgres_url()});
    EXPECT_TRUE(ledger.has_value()) << ledger.error().describe();
    if (!ledger) return out;
    auto job = (*ledger)->find_job(job_);
    EXPECT_TRUE(job && *job);
    if (!job || !*job) return out;
    auto st = ledger::for_each_object(**ledger, (**job).id, [&](const ledger::ObjectRecord& r) -> Status {
      out[r.key] = r.attempts;
      return {};
    });
    EXPECT_TRUE(st.has_value());
    return out;
  }

  // Every worker's output, for a failure message (stops them all).
  std::string outputs() {
    std::string out;
    for (size_t i = 0; i < workers_.size(); ++i) {
      workers_[i]->kill(SIGKILL);
      auto r = workers_[i]->wait();
      out += "\nworker " + std::to_string(i) + " exit " + std::to_string(r.exit_code) + ": " + r.out + r.err;
    }
    return out;
  }

  static std::set<std::string> keys_of(const std::vector<nlohmann::json>& events) {
    std::set<std::string> keys;
    for (const auto& e : events) keys.insert(e["key"].get<std::string>());
    return keys;
  }

  // The job in the shared ledger: every object verified.
  void expect_job_verified(size_t objects) {
    auto ledger = ledger::open_ledger({.location = testing::postgres_url()});
    ASSERT_TRUE(ledger.has_value()) << ledger.error().describe();
    auto job = (*ledger)->find_job(job_);
    ASSERT_TRUE(job && *job);
    auto totals = (*ledger)->totals((**job).id);
    ASSERT_TRUE(totals.has_value());
    uint64_t verified = 0, total = 0;
    for (const auto& t : *totals) {
      total += t.objects;
      if (t.state == ledger::ObjectState::verified) verified = t.objects;
    }
    EXPECT_EQ(total, objects);
    EXPECT_EQ(verified, objects);
  }

  std::string dir_, job_;
  std::unique_ptr<s3::S3Client> src_, dst_;
  std::string src_bucket_, dst_bucket_;
  std::vector<std::unique_ptr<testing::BackgroundProcess>> workers_;
};

// Three workers share the job; one is killed with SIGKILL once the job is
// under way. The other two finish it, byte-identical. Nothing the killed
// worker had verified is started again: the objects moved twice are at most
// its objects in flight.
TEST_F(FleetTest, ThreeWorkersOneKilledMidwayTheOthersFinishTheJob) {
  const auto objects = seed(150, 2);
  const auto cfg = config("2MiB");
  for (int i = 0; i < 3; ++i) start_worker(cfg);
  auto* victim = workers_[1].get();
  const int victim_pid = victim->pid();
  ASSERT_TRUE(eventually([&] { return events_of(victim_pid, "object_verified").size() >= 10; }))
      << "the second worker verified nothing" << outputs();
  // `status` lists the three workers with what each published with its
  // heartbeat (every second at this lease), and the job's ETA adds them.
  nlohmann::json status;
  ASSERT_TRUE(eventually([&] {
    auto r = testing::run_process({testing::s5j_binary(), "status", "-c", cfg, "--json"});
    status = nlohmann::json::parse(r.out, nullptr, false);
    if (status.is_discarded() || status["workers"].size() != 3 || status["eta_basis"] != "size_classes") return false;
    for (const auto& w : status["workers"])
      if (w["leases_held"].is_null()) return false;
    return true;
  })) << "status never showed three workers with figures and an ETA by size class: " << status.dump()
      << outputs();
  std::set<int> worker_pids;
  for (const auto& w : status["workers"]) {
    worker_pids.insert(w["pid"].get<int>());
    EXPECT_EQ(w["roles"], nlohmann::json::array({""})) << w.dump();  // each a whole-job (shared) lock
    EXPECT_FALSE(w["last_heartbeat"].get<std::string>().empty());
  }
  EXPECT_EQ(worker_pids, (std::set<int>{workers_[0]->pid(), workers_[1]->pid(), workers_[2]->pid()}));
  // `reset` takes the job's lock exclusively: refused while workers live.
  auto reset = testing::run_process({testing::s5j_binary(), "reset", "-c", cfg, "--yes"});
  EXPECT_EQ(reset.exit_code, 13) << reset.out << reset.err;
  EXPECT_NE(reset.err.find("is running as pid"), std::string::npos) << reset.err;
  victim->kill(SIGKILL);
  EXPECT_EQ(victim->wait().exit_code, 128 + SIGKILL);

  for (size_t i : {0u, 2u}) {
    auto r = workers_[i]->wait();
    EXPECT_EQ(r.exit_code, 0) << "worker " << i << ": " << r.out << r.err;
  }
  EXPECT_TRUE(testing::bucket_digests(*src_, src_bucket_, "in/") == testing::bucket_digests(*dst_, dst_bucket_, "out/"));
  expect_job_verified(objects.size());

  const auto victim_verified = keys_of(events_of(victim_pid, "object_verified"));
  const auto victim_started = keys_of(events_of(victim_pid, "object_started"));
  std::map<std::string, int> started_by_survivors;
  for (size_t i : {0u, 2u}) {
    for (const auto& key : keys_of(events_of(workers_[i]->pid(), "object_started"))) ++started_by_survivors[key];
    EXPECT_FALSE(events_of(workers_[i]->pid(), "object_verified").empty()) << "worker " << i << " did no work";
  }
  for (const auto& [key, times] : started_by_survivors) {
    EXPECT_EQ(victim_verified.count(key), 0u) << key << " was verified by the killed worker and moved again";
    if (victim_started.count(key) == 0) {
      EXPECT_EQ(times, 1) << key << " was started by both survivors";
    }
  }
  // The ledger counts each time an object entered `copying`: only the
  // killed worker's objects in flight (at most its 3 workers) went twice.
  // (Its log's last lines died with it, so the ledger is the record here.)
  size_t moved_twice = 0;
  for (const auto& [key, attempts] : attempts_by_key()) {
    if (attempts < 2) continue;
    ++moved_twice;
    EXPECT_TRUE(started_by_survivors.count(key)) << key << " went twice, but not through a survivor";
  }
  EXPECT_LE(moved_twice, 3u) << "more objects moved twice than the killed worker had in flight";
}

// A worker frozen (SIGSTOP) past its lease while it holds objects: the other
// worker takes them over. Resumed (SIGCONT), the frozen worker's late
// transitions are rejected (its claims' epochs moved on), it gives up the
// objects it lost, and the job ends verified and byte-identical.
TEST_F(FleetTest, AWorkerFrozenPastItsLeaseCannotCommitOverItsSuccessor) {
  const auto objects = seed(40, 3);
  const auto cfg = config("4MiB");
  auto* frozen = start_worker(cfg);
  ASSERT_TRUE(eventually([&] { return !events_of(frozen->pid(), "part_done").empty(); }))
      << "the first worker started no multipart object";
  frozen->kill(SIGSTOP);
  const auto held = keys_of(events_of(frozen->pid(), "object_started"));
  auto* successor = start_worker(cfg);
  // The successor takes over what the frozen worker held (after the 3 s lease).
  const bool taken_over = eventually([&] {
    const auto started = keys_of(events_of(successor->pid(), "object_started"));
    for (const auto& key : held)
      if (started.count(key) && !keys_of(events_of(frozen->pid(), "object_verified")).count(key)) return true;
    return false;
  });
  frozen->kill(SIGCONT);
  ASSERT_TRUE(taken_over) << "the successor never took over an object of the frozen worker";
  auto second = successor->wait();
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  auto first = frozen->wait();
  EXPECT_TRUE(first.exit_code == 0 || first.exit_code == 12) << first.out << first.err;

  size_t fenced = 0;
  for (const auto& e : events_of(frozen->pid(), "transition_rejected"))
    if (e["code"] == "LeaseLost") ++fenced;
  EXPECT_GT(fenced + events_of(frozen->pid(), "leases_lost").size(), 0u)
      << "the frozen worker never learnt it had lost its leases";
  EXPECT_TRUE(testing::bucket_digests(*src_, src_bucket_, "in/") == testing::bucket_digests(*dst_, dst_bucket_, "out/"));
  expect_job_verified(objects.size());
}

// PostgreSQL stopped in the middle of a run and started again a while
// later (a restart, a failover): the worker pauses instead of failing, says
// so once in its log, carries on when the server is back, and the job ends
// verified and byte-identical.
TEST_F(FleetTest, APostgresRestartDuringARunIsRiddenOut) {
  const auto objects = seed(60, 2);
  const auto cfg = config("3MiB");
  auto* worker = start_worker(cfg);
  ASSERT_TRUE(eventually([&] { return events_of(worker->pid(), "object_verified").size() >= 5; }))
      << "the worker verified nothing" << outputs();
  const std::string script = testing::source_dir() + "/tools/test-postgres.sh";
  auto down = testing::run_process({script, "down", testing::postgres_dir(), testing::postgres_port()});
  ASSERT_EQ(down.exit_code, 0) << down.out << down.err;
  const bool noticed = eventually([&] { return !events_of(worker->pid(), "ledger_unavailable").empty(); });
  auto up = testing::run_process({script, "up", testing::postgres_dir(), testing::postgres_port()});
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  ASSERT_TRUE(noticed) << "the worker never found the ledger gone" << outputs();

  auto r = worker->wait();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(events_of(worker->pid(), "ledger_unavailable").size(), 1u);
  EXPECT_EQ(events_of(worker->pid(), "ledger_available").size(), 1u);
  EXPECT_TRUE(testing::bucket_digests(*src_, src_bucket_, "in/") == testing::bucket_digests(*dst_, dst_bucket_, "out/"));
  expect_job_verified(objects.size());
  for (const auto& [key, attempts] : attempts_by_key()) EXPECT_EQ(attempts, 1u) << key << " was moved twice";

  // verify and ledger export read the PostgreSQL ledger as they read SQLite.
  auto verify = testing::run_process({testing::s5j_binary(), "verify", "-c", cfg});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  auto exported = testing::run_process({testing::s5j_binary(), "ledger", "export", "-c", cfg, "--format", "jsonl"});
  EXPECT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(static_cast<size_t>(std::count(exported.out.begin(), exported.out.end(), '\n')), objects.size());
  EXPECT_EQ(exported.out.find("s5j-test-password"), std::string::npos) << "the database password was shown";
}

// The staged relay keeps a job on one host (its staged files are on that
// host's volumes): with a live relay of the job on another host, a relay
// here is refused with exit 13 naming it, before it lists anything.
TEST_F(FleetTest, AStagedRelayOfAJobLiveOnAnotherHostIsRefused) {
  seed(3, 0);
  const std::string volume = dir_ + "/volume";
  std::filesystem::create_directories(volume);
  const std::string cfg = testing::write_job_config(
      {{testing::endpoint_a(), src_bucket_, "in/"},
       {testing::endpoint_b(), dst_bucket_, "out/"},
       dir_,
       "job:\n  name: " + job_ + "\nstaging:\n  volumes: [" + volume + "]\n",
       "  postgres_url: " + testing::postgres_url() + "\n  lease_timeout: 3\n"});
  auto ledger = ledger::open_ledger({.location = testing::postgres_url()});
  ASSERT_TRUE(ledger.has_value()) << ledger.error().describe();
  auto job = (*ledger)->open_job(job_, ledger::JobMode::staged);
  ASSERT_TRUE(job.has_value());
  auto held = (*ledger)->acquire_job_lock(job->id, {.owner = "elsewhere:1:1",
                                                    .pid = 4242,
                                                    .host = "relay-host-b",
                                                    .ttl = std::chrono::minutes(1),
                                                    .roles = {"stage", "drain"},
                                                    .shared = true});
  ASSERT_TRUE(held && held->acquired);

  auto relay = testing::run_process({testing::s5j_binary(), "relay", "-c", cfg, "--once", "--no-progress"});
  EXPECT_EQ(relay.exit_code, 13) << relay.out << relay.err;
  EXPECT_NE(relay.err.find("is relayed on relay-host-b (pid 4242)"), std::string::npos) << relay.err;
  auto totals = (*ledger)->totals(job->id);
  ASSERT_TRUE(totals.has_value());
  for (const auto& t : *totals) EXPECT_EQ(t.objects, 0u) << "the refused relay planned or staged objects";
  ASSERT_TRUE((*ledger)->release_job_lock(job->id, "elsewhere:1:1").has_value());
}

}  // namespace
}  // namespace s5j
