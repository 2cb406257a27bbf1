#include "transfer/stage_leg.h"

#include "staging/staging_error.h"
#include "transfer/source_change.h"

namespace s5j::transfer {
namespace {

DispatcherSettings stage_dispatch(const RelayContext& c) {
  DispatcherSettings d;
  d.job = c.run.job();
  d.owner = c.run.owner();
  d.from = {ledger::ObjectState::pending};
  d.claim_batch = static_cast<size_t>(std::max(32, c.settings.workers * 2));
  d.lease = c.settings.lease;
  return d;
}

}  // namespace

StageLeg::StageLeg(RelayContext& context, s3::S3Client& source, std::function<Status()> scan)
    : ctx_(context),
      source_(source),
      scan_(std::move(scan)),
      part_pool_(static_cast<size_t>(std::max(1, context.settings.part_threads))),
      fetcher_({context.settings.source_bucket, context.settings.part_size, context.settings.multipart_threshold},
               source, context.stager, part_pool_, context.events),
      dispatcher_(stage_dispatch(context), context.ledger, context.committer, context.events) {
  dispatcher_.set_on_stop([this] {
    stop_.request_stop();  // ends space waits and keeps new ranges from starting
    {
      std::lock_guard lock(batch_mutex_);
      batch_cv_.notify_all();
    }
    if (peer_ != nullptr) peer_->request_stop();  // one leg stopping (or failing) stops the run
  });
  dispatcher_.set_on_idle([this] { return on_idle(); });
  last_scan_ = std::chrono::steady_clock::now();
}

StageLeg::~StageLeg() {
  request_stop();
  join();
}

void StageLeg::start() {
  watcher_ = std::thread([this] { watch_space(); });
  for (int i = 0; i < std::max(1, ctx_.settings.workers); ++i)
    workers_.emplace_back([this] {
      while (auto record = dispatcher_.next()) {
        process(std::move(*record));
        dispatcher_.finished();
      }
    });
}

void StageLeg::join() {
  for (auto& w : workers_) w.join();
  workers_.clear();
  {
    std::lock_guard lock(watch_mutex_);
    watch_stop_ = true;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  if (!finished_.exchange(true) && peer_ != nullptr) peer_->wake();  // the drain may now be done too
}

void StageLeg::request_stop() { dispatcher_.request_stop(); }

// Another process (a separate drain) frees space by deleting files this
// process's accounting still counts: look at the disks while a write waits.
void StageLeg::watch_space() {
  std::unique_lock lock(watch_mutex_);
  while (!watch_stop_) {
    watch_cv_.wait_for(lock, ctx_.settings.poll_interval);
    if (watch_stop_) break;
    lock.unlock();
    if (ctx_.stager.waiting_for_space()) (void)ctx_.stager.refresh();
    // A wait for space ends without a callback: notice it here.
    ctx_.activity.refresh();
    lock.lock();
  }
}

bool StageLeg::admit(uint64_t bytes) {
  const uint64_t max = ctx_.settings.max_batch_bytes;
  std::unique_lock lock(batch_mutex_);
  for (;;) {
    if (dispatcher_.stopping()) return false;
    if (max == 0 || batch_bytes_ == 0 || batch_bytes_ + bytes <= max) {
      batch_bytes_ += bytes;
      ++batch_in_flight_;
      return true;
    }
    if (batch_in_flight_ == 0) {
      // The batch is staged: the next one starts.
      ctx_.events.emit("batch_done", {{"batch", batch_number_}, {"bytes", batch_bytes_}});
      ++batch_number_;
      batch_bytes_ = 0;
      continue;
    }
    batch_cv_.wait(lock);
  }
}

void StageLeg::admitted_done() {
  std::lock_guard lock(batch_mutex_);
  --batch_in_flight_;
  batch_cv_.notify_all();
}

ClaimDispatcher::Idle StageLeg::on_idle() {
  using Idle = ClaimDispatcher::Idle;
  const auto& s = ctx_.settings;
  if (s.once) {
    ctx_.activity.stage_idle();
    if (s.role == RelayRole::stage) return Idle::done;
    // Relay: the drain may still send an object back to be fetched again.
    auto left = count_in(ctx_.ledger, ctx_.run.job(),
                         {ledger::ObjectState::pending, ledger::ObjectState::staging, ledger::ObjectState::staged,
                          ledger::ObjectState::uploading});
    if (!left) {
      dispatcher_.set_fatal(left.error());
      return Idle::done;
    }
    if (*left == 0) return Idle::done;
    return dispatcher_.idle_wait(s.poll_interval) ? Idle::claim_again : Idle::done;
  }
  const auto since = std::chrono::steady_clock::now() - last_scan_;
  if (since < s.scan_interval) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(s.scan_interval - since);
    // Whole seconds, so that waking up early (the drain woke us) names the
    // same next scan and writes nothing.
    ctx_.activity.stage_scanning(std::chrono::ceil<std::chrono::seconds>(ctx_.clock.now() + left));
    return dispatcher_.idle_wait(std::max(left, std::chrono::milliseconds(1))) ? Idle::claim_again : Idle::done;
  }
  // Everything listed is staged: look for new objects, like the original.
  scanning_ = true;
  ctx_.activity.stage_scanning(std::nullopt);
  ctx_.events.emit("scanning", {{"interval_ms", s.scan_interval.count()}});
  Status scanned = scan_ ? scan_() : Status{};
  if (scanned) {
    auto requeued = ctx_.ledger.requeue_failed(ctx_.run.job());
    if (!requeued) scanned = std::unexpected(requeued.error());
  }
  scanning_ = false;
  last_scan_ = std::chrono::steady_clock::now();
  if (!scanned) {
    // A listing that fails (the source is unreachable for a while) is
    // retried at the next scan; the run goes on.
    ctx_.events.emit("scan_failed", {{"code", scanned.error().code}, {"error", scanned.error().message}});
  }
  return Idle::claim_again;
}

void StageLeg::process(ledger::ObjectRecord record) {
  ClaimDispatcher& d = dispatcher_;
  const std::string& owner = ctx_.run.owner();
  if (record.state == ledger::ObjectState::pending) {
    d.queue_or_fail(ledger::Transition::of(record, ledger::ObjectState::staging, owner));
    record.state = ledger::ObjectState::staging;
    ++record.attempts;
  }
  ctx_.activity.stage_working();
  ctx_.events.emit("object_started",
                   {{"leg", "stage"}, {"key", record.key}, {"size", record.size}, {"attempt", record.attempts}});
  if (!admit(record.size)) {
    d.hand_back(record.id);
    return;
  }
  const auto started = ctx_.clock.steady_now();
  ObjectOutcome out = fetcher_.fetch(record, stop_.get_token());
  admitted_done();
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(ctx_.clock.steady_now() - started);
  ctx_.tally.downloaded_bytes += out.bytes_downloaded;

  using Kind = OutcomeKind;
  switch (out.kind) {
    case Kind::cancelled:
      d.hand_back(record.id);  // stopping: the next run stages it
      return;
    case Kind::changed:
      handle_changed(record, out);
      d.unhold(record.id);
      return;
    case Kind::staged: {
      ledger::Transition t = ledger::Transition::of(record, ledger::ObjectState::staged, owner);
      t.update = out.update;
      d.queue_or_fail(std::move(t));
      d.unhold(record.id);
      ++ctx_.tally.staged_objects;
      ctx_.tally.staged_bytes += record.size;
      const std::string volume = out.update.staged->volume;
      ctx_.committer.when_durable(record.id, [this, key = record.key, size = record.size, volume, proof = out.proof,
                                              ranged = out.method == CopyMethod::ranged_get, elapsed] {
        ctx_.events.emit("object_staged", {{"key", key},
                                           {"size", size},
                                           {"volume", volume},
                                           {"ranged", ranged},
                                           {"proof", proof},
                                           {"duration_ms", elapsed.count()}});
        if (peer_ != nullptr) peer_->wake();
      });
      return;
    }
    case Kind::vanished: {
      ledger::Transition t = ledger::Transition::of(record, ledger::ObjectState::vanished, owner);
      t.update = out.update;
      d.queue_or_fail(std::move(t));
      d.unhold(record.id);
      ++ctx_.tally.vanished_objects;
      ctx_.committer.emit_when_durable(record.id, "object_vanished",
                                       {{"key", record.key}, {"error", out.update.error.value_or("")}});
      return;
    }
    default:
      record_failed_object(ctx_, d, record, out.update, out.error_code, "stage");
      return;
  }
}

void StageLeg::handle_changed(ledger::ObjectRecord& record, const ObjectOutcome& out) {
  ClaimDispatcher& d = dispatcher_;
  // Commit our own `staging` first: the upsert below moves the record on.
  if (auto f = ctx_.committer.commit(); !f) return d.set_fatal(f.error());
  auto change = resolve_source_change(source_, ctx_.settings.source_bucket, ctx_.ledger, ctx_.run.job(), record,
                                      ctx_.settings.max_source_changes, out.update.error.value_or(out.error_code),
                                      ctx_.run.owner());
  if (!change) return d.set_fatal(change.error());
  if (change->verdict == SourceChange::Verdict::relisted) {
    ++ctx_.tally.changed_objects;
    ctx_.events.emit("object_changed", {{"key", record.key},
                                        {"old_etag", record.source_etag},
                                        {"new_etag", change->head.etag},
                                        {"new_size", change->head.size},
                                        {"reason", out.error_code}});
    return;
  }
  const bool vanished = change->verdict == SourceChange::Verdict::vanished;
  ledger::Transition t = ledger::Transition::of(record, vanished ? ledger::ObjectState::vanished : ledger::ObjectState::failed,
                                                ctx_.run.owner());
  t.update.error = change->error;
  d.queue_or_fail(std::move(t));
  if (vanished) {
    ++ctx_.tally.vanished_objects;
    ctx_.committer.emit_when_durable(record.id, "object_vanished", {{"key", record.key}});
  } else {
    ctx_.tally.add_failure(record.key, change->error);
    ctx_.committer.emit_when_durable(record.id, "object_failed",
                                     {{"leg", "stage"}, {"key", record.key}, {"code", "SourceChanged"}, {"error", change->error}});
  }
}

}  // namespace s5j::transfer
