#include "ledger/postgres/pg_rows.h"

#include <algorithm>

#include "ledger/size_class.h"

namespace s5j::ledger::pg {

std::optional<Md5Bytes> md5_from_bytes(const std::string& bytes) {
  if (bytes.size() != 16) return std::nullopt;
  Md5Bytes m{};
  std::copy(bytes.begin(), bytes.end(), m.begin());
  return m;
}

std::string md5_bytes(const Md5Bytes& md5) { return std::string(reinterpret_cast<const char*>(md5.data()), md5.size()); }

std::optional<std::string> opt_md5_bytes(const std::optional<Md5Bytes>& md5) {
  if (!md5) return std::nullopt;
  return md5_bytes(*md5);
}

std::optional<int64_t> opt_u32(const std::optional<uint32_t>& v) {
  if (!v) return std::nullopt;
  return int64_t{*v};
}

ObjectRecord read_object(const Rows& rows, int i) {
  ObjectRecord r;
  r.id = ObjectId{rows.i64(i, 0)};
  r.job = JobId{rows.i64(i, 1)};
  r.key = rows.bytea(i, 2);
  r.size = static_cast<uint64_t>(rows.i64(i, 3));
  r.source_etag = rows.text(i, 4);
  if (!rows.is_null(i, 5)) r.source_last_modified = from_ms(rows.i64(i, 5));
  r.state = parse_object_state(rows.text(i, 6)).value_or(ObjectState::pending);
  r.attempts = static_cast<uint32_t>(rows.i64(i, 7));
  r.last_error = rows.text(i, 8);
  if (!rows.is_null(i, 9)) r.error_at = from_ms(rows.i64(i, 9));
  if (!rows.is_null(i, 10)) r.md5 = md5_from_bytes(rows.bytea(i, 10));
  if (!rows.is_null(i, 11)) r.crc32c = static_cast<uint32_t>(rows.i64(i, 11));
  r.dest_etag = rows.text(i, 12);
  r.lease_owner = rows.text(i, 13);
  if (rows.i64(i, 14) != 0) r.lease_expires = from_ms(rows.i64(i, 14));
  if (!rows.is_null(i, 16)) {
    StagedCopy s;
    s.volume = rows.text(i, 15);
    s.path = rows.text(i, 16);
    s.size = static_cast<uint64_t>(rows.i64(i, 17));
    if (!rows.is_null(i, 18)) s.md5 = md5_from_bytes(rows.bytea(i, 18));
    if (!rows.is_null(i, 19)) s.crc32c = static_cast<uint32_t>(rows.i64(i, 19));
    if (!rows.is_null(i, 22)) s.metadata = rows.bytea(i, 22);
    if (!rows.is_null(i, 24)) s.host = rows.text(i, 24);
    r.staged = std::move(s);
  }
  r.created_at = from_ms(rows.i64(i, 20));
  r.updated_at = from_ms(rows.i64(i, 21));
  r.lease_epoch = static_cast<uint64_t>(rows.i64(i, 23));
  // All 64 bits, stored as a (signed) bigint.
  if (!rows.is_null(i, 25)) r.crc64nvme = static_cast<uint64_t>(rows.i64(i, 25));
  return r;
}

std::vector<ObjectRecord> read_objects(const Rows& rows) {
  std::vector<ObjectRecord> out;
  out.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) out.push_back(read_object(rows, i));
  return out;
}

UploadRecord read_upload(const Rows& rows, int i) {
  UploadRecord u;
  u.ref = UploadRef{rows.i64(i, 0)};
  u.job = JobId{rows.i64(i, 1)};
  if (!rows.is_null(i, 2)) u.object = ObjectId{rows.i64(i, 2)};
  u.key = rows.bytea(i, 3);
  u.upload_id = rows.text(i, 4);
  u.part_size = static_cast<uint64_t>(rows.i64(i, 5));
  u.part_count = static_cast<uint32_t>(rows.i64(i, 6));
  u.status = parse_upload_status(rows.text(i, 7)).value_or(UploadStatus::abandoned);
  u.created_at = from_ms(rows.i64(i, 8));
  u.updated_at = from_ms(rows.i64(i, 9));
  return u;
}

void TotalsDelta::add(JobId job, ObjectState state, int64_t objects, int64_t size) {
  auto& [n, b] = changes_[{job.value, std::string(to_string(state)), size_class_of(static_cast<uint64_t>(size))}];
  n += objects;
  b += objects * size;
}

void TotalsDelta::enter(JobId job, ObjectState state, int64_t size) { add(job, state, 1, size); }

void TotalsDelta::leave(JobId job, ObjectState state, int64_t size) { add(job, state, -1, size); }

void TotalsDelta::move(JobId job, ObjectState from, ObjectState to, int64_t size) {
  if (from == to) return;
  leave(job, from, size);
  enter(job, to, size);
}

std::optional<Step> TotalsDelta::take_step() {
  ArrayLiteral jobs, states, classes, objects, bytes;
  for (const auto& [key, change] : changes_) {
    if (change.first == 0 && change.second == 0) continue;
    const auto& [job, state, size_class] = key;
    jobs.i64(job);
    states.text(state);
    classes.i64(size_class);
    objects.i64(change.first);
    bytes.i64(change.second);
  }
  changes_.clear();
  if (jobs.empty()) return std::nullopt;
  return Step{"INSERT INTO object_totals(job_id, state, size_class, objects, bytes) "
              "SELECT * FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::bigint[], $5::bigint[]) "
              "ON CONFLICT (job_id, state, size_class) DO UPDATE SET "
              "objects = object_totals.objects + excluded.objects, bytes = object_totals.bytes + excluded.bytes",
              Params()
                  .array(jobs.str())
                  .array(states.str())
                  .array(classes.str())
                  .array(objects.str())
                  .array(bytes.str())};
}

Status TotalsDelta::apply(Connection& c) {
  auto step = take_step();
  if (!step) return {};
  auto r = c.exec(step->sql, step->params);
  if (!r) return std::unexpected(r.error());
  return {};
}

}  // namespace s5j::ledger::pg
