// CopyLeg: the direct sync's only leg — workers claim `pending` objects,
// copy each from the source bucket to the destination bucket
// (ObjectCopier) and record it `verified` with its proof.
//
//   * pending → copying (a new attempt), copying → verified with the
//     checksums and destination ETag (and the completed multipart upload);
//     `object_copied` when the destination confirmed the bytes (a fact
//     now), `object_verified` once the transition is durable;
//   * failed, vanished, changed (listed again and copied as its new version
//     in the same run) and cancelled are recorded by Leg::work_on.
//   * stopping cancels the memory budget: nothing waits for memory any
//     more, work in flight drains.
//
// Thread safety: as Leg.
#pragma once

#include "s3/s3_client.h"
#include "transfer/byte_budget.h"
#include "transfer/leg.h"
#include "transfer/object_copier.h"
#include "transfer/worker_pool.h"

namespace s5j::transfer {

struct CopyLegSettings {
  CopierSettings copier;
  int workers = 16;       // objects in flight
  int part_threads = 16;  // parts of large objects in flight, over all objects
  uint64_t memory_budget = 256ull << 20;
  uint32_t max_source_changes = 5;
};

class CopyLeg final : public Leg {
 public:
  CopyLeg(RunContext& context, const CopyLegSettings& settings, s3::S3Client& source, s3::S3Client& destination);

  void on_stop() override { budget_.cancel(); }
  // Alone: done when nothing is claimable. With other workers of the job
  // (a cooperative ledger): not while any of them still copies.
  ClaimDispatcher::Idle on_idle() override {
    return done_unless_others_hold({ledger::ObjectState::pending, ledger::ObjectState::copying});
  }

 protected:
  ObjectOutcome transfer(const ledger::ObjectRecord& record) override { return copier_.copy(record); }
  void settle(const ledger::ObjectRecord& record, const ObjectOutcome& out, std::chrono::milliseconds elapsed) override;

 private:
  ByteBudget budget_;
  WorkerPool part_pool_;
  ObjectCopier copier_;
};

}  // namespace s5j::transfer
