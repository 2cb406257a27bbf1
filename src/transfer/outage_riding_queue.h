// OutageRidingQueue: the ledger's TransitionQueue as an object's transfer
// uses it, riding out a ledger out of reach (LedgerOutage) instead of
// failing the object.
//
// Queueing is in memory and flush() is the group commit's (which rides the
// outage itself), so those pass straight through. The calls a transfer
// waits on — begin_upload (durable before the first part is sent, so a crash
// never orphans an upload), active_upload, open_uploads — are tried again
// after the outage's backoff while the outage tolerates their error: the
// object's worker pauses with the rest of the run and goes on when the
// ledger is back (or, past ledger.unavailable_limit, gets the error).
//
// Thread safety: that of the wrapped queue; LedgerOutage is thread-safe.
#pragma once

#include "base/clock.h"
#include "ledger/transition_queue.h"
#include "transfer/ledger_outage.h"

namespace s5j::transfer {

class OutageRidingQueue final : public ledger::TransitionQueue {
 public:
  OutageRidingQueue(ledger::TransitionQueue& inner, LedgerOutage& outage, const Clock& clock)
      : inner_(inner), outage_(outage), clock_(clock) {}

  Status queue(ledger::Transition transition) override { return inner_.queue(std::move(transition)); }
  Status queue_part(ledger::UploadRef upload, ledger::PartRecord part) override {
    return inner_.queue_part(upload, std::move(part));
  }
  Status queue_upload_end(ledger::UploadRef upload, ledger::UploadStatus status) override {
    return inner_.queue_upload_end(upload, status);
  }
  Result<ledger::FlushReport> flush() override { return inner_.flush(); }
  size_t queued() const override { return inner_.queued(); }

  Result<ledger::UploadRef> begin_upload(const ledger::UploadStart& start) override {
    return ride([&] { return inner_.begin_upload(start); });
  }
  Result<std::optional<ledger::UploadProgress>> active_upload(ledger::ObjectId object) override {
    return ride([&] { return inner_.active_upload(object); });
  }
  Result<std::vector<ledger::UploadRecord>> open_uploads(std::optional<ledger::JobId> job) override {
    return ride([&] { return inner_.open_uploads(job); });
  }

 private:
  template <typename F>
  auto ride(F call) -> decltype(call()) {
    for (;;) {
      auto r = call();
      if (r) {
        outage_.ended();
        return r;
      }
      if (!outage_.tolerate(r.error())) return r;
      clock_.sleep_for(outage_.backoff());
    }
  }

  ledger::TransitionQueue& inner_;
  LedgerOutage& outage_;
  const Clock& clock_;
};

}  // namespace s5j::transfer
