#include "transfer/sync_engine.h"

#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "checksum/multipart_etag.h"
#include "transfer/byte_budget.h"
#include "transfer/worker_pool.h"

namespace s5j::transfer {
namespace {

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

bool process_alive(int64_t pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

std::string object_key_summary(const std::string& key) {
  return key.size() <= 200 ? key : key.substr(0, 200) + "...";
}

}  // namespace

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
        copier(settings.copier, src, dst, l, budget, part_pool, e) {
    host = host_name();
    owner = host + ":" + std::to_string(::getpid()) + ":" +
            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                               c.now().time_since_epoch())
                               .count());
  }

  SyncSettings settings;
  s3::S3Client& source;
  s3::S3Client& destination;
  ledger::Ledger& ledger;
  log::EventLog& events;
  const Clock& clock;
  ByteBudget budget;
  WorkerPool part_pool;
  ObjectCopier copier;
  std::string host;
  std::string owner;
  ledger::JobId job;

  std::atomic<bool> stop{false};

  // Dispatch: records claimed from the ledger, handed to workers.
  std::mutex dispatch_mutex;
  std::condition_variable dispatch_cv;
  std::deque<ledger::ObjectRecord> queue;  // guarded by dispatch_mutex
  size_t busy = 0;                         // guarded by dispatch_mutex
  bool claiming = false;                   // guarded by dispatch_mutex
  bool done = false;                       // guarded by dispatch_mutex
  std::optional<Error> fatal;              // guarded by dispatch_mutex

  // Leases held by this process, renewed in the background.
  std::mutex held_mutex;
  std::set<ledger::ObjectId> held;  // guarded by held_mutex

  // Background threads' wake-up.
  std::mutex background_mutex;
  std::condition_variable background_cv;
  bool background_stop = false;  // guarded by background_mutex

  // Outcome events wait here until the flush that makes them durable: the
  // log never says "verified" for something a crash could still undo.
  std::mutex commit_mutex;  // one commit at a time, so events keep their order
  std::mutex durable_events_mutex;
  std::vector<std::pair<ledger::ObjectId, std::pair<std::string, nlohmann::json>>> awaiting_commit;  // guarded by durable_events_mutex

  // Figures.
  std::atomic<uint64_t> planned_objects{0}, planned_bytes{0}, done_objects{0}, done_bytes{0};
  std::atomic<uint64_t> verified_objects{0}, failed_objects{0}, listed_objects{0};
  std::atomic<bool> planning{true};
  std::mutex report_mutex;
  SyncReport report;  // guarded by report_mutex (counters below plan)

  Status acquire_lock();
  Status recover();
  std::optional<ledger::ObjectRecord> next_record();
  void finished();
  void process(ledger::ObjectRecord record);
  void handle_changed(ledger::ObjectRecord& record, const CopyOutcome& outcome);
  void queue_or_fail(ledger::Transition t);
  void set_fatal(Error e);
  void flusher();
  void renewer();
  void record_rejections(const ledger::FlushReport& report);
  // Emits `event` once the object's queued transition is committed.
  void emit_when_durable(ledger::ObjectId id, std::string event, nlohmann::json fields);
  // Flushes the ledger and then emits the events the flush made true.
  Result<ledger::FlushReport> commit();
};

SyncEngine::SyncEngine(SyncSettings settings, s3::S3Client& source, s3::S3Client& destination,
                       ledger::Ledger& ledger, log::EventLog& events, const Clock& clock)
    : state_(std::make_unique<State>(std::move(settings), source, destination, ledger, events, clock)) {
  auto observe = [this](const char* side) {
    return [this, side](const s3::RequestEvent& e) {
      if (!e.will_retry) return;
      state_->events.emit("request_retried", {{"side", side},
                                              {"op", e.operation},
                                              {"endpoint", e.endpoint},
                                              {"key", e.key},
                                              {"attempt", e.attempt},
                                              {"status", e.http_status},
                                              {"code", e.error_code},
                                              {"duration_ms", e.duration.count()}});
    };
  };
  source.set_observer(observe("source"));
  destination.set_observer(observe("destination"));
}

SyncEngine::~SyncEngine() = default;

