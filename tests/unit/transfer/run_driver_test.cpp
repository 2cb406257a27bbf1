// RunDriver over a real SQLite ledger with scripted legs: every outcome a
// leg reports ends in its ledger state and event, the run record gets the
// exit status the outcome implies, and one leg stopping stops the others.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "ledger/open_ledger.h"
#include "log/event_log.h"
#include "support/test_env.h"
#include "transfer/run_driver.h"

namespace s5j::transfer {
namespace {

using ledger::ObjectState;

// A leg whose transfer() answers from a script by key (verified when absent).
class ScriptedLeg final : public Leg {
 public:
  ScriptedLeg(RunContext& context, std::string name, ObjectState claims, std::map<std::string, OutcomeKind> script)
      : Leg(context, traits_for(std::move(name), claims)), script_(std::move(script)) {}

  std::atomic<bool> stopped{false};
  std::atomic<bool> stop_own_dispatcher{false};  // the next transfer stops this leg's own dispatcher
  bool wait_when_idle = false;                   // like a relay leg waiting for its peer: until stopped (or a minute)

  void on_stop() override { stopped = true; }
  ClaimDispatcher::Idle on_idle() override {
    if (wait_when_idle) (void)dispatcher().idle_wait(std::chrono::seconds(60));
    return ClaimDispatcher::Idle::done;
  }

 protected:
  ObjectOutcome transfer(const ledger::ObjectRecord& record) override {
    if (stop_own_dispatcher) dispatcher().request_stop();
    auto it = script_.find(record.key);
    const OutcomeKind kind = it == script_.end() ? OutcomeKind::verified : it->second;
    ObjectOutcome out = ObjectOutcome::of(kind, kind == OutcomeKind::failed ? "Boom" : "", "scripted");
    if (kind == OutcomeKind::verified) {
      out.update.error.reset();
      out.update.crc32c = 7;
    }
    return out;
  }
  void settle(const ledger::ObjectRecord& record, const ObjectOutcome& out, std::chrono::milliseconds) override {
    record_end(record, ObjectState::verified, out);
  }

 private:
  static LegTraits traits_for(std::string name, ObjectState claims) {
    LegTraits t;
    t.name = std::move(name);
    t.claims = claims;
    t.working = ObjectState::copying;
    t.started_event = "object_started";
    t.workers = 2;
    return t;
  }
  std::map<std::string, OutcomeKind> script_;
};

class ScriptedRun final : public RunSpec {
 public:
  std::vector<std::function<std::unique_ptr<Leg>(RunContext&)>> legs;
  std::vector<ScriptedLeg*> made;
  bool complete = false;
  std::optional<Error> plan_error;

  nlohmann::json started_fields() const override { return nlohmann::json::object(); }
  RecoveryOptions recovery() const override { return {}; }
  Result<nlohmann::json> plan() override {
    if (plan_error) return std::unexpected(*plan_error);
    return nlohmann::json::object();
  }
  std::vector<std::unique_ptr<Leg>> make_legs(RunContext& context) override {
    std::vector<std::unique_ptr<Leg>> out;
    for (auto& make : legs) {
      out.push_back(make(context));
      made.push_back(static_cast<ScriptedLeg*>(out.back().get()));
    }
    return out;
  }
  RunSummary summarize(const RunEnd&) override { return {nlohmann::json::object(), complete}; }
};

class RunDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("run-driver");
    auto l = ledger::open_ledger({.location = dir_ + "/ledger.db"});
    ASSERT_TRUE(l.has_value());
    ledger_ = std::move(*l);
    auto e = log::EventLog::open(dir_, "events.jsonl", log::Redactor{});
    ASSERT_TRUE(e.has_value());
    events_ = std::move(*e);
    auto j = ledger_->open_job("job", ledger::JobMode::direct);
    ASSERT_TRUE(j.has_value());
    job_ = j->id;
    std::vector<ledger::ListedObject> listed;
    for (int i = 0; i < 4; ++i) listed.push_back({"k" + std::to_string(1000 + i), 10, "e", std::nullopt});
    ASSERT_TRUE(ledger_->upsert_listed(job_, listed).has_value());
  }

  Result<RunEnd> run(ScriptedRun& spec) {
    JobRunSettings rs;
    rs.job = "job";
    driver_ = std::make_unique<RunDriver>(rs, DriverSettings{}, spec, *ledger_, *events_, SystemClock::instance());
    return driver_->run();
  }
  std::map<ObjectState, uint64_t> totals() {
    std::map<ObjectState, uint64_t> out;
    if (auto t = ledger_->totals(job_))
      for (const auto& x : *t) out[x.state] = x.objects;
    return out;
  }
  ledger::RunRecord last_run() {
    auto runs = ledger_->runs(job_, 1);
    EXPECT_TRUE(runs.has_value() && !runs->empty());
    return runs->front();
  }
  std::vector<nlohmann::json> events_named(const std::string& name) {
    events_->flush();
    std::vector<nlohmann::json> out;
    std::ifstream in(dir_ + "/events.jsonl");
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line);
      if (j["event"] == name) out.push_back(j);
    }
    return out;
  }

  std::string dir_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<log::EventLog> events_;
  ledger::JobId job_;
  std::unique_ptr<RunDriver> driver_;
};

