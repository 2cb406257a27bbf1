// `s5j status` end to end: the real binary reading a ledger populated
// through the Ledger API (as a run would), from another process: figures
// per state agree with the ledger and with `ledger export`, throughput
// comes from when records were verified, a lock held by a live process
// shows as an active run with its pid, a dead holder does not, staged jobs
// show their volumes without status writing anything, and --watch refreshes
// until interrupted.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "integration/ops_test_support.h"
#include "staging/stager.h"
#include "support/fake_clock.h"

namespace s5j {
namespace {

using namespace opstest;
using Json = nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;

std::string hostname() {
  char name[HOST_NAME_MAX + 1] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

Json status_json(const OpsEnv& env) {
  auto r = s5j({"status", "-c", env.config, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  return Json::parse(r.out);
}

Json state_entry(const Json& status, const std::string& state) {
  for (const auto& s : status["states"])
    if (s["state"] == state) return s;
  ADD_FAILURE() << "no state " << state;
  return Json();
}

TEST(StatusCommand, UnknownJobSaysNoRunsYetAndCreatesNothing) {
  OpsEnv env("status-none");
  auto r = s5j({"status", "-c", env.config});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("no runs yet"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(env.ledger_path)) << "status must not create a ledger";

  auto j = status_json(env);
  EXPECT_EQ(j["job_exists"], false);
  EXPECT_TRUE(j["run"].is_null());
  EXPECT_EQ(j["total"]["objects"], 0);
}

TEST(StatusCommand, FiguresMatchTheLedgerAndTheExport) {
  OpsEnv env("status-figures");
  const auto now = std::chrono::system_clock::now();
  testing::FakeClock clock;  // the ledger's clock: records stamped at chosen times
  clock.set_wall(now - minutes(20));
  auto ledger = env.open_ledger(&clock);
  const JobId job = open_job(*ledger, "default", ledger::JobMode::direct);
  add_objects(*ledger, job, {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}, 1000);
  auto run = ledger->begin_run(job, {.pid = 4242, .host = "site-a", .command = "sync", .version = "test"});
  ASSERT_TRUE(run.has_value()) << run.error().describe();
  clock.set_wall(now - minutes(10));  // two verified long ago, two within the last minute
  verify_direct(*ledger, job, "a");
  verify_direct(*ledger, job, "b");
  fail_direct(*ledger, job, "c", "SlowDown: please reduce your request rate (HTTP 503)");
  clock.set_wall(now - seconds(30));
  verify_direct(*ledger, job, "d");
  verify_direct(*ledger, job, "e");
  fail_direct(*ledger, job, "f", "AccessDenied: no permission (HTTP 403)");
  fail_direct(*ledger, job, "g", "SlowDown: please reduce your request rate (HTTP 503)");
  clock.set_wall(now - seconds(10));
  ASSERT_TRUE(ledger->end_run(*run, "incomplete", 12).has_value());
  ledger.reset();

  auto j = status_json(env);
  EXPECT_EQ(j["job"], "default");
  EXPECT_EQ(j["mode"], "direct");
  EXPECT_EQ(state_entry(j, "pending")["objects"], 3);
  EXPECT_EQ(state_entry(j, "verified")["objects"], 4);
  EXPECT_EQ(state_entry(j, "verified")["bytes"], 4000);
  EXPECT_EQ(state_entry(j, "failed")["objects"], 3);
  EXPECT_EQ(state_entry(j, "copying")["objects"], 0);
  EXPECT_EQ(j["total"]["objects"], 10);
  EXPECT_EQ(j["total"]["bytes"], 10000);
  EXPECT_EQ(j["remaining"]["objects"], 6);
  EXPECT_EQ(j["remaining"]["bytes"], 6000);

  EXPECT_EQ(j["run"]["active"], false);
  EXPECT_EQ(j["run"]["pid"], 4242);
  EXPECT_EQ(j["run"]["host"], "site-a");
  EXPECT_EQ(j["run"]["outcome"], "incomplete");
  EXPECT_EQ(j["run"]["exit_code"], 12);
  EXPECT_TRUE(j["eta_seconds"].is_null()) << "no ETA without an active run";

  // Last minute: d and e (2000 bytes) / 60 s. The run: all four, over the
  // 20 minutes minus 10 seconds from begin_run to end_run.
  EXPECT_EQ(j["throughput"]["basis"], "ledger");
  EXPECT_NEAR(j["throughput"]["last_minute_bytes_per_second"].get<double>(), 2000.0 / 60, 1e-6);
  EXPECT_NEAR(j["throughput"]["since_run_start_bytes_per_second"].get<double>(), 4000.0 / (20 * 60 - 10), 1e-3);

  ASSERT_EQ(j["errors"]["kinds"].size(), 2u);
  EXPECT_EQ(j["errors"]["examined"], 3);
  EXPECT_EQ(j["errors"]["kinds"][0]["kind"], "SlowDown");  // the most recent error is g's
  EXPECT_EQ(j["errors"]["kinds"][0]["count"], 2);
  EXPECT_EQ(j["errors"]["kinds"][0]["latest_key"], "g");
  EXPECT_EQ(j["errors"]["kinds"][1]["kind"], "AccessDenied");
  EXPECT_EQ(j["errors"]["kinds"][1]["count"], 1);
  EXPECT_TRUE(j["staging"].is_null());

  // The export of the same ledger agrees, state by state.
  auto exported = s5j({"ledger", "export", "-c", env.config, "--format", "jsonl"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::map<std::string, int> per_state;
  std::istringstream lines(exported.out);
  for (std::string line; std::getline(lines, line);) ++per_state[Json::parse(line)["state"].get<std::string>()];
  for (const auto& s : j["states"])
    EXPECT_EQ(per_state[s["state"].get<std::string>()], s["objects"].get<int>()) << s["state"];

  // The text form shows the same numbers.
  auto text = s5j({"status", "-c", env.config});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(std::regex_search(text.out, std::regex("verified +4 +4000 ")));
  EXPECT_TRUE(std::regex_search(text.out, std::regex("remaining +6 +6000 ")));
  EXPECT_NE(text.out.find("SlowDown: 2"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("last was pid 4242 on site-a"), std::string::npos) << text.out;
}

TEST(StatusCommand, ReportsTheRunOfTheProcessHoldingTheLockAsActive) {
  OpsEnv env("status-active");
  auto ledger = env.open_ledger();
  const JobId job = open_job(*ledger, "default", ledger::JobMode::direct);
  add_objects(*ledger, job, {"x1", "x2", "x3", "x4"}, 500);
  const int64_t pid = getpid();  // this test process is "the run"
  ASSERT_TRUE(ledger->begin_run(job, {.pid = pid, .host = hostname(), .command = "sync", .version = "t"}));
  auto lock = ledger->acquire_job_lock(job, {.owner = "test-run", .pid = pid, .host = hostname()});
  ASSERT_TRUE(lock && lock->acquired);
  verify_direct(*ledger, job, "x1");

  auto j = status_json(env);
  EXPECT_EQ(j["run"]["active"], true);
  EXPECT_EQ(j["run"]["pid"], pid);
  EXPECT_EQ(j["run"]["host"], hostname());
  EXPECT_EQ(j["run"]["command"], "sync");
  EXPECT_FALSE(j["run"]["started_at"].is_null());
  // 500 bytes verified by a run that began moments ago: its rate is over its
  // age (at least 1 s), not over a whole minute, so 1500 bytes remaining
  // take far less than the 180 s a per-minute average would claim.
  ASSERT_FALSE(j["eta_seconds"].is_null());
  const double rate = j["throughput"]["last_minute_bytes_per_second"].get<double>();
  EXPECT_GT(rate, 500.0 / 30.0) << "the window is the run's age, well under a minute here";
  EXPECT_LE(rate, 500.0);
  EXPECT_NEAR(j["eta_seconds"].get<double>(), 1500.0 / rate, 1e-6);
  EXPECT_LT(j["eta_seconds"].get<double>(), 180.0);

  auto text = s5j({"status", "-c", env.config});
  EXPECT_NE(text.out.find("ACTIVE as pid " + std::to_string(pid) + " on " + hostname()), std::string::npos)
      << text.out;
}

TEST(StatusCommand, AnActiveRunWithNothingRemainingSaysSoInsteadOfAnETA) {
  OpsEnv env("status-idle");
  auto ledger = env.open_ledger();
  const JobId job = open_job(*ledger, "default", ledger::JobMode::direct);
  add_objects(*ledger, job, {"x1", "x2"}, 500);
  const int64_t pid = getpid();  // this test process is "the run", now idle
  ASSERT_TRUE(ledger->begin_run(job, {.pid = pid, .host = hostname(), .command = "sync", .version = "t"}));
  auto lock = ledger->acquire_job_lock(job, {.owner = "test-run", .pid = pid, .host = hostname()});
  ASSERT_TRUE(lock && lock->acquired);
  verify_direct(*ledger, job, "x1");
  verify_direct(*ledger, job, "x2");

  auto text = s5j({"status", "-c", env.config});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("ETA: nothing remaining"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("for 0"), std::string::npos) << text.out;
}

TEST(StatusCommand, StageAndDrainAsTwoProcessesAreBothShownWithTheirActivities) {
  OpsEnv env("status-two-roles");
  auto ledger = env.open_ledger();
  const JobId job = open_job(*ledger, "default", ledger::JobMode::staged);
  const int64_t pid = getpid();  // both "processes" are this live test process
  auto drain = ledger->acquire_job_lock(job, {.owner = "drain-run", .pid = pid, .host = hostname(), .roles = {"drain"}});
  ASSERT_TRUE(drain && drain->acquired);
  auto stage = ledger->acquire_job_lock(job, {.owner = "stage-run", .pid = pid, .host = hostname(), .roles = {"stage"}});
  ASSERT_TRUE(stage && stage->acquired);
  const auto now = SystemClock::instance().now();
  ASSERT_TRUE(ledger->set_run_activity(job, "drain-run", {.name = "idle", .since = now}));
  ASSERT_TRUE(ledger->set_run_activity(job, "stage-run",
                                       {.name = "waiting_for_space", .since = now, .wanted_bytes = 1048576}));

  auto j = status_json(env);
  ASSERT_EQ(j["run"]["active"], true);
  ASSERT_EQ(j["run"]["also_active"].size(), 1u) << j.dump();
  // Whichever role is reported first, the other is listed beside it, each
  // with its own activity: the stage's wait for space is never hidden.
  std::map<std::string, std::string> activity_by_role{
      {j["run"]["role"].get<std::string>(), j["run"]["activity"]["name"].get<std::string>()},
      {j["run"]["also_active"][0]["role"].get<std::string>(),
       j["run"]["also_active"][0]["activity"]["name"].get<std::string>()}};
  EXPECT_EQ(activity_by_role["stage"], "waiting_for_space");
  EXPECT_EQ(activity_by_role["drain"], "idle");
  EXPECT_EQ(j["run"]["also_active"][0]["pid"], pid);

  auto text = s5j({"status", "-c", env.config});
  EXPECT_NE(text.out.find("also active: pid " + std::to_string(pid)), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("waiting for staging space"), std::string::npos) << text.out;
}

TEST(StatusCommand, ObjectsLeftInFlightByAStoppedRunAreSaidToBeIdle) {
  OpsEnv env("status-interrupted");
  auto ledger = env.open_ledger();
  const JobId job = open_job(*ledger, "default", ledger::JobMode::direct);
  add_objects(*ledger, job, {"k1", "k2", "k3"}, 100);
  commit(*ledger, Transition::of(get(*ledger, job, "k1"), ObjectState::copying));
  commit(*ledger, Transition::of(get(*ledger, job, "k2"), ObjectState::copying));
  auto run = ledger->begin_run(job, {.pid = 4242, .host = "site-a", .command = "sync", .version = "t"});
  ASSERT_TRUE(run.has_value());
  ASSERT_TRUE(ledger->end_run(*run, "stopped", 0).has_value());

  auto text = s5j({"status", "-c", env.config});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("note: 2 objects were in flight when the last run ended"), std::string::npos) << text.out;

  // While a run is active they are its work, not left behind.
  const int64_t pid = getpid();
  ASSERT_TRUE(ledger->begin_run(job, {.pid = pid, .host = hostname(), .command = "sync", .version = "t"}));
  auto lock = ledger->acquire_job_lock(job, {.owner = "live-run", .pid = pid, .host = hostname()});
  ASSERT_TRUE(lock && lock->acquired);
  text = s5j({"status", "-c", env.config});
  EXPECT_EQ(text.out.find("were in flight"), std::string::npos) << text.out;
}

TEST(StatusCommand, ALockOfAProcessThatIsGoneIsNotAnActiveRun) {
  OpsEnv env("status-dead");
  auto ledger = env.open_ledger();
  const JobId job = open_job(*ledger, "default", ledger::JobMode::direct);
  const pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);  // reaped: that pid is gone
  ASSERT_TRUE(ledger->begin_run(job, {.pid = child, .host = hostname(), .command = "sync", .version = "t"}));
  auto lock = ledger->acquire_job_lock(job, {.owner = "dead-run", .pid = child, .host = hostname()});
  ASSERT_TRUE(lock && lock->acquired);

  auto j = status_json(env);
  EXPECT_EQ(j["run"]["active"], false);
  EXPECT_EQ(j["run"]["pid"], child);
  EXPECT_TRUE(j["run"]["ended_at"].is_null());
  auto text = s5j({"status", "-c", env.config});
  EXPECT_NE(text.out.find("did not finish"), std::string::npos) << text.out;
}

TEST(StatusCommand, StagedJobShowsVolumesWithoutTouchingThem) {
  const std::string base = testing::make_temp_dir("status-volumes");
  const std::string v1 = base + "/v1", v2 = base + "/v2";
  std::filesystem::create_directories(v1);
  std::filesystem::create_directories(v2);
  OpsEnv env("status-staged", {.job = "relay", .volumes = {v1, v2}});
  auto ledger = env.open_ledger();
  const JobId job = open_job(*ledger, "relay", ledger::JobMode::staged);
  add_objects(*ledger, job, {"k1", "k2", "k3"}, 4096);

  {  // stage k1 and k2 on v1 (the stager's choice), leave a cut-short write of k3
    staging::StagingOptions o;
    o.volumes = {v1};
    o.job = "relay";
    o.reserve_bytes = 0;
    auto stager = staging::Stager::open(o);
    ASSERT_TRUE(stager.has_value());
    for (const char* key : {"k1", "k2"}) {
      const auto id = get(*ledger, job, key).id.value;
      auto space = (*stager)->reserve(4096, staging::WaitMode::fail_fast);
      ASSERT_TRUE(space.has_value());
      auto w = (*stager)->create_writer(id, std::move(*space));
      ASSERT_TRUE(w.has_value());
      ASSERT_TRUE((*w)->append(std::string(4096, 'z')).has_value());
      ASSERT_TRUE((*w)->commit().has_value());
    }
    const auto id3 = get(*ledger, job, "k3").id.value;
    std::filesystem::create_directories(staging::shard_dir(v1, "relay", id3));
    std::ofstream(staging::part_path(v1, "relay", id3)) << std::string(100, 'p');
  }

  auto j = status_json(env);
  ASSERT_FALSE(j["staging"].is_null());
  ASSERT_EQ(j["staging"]["volumes"].size(), 2u);
  const auto& a = j["staging"]["volumes"][0];
  EXPECT_EQ(a["path"], v1);
  EXPECT_EQ(a["staged_files"], 2);
  EXPECT_EQ(a["staged_bytes"], 8192);
  EXPECT_EQ(a["partial_files"], 1);
  EXPECT_EQ(a["partial_bytes"], 100);
  EXPECT_GT(a["total_bytes"].get<uint64_t>(), 0u);
  EXPECT_GT(a["free_bytes"].get<uint64_t>(), 0u);
  EXPECT_TRUE(a["error"].is_null());
  const auto& b = j["staging"]["volumes"][1];
  EXPECT_EQ(b["staged_files"], 0);
  EXPECT_FALSE(std::filesystem::exists(v2 + "/s5j-staging")) << "status must not create staging directories";

  auto text = s5j({"status", "-c", env.config});
  EXPECT_NE(text.out.find(v1 + ": 2 staged files, 8192"), std::string::npos) << text.out;
}

TEST(StatusCommand, UsableSpaceStaysWithinTheJobsVolumeLimit) {
  const std::string base = testing::make_temp_dir("status-volume-limit");
  std::filesystem::create_directories(base + "/v1");
  OpsEnv env("status-limit", {.job = "relay", .volumes = {base + "/v1"}, .staging_extra = "  volume_limit: 1MiB\n"});
  auto ledger = env.open_ledger();
  open_job(*ledger, "relay", ledger::JobMode::staged);
  auto j = status_json(env);
  ASSERT_EQ(j["staging"]["volumes"].size(), 1u);
  const auto& v = j["staging"]["volumes"][0];
  EXPECT_GT(v["free_bytes"].get<uint64_t>(), 1u << 20) << "the test needs a disk with more than 1 MiB free";
  EXPECT_EQ(v["usable_bytes"].get<uint64_t>(), 1u << 20);
}

TEST(StatusCommand, WatchRefreshesUntilInterrupted) {
  OpsEnv env("status-watch");
  auto ledger = env.open_ledger();
  open_job(*ledger, "default", ledger::JobMode::direct);

  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const std::string bin = testing::s5j_binary();
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    execl(bin.c_str(), bin.c_str(), "status", "-c", env.config.c_str(), "--json", "--watch", "0.05",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  // Three refreshes arrive without anyone asking: each is one JSON line.
  std::string got;
  char buf[4096];
  while (std::count(got.begin(), got.end(), '\n') < 3) {
    const ssize_t n = read(out[0], buf, sizeof buf);
    ASSERT_GT(n, 0) << "status --watch stopped early: " << got;
    got.append(buf, static_cast<size_t>(n));
  }
  kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  close(out[0]);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::istringstream lines(got);
  std::string line;
  for (int i = 0; i < 3 && std::getline(lines, line); ++i) EXPECT_EQ(Json::parse(line)["job_exists"], true);
}

TEST(StatusCommand, BadConfigIsExitCode3AndNotALedgerIsExitCode10) {
  OpsEnv env("status-errors");
  auto r = s5j({"status", "-c", env.dir + "/missing.yaml"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  std::ofstream(env.ledger_path) << "these are not the droids you are looking for\n";
  r = s5j({"status", "-c", env.config});
  EXPECT_EQ(r.exit_code, 10) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(env.ledger_path), std::string::npos) << r.err;
}

}  // namespace
}  // namespace s5j
