#include "transfer/relay_engine.h"

#include <mutex>

#include "transfer/drain_leg.h"
#include "transfer/job_recovery.h"
#include "transfer/planner.h"
#include "transfer/stage_leg.h"
#include "transfer/staging_cleanup.h"

namespace s5j::transfer {

std::string_view to_string(RelayRole role) {
  switch (role) {
    case RelayRole::stage: return "stage";
    case RelayRole::drain: return "drain";
    case RelayRole::relay: return "relay";
  }
  return "relay";
}

void record_failed_object(const RelayContext& ctx, ClaimDispatcher& dispatcher, const ledger::ObjectRecord& record,
                          const ledger::ObjectUpdate& update, const std::string& error_code, const char* leg) {
  ledger::Transition t = ledger::Transition::of(record, ledger::ObjectState::failed, ctx.run.owner());
  t.update = update;
  dispatcher.queue_or_fail(std::move(t));
  dispatcher.unhold(record.id);
  ctx.tally.add_failure(record.key, update.error.value_or(error_code));
  ctx.committer.emit_when_durable(record.id, "object_failed", {{"leg", leg},
                                                               {"key", record.key},
                                                               {"size", record.size},
                                                               {"code", error_code},
                                                               {"error", update.error.value_or("")}});
}

Result<uint64_t> count_in(ledger::Ledger& ledger, ledger::JobId job, std::initializer_list<ledger::ObjectState> states) {
  auto totals = ledger.totals(job);
  if (!totals) return std::unexpected(totals.error());
  uint64_t n = 0;
  for (const auto& t : *totals)
    for (auto s : states)
      if (t.state == s) n += t.objects;
  return n;
}

namespace {

JobRunSettings run_settings(const RelaySettings& s) {
  JobRunSettings r;
  r.job = s.job;
  r.mode = ledger::JobMode::staged;
  r.command = s.command.empty() ? std::string(to_string(s.role)) : s.command;
  // Two runs of one role exclude each other; stage and drain do not.
  if (s.role != RelayRole::drain) r.roles.push_back("stage");
  if (s.role != RelayRole::stage) r.roles.push_back("drain");
  return r;
}

}  // namespace

struct RelayEngine::State {
  State(RelaySettings s, s3::S3Client* src, s3::S3Client* dst, ledger::Ledger& l, log::EventLog& e, const Clock& c)
      : settings(std::move(s)),
        source(src),
        destination(dst),
        ledger(l),
        events(e),
        clock(c),
        run(run_settings(settings), l, e, c),
        committer(l, e),
        activity(run) {}

  RelaySettings settings;
  s3::S3Client* source;
  s3::S3Client* destination;
  ledger::Ledger& ledger;
  log::EventLog& events;
  const Clock& clock;
  JobRun run;
  GroupCommit committer;
  RelayTally tally;
  RelayActivity activity;
  std::unique_ptr<staging::Stager> stager;  // set under legs_mutex
  std::unique_ptr<RelayContext> context;

  mutable std::mutex legs_mutex;  // request_stop() may come from a signal thread at any time
  std::unique_ptr<StageLeg> stage;  // guarded by legs_mutex while being set
  std::unique_ptr<DrainLeg> drain;  // guarded by legs_mutex while being set
  std::atomic<bool> stop_requested{false};

  std::atomic<bool> planning{true};
  std::atomic<uint64_t> listed{0}, to_stage{0}, to_stage_bytes{0}, to_upload{0}, to_upload_bytes{0};

