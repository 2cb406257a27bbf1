#include "transfer/stage_leg.h"

namespace s5j::transfer {
namespace {

LegTraits stage_traits(const RelaySettings& s, s3::S3Client& source) {
  LegTraits t;
  t.name = "stage";
  t.claims = ledger::ObjectState::pending;
  t.working = ledger::ObjectState::staging;
  t.started_event = "object_started";
  t.workers = s.workers;
  t.source = &source;
  t.source_bucket = s.source_bucket;
  t.max_source_changes = s.max_source_changes;
  return t;
}

}  // namespace

StageLeg::StageLeg(RunContext& context, const RelaySettings& settings, staging::Stager& stager, RelayActivity& activity,
                   s3::S3Client& source, std::function<Status()> scan, SideGate* destination_gate)
    : Leg(context, stage_traits(settings, source)),
      settings_(settings),
      stager_(stager),
      activity_(activity),
      scan_(std::move(scan)),
      destination_gate_(destination_gate),
      part_pool_(static_cast<size_t>(std::max(1, settings.part_threads))),
      fetcher_({settings.source_bucket, settings.part_size, settings.multipart_threshold}, source, stager, part_pool_,
               context.events),
      absent_hosts_(context, absent_host_period(settings.lease)),
      last_scan_(context.clock.steady_now()) {}

StageLeg::~StageLeg() { finish(); }

void StageLeg::on_stop() {
  stop_.request_stop();  // ends space waits and keeps new ranges from starting
  std::lock_guard lock(batch_mutex_);
  batch_cv_.notify_all();
}

void StageLeg::start() {
  watcher_ = std::thread([this] { watch_space(); });
}

void StageLeg::finish() {
  {
    std::lock_guard lock(watch_mutex_);
    watch_stop_ = true;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

// Another process (a separate drain) frees space by deleting files this
// process's accounting still counts: look at the disks while a write waits.
void StageLeg::watch_space() {
  std::unique_lock lock(watch_mutex_);
  while (!watch_stop_) {
    watch_cv_.wait_for(lock, settings_.poll_interval);
    if (watch_stop_) break;
    lock.unlock();
    if (stager_.waiting_for_space()) (void)stager_.refresh();
    // A wait for space ends without a callback: notice it here.
    activity_.refresh();
    lock.lock();
  }
}

bool StageLeg::admit(const ledger::ObjectRecord& record) {
  if (destination_gate_ != nullptr && !destination_gate_->wait_open()) return false;
  activity_.stage_working();
  const uint64_t max = settings_.max_batch_bytes;
  std::unique_lock lock(batch_mutex_);
  for (;;) {
    if (dispatcher().stopping()) return false;
    if (max == 0 || batch_bytes_ == 0 || batch_bytes_ + record.size <= max) {
      batch_bytes_ += record.size;
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

ObjectOutcome StageLeg::transfer(const ledger::ObjectRecord& record) {
  ObjectOutcome out = fetcher_.fetch(record, stop_.get_token());
  admitted_done();  // admit() counted it into its batch
  // Other hosts of a shared ledger cannot read this host's volumes.
  if (out.update.staged && ctx_.ledger.cooperative()) out.update.staged->host = ctx_.run.host();
  return out;
}

ClaimDispatcher::Idle StageLeg::on_idle() {
  using Idle = ClaimDispatcher::Idle;
  const auto& s = settings_;
  // What a host that is gone had staged is fetched again here.
  auto unstaged = absent_hosts_.sweep_if_due();
  if (!unstaged) return idle_failed(unstaged.error());
  if (*unstaged > 0) return Idle::claim_again;
  if (s.once) {
    activity_.stage_idle();
    if (s.role == RelayRole::stage)
      return done_unless_others_hold({ledger::ObjectState::pending, ledger::ObjectState::staging});
    // Relay: the drain may still send an object back to be fetched again.
    auto left = ctx_.count_in({ledger::ObjectState::pending, ledger::ObjectState::staging, ledger::ObjectState::staged,
                               ledger::ObjectState::uploading});
    if (!left) return idle_failed(left.error());
    if (*left == 0) return Idle::done;
    return dispatcher().idle_wait(s.poll_interval) ? Idle::claim_again : Idle::done;
  }
  const auto since = ctx_.clock.steady_now() - last_scan_;
  if (since < s.scan_interval) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(s.scan_interval - since);
    // Whole seconds, so that waking up early (the drain woke us) names the
    // same next scan and writes nothing.
    activity_.stage_scanning(std::chrono::ceil<std::chrono::seconds>(ctx_.clock.now() + left));
    auto wait = std::max(left, std::chrono::milliseconds(1));
    if (ctx_.ledger.cooperative()) wait = std::min(wait, absent_hosts_.period());  // sweep again in time
    return dispatcher().idle_wait(wait) ? Idle::claim_again : Idle::done;
  }
  // Everything listed is staged: look for new objects, like the original.
  scanning_ = true;
  activity_.stage_scanning(std::nullopt);
  ctx_.events.emit("scanning", {{"interval_ms", s.scan_interval.count()}});
  Status scanned = scan_ ? scan_() : Status{};
  if (scanned) {
    auto requeued = ctx_.ledger.requeue_failed(ctx_.run.job());
    if (!requeued) scanned = std::unexpected(requeued.error());
  }
  scanning_ = false;
  last_scan_ = ctx_.clock.steady_now();
  if (!scanned) {
    // A listing that fails (the source is unreachable for a while) is
    // retried at the next scan; the run goes on.
    ctx_.events.emit("scan_failed", {{"code", scanned.error().code}, {"error", scanned.error().message}});
  }
  return Idle::claim_again;
}

void StageLeg::settle(const ledger::ObjectRecord& record, const ObjectOutcome& out, std::chrono::milliseconds elapsed) {
  // The fetcher ends nowhere else: anything but staged is not a staged copy.
  if (out.kind != OutcomeKind::staged) return record_failed(record, out, elapsed);
  record_end(record, ledger::ObjectState::staged, out);
  ++ctx_.tally.staged_objects;
  ctx_.tally.staged_bytes += record.size;
  ctx_.committer.when_durable(
      record.id, [this, key = record.key, size = record.size, volume = out.update.staged->volume, proof = out.proof,
                  ranged = out.method == CopyMethod::ranged_get, elapsed] {
        ctx_.events.emit("object_staged", {{"key", key},
                                           {"size", size},
                                           {"volume", volume},
                                           {"ranged", ranged},
                                           {"proof", proof},
                                           {"duration_ms", elapsed.count()}});
        wake_other_legs();  // the drain of this process may claim it
      });
}

}  // namespace s5j::transfer
