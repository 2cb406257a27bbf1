#include "transfer/job_recovery.h"

namespace s5j::transfer {

Result<RecoveryStats> recover_job(ledger::Ledger& ledger, ledger::JobId job, const RecoveryOptions& options,
                                  log::EventLog& events) {
  RecoveryStats stats;
  if (!ledger.cooperative()) {
    // We hold the lock: any lease in our states is from a run that died.
    auto released = options.lease_states.empty() ? ledger.release_all_leases(job)
                                                 : ledger.release_leases_in(job, options.lease_states);
    if (!released) return std::unexpected(released.error());
    stats.leases_released = *released;
  }
  // On a cooperative ledger other live workers hold leases: a dead worker's
  // expire (ledger.lease_timeout) and a claim takes its objects over.
  if (options.requeue_failed) {
    auto requeued = ledger.requeue_failed(job);
    if (!requeued) return std::unexpected(requeued.error());
    stats.failed_requeued = *requeued;
  }
  if (options.destination != nullptr) {
    auto uploads = ledger.open_uploads(job);
    if (!uploads) return std::unexpected(uploads.error());
    for (const auto& u : *uploads) {
      bool abandon = u.status == ledger::UploadStatus::abandoned || !u.object;
      if (!abandon && u.object) {
        auto record = ledger.get_object(*u.object);
        if (!record) return std::unexpected(record.error());
        abandon = !*record || (*record)->state == ledger::ObjectState::verified ||
                  (*record)->state == ledger::ObjectState::vanished;
      }
      if (!abandon) continue;  // resumed when its object is transferred
      auto r = options.destination->abort_multipart_upload(options.destination_bucket,
                                                           options.destination_key(u.key), u.upload_id);
      if (!r) {
        events.emit("upload_abort_failed", {{"key", u.key}, {"upload_id", u.upload_id}, {"error", r.error().message}});
        continue;
      }
      if (auto q = ledger.queue_upload_end(u.ref, ledger::UploadStatus::aborted); !q) return std::unexpected(q.error());
      ++stats.uploads_aborted;
    }
  }
  auto flushed = ledger.flush();
  if (!flushed) return std::unexpected(flushed.error());
  events.emit("recovered", {{"leases_released", stats.leases_released},
                            {"failed_requeued", stats.failed_requeued},
                            {"uploads_aborted", stats.uploads_aborted}});
  return stats;
}

}  // namespace s5j::transfer
