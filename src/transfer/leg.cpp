#include "transfer/leg.h"

#include "transfer/ledger_outage.h"
#include "transfer/source_change.h"
#include "transfer/transfer_error.h"

namespace s5j::transfer {

void Leg::bind(ClaimDispatcher& dispatcher, std::function<void()> wake_others) {
  dispatcher_ = &dispatcher;
  wake_others_ = std::move(wake_others);
}

nlohmann::json Leg::named(nlohmann::json fields) const {
  if (!traits_.name.empty()) fields["leg"] = traits_.name;
  return fields;
}

void Leg::work_on(ledger::ObjectRecord record) {
  ClaimDispatcher& d = dispatcher();
  if (record.state == traits_.claims) {
    d.queue_or_fail(ledger::Transition::of(record, traits_.working, ctx_.run.owner()));
    record.state = traits_.working;
    // As the ledger counts (one attempt per pass): entering copying or
    // staging starts one; an upload is part of the staging's pass, and a
    // retried upload was counted when its copy went back to `staged`.
    if (traits_.working == ledger::ObjectState::copying || traits_.working == ledger::ObjectState::staging)
      ++record.attempts;
  }
  ctx_.events.emit(traits_.started_event,
                   named({{"key", record.key}, {"size", record.size}, {"attempt", record.attempts}}));
  if (!admit(record)) return d.hand_back(record.id);  // stopping: the next run starts it
  const auto started = ctx_.clock.steady_now();
  pace_.started();
  const ObjectOutcome out = transfer(record);
  const auto took = ctx_.clock.steady_now() - started;
  pace_.finished(record.size, took, out.kind == OutcomeKind::verified || out.kind == OutcomeKind::staged);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(took);
  ctx_.tally.uploaded_bytes += out.bytes_uploaded;
  ctx_.tally.downloaded_bytes += out.bytes_downloaded;

  switch (out.kind) {
    case OutcomeKind::cancelled:
      // Stopping: leave it for the next run (uploaded parts stay recorded).
      d.hand_back(record.id);
      return;
    case OutcomeKind::failed:
      return record_failed(record, out, elapsed);
    case OutcomeKind::vanished:
      record_end(record, ledger::ObjectState::vanished, out);
      ++ctx_.tally.done_objects;
      ctx_.tally.done_bytes += record.size;
      ++ctx_.tally.vanished_objects;
      ctx_.committer.emit_when_durable(record.id, "object_vanished",
                                       {{"key", record.key}, {"error", out.update.error.value_or("")}});
      return;
    case OutcomeKind::changed:
      if (traits_.source == nullptr) return record_failed(record, out, elapsed);
      resolve_changed(record, out);
      d.unhold(record.id);
      return;
    default:
      settle(record, out, elapsed);
      return;
  }
}

void Leg::record_end(const ledger::ObjectRecord& record, ledger::ObjectState to, const ObjectOutcome& out) {
  ClaimDispatcher& d = dispatcher();
  ledger::Transition t = ledger::Transition::of(record, to, ctx_.run.owner());
  t.update = out.update;
  d.queue_or_fail(std::move(t));
  if (out.completed_upload)
    if (auto q = ctx_.ledger.queue_upload_end(*out.completed_upload, ledger::UploadStatus::completed); !q)
      d.set_fatal(q.error());
  d.unhold(record.id);
}

void Leg::record_failed(const ledger::ObjectRecord& record, const ObjectOutcome& out,
                        std::chrono::milliseconds elapsed) {
  record_end(record, ledger::ObjectState::failed, out);
  ++ctx_.tally.done_objects;
  ctx_.tally.done_bytes += record.size;
  ctx_.tally.add_failure(record.key, out.update.error.value_or(out.error_code));
  ctx_.committer.emit_when_durable(record.id, "object_failed",
                                   named({{"key", record.key},
                                          {"size", record.size},
                                          {"code", out.error_code},
                                          {"error", out.update.error.value_or("")},
                                          {"duration_ms", elapsed.count()}}));
}

void Leg::resolve_changed(const ledger::ObjectRecord& record, const ObjectOutcome& out) {
  ClaimDispatcher& d = dispatcher();
  // Commit our own start of the attempt first: the upsert below moves the record on.
  if (auto f = ctx_.committer.commit(); !f) return d.set_fatal(f.error());
  auto change =
      resolve_source_change(*traits_.source, traits_.source_bucket, ctx_.ledger, ctx_.run.job(), record,
                            traits_.max_source_changes, out.update.error.value_or(out.error_code), ctx_.run.owner());
  if (!change) return d.set_fatal(change.error());
  auto& tally = ctx_.tally;
  if (change->verdict == SourceChange::Verdict::relisted) {
    const auto& head = change->head;
    tally.planned_bytes += head.size;
    tally.planned_bytes -= std::min<uint64_t>(tally.planned_bytes, record.size);
    ++tally.changed_objects;
    ctx_.events.emit("object_changed", {{"key", record.key},
                                        {"old_etag", record.source_etag},
                                        {"new_etag", head.etag},
                                        {"new_size", head.size},
                                        {"reason", out.error_code}});
    return;
  }
  const bool vanished = change->verdict == SourceChange::Verdict::vanished;
  ledger::Transition t = ledger::Transition::of(
      record, vanished ? ledger::ObjectState::vanished : ledger::ObjectState::failed, ctx_.run.owner());
  t.update.error = change->error;
  d.queue_or_fail(std::move(t));
  ++tally.done_objects;
  tally.done_bytes += record.size;
  if (vanished) {
    ++tally.vanished_objects;
    ctx_.committer.emit_when_durable(record.id, "object_vanished", {{"key", record.key}});
  } else {
    tally.add_failure(record.key, change->error);
    ctx_.committer.emit_when_durable(record.id, "object_failed",
                                     named({{"key", record.key}, {"code", kSourceChanged}, {"error", change->error}}));
  }
}

ClaimDispatcher::Idle Leg::done_unless_others_hold(std::initializer_list<ledger::ObjectState> states,
                                                   std::chrono::milliseconds poll) {
  if (!ctx_.ledger.cooperative()) return ClaimDispatcher::Idle::done;
  auto left = ctx_.count_in(states);
  if (!left) return idle_failed(left.error());
  if (*left == 0) return ClaimDispatcher::Idle::done;
  return dispatcher().idle_wait(poll) ? ClaimDispatcher::Idle::claim_again : ClaimDispatcher::Idle::done;
}

ClaimDispatcher::Idle Leg::idle_failed(const Error& error) {
  if (!is_ledger_outage(error)) {
    dispatcher().set_fatal(error);
    return ClaimDispatcher::Idle::done;
  }
  return dispatcher().idle_wait(std::chrono::seconds(1)) ? ClaimDispatcher::Idle::claim_again
                                                         : ClaimDispatcher::Idle::done;
}

}  // namespace s5j::transfer
