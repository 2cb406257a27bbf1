#include "transfer/copy_leg.h"

namespace s5j::transfer {
namespace {

LegTraits copy_traits(const CopyLegSettings& s, s3::S3Client& source) {
  LegTraits t;
  t.claims = ledger::ObjectState::pending;
  t.working = ledger::ObjectState::copying;
  t.started_event = "object_started";
  t.workers = s.workers;
  t.source = &source;
  t.source_bucket = s.copier.source_bucket;
  t.max_source_changes = s.max_source_changes;
  return t;
}

}  // namespace

CopyLeg::CopyLeg(RunContext& context, const CopyLegSettings& settings, s3::S3Client& source, s3::S3Client& destination)
    : Leg(context, copy_traits(settings, source)),
      budget_(settings.memory_budget),
      part_pool_(static_cast<size_t>(std::max(1, settings.part_threads))),
      copier_(settings.copier, source, destination, context.transitions, budget_, part_pool_, context.events) {}

void CopyLeg::settle(const ledger::ObjectRecord& record, const ObjectOutcome& out, std::chrono::milliseconds elapsed) {
  // The copier ends nowhere else: anything but verified is not a copy.
  if (out.kind != OutcomeKind::verified) return record_failed(record, out, elapsed);
  record_end(record, ledger::ObjectState::verified, out);
  auto& tally = ctx_.tally;
  ++tally.done_objects;
  tally.done_bytes += record.size;
  // Bytes sent are a fact now; "verified" becomes one at the next commit.
  ctx_.events.emit("object_copied", {{"key", record.key},
                                     {"method", to_string(out.method)},
                                     {"bytes_uploaded", out.bytes_uploaded},
                                     {"bytes_downloaded", out.bytes_downloaded},
                                     {"duration_ms", elapsed.count()}});
  ++tally.verified_objects;
  tally.verified_bytes += record.size;
  if (is_server_side(out.method)) ++tally.server_side_copies;
  ctx_.committer.emit_when_durable(record.id, "object_verified",
                                   {{"key", record.key},
                                    {"size", record.size},
                                    {"method", to_string(out.method)},
                                    {"proof", out.proof},
                                    {"bytes_uploaded", out.bytes_uploaded},
                                    {"duration_ms", elapsed.count()}});
}

}  // namespace s5j::transfer
