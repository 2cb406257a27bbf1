#include "transfer/sync_engine.h"

#include <mutex>
#include <thread>

#include "transfer/byte_budget.h"
#include "transfer/claim_dispatcher.h"
#include "transfer/group_commit.h"
#include "transfer/job_recovery.h"
#include "transfer/job_run.h"
#include "transfer/source_change.h"
#include "transfer/worker_pool.h"

namespace s5j::transfer {
namespace {

std::string object_key_summary(const std::string& key) {
  return key.size() <= 200 ? key : key.substr(0, 200) + "...";
}

JobRunSettings run_settings(const SyncSettings& s) {
  JobRunSettings r;
  r.job = s.job;
  r.mode = ledger::JobMode::direct;
  r.command = s.command;
  return r;
}

}  // namespace

// The run machinery (lock and run record, claims, group commit, renewal)
// is shared with the staged relay: JobRun, GroupCommit, ClaimDispatcher.
struct SyncEngine::State {
  State(SyncSettings s, s3::S3Client& src, s3::S3Client& dst, ledger::Ledger& l, log::EventLog& e, const Clock& c)
      : settings(std::move(s)),
        source(src),
        destination(dst),
        ledger(l),
        events(e),
        clock(c),
        budget(settings.memory_budget),
        part_pool(static_cast<size_t>(std::max(1, settings.part_threads))),
        copier(settings.copier, src, dst, l, budget, part_pool, e),
        run(run_settings(settings), l, e, c),
        committer(l, e) {}

  SyncSettings settings;
  s3::S3Client& source;
  s3::S3Client& destination;
  ledger::Ledger& ledger;
  log::EventLog& events;
  const Clock& clock;
  ByteBudget budget;
  WorkerPool part_pool;
  ObjectCopier copier;
  JobRun run;
  GroupCommit committer;
  std::mutex dispatcher_mutex;  // request_stop() may come from a signal thread at any time
  std::unique_ptr<ClaimDispatcher> dispatcher;  // guarded by dispatcher_mutex; set once the job is known
  std::atomic<bool> stop_requested{false};

  // Figures.
  std::atomic<uint64_t> planned_objects{0}, planned_bytes{0}, done_objects{0}, done_bytes{0};
  std::atomic<uint64_t> verified_objects{0}, failed_objects{0}, listed_objects{0};
  std::atomic<bool> planning{true};
  std::mutex report_mutex;
  SyncReport report;  // guarded by report_mutex (counters below plan)

  const std::string& owner() const { return run.owner(); }
  void process(ledger::ObjectRecord record);
  void handle_changed(ledger::ObjectRecord& record, const ObjectOutcome& outcome);
};

SyncEngine::SyncEngine(SyncSettings settings, s3::S3Client& source, s3::S3Client& destination,
                       ledger::Ledger& ledger, log::EventLog& events, const Clock& clock)
    : state_(std::make_unique<State>(std::move(settings), source, destination, ledger, events, clock)) {
  source.set_observer(log_retries(state_->events, "source"));
  destination.set_observer(log_retries(state_->events, "destination"));
}

SyncEngine::~SyncEngine() = default;

void SyncEngine::request_stop() {
  auto& s = *state_;
  if (s.stop_requested.exchange(true)) return;
  s.events.emit("stop_requested");
  s.run.set_activity("stopping");
  s.budget.cancel();  // nothing waits for memory any more: in-flight work drains
  std::lock_guard lock(s.dispatcher_mutex);
  if (s.dispatcher) s.dispatcher->request_stop();
}

SyncProgress SyncEngine::progress() const {
  const auto& s = *state_;
  SyncProgress p;
  p.planned_objects = s.planned_objects;
  p.planned_bytes = s.planned_bytes;
  p.done_objects = s.done_objects;
  p.done_bytes = s.done_bytes;
  p.verified_objects = s.verified_objects;
  p.failed_objects = s.failed_objects;
  p.planning = s.planning;
  p.listed_objects = s.listed_objects;
  return p;
}

void SyncEngine::State::process(ledger::ObjectRecord record) {
  ClaimDispatcher& d = *dispatcher;
  auto unhold = [&] { d.unhold(record.id); };
  if (record.state == ledger::ObjectState::pending) {
    d.queue_or_fail(ledger::Transition::of(record, ledger::ObjectState::copying, owner()));
    record.state = ledger::ObjectState::copying;
    ++record.attempts;
  }
  events.emit("object_started", {{"key", record.key}, {"size", record.size}, {"attempt", record.attempts}});
  const auto started = clock.steady_now();
  ObjectOutcome out = copier.copy(record);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock.steady_now() - started);
  {
    std::lock_guard lock(report_mutex);
    report.uploaded_bytes += out.bytes_uploaded;
    report.downloaded_bytes += out.bytes_downloaded;
  }