  bool has_stage() const { return settings.role != RelayRole::drain; }
  bool has_drain() const { return settings.role != RelayRole::stage; }
  Status recover();
  Status open_staging(RelayReport& report);
  Status plan(RelayReport& report);
  Status count_work();
};

RelayEngine::RelayEngine(RelaySettings settings, s3::S3Client* source, s3::S3Client* destination,
                         ledger::Ledger& ledger, log::EventLog& events, const Clock& clock)
    : state_(std::make_unique<State>(std::move(settings), source, destination, ledger, events, clock)) {
  if (source != nullptr) source->set_observer(log_retries(state_->events, "source"));
  if (destination != nullptr) destination->set_observer(log_retries(state_->events, "destination"));
}

RelayEngine::~RelayEngine() = default;

void RelayEngine::request_stop() {
  auto& s = *state_;
  if (s.stop_requested.exchange(true)) return;
  s.events.emit("stop_requested");
  s.activity.stopping();
  std::lock_guard lock(s.legs_mutex);
  if (s.stage) s.stage->request_stop();
  if (s.drain) s.drain->request_stop();
}

RelayProgress RelayEngine::progress() const {
  const auto& s = *state_;
  RelayProgress p;
  p.planning = s.planning;
  p.listed_objects = s.listed;
  p.to_stage_objects = s.to_stage;
  p.to_stage_bytes = s.to_stage_bytes;
  p.to_upload_objects = s.to_upload;
  p.to_upload_bytes = s.to_upload_bytes;
  p.staged_objects = s.tally.staged_objects;
  p.staged_bytes = s.tally.staged_bytes;
  p.verified_objects = s.tally.verified_objects;
  p.verified_bytes = s.tally.verified_bytes;
  p.failed_objects = s.tally.failed_objects;
  std::lock_guard lock(s.legs_mutex);
  p.scanning = s.stage && s.stage->scanning();
  p.waiting_for_space = s.stager && s.stager->waiting_for_space();
  return p;
}

Status RelayEngine::State::recover() {
  RecoveryOptions o;
  // Leases of the states our role works on were held by a dead run of it;
  // the other role's run may be alive and working on its states.
  if (settings.role == RelayRole::stage) o.lease_states = {ledger::ObjectState::pending, ledger::ObjectState::staging};
  if (settings.role == RelayRole::drain) o.lease_states = {ledger::ObjectState::staged, ledger::ObjectState::uploading};
  if (has_drain() && destination != nullptr) {
    o.destination = destination;
    o.destination_bucket = settings.destination_bucket;
    o.destination_key = [this](const std::string& key) {
      return destination_key_for(settings.source_prefix, settings.destination_prefix, key);
    };
  }
  auto r = recover_job(ledger, run.job(), o, events);
  if (!r) return std::unexpected(r.error());
  return {};
}

Status RelayEngine::State::open_staging(RelayReport& report) {
  staging::StagingOptions o = settings.staging;
  o.job = settings.job;
  o.on_space_wait = [this](uint64_t bytes) {
    ++tally.space_waits;
    nlohmann::json volumes = nlohmann::json::array();
    if (stager)
      for (const auto& u : stager->usage())
        volumes.push_back({{"path", u.path},
                           {"staged_bytes", u.staged_bytes},
                           {"reserved_bytes", u.reserved_bytes},
                           {"free_bytes", u.free_bytes},
                           {"limit_bytes", u.limit_bytes}});
    events.emit("waiting_for_space", {{"bytes", bytes}, {"volumes", volumes}});
    activity.space_wait(bytes);
  };
  auto opened = staging::Stager::open(o);
  if (!opened) return std::unexpected(opened.error());
  {
    std::lock_guard lock(legs_mutex);  // progress() reads it from another thread
    stager = std::move(*opened);
  }
  activity.set_stager(stager.get());
  auto cleaned = clean_staging(*stager, ledger, run.job(), has_stage(), events);
  if (!cleaned) return std::unexpected(cleaned.error());
  report.partials_removed = cleaned->partials_removed;
  report.stale_removed = cleaned->stale_removed;
  return {};
}

Status RelayEngine::State::plan(RelayReport& report) {
  if (!has_stage()) return {};
  // The stage side may not see the destination (that is why it stages):
  // the listing is matched against the ledger only.
  Planner planner({settings.source_bucket, settings.source_prefix, settings.destination_bucket,
                   settings.destination_prefix, /*match_destination=*/false},
                  *source, *source, ledger, run.job(), events);
  auto plan = planner.plan([&](uint64_t objects, uint64_t) { listed = objects; });
  if (!plan) return std::unexpected(plan.error());
  report.listed_objects = plan->listed_objects;
  listed = plan->listed_objects;
  return {};
}

Status RelayEngine::State::count_work() {
  auto totals = ledger.totals(run.job());
  if (!totals) return std::unexpected(totals.error());
  uint64_t stage_n = 0, stage_b = 0, upload_n = 0, upload_b = 0;
  for (const auto& t : *totals) {
    using S = ledger::ObjectState;
    if (t.state == S::pending || t.state == S::staging || t.state == S::failed) {
      stage_n += t.objects;
      stage_b += t.bytes;
    }
    if (t.state != S::verified && t.state != S::vanished) {
      upload_n += t.objects;
      upload_b += t.bytes;
    }
  }
  to_stage = stage_n;
  to_stage_bytes = stage_b;
  to_upload = upload_n;
  to_upload_bytes = upload_b;
  return {};
}

Result<RelayReport> RelayEngine::run() {
  auto& s = *state_;
  const auto started = s.clock.steady_now();
  RelayReport report;
  report.role = s.settings.role;
  if ((s.has_stage() && s.source == nullptr) || (s.has_drain() && s.destination == nullptr))
    return make_error(ErrorKind::fatal, "InvalidArgument", "the relay needs a client for each side it works on");
  if (auto b = s.run.begin(); !b) return std::unexpected(b.error());
  // A stop before the lock was held could not be published then.
  if (s.stop_requested) s.run.set_activity("stopping");
  auto fail = [&](const Error& e) -> Result<RelayReport> {
    s.run.finish("error", 1);
    return std::unexpected(e);
  };
  s.events.emit("run_started", {{"job", s.settings.job},
                                {"command", s.run.settings().command},
                                {"role", std::string(to_string(s.settings.role))},
                                {"source", "s3://" + s.settings.source_bucket + "/" + s.settings.source_prefix},
                                {"destination", "s3://" + s.settings.destination_bucket + "/" +
                                                    s.settings.destination_prefix},
                                {"workers", s.settings.workers},
                                {"once", s.settings.once}});
  if (auto r = s.recover(); !r) return fail(r.error());
  if (auto r = s.open_staging(report); !r) return fail(r.error());
  // The first listing; the rescans of continuous mode are `scanning`.
  if (s.has_stage()) s.run.set_activity("listing");
  if (auto r = s.plan(report); !r) return fail(r.error());
  if (auto r = s.count_work(); !r) return fail(r.error());
  s.planning = false;
  s.events.emit("plan_done", {{"listed", report.listed_objects},
                              {"to_stage", s.to_stage.load()},
                              {"to_stage_bytes", s.to_stage_bytes.load()},
                              {"to_upload", s.to_upload.load()},
                              {"to_upload_bytes", s.to_upload_bytes.load()},
                              {"volumes", s.stager->volumes()}});

  s.context = std::make_unique<RelayContext>(
      RelayContext{s.settings, s.ledger, s.events, s.clock, s.run, s.committer, *s.stager, s.tally, s.activity});
  {
    std::lock_guard lock(s.legs_mutex);
    if (s.has_stage()) {
      s.stage = std::make_unique<StageLeg>(*s.context, *s.source, [&s]() -> Status {
        RelayReport ignored;
        if (auto p = s.plan(ignored); !p) return p;
        return s.count_work();
      });
    }
    if (s.has_drain()) s.drain = std::make_unique<DrainLeg>(*s.context, *s.destination);
    if (s.stage && s.drain) {
      s.stage->set_peer(&s.drain->dispatcher());
      s.drain->set_peer(&s.stage->dispatcher());
    }
    if (s.stop_requested) {
      if (s.stage) s.stage->request_stop();
      if (s.drain) s.drain->request_stop();
    }
  }
  StageLeg* stage = s.stage.get();
  DrainLeg* drain = s.drain.get();
  s.committer.start(s.settings.flush_interval, [stage, drain](const Error& e) {
    if (stage) stage->dispatcher().set_fatal(e);
    if (drain) drain->dispatcher().set_fatal(e);
  });
  s.run.start_renewer(std::max(std::chrono::milliseconds(1000), s.settings.lease / 3), [stage, drain] {
    if (stage) stage->dispatcher().renew_leases();
    if (drain) drain->dispatcher().renew_leases();
  });
  s.activity.start(stage != nullptr, drain != nullptr);
  if (stage) stage->start();
  if (drain) drain->start();
  if (stage) stage->join();
  if (drain) drain->join();
  s.committer.stop();
  s.run.stop_renewer();

  // Claimed but never started (stopping): hand them back.
  std::optional<Error> fatal;
  bool stopping = false;
  for (ClaimDispatcher* d : {stage ? &stage->dispatcher() : nullptr, drain ? &drain->dispatcher() : nullptr}) {
    if (d == nullptr) continue;
    d->release_unstarted();
    if (!fatal) fatal = d->fatal();
    stopping = stopping || d->stopping();
  }
  auto flushed = s.committer.commit();
  {
    std::lock_guard lock(s.legs_mutex);
    if (stage && drain) {
      stage->set_peer(nullptr);
      drain->set_peer(nullptr);
    }
  }

  auto& t = s.tally;
  report.staged_objects = t.staged_objects;
  report.staged_bytes = t.staged_bytes;
  report.downloaded_bytes = t.downloaded_bytes;
  report.verified_objects = t.verified_objects;
  report.verified_bytes = t.verified_bytes;
  report.uploaded_bytes = t.uploaded_bytes;
  report.failed_objects = t.failed_objects;
  report.vanished_objects = t.vanished_objects;
  report.changed_objects = t.changed_objects;
  report.refetch_objects = t.refetch_objects;
  report.space_waits = t.space_waits;
  report.failures = t.failures();
  report.stopped = stopping && !fatal;
  if (auto totals = s.ledger.totals(s.run.job())) {
    for (const auto& x : *totals) {
      using S = ledger::ObjectState;
      report.totals.emplace_back(std::string(ledger::to_string(x.state)), x.objects);
      report.total_objects += x.objects;
      if (x.state == S::verified) {
        report.total_verified = x.objects;
        report.total_verified_bytes = x.bytes;
      }
      const bool left = s.has_drain() ? (x.state == S::pending || x.state == S::staging || x.state == S::staged ||
                                         x.state == S::uploading)
                                      : (x.state == S::pending || x.state == S::staging);
      if (left) report.remaining_objects += x.objects;
    }
  }
  report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(s.clock.steady_now() - started);
  nlohmann::json totals = nlohmann::json::object();
  for (const auto& [state, n] : report.totals) totals[state] = n;
  s.events.emit("run_summary", {{"role", std::string(to_string(report.role))},
                                {"listed", report.listed_objects},
                                {"staged", report.staged_objects},
                                {"staged_bytes", report.staged_bytes},
                                {"downloaded_bytes", report.downloaded_bytes},
                                {"verified", report.verified_objects},
                                {"verified_bytes", report.verified_bytes},
                                {"uploaded_bytes", report.uploaded_bytes},
                                {"failed", report.failed_objects},
                                {"vanished", report.vanished_objects},
                                {"changed", report.changed_objects},
                                {"refetch", report.refetch_objects},
                                {"space_waits", report.space_waits},
                                {"remaining", report.remaining_objects},
                                {"totals", totals},
                                {"stopped", report.stopped},
                                {"duration_ms", report.duration.count()}});
  s.events.flush();
  if (fatal) return fail(*fatal);
  if (!flushed) return fail(flushed.error());
  s.run.finish(report.stopped ? "stopped" : report.complete() ? "complete" : "incomplete",
               report.complete() || report.stopped ? 0 : 12);
  return report;
}

}  // namespace s5j::transfer
