#include "transfer/drain_leg.h"

#include "s3/s3_error.h"
#include "transfer/transfer_error.h"

namespace s5j::transfer {
namespace {

LegTraits drain_traits(const RelaySettings& s, const RunContext& context) {
  LegTraits t;
  t.name = "drain";
  t.claims = ledger::ObjectState::staged;
  t.working = ledger::ObjectState::uploading;
  t.started_event = "upload_started";
  t.workers = s.workers;
  // Hosts of a shared ledger each upload the files on their own volumes.
  if (context.ledger.cooperative()) t.staged_host = context.run.host();
  return t;
}

// The request error a failed outcome came from, as far as classification
// goes (the code; the message for the run's fatal error).
Error failure_of(const ObjectOutcome& out) {
  Error e;
  e.kind = ErrorKind::permanent;
  e.code = out.error_code;
  e.message = out.update.error.value_or(out.error_code);
  return e;
}

StagedUploadSettings upload_settings(const RelaySettings& s) {
  return {s.source_prefix, s.destination_bucket, s.destination_prefix, s.part_size, s.multipart_threshold,
          s.destination_max_part_size, s.checksum_algorithm, s.landing};
}

}  // namespace

DrainLeg::DrainLeg(RunContext& context, const RelaySettings& settings, staging::Stager& stager, RelayActivity& activity,
                   s3::S3Client& destination, SideGate& gate)
    : Leg(context, drain_traits(settings, context)),
      settings_(settings),
      stager_(stager),
      activity_(activity),
      gate_(gate),
      budget_(settings.memory_budget),
      part_pool_(static_cast<size_t>(std::max(1, settings.part_threads))),
      uploader_(upload_settings(settings), destination, context.transitions, stager, budget_, part_pool_,
                context.events),
      absent_hosts_(context, absent_host_period(settings.lease)),
      last_requeue_(context.clock.steady_now()) {}

Result<bool> DrainLeg::stage_run_active() {
  auto holders = ctx_.ledger.job_lock_holders(ctx_.run.job());
  if (!holders) return std::unexpected(holders.error());
  const auto now = ctx_.clock.now();
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
  const auto& s = settings_;
  activity_.drain_idle();
  if (s.role == RelayRole::drain) {
    // No stage leg here to do it: what absent hosts staged goes back to
    // pending for the next stage run, and stops holding this drain up.
    auto unstaged = absent_hosts_.sweep_if_due();
    if (!unstaged) return idle_failed(unstaged.error());
  }
  if (s.once) {
    Result<bool> more = false;
    if (s.role == RelayRole::relay) {
      auto left = ctx_.count_in({ledger::ObjectState::pending, ledger::ObjectState::staging,
                                 ledger::ObjectState::staged, ledger::ObjectState::uploading});
      more = left ? Result<bool>(*left > 0) : std::unexpected(left.error());
    } else {
      more = stage_run_active();  // a stage run may stage more for us
      if (more && !*more && ctx_.ledger.cooperative()) {
        // Other drain workers' uploads come back to us if they die.
        auto left = ctx_.count_in({ledger::ObjectState::staged, ledger::ObjectState::uploading});
        more = left ? Result<bool>(*left > 0) : std::unexpected(left.error());
      }
    }
    if (!more) return idle_failed(more.error());
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
    return dispatcher().idle_wait(s.poll_interval) ? Idle::claim_again : Idle::done;
  }
  if (ctx_.clock.steady_now() - last_requeue_ >= s.scan_interval) {
    // Continuous: failed uploads are tried again, like the original's loop.
    last_requeue_ = ctx_.clock.steady_now();
    if (auto r = ctx_.ledger.requeue_failed(ctx_.run.job()); !r) return idle_failed(r.error());
    return Idle::claim_again;
  }
  return dispatcher().idle_wait(s.poll_interval) ? Idle::claim_again : Idle::done;
}

void DrainLeg::on_stop() {
  budget_.cancel();  // nothing waits for memory: in-flight work drains
  gate_.stop();
}

ObjectOutcome DrainLeg::transfer(const ledger::ObjectRecord& record) {
  if (!gate_.wait_open()) return ObjectOutcome::of(OutcomeKind::cancelled, kCancelled, "stopping");
  activity_.drain_working();
  for (;;) {
    ObjectOutcome out = uploader_.upload(record);
    if (out.kind != OutcomeKind::failed) return out;
    const Error error = failure_of(out);
    if (!s3::is_side_refusal(error)) return out;
    if (gate_.refused(error) == SideGate::Verdict::object_refused) return out;
    if (settings_.once) {
      // Nothing more can be uploaded in this run: stop it with the refusal,
      // the object left for the next run, not failed.
      const auto refusal = gate_.refusal();
      Error fatal = refusal ? refusal->error : error;
      fatal.message = "destination: " + fatal.message + " (the relay stopped; nothing was failed)";
      dispatcher().set_fatal(std::move(fatal));
      return with_progress(ObjectOutcome::of(OutcomeKind::cancelled, kCancelled, "the destination refuses the run"),
                           out);
    }
    if (!gate_.wait_open()) return with_progress(ObjectOutcome::of(OutcomeKind::cancelled, kCancelled, "stopping"), out);
    ctx_.events.emit("upload_retried_after_refusal", {{"key", record.key}});
  }
}

void DrainLeg::settle(const ledger::ObjectRecord& record, const ObjectOutcome& out, std::chrono::milliseconds elapsed) {
  switch (out.kind) {
    case OutcomeKind::corrupt:
    case OutcomeKind::missing:
      send_back(record, out);
      dispatcher().unhold(record.id);
      return;
    case OutcomeKind::verified:
      break;
    default:  // the uploader ends nowhere else: anything else is no upload
      return record_failed(record, out, elapsed);
  }
  record_end(record, ledger::ObjectState::verified, out);
  // Bytes sent are a fact now; "verified" becomes one at the next commit.
  ctx_.events.emit("object_uploaded", {{"key", record.key},
                                       {"method", to_string(out.method)},
                                       {"bytes_uploaded", out.bytes_uploaded},
                                       {"duration_ms", elapsed.count()}});
  ++ctx_.tally.verified_objects;
  ctx_.tally.verified_bytes += record.size;
  ctx_.committer.when_durable(record.id, [this, id = record.id, key = record.key, size = record.size,
                                          method = out.method, proof = out.proof, elapsed] {
    // Only now may the staged copy go: the ledger will never ask for it again.
    const auto removed = stager_.remove(id.value);
    if (!removed) ctx_.events.emit("staged_remove_failed", {{"key", key}, {"error", removed.error().message}});
    ctx_.events.emit("object_verified", {{"key", key},
                                         {"size", size},
                                         {"method", to_string(method)},
                                         {"proof", proof},
                                         {"duration_ms", elapsed.count()}});
  });
}

// The staged copy cannot be trusted (or is gone): delete it before the
// ledger says `pending`, so a new copy staged after the commit is never the
// one deleted.
void DrainLeg::send_back(const ledger::ObjectRecord& record, const ObjectOutcome& out) {
  const bool corrupt = out.kind == OutcomeKind::corrupt;
  const auto removed = stager_.remove(record.id.value);
  const std::string error = out.update.error.value_or(out.error_code);
  ctx_.events.emit(corrupt ? "staged_corrupt" : "staged_missing",
                   {{"key", record.key}, {"error", error}, {"removed", removed.has_value()}});
  ledger::Transition t = ledger::Transition::of(record, ledger::ObjectState::pending, ctx_.run.owner());
  t.update.error = error;
  dispatcher().queue_or_fail(std::move(t));
  ++ctx_.tally.refetch_objects;
  ctx_.committer.when_durable(record.id, [this, key = record.key] {
    ctx_.events.emit("object_refetch", {{"key", key}});
    wake_other_legs();  // the stage of this process may fetch it again
  });
}

}  // namespace s5j::transfer