  using Kind = OutcomeKind;
  ledger::ObjectState to = ledger::ObjectState::failed;
  switch (out.kind) {
    case Kind::cancelled:
      // Stopping: leave it for the next run (uploaded parts stay recorded).
      d.hand_back(record.id);
      return;
    default: break;
    case Kind::verified: to = ledger::ObjectState::verified; break;
    case Kind::vanished: to = ledger::ObjectState::vanished; break;
    case Kind::failed: to = ledger::ObjectState::failed; break;
    case Kind::changed:
      handle_changed(record, out);
      unhold();
      return;
  }
  ledger::Transition t = ledger::Transition::of(record, to, owner());
  t.update = out.update;
  d.queue_or_fail(std::move(t));
  if (out.completed_upload)
    if (auto q = ledger.queue_upload_end(*out.completed_upload, ledger::UploadStatus::completed); !q)
      d.set_fatal(q.error());
  unhold();

  ++done_objects;
  done_bytes += record.size;
  std::lock_guard lock(report_mutex);
  if (to == ledger::ObjectState::verified) {
    // Bytes sent are a fact now; "verified" becomes one at the next commit.
    events.emit("object_copied", {{"key", record.key},
                                  {"method", to_string(out.method)},
                                  {"bytes_uploaded", out.bytes_uploaded},
                                  {"bytes_downloaded", out.bytes_downloaded},
                                  {"duration_ms", elapsed.count()}});
    ++verified_objects;
    ++report.copied_objects;
    report.copied_bytes += record.size;
    if (is_server_side(out.method)) ++report.server_side_copies;
    committer.emit_when_durable(record.id, "object_verified", {{"key", record.key},
                                    {"size", record.size},
                                    {"method", to_string(out.method)},
                                    {"proof", out.proof},
                                    {"bytes_uploaded", out.bytes_uploaded},
                                    {"duration_ms", elapsed.count()}});
  } else if (to == ledger::ObjectState::vanished) {
    ++report.vanished_objects;
    committer.emit_when_durable(record.id, "object_vanished",
                                {{"key", record.key}, {"error", out.update.error.value_or("")}});
  } else {
    ++failed_objects;
    ++report.failed_objects;
    if (report.failures.size() < 20)
      report.failures.push_back(object_key_summary(record.key) + ": " + out.update.error.value_or(out.error_code));
    committer.emit_when_durable(record.id, "object_failed", {{"key", record.key},
                                  {"size", record.size},
                                  {"code", out.error_code},
                                  {"error", out.update.error.value_or("")},
                                  {"duration_ms", elapsed.count()}});
  }
}

void SyncEngine::State::handle_changed(ledger::ObjectRecord& record, const ObjectOutcome& out) {
  ClaimDispatcher& d = *dispatcher;
  // Commit our own `copying` first: the upsert below moves the record on.
  if (auto f = committer.commit(); !f) return d.set_fatal(f.error());
  auto change = resolve_source_change(source, settings.copier.source_bucket, ledger, run.job(), record,
                                      settings.max_source_changes, out.update.error.value_or(out.error_code), owner());
  if (!change) return d.set_fatal(change.error());
  if (change->verdict != SourceChange::Verdict::relisted) {
    const auto to = change->verdict == SourceChange::Verdict::vanished ? ledger::ObjectState::vanished
                                                                       : ledger::ObjectState::failed;
    ledger::Transition t = ledger::Transition::of(record, to, owner());
    t.update.error = change->error;
    d.queue_or_fail(std::move(t));
    ++done_objects;
    done_bytes += record.size;
    std::lock_guard lock(report_mutex);
    if (to == ledger::ObjectState::vanished) {
      ++report.vanished_objects;
      committer.emit_when_durable(record.id, "object_vanished", {{"key", record.key}});
    } else {
      ++failed_objects;
      ++report.failed_objects;
      if (report.failures.size() < 20) report.failures.push_back(object_key_summary(record.key) + ": " + change->error);
      committer.emit_when_durable(record.id, "object_failed",
                                  {{"key", record.key}, {"code", "SourceChanged"}, {"error", change->error}});
    }
    return;
  }
  const auto& head = change->head;
  planned_bytes += head.size;
  planned_bytes -= std::min<uint64_t>(planned_bytes, record.size);
  {
    std::lock_guard lock(report_mutex);
    ++report.changed_objects;
  }
  events.emit("object_changed", {{"key", record.key},
                                 {"old_etag", record.source_etag},
                                 {"new_etag", head.etag},
                                 {"new_size", head.size},
                                 {"reason", out.error_code}});
}

