// The keys of the top level and of job, transfer, staging, ledger and log:
// their rules and rows; and the whole table.
#include <algorithm>
#include <cctype>
#include <cmath>

#include "base/strings.h"
#include "config/key_table.h"
#include "http/listen_address.h"

namespace s5j::config::detail {
namespace {

Problem set_max_batch(Ctx& c, const Value& v) {
  c.cfg.staging.max_batch_bytes = v.bytes;  // 0 = no limit, as documented
  return std::nullopt;
}

Problem set_log_dir(Ctx& c, const Value& v) {
  c.cfg.log.dir = v.text;
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// job, transfer, staging, ledger, log

Problem job_name(Ctx& c, const Value& v) {
  const bool ok = v.text.size() <= 64 && std::all_of(v.text.begin(), v.text.end(), [](unsigned char ch) {
                    return std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.';
                  });
  if (!ok) return "must be 1-64 letters, digits, '-', '_' or '.', got " + in_quotes(v.text);
  c.cfg.job = v.text;
  return std::nullopt;
}

Problem job_mode(Ctx& c, const Value& v) {
  static const std::pair<std::string_view, std::string_view> choices[] = {
      {"auto", "auto"}, {"relay", "relay"}, {"staged", "relay"}, {"sync", "sync"}, {"direct", "sync"}};
  std::string_view mode;
  if (auto problem = pick(v.text, choices, mode)) return problem;
  c.cfg.job_mode = std::string(mode);
  return std::nullopt;
}

Problem transfer_workers(Ctx& c, const Value& v) {
  if (v.count < 1 || v.count > 1024) return "must be from 1 to 1024, got " + in_quotes(v.text);
  c.cfg.transfer.workers = static_cast<int>(v.count);
  return std::nullopt;
}

Problem transfer_list_workers(Ctx& c, const Value& v) {
  if (v.count < 1 || v.count > 256) return "must be from 1 to 256, got " + in_quotes(v.text);
  c.cfg.transfer.list_workers = static_cast<int>(v.count);
  return std::nullopt;
}

Problem transfer_part_size(Ctx& c, const Value& v) {
  // S3's multipart limits: parts (except the last) are 5 MiB to 5 GiB.
  if (v.bytes < 5 * kMiB || v.bytes > 5 * kGiB) {
    return "must be from 5MiB to 5GiB (S3's part size limits), got " + in_quotes(v.text) + " (" +
           std::to_string(v.bytes) + " bytes)";
  }
  c.cfg.transfer.part_size = v.bytes;
  return std::nullopt;
}

Problem transfer_threshold(Ctx& c, const Value& v) {
  if (v.bytes == 0) return "must be more than 0, got " + in_quotes(v.text);
  // A single PUT carries at most 5 GiB, so anything larger must go multipart.
  if (v.bytes > 5 * kGiB) return "must be at most 5GiB (S3's single PUT limit), got " + in_quotes(v.text);
  c.cfg.transfer.multipart_threshold = v.bytes;
  return std::nullopt;
}

Problem transfer_max_attempts(Ctx& c, const Value& v) {
  if (v.count < 1 || v.count > 100) return "must be from 1 to 100, got " + in_quotes(v.text);
  c.cfg.transfer.max_attempts = static_cast<int>(v.count);
  return std::nullopt;
}

Problem transfer_memory_budget(Ctx& c, const Value& v) {
  // At least one maximum-size part must fit, or a large object could never start.
  if (v.bytes < 16 * kMiB) return "must be at least 16MiB, got " + in_quotes(v.text);
  c.cfg.transfer.memory_budget = v.bytes;
  return std::nullopt;
}

Problem transfer_server_side_copy(Ctx& c, const Value& v) {
  c.cfg.transfer.server_side_copy = v.flag;
  return std::nullopt;
}

Problem staging_volumes(Ctx& c, const Value& v) {
  for (const std::string& dir : v.list) c.cfg.staging.volumes.push_back(dir);
  return std::nullopt;
}

Problem staging_volume_pattern(Ctx& c, const Value& v) {
  c.cfg.staging.volume_pattern = v.text;
  return std::nullopt;
}

Problem staging_reserve(Ctx& c, const Value& v) {
  c.cfg.staging.reserve_bytes = v.bytes;  // 0 = use volumes to the last byte
  return std::nullopt;
}

Problem staging_volume_limit(Ctx& c, const Value& v) {
  c.cfg.staging.volume_limit_bytes = v.bytes;  // 0 = no limit
  return std::nullopt;
}

// A positive number of seconds up to a day, kept in milliseconds.
Problem interval_seconds(const Value& v, std::chrono::milliseconds& out) {
  if (v.seconds <= 0) return "must be more than 0 seconds, got " + in_quotes(v.text);
  if (v.seconds > 86400) return "must be at most 86400 seconds (a day), got " + in_quotes(v.text);
  out = std::chrono::milliseconds(static_cast<int64_t>(std::llround(v.seconds * 1000)));
  if (out.count() == 0) return "must be at least 0.001 seconds, got " + in_quotes(v.text);
  return std::nullopt;
}

Problem staging_scan_interval(Ctx& c, const Value& v) { return interval_seconds(v, c.cfg.staging.scan_interval); }

Problem staging_refusal_retry(Ctx& c, const Value& v) { return interval_seconds(v, c.cfg.staging.refusal_retry); }

Problem staging_require_mounts(Ctx& c, const Value& v) {
  c.cfg.staging.require_mounts = v.flag;
  return std::nullopt;
}

Problem ledger_path(Ctx& c, const Value& v) {
  c.cfg.ledger.path = v.text;
  return std::nullopt;
}

Problem ledger_postgres(Ctx& c, const Value& v) {
  if (!v.text.starts_with("postgres://") && !v.text.starts_with("postgresql://")) {
    return "must start with postgres:// or postgresql:// (value not shown: it may hold a password)";
  }
  c.cfg.ledger.postgres_url = v.text;
  return std::nullopt;
}

Problem ledger_lease_timeout(Ctx& c, const Value& v) {
  if (auto p = interval_seconds(v, c.cfg.ledger.lease_timeout)) return p;
  if (c.cfg.ledger.lease_timeout < std::chrono::seconds(3)) return "must be at least 3 seconds, got " + in_quotes(v.text);
  return std::nullopt;
}

Problem ledger_unavailable_limit(Ctx& c, const Value& v) { return interval_seconds(v, c.cfg.ledger.unavailable_limit); }

// all | none | 1/N: which objects' routine events (started, copied,
// verified, parts) are written.
Problem log_object_events(Ctx& c, const Value& v) {
  const std::string text = to_lower(v.text);
  if (text == "all") {
    c.cfg.log.object_events_every = 1;
  } else if (text == "none") {
    c.cfg.log.object_events_every = 0;
  } else {
    const std::string digits = text.starts_with("1/") ? text.substr(2) : std::string();
    const bool numeric = !digits.empty() && digits.size() <= 7 &&
                         std::all_of(digits.begin(), digits.end(), [](unsigned char ch) { return std::isdigit(ch); });
    const uint64_t every = numeric ? std::stoull(digits) : 0;
    if (every < 1 || every > 1'000'000)
      return "must be all, none or 1/N with N from 1 to 1000000 (one object in N), got " + in_quotes(v.text);
    c.cfg.log.object_events_every = static_cast<uint32_t>(every);
  }
  return std::nullopt;
}

Problem log_max_size(Ctx& c, const Value& v) {
  if (v.bytes != 0 && v.bytes < kMiB)
    return "must be 0 (never rotate) or at least 1MiB, got " + in_quotes(v.text);
  c.cfg.log.max_size = v.bytes;
  return std::nullopt;
}

Problem log_keep(Ctx& c, const Value& v) {
  if (v.count < 0 || v.count > 10'000) return "must be from 0 (keep every file) to 10000, got " + in_quotes(v.text);
  c.cfg.log.keep = static_cast<uint32_t>(v.count);
  return std::nullopt;
}

Problem log_level(Ctx& c, const Value& v) {
  static const std::pair<std::string_view, std::string_view> choices[] = {
      {"trace", "trace"}, {"debug", "debug"}, {"info", "info"}, {"warn", "warn"}, {"error", "error"}};
  std::string_view level;
  if (auto problem = pick(v.text, choices, level)) return problem;
  c.cfg.log.level = std::string(level);
  return std::nullopt;
}

Problem metrics_listen(Ctx& c, const Value& v) {
  if (v.text.empty()) {
    c.cfg.metrics.listen.clear();
    return std::nullopt;
  }
  auto address = http::parse_listen_address(v.text);
  if (!address) return "is not HOST:PORT with an IP address (" + address.error() + ")";
  c.cfg.metrics.listen = address->to_string();
  return std::nullopt;
}

using S = Section;
using T = Type;

const Key kSettingsKeys[] = {
    // Top level: sections, plus one legacy scalar.
    {S::top, "source", T::section, nullptr, {}, {}, S::side, 1},
    {S::top, "src", T::section, nullptr, "source", {}, S::side, 1},
    {S::top, "destination", T::section, nullptr, {}, {}, S::side, 2},
    {S::top, "dst", T::section, nullptr, "destination", {}, S::side, 2},
    {S::top, "job", T::section, nullptr, {}, {}, S::job},
    {S::top, "transfer", T::section, nullptr, {}, {}, S::transfer},
    {S::top, "staging", T::section, nullptr, {}, {}, S::staging},
    {S::top, "ledger", T::section, nullptr, {}, {}, S::ledger},
    {S::top, "log", T::section, nullptr, {}, {}, S::log},
    {S::top, "metrics", T::section, nullptr, {}, {}, S::metrics},
    {S::top, "local", T::section, nullptr, {}, {}, S::local},
    {S::top, "transfer_settings", T::section, nullptr, {}, {}, S::transfer_settings},
    {S::top, "dt_data_json_dir", T::string, set_log_dir, {}, "log.dir"},

    {S::job, "name", T::string, job_name},
    {S::job, "mode", T::string, job_mode},

    {S::transfer, "workers", T::count, transfer_workers},
    {S::transfer, "list_workers", T::count, transfer_list_workers},
    {S::transfer, "part_size", T::size, transfer_part_size},
    {S::transfer, "multipart_threshold", T::size, transfer_threshold},
    {S::transfer, "max_attempts", T::count, transfer_max_attempts},
    {S::transfer, "memory_budget", T::size, transfer_memory_budget},
    {S::transfer, "server_side_copy", T::boolean, transfer_server_side_copy},

    {S::staging, "volumes", T::strings, staging_volumes},
    {S::staging, "volume_pattern", T::string, staging_volume_pattern},
    {S::staging, "reserve", T::size, staging_reserve},
    {S::staging, "max_batch_bytes", T::size, set_max_batch},
    {S::staging, "volume_limit", T::size, staging_volume_limit},
    {S::staging, "scan_interval", T::seconds, staging_scan_interval},
    {S::staging, "refusal_retry", T::seconds, staging_refusal_retry},
    {S::staging, "require_mounts", T::boolean, staging_require_mounts},
    {S::staging, "max_transfer_size", T::size, set_max_batch, "max_batch_bytes"},

    {S::ledger, "path", T::string, ledger_path},
    {S::ledger, "postgres_url", T::secret_url, ledger_postgres},
    {S::ledger, "lease_timeout", T::seconds, ledger_lease_timeout},
    {S::ledger, "unavailable_limit", T::seconds, ledger_unavailable_limit},

    {S::log, "dir", T::string, set_log_dir},
    {S::log, "dt_data_json_dir", T::string, set_log_dir, "dir"},
    {S::log, "level", T::string, log_level},
    {S::log, "object_events", T::string, log_object_events},
    {S::log, "max_size", T::size, log_max_size},
    {S::log, "keep", T::count, log_keep},

    {S::metrics, "listen", T::string, metrics_listen},
};

}  // namespace

std::span<const Key> settings_keys() { return kSettingsKeys; }

const std::vector<Key>& all_keys() {
  static const std::vector<Key> keys = [] {
    std::vector<Key> all(settings_keys().begin(), settings_keys().end());
    all.insert(all.end(), side_keys().begin(), side_keys().end());
    all.insert(all.end(), destination_keys().begin(), destination_keys().end());
    all.insert(all.end(), legacy_keys().begin(), legacy_keys().end());
    return all;
  }();
  return keys;
}

std::string_view section_name(Section s) {
  switch (s) {
    case S::top:
      return "";
    case S::side:
      return "source";  // replaced by the side's own name where known
    case S::destination:
      return "destination";
    case S::job:
      return "job";
    case S::transfer:
      return "transfer";
    case S::staging:
      return "staging";
    case S::ledger:
      return "ledger";
    case S::log:
      return "log";
    case S::metrics:
      return "metrics";
    case S::local:
      return "local";
    case S::transfer_settings:
      return "transfer_settings";
  }
  return "";
}

std::string type_description(Type t) {
  switch (t) {
    case T::section:
      return "a section of keys (key: value lines indented under it)";
    case T::string:
    case T::secret:
    case T::secret_url:
    case T::ignored:
      return "a single value";
    case T::strings:
      return "a string or a list of strings";
    case T::boolean:
      return "true or false";
    case T::count:
      return "a whole number";
    case T::size:
      return "a size such as 16MiB or a number of bytes";
    case T::seconds:
      return "a number of seconds";
    case T::bandwidth:
      return "a rate such as 100MiB or 800Mbit, or bytes per second";
    case T::mapping:
      return "name: value lines indented under it";
    case T::word_or_mapping:
      return "a single value, or name: value lines indented under it";
  }
  return "a value";
}

}  // namespace s5j::config::detail
