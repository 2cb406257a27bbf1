// Object states and the legal transitions between them.
//
// Direct sync (one site reads the source and writes the destination):
//   pending -> copying -> verified, or failed / vanished.
// Staged relay (site A copies onto staging volumes, site B uploads):
//   pending -> staging -> staged -> uploading -> verified (+ failed, vanished).
// "Active" states (copying, staging, uploading) are held by one worker under
// a lease; all others are "resting". Pure functions, thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace s5j::ledger {

enum class JobMode { direct, staged };

enum class ObjectState {
  pending,    // listed, not yet (or again) to be transferred
  copying,    // direct: a worker is copying it
  staging,    // staged: a worker is writing it to a staging volume
  staged,     // staged: on a volume with checksums, waiting for upload
  uploading,  // staged: a worker is uploading it from the volume
  verified,   // at the destination, checksums agreed; never sent again
  failed,     // gave up for this run (last_error says why); retried later
  vanished,   // the source no longer has it (deleted after listing)
};

std::string_view to_string(JobMode mode);
std::optional<JobMode> parse_job_mode(std::string_view text);
std::string_view to_string(ObjectState state);
std::optional<ObjectState> parse_object_state(std::string_view text);

// Every state a job of `mode` can hold, in pipeline order.
std::span<const ObjectState> states_of(JobMode mode);
// Every state of either mode, each once.
std::span<const ObjectState> all_object_states();

bool is_active(ObjectState state);

// Whether `from -> to` is allowed for a job of `mode`. Staying in an active
// state (from == to) is allowed: it records progress (e.g. checksums)
// without a transition. Upsert and reset move records outside this table
// (a changed source object goes back to pending from any state).
bool is_legal_transition(JobMode mode, ObjectState from, ObjectState to);

// Active states that a claim of resting state `from` may take over when
// their lease expired (e.g. pending -> copying for a direct job).
std::span<const ObjectState> takeover_states(JobMode mode, ObjectState from);

}  // namespace s5j::ledger
