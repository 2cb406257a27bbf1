#include "ops/ledger_export.h"

#include <cstdio>
#include <span>

#include <nlohmann/json.hpp>

#include "base/strings.h"

namespace s5j::ops {
namespace {

using Json = nlohmann::json;
using ledger::ObjectRecord;
using ledger::TimePoint;

// Length of the well-formed UTF-8 sequence starting at s[i], 0 if none.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c == 0xE0) n = 3, lo = 0xA0;
  else if (c >= 0xE1 && c <= 0xEC) n = 3;
  else if (c == 0xED) n = 3, hi = 0x9F;  // no UTF-16 surrogates
  else if (c >= 0xEE && c <= 0xEF) n = 3;
  else if (c == 0xF0) n = 4, lo = 0x90;
  else if (c >= 0xF1 && c <= 0xF3) n = 4;
  else if (c == 0xF4) n = 4, hi = 0x8F;  // nothing above U+10FFFF
  else return 0;
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  return n;
}

std::string crc_hex(uint32_t crc) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", crc);
  return buf;
}

std::string md5_hex(const std::optional<ledger::Md5Bytes>& md5) { return md5 ? to_hex(*md5) : std::string(); }
std::string time_text(const std::optional<TimePoint>& t) { return t ? format_iso8601(*t) : std::string(); }

Json or_null(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }
Json or_null(const std::optional<TimePoint>& t) { return t ? Json(format_iso8601(*t)) : Json(nullptr); }

constexpr const char* kColumns[] = {
    "id",         "key",           "state",       "size",       "source_etag",  "source_last_modified",
    "dest_etag",  "md5",           "crc32c",      "attempts",   "last_error",   "error_at",
    "staged_volume", "staged_path", "staged_size", "staged_md5", "staged_crc32c", "staged_host",
    "lease_owner", "lease_expires", "created_at", "updated_at"};

}  // namespace

std::optional<ledger::StagedCopy> existing_staged_copy(const ObjectRecord& record) {
  // The ledger keeps a verified object's staged copy, but the file is
  // deleted as soon as `verified` is durable.
  if (record.state == ledger::ObjectState::verified) return std::nullopt;
  return record.staged;
}

bool is_valid_utf8(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size();) {
    const size_t n = utf8_sequence_length(bytes, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string csv_field(std::string_view raw) {
  std::string escaped;
  escaped.reserve(raw.size());
  for (size_t i = 0; i < raw.size();) {
    const unsigned char c = static_cast<unsigned char>(raw[i]);
    const size_t n = utf8_sequence_length(raw, i);
    if (n == 0 || c < 0x20 || c == 0x7F) {
      switch (c) {
        case '\n': escaped += "\\n"; break;
        case '\r': escaped += "\\r"; break;
        case '\t': escaped += "\\t"; break;
        default: {
          char buf[5];
          std::snprintf(buf, sizeof buf, "\\x%02X", c);
          escaped += buf;
        }
      }
      ++i;
      continue;
    }
    if (c == '\\') escaped += '\\';
    escaped.append(raw.substr(i, n));
    i += n;
  }
  const bool quote = escaped.find_first_of(",\"\\") != std::string::npos ||
                     (!escaped.empty() && (escaped.front() == ' ' || escaped.back() == ' '));
  if (!quote) return escaped;
  std::string out = "\"";
  for (char c : escaped) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string export_csv_header() {
  std::string out;
  for (const char* c : kColumns) {
    if (!out.empty()) out += ',';
    out += c;
  }
  return out + "\n";
}

std::string export_csv_line(const ObjectRecord& r) {
  const auto st = existing_staged_copy(r);
  const std::string fields[] = {
      std::to_string(r.id.value),
      csv_field(r.key),
      std::string(ledger::to_string(r.state)),
      std::to_string(r.size),
      csv_field(r.source_etag),
      time_text(r.source_last_modified),
      csv_field(r.dest_etag),
      md5_hex(r.md5),
      r.crc32c ? crc_hex(*r.crc32c) : std::string(),
      std::to_string(r.attempts),
      csv_field(r.last_error),
      time_text(r.error_at),
      st ? csv_field(st->volume) : std::string(),
      st ? csv_field(st->path) : std::string(),
      st ? std::to_string(st->size) : std::string(),
      st ? md5_hex(st->md5) : std::string(),
      st && st->crc32c ? crc_hex(*st->crc32c) : std::string(),
      st ? csv_field(st->host) : std::string(),
      csv_field(r.lease_owner),
      time_text(r.lease_expires),
      format_iso8601(r.created_at),
      format_iso8601(r.updated_at)};
  static_assert(std::size(fields) == std::size(kColumns));
  std::string out;
  for (const auto& f : fields) {
    if (&f != &fields[0]) out += ',';
    out += f;
  }
  return out + "\n";
}

std::string export_jsonl_line(const ObjectRecord& r) {
  Json j;
  j["id"] = r.id.value;
  j["key"] = r.key;
  if (!is_valid_utf8(r.key)) {
    const auto* p = reinterpret_cast<const unsigned char*>(r.key.data());
    j["key_base64"] = base64_encode(std::span<const unsigned char>(p, r.key.size()));
  }
  j["state"] = std::string(ledger::to_string(r.state));
  j["size"] = r.size;
  j["source_etag"] = or_null(r.source_etag);
  j["source_last_modified"] = or_null(r.source_last_modified);
  j["dest_etag"] = or_null(r.dest_etag);
  j["md5"] = or_null(md5_hex(r.md5));
  j["crc32c"] = r.crc32c ? Json(crc_hex(*r.crc32c)) : Json(nullptr);
  j["attempts"] = r.attempts;
  j["last_error"] = or_null(r.last_error);
  j["error_at"] = or_null(r.error_at);
  const auto st = existing_staged_copy(r);
  j["staged_volume"] = st ? or_null(st->volume) : Json(nullptr);
  j["staged_path"] = st ? or_null(st->path) : Json(nullptr);
  j["staged_size"] = st ? Json(st->size) : Json(nullptr);
  j["staged_md5"] = st ? or_null(md5_hex(st->md5)) : Json(nullptr);
  j["staged_crc32c"] = st && st->crc32c ? Json(crc_hex(*st->crc32c)) : Json(nullptr);
  j["staged_host"] = st ? or_null(st->host) : Json(nullptr);
  j["lease_owner"] = or_null(r.lease_owner);
  j["lease_expires"] = or_null(r.lease_expires);
  j["created_at"] = format_iso8601(r.created_at);
  j["updated_at"] = format_iso8601(r.updated_at);
  return j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace s5j::ops