TEST_F(RunDriverTest, EachOutcomeEndsInItsStateAndAFailedObjectMakesTheRunIncomplete) {
  ScriptedRun spec;
  spec.legs.push_back([](RunContext& c) {
    return std::make_unique<ScriptedLeg>(
        c, "copy", ObjectState::pending,
        std::map<std::string, OutcomeKind>{{"k1001", OutcomeKind::failed}, {"k1002", OutcomeKind::vanished}});
  });
  auto end = run(spec);
  ASSERT_TRUE(end.has_value()) << end.error().message;
  EXPECT_FALSE(end->stopped);

  auto t = totals();
  EXPECT_EQ(t[ObjectState::verified], 2u);
  EXPECT_EQ(t[ObjectState::failed], 1u);
  EXPECT_EQ(t[ObjectState::vanished], 1u);
  EXPECT_EQ(driver_->tally().failed_objects, 1u);
  EXPECT_EQ(driver_->tally().failures(), std::vector<std::string>{"k1001: Boom: scripted"});

  auto failed = events_named("object_failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0]["key"], "k1001");
  EXPECT_EQ(failed[0]["code"], "Boom");
  EXPECT_EQ(failed[0]["leg"], "copy");
  EXPECT_EQ(events_named("object_vanished").size(), 1u);
  EXPECT_EQ(events_named("object_started").size(), 4u);
  EXPECT_EQ(events_named("run_summary").size(), 1u);

  const auto r = last_run();
  EXPECT_EQ(r.outcome, "incomplete");
  EXPECT_EQ(r.exit_code, 12);
}

TEST_F(RunDriverTest, ACompleteRunEndsWithStatusZero) {
  ScriptedRun spec;
  spec.complete = true;
  spec.legs.push_back([](RunContext& c) {
    return std::make_unique<ScriptedLeg>(c, "", ObjectState::pending, std::map<std::string, OutcomeKind>{});
  });
  ASSERT_TRUE(run(spec).has_value());
  EXPECT_EQ(totals()[ObjectState::verified], 4u);
  const auto started = events_named("object_started");
  ASSERT_FALSE(started.empty());
  EXPECT_FALSE(started[0].contains("leg"));  // an unnamed leg's events say no leg
  const auto r = last_run();
  EXPECT_EQ(r.outcome, "complete");
  EXPECT_EQ(r.exit_code, 0);
}

TEST_F(RunDriverTest, OneLegStoppingStopsTheOthersAndTheRunIsStopped) {
  ScriptedRun spec;
  // Stops itself at its first object, which it gives up on (cancelled).
  spec.legs.push_back([](RunContext& c) {
    std::map<std::string, OutcomeKind> cancelled;
    for (int i = 0; i < 4; ++i) cancelled["k" + std::to_string(1000 + i)] = OutcomeKind::cancelled;
    auto leg = std::make_unique<ScriptedLeg>(c, "stage", ObjectState::pending, cancelled);
    leg->stop_own_dispatcher = true;
    return leg;
  });
  // Waits in on_idle for work that never comes, until it is stopped.
  spec.legs.push_back([](RunContext& c) {
    auto leg = std::make_unique<ScriptedLeg>(c, "drain", ObjectState::staged, std::map<std::string, OutcomeKind>{});
    leg->wait_when_idle = true;
    return leg;
  });
  auto end = run(spec);
  ASSERT_TRUE(end.has_value()) << end.error().message;
  EXPECT_TRUE(end->stopped);
  ASSERT_EQ(spec.made.size(), 2u);
  EXPECT_TRUE(spec.made[0]->stopped);
  EXPECT_TRUE(spec.made[1]->stopped);
  EXPECT_LT(end->duration, std::chrono::seconds(30));
  // Handed back as they were (started: copying; claimed only: pending), for the next run.
  auto t = totals();
  EXPECT_EQ(t[ObjectState::pending] + t[ObjectState::copying], 4u);
  EXPECT_EQ(t[ObjectState::verified] + t[ObjectState::failed], 0u);
  const auto r = last_run();
  EXPECT_EQ(r.outcome, "stopped");
  EXPECT_EQ(r.exit_code, 0);
}

TEST_F(RunDriverTest, APlanningErrorEndsTheRunWithStatusOne) {
  ScriptedRun spec;
  spec.plan_error = Error{ErrorKind::permanent, "NoSuchBucket", "no bucket"};
  auto end = run(spec);
  ASSERT_FALSE(end.has_value());
  EXPECT_EQ(end.error().code, "NoSuchBucket");
  const auto r = last_run();
  EXPECT_EQ(r.outcome, "error");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(events_named("plan_done").empty());
}

}  // namespace
}  // namespace s5j::transfer
