// RelayActivity: what a stage / drain / relay run is doing, from what its
// legs report, published through JobRun::set_activity (on change only) so
// `s5j status` in another process can say it.
//
// The run's activity, first match wins:
//   stopping           request_stop() came (stays until the run ends);
//   destination_refused the destination refuses the run (SideGate closed):
//                      uploads and staging wait; with the refusal and the
//                      next probe (retry_at);
//   waiting_for_space  a stage write waits for staging space (back-pressure;
//                      with the bytes it wants);
//   transferring       a leg is working on objects;
//   scanning           the stage leg is idle in continuous mode: listing the
//                      source, or waiting for the next listing (next_scan_at);
//   idle               nothing to do (drain waiting for staged objects, or a
//                      --once stage leg waiting for the drain).
// Before the legs start, the engine publishes starting / listing itself.
//
// Legs report transitions (working at each object, idle in on_idle) —
// an in-memory compare per call, a ledger write only when the result
// changes. The end of a wait for space has no callback: refresh() is called
// periodically (the stage leg's space watcher) to notice it.
//
// Thread safety: every method from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>

#include "ledger/records.h"
#include "staging/stager.h"
#include "transfer/job_run.h"
#include "transfer/side_gate.h"

namespace s5j::transfer {

class RelayActivity {
 public:
  explicit RelayActivity(JobRun& run) : run_(run) {}

  // The volumes to ask whether a write waits for space; set once opened.
  void set_stager(const staging::Stager* stager) { stager_ = stager; }
  // The destination's gate, when the run uploads; call refresh() when it
  // opens or closes.
  void set_destination_gate(const SideGate* gate) { gate_ = gate; }
  // The legs are about to start (both count as working until first idle).
  void start(bool stage, bool drain);

  void stage_working();
  void stage_scanning(std::optional<ledger::TimePoint> next_scan_at);  // nullopt: listing now
  void stage_idle();
  void drain_working();
  void drain_idle();
  void space_wait(uint64_t bytes);
  void stopping();
  void refresh();

 private:
  enum class Leg { absent, working, scanning, idle };
  void publish_locked();

  JobRun& run_;
  std::atomic<const staging::Stager*> stager_{nullptr};
  std::atomic<const SideGate*> gate_{nullptr};
  std::mutex mutex_;
  bool started_ = false;                               // guarded by mutex_
  bool stopping_ = false;                              // guarded by mutex_
  Leg stage_ = Leg::absent;                            // guarded by mutex_
  Leg drain_ = Leg::absent;                            // guarded by mutex_
  std::optional<ledger::TimePoint> next_scan_at_;      // guarded by mutex_
  uint64_t wanted_bytes_ = 0;                          // guarded by mutex_
};

}  // namespace s5j::transfer