void SyncEngine::request_stop() {
  auto& s = *state_;
  if (s.stop.exchange(true)) return;
  s.events.emit("stop_requested");
  s.budget.cancel();  // nothing waits for memory any more: in-flight work drains
  s.dispatch_cv.notify_all();
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

Status SyncEngine::State::acquire_lock() {
  ledger::LockRequest request{owner, ::getpid(), host, std::chrono::minutes(2)};
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto lock = ledger.acquire_job_lock(job, request);
    if (!lock) return std::unexpected(lock.error());
    if (lock->acquired) return {};
    const auto& holder = lock->holder;
    // A holder on this host whose process is gone died without unlocking.
    if (attempt == 0 && holder.host == host && !process_alive(holder.pid)) {
      if (auto b = ledger.break_job_lock(job); !b) return b;
      events.emit("stale_lock_broken", {{"pid", holder.pid}});
      continue;
    }
    return make_error(ErrorKind::fatal, "AlreadyRunning",
                      "job '" + settings.job + "' is already running as pid " + std::to_string(holder.pid) +
                          " on " + holder.host + ": wait for it to finish, or stop it (kill " +
                          std::to_string(holder.pid) + ") and start again");
  }
  return make_error(ErrorKind::fatal, "AlreadyRunning", "could not take the lock of job '" + settings.job + "'");
}

Status SyncEngine::State::recover() {
  // We hold the job lock: any lease is from a run that died.
  auto released = ledger.release_all_leases(job);
  if (!released) return std::unexpected(released.error());
  auto requeued = ledger.requeue_failed(job);
  if (!requeued) return std::unexpected(requeued.error());
  auto uploads = ledger.open_uploads(job);
  if (!uploads) return std::unexpected(uploads.error());
  uint64_t aborted = 0;
  for (const auto& u : *uploads) {
    bool abandon = u.status == ledger::UploadStatus::abandoned || !u.object;
    if (!abandon && u.object) {
      auto record = ledger.get_object(*u.object);
      if (!record) return std::unexpected(record.error());
      abandon = !*record || (*record)->state == ledger::ObjectState::verified ||
                (*record)->state == ledger::ObjectState::vanished;
    }
    if (!abandon) continue;  // resumed when its object is copied
    auto r = destination.abort_multipart_upload(settings.copier.destination_bucket,
                                                copier.destination_key(u.key), u.upload_id);
    if (!r) {
      events.emit("upload_abort_failed", {{"key", u.key}, {"upload_id", u.upload_id}, {"error", r.error().message}});
      continue;
    }
    if (auto q = ledger.queue_upload_end(u.ref, ledger::UploadStatus::aborted); !q) return q;
    ++aborted;
  }
  auto flushed = ledger.flush();
  if (!flushed) return std::unexpected(flushed.error());
  events.emit("recovered", {{"leases_released", *released}, {"failed_requeued", *requeued}, {"uploads_aborted", aborted}});
  return {};
}

void SyncEngine::State::set_fatal(Error e) {
  std::lock_guard lock(dispatch_mutex);
  if (!fatal) fatal = std::move(e);
  stop = true;
  budget.cancel();
  dispatch_cv.notify_all();
}

std::optional<ledger::ObjectRecord> SyncEngine::State::next_record() {
  std::unique_lock lock(dispatch_mutex);
  for (;;) {
    if (stop || done) return std::nullopt;
    if (!queue.empty()) {
      auto r = std::move(queue.front());
      queue.pop_front();
      ++busy;
      return r;
    }
    if (claiming) {
      dispatch_cv.wait(lock);
      continue;
    }
    claiming = true;
    lock.unlock();
    // Commit what workers queued so the claim sees current states.
    auto flushed = commit();
    Result<std::vector<ledger::ObjectRecord>> claimed = std::vector<ledger::ObjectRecord>{};
    if (flushed) {
      ledger::ClaimRequest request;
      request.job = job;
      request.max = static_cast<size_t>(std::max(32, settings.workers * 2));
      request.owner = owner;
      request.lease = settings.lease;
      request.from = {ledger::ObjectState::pending};
      claimed = ledger.claim(request);
    }
    lock.lock();
    claiming = false;
    if (!flushed || !claimed) {
      Error e = !flushed ? flushed.error() : claimed.error();
      lock.unlock();
      set_fatal(e);
      lock.lock();
      continue;
    }
    if (!claimed->empty()) {
      {
        std::lock_guard held_lock(held_mutex);
        for (const auto& r : *claimed) held.insert(r.id);
      }
      for (auto& r : *claimed) queue.push_back(std::move(r));
      dispatch_cv.notify_all();
      continue;
    }
    if (busy == 0) {  // nothing to claim and nobody who could make more
      done = true;
      dispatch_cv.notify_all();
      return std::nullopt;
    }
    // A busy worker may yet put a changed object back in line.
    dispatch_cv.wait(lock);
  }
}

