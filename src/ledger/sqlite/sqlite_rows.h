// Row <-> record conversions shared by the SqliteLedger source files.
// Internal to the backend; pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledger/records.h"
#include "ledger/sqlite/sqlite_db.h"

namespace s5j::ledger::sqlite {

// The WHERE of the claim index objects_claim (schema 10), which leaves out
// verified rows: most of a job's rows in the end, and never claimed. SQLite
// uses a partial index only for a query that states its WHERE term itself
// (`state = ?` with a bound state does not imply it), so every query meant
// for that index adds `AND ` S5J_CLAIM_INDEX_WHERE.
#define S5J_CLAIM_INDEX_WHERE "state != 'verified'"

// Column list of an object row, in the order read_object() expects.
#define S5J_OBJECT_COLUMNS                                                                                   \
  "id, job_id, key, size, source_etag, source_mtime, state, attempts, last_error, error_at, md5, crc32c, " \
  "dest_etag, lease_owner, lease_expires, staged_volume, staged_path, staged_size, staged_md5, "           \
  "staged_crc32c, created_at, updated_at, staged_metadata, lease_epoch, staged_host, crc64nvme"

#define S5J_UPLOAD_COLUMNS \
  "id, job_id, object_id, key, upload_id, part_size, part_count, status, created_at, updated_at"

inline int64_t to_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline TimePoint from_ms(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

std::optional<Md5Bytes> md5_from_blob(const std::string& blob);
std::string_view md5_to_blob(const Md5Bytes& md5);

// Binds an optional value or NULL.
void bind_md5(Statement& st, int i, const std::optional<Md5Bytes>& md5);
void bind_u32(Statement& st, int i, const std::optional<uint32_t>& v);
void bind_opt_text(Statement& st, int i, const std::optional<std::string>& v);

// A destination ETag equal to the object's source ETag (nearly every
// verified object: a streamed PUT, a multipart copy in the source's layout,
// a server-side copy, an object found identical) is stored as a
// zero-length BLOB (schema 16), not as a second copy of the ETag: 34 bytes
// less per verified object. Any other value is TEXT, no value NULL; an
// empty ETag some servers answer stays an empty TEXT, never the BLOB.
void bind_dest_etag(Statement& st, int i, const std::optional<std::string>& dest_etag, std::string_view source_etag);
std::string read_dest_etag(const Statement& st, int col, const std::string& source_etag);

ObjectRecord read_object(const Statement& st);
// Steps `st` to its end, reading every row as an object record.
Result<std::vector<ObjectRecord>> read_objects(Statement& st);
UploadRecord read_upload(const Statement& st);

}  // namespace s5j::ledger::sqlite
