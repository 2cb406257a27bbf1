// Row <-> record conversions and the per-(state, size class) totals shared
// by the PostgresLedger source files. Internal to the backend.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "base/error.h"
#include "ledger/postgres/pg_connection.h"
#include "ledger/records.h"

namespace s5j::ledger::pg {

// Column list of an object row, in the order read_object() expects.
#define S5J_PG_OBJECT_COLUMNS                                                                              \
  "id, job_id, key, size, source_etag, source_mtime, state, attempts, last_error, error_at, md5, crc32c, " \
  "dest_etag, lease_owner, lease_expires, staged_volume, staged_path, staged_size, staged_md5, "         \
  "staged_crc32c, created_at, updated_at, staged_metadata, lease_epoch, staged_host, crc64nvme"

// The same, qualified by the alias `o` (for UPDATE objects o ... FROM ...).
#define S5J_PG_OBJECT_COLUMNS_O                                                                              \
  "o.id, o.job_id, o.key, o.size, o.source_etag, o.source_mtime, o.state, o.attempts, o.last_error, "       \
  "o.error_at, o.md5, o.crc32c, o.dest_etag, o.lease_owner, o.lease_expires, o.staged_volume, o.staged_path, " \
  "o.staged_size, o.staged_md5, o.staged_crc32c, o.created_at, o.updated_at, o.staged_metadata, o.lease_epoch, "   \
  "o.staged_host, o.crc64nvme"

#define S5J_PG_UPLOAD_COLUMNS \
  "id, job_id, object_id, key, upload_id, part_size, part_count, status, created_at, updated_at"

inline int64_t to_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline TimePoint from_ms(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

std::optional<Md5Bytes> md5_from_bytes(const std::string& bytes);
std::string md5_bytes(const Md5Bytes& md5);
std::optional<std::string> opt_md5_bytes(const std::optional<Md5Bytes>& md5);
std::optional<int64_t> opt_u32(const std::optional<uint32_t>& v);

ObjectRecord read_object(const Rows& rows, int row);
std::vector<ObjectRecord> read_objects(const Rows& rows);
UploadRecord read_upload(const Rows& rows, int row);

// The changes of one transaction to the object_totals rows, one per (job,
// state, size class), gathered in memory, one object at a time with its
// size (which gives its class), and written with one statement before
// commit, in (job, state, class) order so that concurrent transactions
// lock those rows in the same order.
class TotalsDelta {
 public:
  // One object of `size` bytes entered / left `state` (a size change is a
  // leave at the old size and an enter at the new one).
  void enter(JobId job, ObjectState state, int64_t size);
  void leave(JobId job, ObjectState state, int64_t size);
  // One object of `size` bytes left `from` for `to` (same size).
  void move(JobId job, ObjectState from, ObjectState to, int64_t size);
  Status apply(Connection& c);
  // The statement apply() runs (for a pipeline), or nullopt when there is
  // nothing to write; clears the gathered changes.
  std::optional<Step> take_step();

 private:
  void add(JobId job, ObjectState state, int64_t objects, int64_t size);
  // (job, state name, size class) -> (objects, bytes)
  std::map<std::tuple<int64_t, std::string, int>, std::pair<int64_t, int64_t>> changes_;
};

}  // namespace s5j::ledger::pg