void SyncEngine::State::finished() {
  std::lock_guard lock(dispatch_mutex);
  --busy;
  dispatch_cv.notify_all();
}

void SyncEngine::State::queue_or_fail(ledger::Transition t) {
  if (auto q = ledger.queue(std::move(t)); !q) set_fatal(q.error());
}

void SyncEngine::State::record_rejections(const ledger::FlushReport& flushed) {
  for (const auto& r : flushed.rejected)
    events.emit("transition_rejected", {{"id", r.id.value},
                                        {"from", std::string(ledger::to_string(r.from))},
                                        {"to", std::string(ledger::to_string(r.to))},
                                        {"code", r.code},
                                        {"detail", r.detail}});
}

void SyncEngine::State::emit_when_durable(ledger::ObjectId id, std::string event, nlohmann::json fields) {
  std::lock_guard lock(durable_events_mutex);
  awaiting_commit.push_back({id, {std::move(event), std::move(fields)}});
}

Result<ledger::FlushReport> SyncEngine::State::commit() {
  std::lock_guard commit_lock(commit_mutex);
  // Everything taken here was queued before flush() is called, so this
  // flush commits it (or reports it rejected).
  decltype(awaiting_commit) ready;
  {
    std::lock_guard lock(durable_events_mutex);
    ready.swap(awaiting_commit);
  }
  auto flushed = ledger.flush();
  if (!flushed) {
    std::lock_guard lock(durable_events_mutex);
    awaiting_commit.insert(awaiting_commit.begin(), ready.begin(), ready.end());
    return flushed;
  }
  record_rejections(*flushed);
  std::set<ledger::ObjectId> rejected;
  for (const auto& r : flushed->rejected) rejected.insert(r.id);
  for (auto& [id, event] : ready)
    if (!rejected.count(id)) events.emit(event.first, std::move(event.second));
  return flushed;
}

