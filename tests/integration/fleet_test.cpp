// Several `s5j sync` processes on one job through a PostgreSQL ledger (a
// real PostgreSQL 15, fixture "postgres", and the two real gateways): they
// share the work, a worker killed midway has its objects finished by the
// others, a worker frozen past its lease cannot write over its successor
// (fencing), and a database restart in the middle of a run is ridden out.
// The relay on several hosts: fleet_relay_test.cpp.
#include <algorithm>

#include "integration/fleet_fixture.h"

namespace s5j {
namespace {

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

}  // namespace
}  // namespace s5j