Result<SyncReport> SyncEngine::run() {
  auto& s = *state_;
  const auto started = s.clock.steady_now();
  if (auto b = s.run.begin(); !b) return std::unexpected(b.error());
  DispatcherSettings ds;
  ds.job = s.run.job();
  ds.owner = s.owner();
  ds.from = {ledger::ObjectState::pending};
  ds.claim_batch = static_cast<size_t>(std::max(32, s.settings.workers * 2));
  ds.lease = s.settings.lease;
  {
    std::lock_guard lock(s.dispatcher_mutex);
    s.dispatcher = std::make_unique<ClaimDispatcher>(ds, s.ledger, s.committer, s.events);
    s.dispatcher->set_on_stop([&s] { s.budget.cancel(); });
    if (s.stop_requested) s.dispatcher->request_stop();
  }
  // A stop before the lock was held could not be published then.
  if (s.stop_requested) s.run.set_activity("stopping");
  ClaimDispatcher& d = *s.dispatcher;
  auto finish_run = [&](const std::string& outcome, int code) { s.run.finish(outcome, code); };
  s.events.emit("run_started", {{"job", s.settings.job},
                                {"command", s.settings.command},
                                {"source", "s3://" + s.settings.copier.source_bucket + "/" + s.settings.copier.source_prefix},
                                {"destination", "s3://" + s.settings.copier.destination_bucket + "/" +
                                                    s.settings.copier.destination_prefix},
                                {"workers", s.settings.workers},
                                {"server_side_copy", s.settings.copier.server_side_copy},
                                {"dry_run", s.settings.dry_run}});

  RecoveryOptions recovery;
  recovery.destination = &s.destination;
  recovery.destination_bucket = s.settings.copier.destination_bucket;
  recovery.destination_key = [&s](const std::string& key) { return s.copier.destination_key(key); };
  if (auto r = recover_job(s.ledger, s.run.job(), recovery, s.events); !r) {
    finish_run("error", 1);
    return std::unexpected(r.error());
  }

  Planner planner({s.settings.copier.source_bucket, s.settings.copier.source_prefix,
                   s.settings.copier.destination_bucket, s.settings.copier.destination_prefix,
                   s.settings.match_destination},
                  s.source, s.destination, s.ledger, s.run.job(), s.events);
  s.run.set_activity("listing");
  auto plan = planner.plan([&](uint64_t objects, uint64_t) { s.listed_objects = objects; });
  if (!plan) {
    finish_run("error", 1);
    return std::unexpected(plan.error());
  }
  s.report.plan = *plan;
  s.planned_objects = plan->pending_objects;
  s.planned_bytes = plan->pending_bytes;
  s.planning = false;
  s.events.emit("plan_done", {{"listed", plan->listed_objects},
                              {"listed_bytes", plan->listed_bytes},
                              {"to_copy", plan->pending_objects},
                              {"to_copy_bytes", plan->pending_bytes},
                              {"already_verified", plan->verified_objects - plan->found_at_destination},
                              {"identical_at_destination", plan->found_at_destination}});
  if (s.settings.dry_run) {
    finish_run("dry-run", 0);
    s.report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(s.clock.steady_now() - started);
    return s.report;
  }

  s.run.set_activity("transferring");
  s.committer.start(s.settings.flush_interval, [&d](const Error& e) { d.set_fatal(e); });
  s.run.start_renewer(std::max(std::chrono::milliseconds(1000), s.settings.lease / 3), [&d] { d.renew_leases(); });
  std::vector<std::thread> workers;
  for (int i = 0; i < std::max(1, s.settings.workers); ++i)
    workers.emplace_back([&] {
      while (auto record = d.next()) {
        s.process(std::move(*record));
        d.finished();
      }
    });
  for (auto& w : workers) w.join();
  s.committer.stop();
  s.run.stop_renewer();

  // Records claimed but never started (stop requested): hand them back.
  d.release_unstarted();
  auto flushed = s.committer.commit();

  SyncReport report;
  {
    std::lock_guard lock(s.report_mutex);
    report = s.report;
  }
  const auto fatal = d.fatal();
  report.stopped = d.stopping() && !fatal;
  report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(s.clock.steady_now() - started);
  const double seconds = std::max(0.001, report.duration.count() / 1000.0);
  s.events.emit("run_summary", {{"listed", report.plan.listed_objects},
                                {"planned", report.plan.pending_objects},
                                {"planned_bytes", report.plan.pending_bytes},
                                {"copied", report.copied_objects},
                                {"copied_bytes", report.copied_bytes},
                                {"uploaded_bytes", report.uploaded_bytes},
                                {"downloaded_bytes", report.downloaded_bytes},
                                {"server_side_copies", report.server_side_copies},
                                {"skipped", report.plan.verified_objects},
                                {"failed", report.failed_objects},
                                {"vanished", report.vanished_objects},
                                {"changed", report.changed_objects},
                                {"stopped", report.stopped},
                                {"duration_ms", report.duration.count()},
                                {"throughput_bytes_per_s", static_cast<uint64_t>(report.copied_bytes / seconds)}});
  s.events.flush();
  if (fatal) {
    finish_run("error", 1);
    return std::unexpected(*fatal);
  }
  if (!flushed) {
    finish_run("error", 1);
    return std::unexpected(flushed.error());
  }
  finish_run(report.stopped ? "stopped" : report.complete() ? "complete" : "incomplete",
             report.complete() || report.stopped ? 0 : 12);
  return report;
}

}  // namespace s5j::transfer
