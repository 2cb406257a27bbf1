#include "transfer/drain_leg.h"

#include <unistd.h>

namespace s5j::transfer {
namespace {

DispatcherSettings drain_dispatch(const RelayContext& c) {
  DispatcherSettings d;
  d.job = c.run.job();
  d.owner = c.run.owner();
  d.from = {ledger::ObjectState::staged};
  d.claim_batch = static_cast<size_t>(std::max(32, c.settings.workers * 2));
  d.lease = c.settings.lease;
  return d;
}

StagedUploadSettings upload_settings(const RelaySettings& s) {
  return {s.source_prefix, s.destination_bucket, s.destination_prefix, s.part_size, s.multipart_threshold,
          s.destination_max_part_size};
}

}  // namespace

DrainLeg::DrainLeg(RelayContext& context, s3::S3Client& destination)
    : ctx_(context),
      budget_(context.settings.memory_budget),
      part_pool_(static_cast<size_t>(std::max(1, context.settings.part_threads))),
      uploader_(upload_settings(context.settings), destination, context.ledger, context.stager, budget_, part_pool_,
                context.events),
      dispatcher_(drain_dispatch(context), context.ledger, context.committer, context.events) {
  dispatcher_.set_on_stop([this] {
    budget_.cancel();  // nothing waits for memory: in-flight work drains
    if (peer_ != nullptr) peer_->request_stop();  // one leg stopping (or failing) stops the run
  });
  dispatcher_.set_on_idle([this] { return on_idle(); });
  last_requeue_ = std::chrono::steady_clock::now();
}

DrainLeg::~DrainLeg() {
  request_stop();
  join();
}

void DrainLeg::start() {
  for (int i = 0; i < std::max(1, ctx_.settings.workers); ++i)
    workers_.emplace_back([this] {
      while (auto record = dispatcher_.next()) {
        process(std::move(*record));
        dispatcher_.finished();
      }
    });
}

void DrainLeg::join() {
  for (auto& w : workers_) w.join();
  workers_.clear();
  if (!finished_.exchange(true) && peer_ != nullptr) peer_->wake();
}

void DrainLeg::request_stop() { dispatcher_.request_stop(); }

Result<bool> DrainLeg::stage_run_active() {
  auto holders = ctx_.ledger.job_lock_holders(ctx_.run.job());
  if (!holders) return std::unexpected(holders.error());
  const auto now = std::chrono::system_clock::now();
  const std::string host = local_host_name();
  for (const auto& h : *holders) {
    if (h.role != "stage" || h.owner == ctx_.run.owner() || h.expires_at <= now) continue;
    if (h.host == host && !local_process_alive(h.pid)) continue;  // died without unlocking
    return true;
  }
  return false;
}

ClaimDispatcher::Idle DrainLeg::on_idle() {
  using Idle = ClaimDispatcher::Idle;
  const auto& s = ctx_.settings;
  ctx_.activity.drain_idle();
  if (s.once) {
    Result<bool> more = false;
    if (s.role == RelayRole::relay) {
      auto left = count_in(ctx_.ledger, ctx_.run.job(),
                           {ledger::ObjectState::pending, ledger::ObjectState::staging, ledger::ObjectState::staged,
                            ledger::ObjectState::uploading});
      more = left ? Result<bool>(*left > 0) : std::unexpected(left.error());
    } else {
      more = stage_run_active();  // a stage run may stage more for us
    }
    if (!more) {
      dispatcher_.set_fatal(more.error());
      return Idle::done;
    }
    if (!*more) {
      // A stage run that just ended committed before it unlocked: one more
      // claim sees everything it staged.
      if (s.role == RelayRole::drain && !claimed_after_stage_ended_) {
        claimed_after_stage_ended_ = true;
        return Idle::claim_again;
      }
      return Idle::done;
    }
    claimed_after_stage_ended_ = false;
    return dispatcher_.idle_wait(s.poll_interval) ? Idle::claim_again : Idle::done;
  }
  if (std::chrono::steady_clock::now() - last_requeue_ >= s.scan_interval) {
    // Continuous: failed uploads are tried again, like the original's loop.
    last_requeue_ = std::chrono::steady_clock::now();
    if (auto r = ctx_.ledger.requeue_failed(ctx_.run.job()); !r) {
      dispatcher_.set_fatal(r.error());
      return Idle::done;
    }
    return Idle::claim_again;
  }
  return dispatcher_.idle_wait(s.poll_interval) ? Idle::claim_again : Idle::done;
}

void DrainLeg::process(ledger::ObjectRecord record) {
  ClaimDispatcher& d = dispatcher_;
  const std::string& owner = ctx_.run.owner();
  if (record.state == ledger::ObjectState::staged) {
    d.queue_or_fail(ledger::Transition::of(record, ledger::ObjectState::uploading, owner));
    record.state = ledger::ObjectState::uploading;
    ++record.attempts;
  }
  ctx_.activity.drain_working();
  ctx_.events.emit("upload_started",
                   {{"leg", "drain"}, {"key", record.key}, {"size", record.size}, {"attempt", record.attempts}});
  const auto started = ctx_.clock.steady_now();
  ObjectOutcome out = uploader_.upload(record);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(ctx_.clock.steady_now() - started);
  ctx_.tally.uploaded_bytes += out.bytes_uploaded;

  using Kind = OutcomeKind;
  switch (out.kind) {
    case Kind::cancelled:
      d.hand_back(record.id);  // stopping: uploaded parts stay recorded for the next run
      return;
    case Kind::corrupt:
    case Kind::missing:
      send_back(record, out);
      d.unhold(record.id);
      return;
    case Kind::verified: {
      ledger::Transition t = ledger::Transition::of(record, ledger::ObjectState::verified, owner);
      t.update = out.update;
      d.queue_or_fail(std::move(t));
      if (out.completed_upload)
        if (auto q = ctx_.ledger.queue_upload_end(*out.completed_upload, ledger::UploadStatus::completed); !q)
          d.set_fatal(q.error());
      d.unhold(record.id);
      // Bytes sent are a fact now; "verified" becomes one at the next commit.
      ctx_.events.emit("object_uploaded", {{"key", record.key},
                                           {"method", to_string(out.method)},
                                           {"bytes_uploaded", out.bytes_uploaded},
                                           {"duration_ms", elapsed.count()}});
      ++ctx_.tally.verified_objects;
      ctx_.tally.verified_bytes += record.size;
      ctx_.committer.when_durable(record.id, [this, id = record.id, key = record.key, size = record.size,
                                              method = std::string(to_string(out.method)), proof = out.proof, elapsed] {
        // Only now may the staged copy go: the ledger will never ask for it again.
        const auto removed = ctx_.stager.remove(id.value);
        if (!removed)
          ctx_.events.emit("staged_remove_failed", {{"key", key}, {"error", removed.error().message}});
        ctx_.events.emit("object_verified", {{"key", key},
                                             {"size", size},
                                             {"method", method},
                                             {"proof", proof},
                                             {"duration_ms", elapsed.count()}});
      });
      return;
    }
    default:
      record_failed_object(ctx_, d, record, out.update, out.error_code, "drain");
      return;
  }
}

// The staged copy cannot be trusted (or is gone): delete it before the
// ledger says `pending`, so a new copy staged after the commit is never the
// one deleted.
void DrainLeg::send_back(const ledger::ObjectRecord& record, const ObjectOutcome& out) {
  const bool corrupt = out.kind == OutcomeKind::corrupt;
  const auto removed = ctx_.stager.remove(record.id.value);
  ctx_.events.emit(corrupt ? "staged_corrupt" : "staged_missing",
                   {{"key", record.key}, {"error", out.update.error.value_or(out.error_code)}, {"removed", removed.has_value()}});
  ledger::Transition t = ledger::Transition::of(record, ledger::ObjectState::pending, ctx_.run.owner());
  t.update.error = out.update.error.value_or(out.error_code);
  dispatcher_.queue_or_fail(std::move(t));
  ++ctx_.tally.refetch_objects;
  ctx_.committer.when_durable(record.id, [this, key = record.key] {
    ctx_.events.emit("object_refetch", {{"key", key}});
    if (peer_ != nullptr) peer_->wake();
  });
}

}  // namespace s5j::transfer