void SyncEngine::State::process(ledger::ObjectRecord record) {
  auto unhold = [&] {
    std::lock_guard lock(held_mutex);
    held.erase(record.id);
  };
  if (record.state == ledger::ObjectState::pending) {
    queue_or_fail(ledger::Transition::of(record, ledger::ObjectState::copying, owner));
    record.state = ledger::ObjectState::copying;
    ++record.attempts;
  }
  events.emit("object_started", {{"key", record.key}, {"size", record.size}, {"attempt", record.attempts}});
  const auto started = clock.steady_now();
  CopyOutcome out = copier.copy(record);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock.steady_now() - started);
  {
    std::lock_guard lock(report_mutex);
    report.uploaded_bytes += out.bytes_uploaded;
    report.downloaded_bytes += out.bytes_downloaded;
  }

  if (out.error_code == "Cancelled") {
    // Stopping: leave it for the next run (uploaded parts stay recorded).
    std::vector<ledger::ObjectId> ids{record.id};
    (void)ledger.release(ids, owner);
    unhold();
    return;
  }
  using Kind = CopyOutcome::Kind;
  ledger::ObjectState to = ledger::ObjectState::failed;
  switch (out.kind) {
    case Kind::verified: to = ledger::ObjectState::verified; break;
    case Kind::vanished: to = ledger::ObjectState::vanished; break;
    case Kind::failed: to = ledger::ObjectState::failed; break;
    case Kind::changed:
      handle_changed(record, out);
      unhold();
      return;
  }
  ledger::Transition t = ledger::Transition::of(record, to, owner);
  t.update = out.update;
  queue_or_fail(std::move(t));
  if (out.completed_upload)
    if (auto q = ledger.queue_upload_end(*out.completed_upload, ledger::UploadStatus::completed); !q)
      set_fatal(q.error());
  unhold();

  ++done_objects;
  done_bytes += record.size;
  std::lock_guard lock(report_mutex);
  if (to == ledger::ObjectState::verified) {
    // Bytes sent are a fact now; "verified" becomes one at the next commit.
    events.emit("object_copied", {{"key", record.key},
                                  {"method", out.method},
                                  {"bytes_uploaded", out.bytes_uploaded},
                                  {"bytes_downloaded", out.bytes_downloaded},
                                  {"duration_ms", elapsed.count()}});
    ++verified_objects;
    ++report.copied_objects;
    report.copied_bytes += record.size;
    if (out.method.starts_with("server")) ++report.server_side_copies;
    emit_when_durable(record.id, "object_verified", {{"key", record.key},
                                    {"size", record.size},
                                    {"method", out.method},
                                    {"proof", out.proof},
                                    {"bytes_uploaded", out.bytes_uploaded},
                                    {"duration_ms", elapsed.count()}});
  } else if (to == ledger::ObjectState::vanished) {
    ++report.vanished_objects;
    emit_when_durable(record.id, "object_vanished", {{"key", record.key}, {"error", out.update.error.value_or("")}});
  } else {
    ++failed_objects;
    ++report.failed_objects;
    if (report.failures.size() < 20)
      report.failures.push_back(object_key_summary(record.key) + ": " + out.update.error.value_or(out.error_code));
    emit_when_durable(record.id, "object_failed", {{"key", record.key},
                                  {"size", record.size},
                                  {"code", out.error_code},
                                  {"error", out.update.error.value_or("")},
                                  {"duration_ms", elapsed.count()}});
  }
}

void SyncEngine::State::handle_changed(ledger::ObjectRecord& record, const CopyOutcome& out) {
  // Commit our own `copying` first: the upsert below moves the record on.
  if (auto f = commit(); !f) return set_fatal(f.error());
  auto head = source.head_object(settings.copier.source_bucket, record.key);
  auto finish = [&](ledger::ObjectState to, std::string error) {
    ledger::Transition t = ledger::Transition::of(record, to, owner);
    t.update.error = std::move(error);
    queue_or_fail(std::move(t));
    ++done_objects;
    done_bytes += record.size;
    std::lock_guard lock(report_mutex);
    if (to == ledger::ObjectState::vanished) {
      ++report.vanished_objects;
      emit_when_durable(record.id, "object_vanished", {{"key", record.key}});
    } else {
      ++failed_objects;
      ++report.failed_objects;
      if (report.failures.size() < 20) report.failures.push_back(object_key_summary(record.key) + ": " + *t.update.error);
      emit_when_durable(record.id, "object_failed",
                        {{"key", record.key}, {"code", "SourceChanged"}, {"error", *t.update.error}});
    }
  };
  if (!head) {
    if (head.error().code == "NoSuchKey") return finish(ledger::ObjectState::vanished, "NoSuchKey: deleted at the source");
    return finish(ledger::ObjectState::failed, head.error().code + ": " + head.error().message);
  }
  if (head->size == record.size && checksum::etags_equal(head->etag, record.source_etag))
    return finish(ledger::ObjectState::failed, out.update.error.value_or(out.error_code));  // not a new version
  if (record.attempts >= settings.max_source_changes)
    return finish(ledger::ObjectState::failed, "SourceKeepsChanging: changed during each of " +
                                                   std::to_string(record.attempts) + " copies");
  ledger::ListedObject listed{record.key, head->size, head->etag, head->last_modified};
  auto upserted = ledger.upsert_listed(job, std::span<const ledger::ListedObject>(&listed, 1));
  if (!upserted) return set_fatal(upserted.error());
  std::vector<ledger::ObjectId> ids{record.id};
  (void)ledger.release(ids, owner);  // claimable again at once, as its new version
  planned_bytes += head->size;
  planned_bytes -= std::min<uint64_t>(planned_bytes, record.size);
  {
    std::lock_guard lock(report_mutex);
    ++report.changed_objects;
  }
  events.emit("object_changed", {{"key", record.key},
                                 {"old_etag", record.source_etag},
                                 {"new_etag", head->etag},
                                 {"new_size", head->size},
                                 {"reason", out.error_code}});
}

