// Transition: one queued state change of one object, with the fields it
// records on the way, and what a flush reports back.
//
// A transition is a compare-and-set: it applies only if the object is still
// in `from` (and, when `owner` is set, still leased to `owner` under the
// same claim: `epoch`). Otherwise
// the flush reports it as a Rejection instead of applying it; the worker
// must then drop that object (someone else owns it now, or it changed).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/records.h"

namespace s5j::ledger {

// Fields to record; nullopt leaves the stored value alone.
struct ObjectUpdate {
  std::optional<Md5Bytes> md5;        // must agree with any value already recorded
  std::optional<uint32_t> crc32c;     // ditto
  std::optional<uint64_t> crc64nvme;  // ditto (computed only with checksum_algorithm crc64nvme)
  std::optional<std::string> dest_etag;
  std::optional<std::string> error;   // becomes last_error, stamped now
  std::optional<StagedCopy> staged;   // replaces the staged copy as a whole
};

struct Transition {
  JobId job;
  ObjectId id;
  ObjectState from = ObjectState::pending;
  ObjectState to = ObjectState::pending;
  std::string owner;  // lease holder; empty skips the lease check
  // With owner: the record's lease_epoch when it was claimed; the transition
  // applies only while it is unchanged (LeaseLost otherwise). 0 skips it.
  uint64_t epoch = 0;
  ObjectUpdate update;

  static Transition of(const ObjectRecord& r, ObjectState to, std::string owner = {}) {
    Transition t;
    t.job = r.job;
    t.id = r.id;
    t.from = r.state;
    t.to = to;
    if (!owner.empty()) t.epoch = r.lease_epoch;
    t.owner = std::move(owner);
    return t;
  }
};

// Why a queued transition did not apply (stable codes, see ledger.md):
//   NoSuchObject      the id is unknown to this job (reset, or wrong job)
//   StateChanged      the object is no longer in `from`
//   LeaseLost         the object is leased to someone else, or claimed again
//                     since (its lease_epoch moved on)
//   MissingChecksums  `verified` without an MD5 or CRC-32C recorded
//   ChecksumMismatch  a checksum disagrees with one recorded before
//   MissingStagedCopy `staged` without a staged path and checksum
//   NoSuchUpload      a part or upload end for an unknown upload
//   UploadClosed      a part or upload end for an upload no longer active
inline constexpr char kNoSuchObject[] = "NoSuchObject";
inline constexpr char kStateChanged[] = "StateChanged";
inline constexpr char kLeaseLost[] = "LeaseLost";
inline constexpr char kMissingChecksums[] = "MissingChecksums";
inline constexpr char kChecksumMismatch[] = "ChecksumMismatch";
inline constexpr char kMissingStagedCopy[] = "MissingStagedCopy";
inline constexpr char kNoSuchUpload[] = "NoSuchUpload";
inline constexpr char kUploadClosed[] = "UploadClosed";

struct Rejection {
  ObjectId id;
  UploadRef upload;  // set for part and upload-end operations
  ObjectState from = ObjectState::pending;
  ObjectState to = ObjectState::pending;
  std::string code;
  std::string detail;
};

struct FlushReport {
  uint64_t applied = 0;              // operations committed by this flush
  std::vector<Rejection> rejected;   // since the previous flush() returned
};

}  // namespace s5j::ledger
