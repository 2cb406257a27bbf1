// Plain value types the Ledger interface speaks: identifiers, the per-object
// record, upload/part progress, job, run and lock records, and queries.
// No behaviour; all copyable; thread safety is that of plain structs.
#pragma once

#include <array>
#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledger/object_state.h"

namespace s5j::ledger {

using TimePoint = std::chrono::system_clock::time_point;
using Md5Bytes = std::array<unsigned char, 16>;  // same type as checksum::Md5Digest

// Backend-assigned identifiers; stable for the life of the ledger.
struct JobId {
  int64_t value = 0;
  auto operator<=>(const JobId&) const = default;
};
struct ObjectId {
  int64_t value = 0;
  auto operator<=>(const ObjectId&) const = default;
};
struct UploadRef {  // the ledger's handle of one multipart upload
  int64_t value = 0;
  auto operator<=>(const UploadRef&) const = default;
};
struct RunId {
  int64_t value = 0;
  auto operator<=>(const RunId&) const = default;
};

struct JobRecord {
  JobId id;
  std::string name;
  JobMode mode = JobMode::direct;
  TimePoint created_at;
};

// Where a staged relay put the object and what the staged bytes hash to.
struct StagedCopy {
  std::string volume;  // staging volume label
  std::string path;    // file path on that volume
  uint64_t size = 0;
  std::optional<Md5Bytes> md5;
  std::optional<uint32_t> crc32c;
  // The source object's metadata (Content-Type, x-amz-meta-*, ...) as the
  // engine serialized it: opaque to the ledger, given to the upload leg.
  std::string metadata;
  // The host whose volumes hold the file (JobRun's host name): with
  // cooperating workers on several hosts only that host can upload it.
  // Empty when unknown (staged before the ledger kept it): any host may
  // claim it, and one that cannot find the file sends it back to pending.
  std::string host;
  bool operator==(const StagedCopy&) const = default;
};

// One object of one job. `key` is raw bytes (may hold NUL and control
// characters); records order by key bytewise (memcmp order).
struct ObjectRecord {
  ObjectId id;
  JobId job;
  std::string key;
  uint64_t size = 0;
  std::string source_etag;
  std::optional<TimePoint> source_last_modified;
  ObjectState state = ObjectState::pending;
  uint32_t attempts = 0;          // passes: copying/staging entered, + upload retries (docs/ledger.md)
  std::string last_error;         // empty when none
  std::optional<TimePoint> error_at;
  std::optional<Md5Bytes> md5;    // computed in flight over the source bytes
  std::optional<uint32_t> crc32c; // ditto
  // Ditto, computed only when the destination's checksum_algorithm is
  // crc64nvme: what a destination's x-amz-checksum-crc64nvme is compared with.
  std::optional<uint64_t> crc64nvme;
  std::string dest_etag;          // empty until known
  std::string lease_owner;        // empty when not leased
  std::optional<TimePoint> lease_expires;
  // The fencing token: incremented by every claim (and takeover) of the
  // record. A transition carrying it applies only while it is unchanged, so a
  // worker whose lease was taken over never writes over its successor, even
  // under the same owner name.
  uint64_t lease_epoch = 0;
  std::optional<StagedCopy> staged;
  TimePoint created_at;
  TimePoint updated_at;
};

// One entry of a source listing, as the planner hands it to upsert.
struct ListedObject {
  std::string key;
  uint64_t size = 0;
  std::string etag;
  std::optional<TimePoint> last_modified;
  // The planner found the destination holding this object already: the
  // same size and an equal, comparable (MD5-shaped) ETag. Where the merge
  // would leave the record pending (a new key, a new version, a revived or
  // a still pending one) it is recorded verified instead, with the ETag as
  // its destination ETag: the evidence `verified` asks for. Anything else
  // (a record in flight, verified already) is left as the merge leaves it.
  bool at_destination = false;
};

struct UpsertStats {
  uint64_t inserted = 0;   // new keys, now pending
  uint64_t changed = 0;    // size or ETag differ: back to pending, progress dropped
  uint64_t revived = 0;    // were vanished, listed again unchanged: pending
  uint64_t unchanged = 0;  // left exactly as they were (verified stays verified)
  // Of all the above, recorded verified because they were at_destination.
  uint64_t found_at_destination = 0;
  uint64_t found_at_destination_bytes = 0;
};

// A page of a job's records in key order, strictly after `after_key`.
struct ListQuery {
  std::optional<std::string> after_key;
  size_t limit = 1000;
  std::optional<ObjectState> state;  // only records in this state
};

// Hands out up to `max` records of `job` that rest in one of `from` (and
// active records of the matching takeover states whose lease expired),
// leased to `owner` for `lease`.
struct ClaimRequest {
  JobId job;
  size_t max = 64;
  std::string owner;
  std::chrono::milliseconds lease{std::chrono::minutes(5)};
  std::vector<ObjectState> from{ObjectState::pending};
  // Set: records with a staged copy are handed out only when it is on this
  // host (StagedCopy::host) or on an unknown one. The relay's upload leg on
  // a cooperative ledger sets it: other hosts' files are not readable here.
  std::optional<std::string> staged_host;
};

struct StateTotals {
  ObjectState state = ObjectState::pending;
  uint64_t objects = 0;
  uint64_t bytes = 0;
};

// The objects of one state whose sizes fall in one size class
// (ledger/size_class.h).
struct SizeClassTotals {
  ObjectState state = ObjectState::pending;
  int size_class = 0;
  uint64_t objects = 0;
  uint64_t bytes = 0;
  bool operator==(const SizeClassTotals&) const = default;
};

struct ErrorEntry {
  ObjectId id;
  std::string key;
  ObjectState state = ObjectState::failed;
  uint32_t attempts = 0;
  std::string error;
  TimePoint at;
};

// Puts one verified record back to `pending` because its destination copy
// is missing or differs (s5j verify). A compare-and-set: it applies only
// while the record is still verified with this size, source ETag and
// updated_at, i.e. exactly as the caller read it.
struct ReopenRequest {
  ObjectId id;
  uint64_t size = 0;
  std::string source_etag;
  TimePoint updated_at;
  std::string reason;  // becomes last_error
};

// Multipart upload progress.
enum class UploadStatus {
  active,     // parts may still be added; resume from here
  completed,  // CompleteMultipartUpload succeeded
  aborted,    // AbortMultipartUpload succeeded
  abandoned,  // the object changed or the job was reset: must be aborted
};
std::string_view to_string(UploadStatus status);
std::optional<UploadStatus> parse_upload_status(std::string_view text);

struct UploadStart {
  ObjectId object;
  std::string upload_id;  // as the destination returned it
  uint64_t part_size = 0;
  uint32_t part_count = 0;
};

struct UploadRecord {
  UploadRef ref;
  JobId job;
  std::optional<ObjectId> object;  // nullopt once the job was reset
  std::string key;
  std::string upload_id;
  uint64_t part_size = 0;
  uint32_t part_count = 0;
  UploadStatus status = UploadStatus::active;
  TimePoint created_at;
  TimePoint updated_at;
};

struct PartRecord {
  uint32_t part_number = 0;  // 1-based, as in S3
  uint64_t offset = 0;
  uint64_t size = 0;
  std::string etag;
  std::optional<Md5Bytes> md5;
  std::optional<uint32_t> crc32c;
  bool operator==(const PartRecord&) const = default;
};

struct UploadProgress {
  UploadRecord upload;
  std::vector<PartRecord> parts;  // by part number
};

// Run history and the per-job single-instance lock.
struct RunStart {
  int64_t pid = 0;
  std::string host;
  std::string command;  // e.g. "run", "verify"
  std::string version;
};

struct RunRecord {
  RunId id;
  JobId job;
  RunStart start;
  TimePoint started_at;
  std::optional<TimePoint> ended_at;
  std::string outcome;  // empty while running (or when the process died)
  std::optional<int> exit_code;
};

// Lock roles: a lock with no roles covers the whole job and excludes every
// other lock of the job; a lock with roles (e.g. {"stage"}, {"drain"},
// {"stage", "drain"} for a relay) excludes the whole-job lock and any lock
// sharing a role, so `s5j stage` and `s5j drain` run side by side while two
// `stage` runs exclude each other.
struct LockRequest {
  std::string owner;  // unique per process instance, e.g. "host:pid:start"
  int64_t pid = 0;
  std::string host;
  std::chrono::milliseconds ttl{std::chrono::minutes(2)};
  std::vector<std::string> roles;  // empty: the whole job
  // Cooperating workers on a shared ledger (Ledger::cooperative()): shared
  // locks never conflict with each other, whatever their roles; a shared
  // lock conflicts with an exclusive one exactly as two exclusive locks
  // would (overlapping roles, or either covering the whole job). So several
  // `s5j sync` processes of one job run together, while `reset` (an
  // exclusive whole-job lock) refuses while any of them lives.
  bool shared = false;
};

// What a running process holding a job lock is doing, as it last published
// it (Ledger::set_run_activity), for `s5j status` in another process. The
// names are stable (docs/operations.md): starting, listing, transferring,
// waiting_for_space, scanning, idle, stopping.
struct RunActivity {
  std::string name;
  TimePoint since;                          // when the process entered it
  std::optional<uint64_t> wanted_bytes;     // waiting_for_space: the write that waits needs this many bytes
  std::optional<TimePoint> next_scan_at;    // scanning: when the source is listed again (nullopt: listing now)
  std::string detail;                       // destination_refused: the refusal ("InvalidAccessKeyId: ..."); listing: how, when in one stream
  std::optional<TimePoint> retry_at;        // destination_refused: when the side is probed again
  bool operator==(const RunActivity&) const = default;
};

struct LockHolder {
  std::string owner;
  int64_t pid = 0;
  std::string host;
  TimePoint acquired_at;
  TimePoint expires_at;
  std::string role;  // empty: the whole job; else the role held (one per holder entry)
  std::optional<RunActivity> activity;  // nullopt: the holder published none (yet)
  bool shared = false;                  // taken with LockRequest::shared
  // The holder's last heartbeat: when it took or last renewed the lock.
  TimePoint renewed_at;
  // What the holder last published with set_run_figures (its pace, leases
  // held, ...; encoded by the transfer layer, opaque to the ledger); empty:
  // none yet.
  std::string figures;
};

struct LockOutcome {
  bool acquired = false;
  LockHolder holder;  // us when acquired, else whoever holds it
};

}  // namespace s5j::ledger
