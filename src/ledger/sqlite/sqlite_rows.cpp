#include "ledger/sqlite/sqlite_rows.h"

#include <algorithm>

namespace s5j::ledger::sqlite {

std::optional<Md5Bytes> md5_from_blob(const std::string& blob) {
  if (blob.size() != 16) return std::nullopt;
  Md5Bytes m{};
  std::copy(blob.begin(), blob.end(), m.begin());
  return m;
}

std::string_view md5_to_blob(const Md5Bytes& md5) {
  return std::string_view(reinterpret_cast<const char*>(md5.data()), md5.size());
}

void bind_md5(Statement& st, int i, const std::optional<Md5Bytes>& md5) {
  if (md5) {
    st.bind_blob(i, md5_to_blob(*md5));
  } else {
    st.bind_null(i);
  }
}

void bind_u32(Statement& st, int i, const std::optional<uint32_t>& v) {
  if (v) {
    st.bind(i, int64_t{*v});
  } else {
    st.bind_null(i);
  }
}

void bind_opt_text(Statement& st, int i, const std::optional<std::string>& v) {
  if (v) {
    st.bind_text(i, *v);
  } else {
    st.bind_null(i);
  }
}

void bind_dest_etag(Statement& st, int i, const std::optional<std::string>& dest_etag, std::string_view source_etag) {
  if (dest_etag && !dest_etag->empty() && *dest_etag == source_etag) {
    st.bind_blob(i, std::string_view());
  } else {
    bind_opt_text(st, i, dest_etag);
  }
}

std::string read_dest_etag(const Statement& st, int col, const std::string& source_etag) {
  return st.is_blob(col) ? source_etag : st.get_text(col);
}

Result<std::vector<ObjectRecord>> read_objects(Statement& st) {
  std::vector<ObjectRecord> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back(read_object(st));
  }
}

ObjectRecord read_object(const Statement& st) {
  ObjectRecord r;
  r.id = ObjectId{st.get_int(0)};
  r.job = JobId{st.get_int(1)};
  r.key = st.get_blob(2);
  r.size = static_cast<uint64_t>(st.get_int(3));
  r.source_etag = st.get_text(4);
  if (!st.is_null(5)) r.source_last_modified = from_ms(st.get_int(5));
  r.state = parse_object_state(st.get_text(6)).value_or(ObjectState::pending);
  r.attempts = static_cast<uint32_t>(st.get_int(7));
  r.last_error = st.get_text(8);
  if (!st.is_null(9)) r.error_at = from_ms(st.get_int(9));
  if (!st.is_null(10)) r.md5 = md5_from_blob(st.get_blob(10));
  if (!st.is_null(11)) r.crc32c = static_cast<uint32_t>(st.get_int(11));
  r.dest_etag = read_dest_etag(st, 12, r.source_etag);
  r.lease_owner = st.get_text(13);
  if (st.get_int(14) != 0) r.lease_expires = from_ms(st.get_int(14));
  if (!st.is_null(16)) {
    StagedCopy s;
    s.volume = st.get_text(15);
    s.path = st.get_text(16);
    s.size = static_cast<uint64_t>(st.get_int(17));
    if (!st.is_null(18)) s.md5 = md5_from_blob(st.get_blob(18));
    if (!st.is_null(19)) s.crc32c = static_cast<uint32_t>(st.get_int(19));
    if (!st.is_null(22)) s.metadata = st.get_text(22);
    if (!st.is_null(24)) s.host = st.get_text(24);
    r.staged = std::move(s);
  }
  r.created_at = from_ms(st.get_int(20));
  r.updated_at = from_ms(st.get_int(21));
  r.lease_epoch = static_cast<uint64_t>(st.get_int(23));
  // All 64 bits, stored as SQLite's signed INTEGER.
  if (!st.is_null(25)) r.crc64nvme = static_cast<uint64_t>(st.get_int(25));
  return r;
}

UploadRecord read_upload(const Statement& st) {
  UploadRecord u;
  u.ref = UploadRef{st.get_int(0)};
  u.job = JobId{st.get_int(1)};
  if (!st.is_null(2)) u.object = ObjectId{st.get_int(2)};
  u.key = st.get_blob(3);
  u.upload_id = st.get_text(4);
  u.part_size = static_cast<uint64_t>(st.get_int(5));
  u.part_count = static_cast<uint32_t>(st.get_int(6));
  u.status = parse_upload_status(st.get_text(7)).value_or(UploadStatus::abandoned);
  u.created_at = from_ms(st.get_int(8));
  u.updated_at = from_ms(st.get_int(9));
  return u;
}

}  // namespace s5j::ledger::sqlite
