// SideGate: holds a run's work on one side (the relay's destination) while
// that side refuses the run as a whole — credentials rejected, permission
// withdrawn, bucket gone — and opens again when a probe is accepted.
//
// Without it, a destination that starts refusing in the middle of a
// continuous relay fails every upload one by one while the stage leg goes
// on filling the volumes for uploads that cannot happen. With it:
//
//   * an upload refused so (refused()) is checked with one probe of the
//     side at once. Accepted: the refusal was the object's own (a policy
//     on one key): it fails as any error does, and the gate stays open.
//     Refused: the gate closes (`<side>_refused` in the log, with the code
//     and the next try), and the object waits for it, unfailed;
//   * wait_open() (every leg's admit(), and the refused worker) blocks
//     while the gate is closed. The first waiter due probes again after
//     `first_retry`, doubling up to `max_retry`; an accepted probe opens
//     the gate (`<side>_accepted`) and every waiter goes on;
//   * stop() ends every wait (false: the run is stopping).
// on_change (optional) is told after every open and close, for the run's
// published activity.
//
// Thread safety: every method from any thread; the probe runs on one
// waiter's thread at a time, without the gate's lock held.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/error.h"
#include "log/event_log.h"

namespace s5j::transfer {

struct SideGateSettings {
  std::string side = "destination";  // names the events: destination_refused, destination_accepted
  std::chrono::milliseconds first_retry{std::chrono::seconds(30)};
  std::chrono::milliseconds max_retry{std::chrono::minutes(5)};
};

// Why the gate is closed, for status.
struct SideRefusal {
  Error error;                                    // the probe's answer (code, message)
  std::chrono::system_clock::time_point since;    // when the gate closed
  std::chrono::system_clock::time_point retry_at; // the next probe
  std::chrono::milliseconds retry_in{0};          // the wait before it (the backoff now)
};

class SideGate {
 public:
  using Probe = std::function<Status()>;
  SideGate(SideGateSettings settings, Probe probe, const Clock& clock, log::EventLog& events);

  enum class Verdict {
    object_refused,  // the side accepts the probe: the refusal was the object's own
    side_refused,    // the side refuses as a whole: the gate is closed
  };
  // An operation of the side was refused with `error` (see is_side_refusal):
  // probes the side unless the gate is already closed.
  Verdict refused(const Error& error);
  // Blocks while the gate is closed (probing when due); true when open,
  // false when stopping.
  bool wait_open();
  void stop();

  bool is_open() const;
  std::optional<SideRefusal> refusal() const;
  void set_on_change(std::function<void()> on_change) { on_change_ = std::move(on_change); }

 private:
  // Probes now (the caller set probing_); returns whether it was accepted,
  // else sets `why` to the probe's error.
  // Called and returns with `lock` held; the probe runs without it.
  bool probe_locked(std::unique_lock<std::mutex>& lock, Error& why);
  void close_locked(const Error& error);
  void changed();

  const SideGateSettings settings_;
  const Probe probe_;
  const Clock& clock_;
  log::EventLog& events_;
  std::function<void()> on_change_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<SideRefusal> refusal_;                 // guarded by mutex_; nullopt: open
  std::chrono::steady_clock::time_point next_probe_;   // guarded by mutex_
  std::chrono::milliseconds backoff_{0};               // guarded by mutex_
  bool probing_ = false;                               // guarded by mutex_
  bool stopping_ = false;                              // guarded by mutex_
};

}  // namespace s5j::transfer