void SyncEngine::State::flusher() {
  std::unique_lock lock(background_mutex);
  while (!background_stop) {
    background_cv.wait_for(lock, settings.flush_interval);
    if (background_stop) break;
    lock.unlock();
    if (ledger.queued() > 0)
      if (auto f = commit(); !f) set_fatal(f.error());
    lock.lock();
  }
}

void SyncEngine::State::renewer() {
  const auto period = std::max(std::chrono::milliseconds(1000), settings.lease / 3);
  std::unique_lock lock(background_mutex);
  while (!background_stop) {
    background_cv.wait_for(lock, period);
    if (background_stop) break;
    lock.unlock();
    std::vector<ledger::ObjectId> ids;
    {
      std::lock_guard held_lock(held_mutex);
      ids.assign(held.begin(), held.end());
    }
    if (!ids.empty()) {
      auto lost = ledger.renew(ids, owner, settings.lease);
      if (lost && !lost->empty()) events.emit("leases_lost", {{"objects", lost->size()}});
    }
    (void)ledger.acquire_job_lock(job, {owner, ::getpid(), host, std::chrono::minutes(2)});
    lock.lock();
  }
}

Result<SyncReport> SyncEngine::run() {
  auto& s = *state_;
  const auto started = s.clock.steady_now();
  auto job = s.ledger.open_job(s.settings.job, ledger::JobMode::direct);
  if (!job) return std::unexpected(job.error());
  s.job = job->id;
  if (auto l = s.acquire_lock(); !l) return std::unexpected(l.error());
  auto run_id = s.ledger.begin_run(s.job, {::getpid(), s.host, s.settings.command, "0.1.0"});
  if (!run_id) {
    (void)s.ledger.release_job_lock(s.job, s.owner);
    return std::unexpected(run_id.error());
  }
  auto finish_run = [&](const std::string& outcome, int code) {
    (void)s.ledger.flush();
    (void)s.ledger.end_run(*run_id, outcome, code);
    (void)s.ledger.release_job_lock(s.job, s.owner);
  };
  s.events.emit("run_started", {{"job", s.settings.job},
                                {"command", s.settings.command},
                                {"source", "s3://" + s.settings.copier.source_bucket + "/" + s.settings.copier.source_prefix},
                                {"destination", "s3://" + s.settings.copier.destination_bucket + "/" +
                                                    s.settings.copier.destination_prefix},
                                {"workers", s.settings.workers},
                                {"server_side_copy", s.settings.copier.server_side_copy},
                                {"dry_run", s.settings.dry_run}});

  if (auto r = s.recover(); !r) {
    finish_run("error", 1);
    return std::unexpected(r.error());
  }

  Planner planner({s.settings.copier.source_bucket, s.settings.copier.source_prefix,
                   s.settings.copier.destination_bucket, s.settings.copier.destination_prefix,
                   s.settings.match_destination},
                  s.source, s.destination, s.ledger, s.job, s.events);
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

  std::thread flusher([&] { s.flusher(); });
  std::thread renewer([&] { s.renewer(); });
  std::vector<std::thread> workers;
  for (int i = 0; i < std::max(1, s.settings.workers); ++i)
    workers.emplace_back([&] {
      while (auto record = s.next_record()) {
        s.process(std::move(*record));
        s.finished();
      }
    });
  for (auto& w : workers) w.join();
  {
    std::lock_guard lock(s.background_mutex);
    s.background_stop = true;
  }
  s.background_cv.notify_all();
  flusher.join();
  renewer.join();

  // Records claimed but never started (stop requested): hand them back.
  std::vector<ledger::ObjectId> unstarted;
  for (const auto& r : s.queue) unstarted.push_back(r.id);
  if (!unstarted.empty()) (void)s.ledger.release(unstarted, s.owner);
  auto flushed = s.commit();

  SyncReport report;
  {
    std::lock_guard lock(s.report_mutex);
    report = s.report;
  }
  report.stopped = s.stop.load() && !s.fatal;
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
  if (s.fatal) {
    finish_run("error", 1);
    return std::unexpected(*s.fatal);
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
