#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "base/strings.h"
#include "config/config.h"
#include "config/job_paths.h"
#include "config/credentials_file.h"
#include "config/endpoint_url.h"
#include "config/units.h"

namespace s5j::config {
namespace {

// ---------------------------------------------------------------------------
// Values as read from YAML, before a key's own rules apply.

enum class Section : uint8_t { top, side, job, transfer, staging, ledger, log, local, transfer_settings };

enum class Type : uint8_t {
  section,     // a mapping of further keys
  string,      // one scalar
  secret,      // one scalar that no message may repeat
  secret_url,  // a URL that may carry a password: never repeated whole
  strings,     // a list of scalars, or one scalar
  boolean,
  count,      // whole number
  size,       // bytes: number or "16MiB"
  seconds,    // number, fractions allowed
  bandwidth,  // bytes/s: number, "100MiB", "800Mbit"
  ignored,    // accepted legacy key with no effect (a warning says so)
};

struct Value {
  int line = 0;
  std::string name;  // the key as written, for messages
  std::string text;
  std::vector<std::string> list;
  bool flag = false;
  int64_t count = 0;
  uint64_t bytes = 0;
  double seconds = 0;
};

struct Ctx {
  Config& cfg;
  const std::string& file;
  SideConfig* side = nullptr;
  // Canonical setting ("source.prefix") -> where it was first set, so that a
  // key and its alias (or the same key twice) cannot silently override.
  std::map<std::string, std::pair<int, std::string>> seen;
};

// An apply function checks a value against its key's rules and stores it.
// It returns the problem ("must be ...") without file, line or key name:
// the walker adds those, so every message has the same shape.
using Apply = std::optional<std::string> (*)(Ctx&, const Value&);
using Problem = std::optional<std::string>;

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGiB = 1ull << 30;

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

// ---------------------------------------------------------------------------
// Rules shared by several keys.

Problem set_endpoints(SideConfig& side, const std::vector<std::string>& urls) {
  std::vector<std::string> out;
  for (const std::string& raw : urls) {
    const std::string url(trim(raw));
    if (iequals(url, "no_endpoint")) {
      if (urls.size() > 1) return "mixes 'no_endpoint' with URLs; use either 'no_endpoint' or a list of URLs";
      side.endpoint_urls.clear();
      return std::nullopt;
    }
    auto normal = normalize_endpoint_url(url);
    if (!normal) return "has an " + normal.error();
    if (std::find(out.begin(), out.end(), *normal) == out.end()) out.push_back(*normal);
  }
  side.endpoint_urls = std::move(out);
  return std::nullopt;
}

Problem set_max_batch(Ctx& c, const Value& v) {
  c.cfg.staging.max_batch_bytes = v.bytes;  // 0 = no limit, as documented
  return std::nullopt;
}

Problem set_log_dir(Ctx& c, const Value& v) {
  c.cfg.log.dir = v.text;
  return std::nullopt;
}

Problem check_readable_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return "file " + in_quotes(path) + " cannot be used: " + std::strerror(errno) + " (give the path of a PEM file)";
  }
  if (S_ISDIR(st.st_mode)) return in_quotes(path) + " is a directory; give the path of a PEM file";
  if (::access(path.c_str(), R_OK) != 0) {
    return "file " + in_quotes(path) + " is not readable: " + std::strerror(errno) + " (check its permissions)";
  }
  return std::nullopt;
}

template <class Enum, size_t N>
Problem pick(std::string_view text, const std::pair<std::string_view, Enum> (&choices)[N], Enum& out) {
  std::string valid;
  for (const auto& [name, value] : choices) {
    if (iequals(text, name)) {
      out = value;
      return std::nullopt;
    }
    valid += (valid.empty() ? "" : ", ") + std::string(name);
  }
  return "must be one of " + valid + ", got " + in_quotes(text);
}

// ---------------------------------------------------------------------------
// source / destination

Problem side_bucket(Ctx& c, const Value& v) {
  const std::string& b = v.text;
  if (b.starts_with("s3://") || b.starts_with("S3://")) {
    return "takes the bare bucket name, not an s3:// URL (got " + in_quotes(b) + ")";
  }
  if (const size_t slash = b.find('/'); slash != std::string::npos) {
    return "must be only the bucket name; move " + in_quotes(b.substr(slash + 1)) + " into 'prefix' (got " +
           in_quotes(b) + ")";
  }
  if (std::any_of(b.begin(), b.end(), [](unsigned char ch) { return std::isspace(ch) || std::iscntrl(ch); })) {
    return "must not contain white space (got " + in_quotes(b) + ")";
  }
  c.side->bucket = b;
  return std::nullopt;
}

Problem side_prefix(Ctx& c, const Value& v) {
  if (v.text.starts_with('/')) {
    const size_t first = v.text.find_first_not_of('/');
    const std::string fixed = first == std::string::npos ? std::string() : v.text.substr(first);
    return "must not start with '/': S3 keys have no leading slash; write " + in_quotes(fixed) + " instead of " +
           in_quotes(v.text);
  }
  c.side->prefix = v.text;  // a trailing '/' is kept exactly as given
  return std::nullopt;
}

Problem side_region(Ctx& c, const Value& v) {
  const std::string r = to_lower(v.text);
  const bool ok = std::all_of(r.begin(), r.end(), [](unsigned char ch) { return std::isalnum(ch) || ch == '-'; });
  if (!ok) return "must look like 'us-east-1' (or 'snow' for a Snowball Edge), got " + in_quotes(v.text);
  c.side->region = r;
  return std::nullopt;
}

Problem side_access_key(Ctx& c, const Value& v) {
  c.side->access_key = v.text;
  return std::nullopt;
}
Problem side_secret(Ctx& c, const Value& v) {
  c.side->secret_access_key = v.text;
  return std::nullopt;
}
Problem side_session_token(Ctx& c, const Value& v) {
  c.side->session_token = v.text;
  return std::nullopt;
}
Problem side_profile(Ctx& c, const Value& v) {
  c.side->profile = v.text;
  return std::nullopt;
}
Problem side_endpoints(Ctx& c, const Value& v) { return set_endpoints(*c.side, v.list); }

Problem side_list_api(Ctx& c, const Value& v) {
  static const std::pair<std::string_view, ListApi> choices[] = {
      {"auto", ListApi::automatic}, {"v2", ListApi::v2}, {"v1", ListApi::v1}};
  return pick(v.text, choices, c.side->list_api);
}

Problem side_addressing(Ctx& c, const Value& v) {
  static const std::pair<std::string_view, Addressing> choices[] = {{"path", Addressing::path},
                                                                    {"virtual", Addressing::virtual_hosted}};
  return pick(v.text, choices, c.side->addressing);
}

Problem side_ca_bundle(Ctx& c, const Value& v) {
  if (auto problem = check_readable_file(v.text)) return problem;
  c.side->network.ca_bundle = v.text;
  return std::nullopt;
}

Problem side_insecure(Ctx& c, const Value& v) {
  c.side->network.insecure_skip_verify = v.flag;
  return std::nullopt;
}

Problem side_proxy(Ctx& c, const Value& v) {
  const std::string shown = mask_url_credentials(v.text);
  const size_t sep = v.text.find("://");
  if (sep == std::string::npos) return "needs a scheme, e.g. 'http://" + shown + "'";
  const std::string scheme = to_lower(std::string_view(v.text).substr(0, sep));
  static constexpr std::string_view schemes[] = {"http", "https", "socks4", "socks4a", "socks5", "socks5h"};
  if (std::find(std::begin(schemes), std::end(schemes), scheme) == std::end(schemes)) {
    return "must use http, https, socks4, socks4a, socks5 or socks5h, got " + in_quotes(shown);
  }
  if (sep + 3 >= v.text.size()) return "has no host, got " + in_quotes(shown);
  c.side->network.proxy = v.text;
  return std::nullopt;
}

Problem side_interface(Ctx& c, const Value& v) {
  c.side->network.bind_interface = v.text;
  return std::nullopt;
}

Problem side_connect_timeout(Ctx& c, const Value& v) {
  if (v.seconds <= 0) return "must be more than 0 seconds, got " + in_quotes(v.text);
  if (v.seconds > 3600) return "must be at most 3600 seconds, got " + in_quotes(v.text);
  c.side->network.connect_timeout = std::chrono::milliseconds(static_cast<int64_t>(std::llround(v.seconds * 1000)));
  if (c.side->network.connect_timeout.count() == 0) return "must be at least 0.001 seconds, got " + in_quotes(v.text);
  return std::nullopt;
}

Problem side_low_speed_limit(Ctx& c, const Value& v) {
  c.side->network.low_speed_bytes_per_sec = v.bytes;  // 0 disables the check (libcurl's meaning)
  return std::nullopt;
}

Problem side_low_speed_time(Ctx& c, const Value& v) {
  if (v.count < 0) return "must be 0 or more seconds, got " + in_quotes(v.text);
  c.side->network.low_speed_time = std::chrono::seconds(v.count);
  return std::nullopt;
}

Problem side_max_bandwidth(Ctx& c, const Value& v) {
  c.side->network.max_bytes_per_sec = v.bytes;  // 0 = unlimited
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

Problem transfer_workers(Ctx& c, const Value& v) {
  if (v.count < 1 || v.count > 1024) return "must be from 1 to 1024, got " + in_quotes(v.text);
  c.cfg.transfer.workers = static_cast<int>(v.count);
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

Problem staging_scan_interval(Ctx& c, const Value& v) {
  if (v.seconds <= 0) return "must be more than 0 seconds, got " + in_quotes(v.text);
  if (v.seconds > 86400) return "must be at most 86400 seconds (a day), got " + in_quotes(v.text);
  c.cfg.staging.scan_interval = std::chrono::milliseconds(static_cast<int64_t>(std::llround(v.seconds * 1000)));
  if (c.cfg.staging.scan_interval.count() == 0) return "must be at least 0.001 seconds, got " + in_quotes(v.text);
  return std::nullopt;
}

Problem local_intermediary(Ctx& c, const Value& v) {
  // The original's single-volume staging directory is one more volume here.
  c.cfg.staging.volumes.push_back(v.text);
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

Problem log_level(Ctx& c, const Value& v) {
  static const std::pair<std::string_view, std::string_view> choices[] = {
      {"trace", "trace"}, {"debug", "debug"}, {"info", "info"}, {"warn", "warn"}, {"error", "error"}};
  std::string_view level;
  if (auto problem = pick(v.text, choices, level)) return problem;
  c.cfg.log.level = std::string(level);
  return std::nullopt;
}

Problem legacy_src_endpoint(Ctx& c, const Value& v) { return set_endpoints(c.cfg.source, v.list); }
Problem legacy_dst_endpoint(Ctx& c, const Value& v) { return set_endpoints(c.cfg.destination, v.list); }

Problem legacy_ignored(Ctx& c, const Value& v) {
  c.cfg.warnings.push_back(c.file + ":" + std::to_string(v.line) + ": transfer_settings." + v.name +
                           " is ignored (it was never implemented in the original toolset either); "
                           "use staging.max_batch_bytes to bound staged data");
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// The one table of keys. Parsing, the unknown-key check, "did you mean" and
// the secret scrubbing all read it; docs/config.md documents the same rows.

struct Key {
  Section section;
  std::string_view name;
  Type type;
  Apply apply = nullptr;
  std::string_view alias_of = {};  // canonical name when `name` is a legacy alias
  std::string_view path = {};      // where the value lands, when not "<section>.<canonical>"
  Section child = Section::top;    // Type::section: the keys inside
  int side = 0;                    // Type::section: 1 source, 2 destination
};

using S = Section;
using T = Type;

const Key kKeys[] = {
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
    {S::top, "local", T::section, nullptr, {}, {}, S::local},
    {S::top, "transfer_settings", T::section, nullptr, {}, {}, S::transfer_settings},
    {S::top, "dt_data_json_dir", T::string, set_log_dir, "log.dir", "log.dir"},

    // source / destination
    {S::side, "bucket", T::string, side_bucket},
    {S::side, "prefix", T::string, side_prefix},
    {S::side, "bucket_prefix", T::string, side_prefix, "prefix"},
    {S::side, "region", T::string, side_region},
    {S::side, "access_key", T::string, side_access_key},
    {S::side, "secret_access_key", T::secret, side_secret},
    {S::side, "secret_key", T::secret, side_secret, "secret_access_key"},
    {S::side, "session_token", T::secret, side_session_token},
    {S::side, "profile", T::string, side_profile},
    {S::side, "endpoint_urls", T::strings, side_endpoints},
    {S::side, "endpoint_url", T::strings, side_endpoints, "endpoint_urls"},
    {S::side, "list_api", T::string, side_list_api},
    {S::side, "addressing", T::string, side_addressing},
    {S::side, "ca_bundle", T::string, side_ca_bundle},
    {S::side, "insecure", T::boolean, side_insecure},
    {S::side, "insecure_skip_verify", T::boolean, side_insecure, "insecure"},
    {S::side, "proxy", T::secret_url, side_proxy},
    {S::side, "interface", T::string, side_interface},
    {S::side, "bind_interface", T::string, side_interface, "interface"},
    {S::side, "connect_timeout", T::seconds, side_connect_timeout},
    {S::side, "low_speed_limit", T::bandwidth, side_low_speed_limit},
    {S::side, "low_speed_time", T::count, side_low_speed_time},
    {S::side, "max_bandwidth", T::bandwidth, side_max_bandwidth},

    {S::job, "name", T::string, job_name},

    {S::transfer, "workers", T::count, transfer_workers},
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
    {S::staging, "max_transfer_size", T::size, set_max_batch, "max_batch_bytes"},

    {S::ledger, "path", T::string, ledger_path},
    {S::ledger, "postgres_url", T::secret_url, ledger_postgres},

    {S::log, "dir", T::string, set_log_dir},
    {S::log, "dt_data_json_dir", T::string, set_log_dir, "dir"},
    {S::log, "level", T::string, log_level},

    // Legacy sections of the original config.yaml ("Local Configuration",
    // "Transfer Settings"): each key lands in its modern home.
    {S::local, "intermediary_directory", T::string, local_intermediary, "staging.volumes",
     "local.intermediary_directory"},
    {S::transfer_settings, "max_transfer_size_src_to_local", T::size, set_max_batch, "staging.max_batch_bytes",
     "staging.max_batch_bytes"},
    {S::transfer_settings, "max_transfer_size_source_to_local", T::size, set_max_batch, "staging.max_batch_bytes",
     "staging.max_batch_bytes"},
    {S::transfer_settings, "max_transfer_size_local_to_dst", T::ignored, legacy_ignored, "(ignored)",
     "transfer_settings.max_transfer_size_local_to_dst"},
    {S::transfer_settings, "max_transfer_size_local_to_destination", T::ignored, legacy_ignored, "(ignored)",
     "transfer_settings.max_transfer_size_local_to_dst"},
    {S::transfer_settings, "src_endpoint_url", T::strings, legacy_src_endpoint, "source.endpoint_urls",
     "source.endpoint_urls"},
    {S::transfer_settings, "source_endpoint_url", T::strings, legacy_src_endpoint, "source.endpoint_urls",
     "source.endpoint_urls"},
    {S::transfer_settings, "dst_endpoint_url", T::strings, legacy_dst_endpoint, "destination.endpoint_urls",
     "destination.endpoint_urls"},
    {S::transfer_settings, "destination_endpoint_url", T::strings, legacy_dst_endpoint, "destination.endpoint_urls",
     "destination.endpoint_urls"},
};

std::string_view section_name(Section s) {
  switch (s) {
    case S::top:
      return "";
    case S::side:
      return "source";  // replaced by the side's own name where known
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
  }
  return "a value";
}

std::string node_kind(const YAML::Node& n) {
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a section of keys";
  return "a single value";
}

int line_of(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  return m.is_null() ? 0 : m.line + 1;
}

bool is_secret_type(Type t) { return t == T::secret || t == T::secret_url; }

// ---------------------------------------------------------------------------
// Did-you-mean for unknown keys.

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t sub = prev[j - 1] + (std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                                                std::tolower(static_cast<unsigned char>(b[j - 1]))
                                            ? 0
                                            : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string unknown_key_message(Section section, std::string_view where, const std::string& name) {
  std::string msg = "unknown key " + in_quotes(name) +
                    (section == S::top ? std::string(" at the top level") : " in " + std::string(where));
  const Key* best = nullptr;
  size_t best_distance = 0;
  for (const Key& k : kKeys) {
    if (k.section != section) continue;
    const size_t d = edit_distance(name, k.name);
    if (best == nullptr || d < best_distance) {
      best = &k;
      best_distance = d;
    }
  }
  const size_t limit = std::max<size_t>(1, std::min<size_t>(3, name.size() / 3));
  if (best != nullptr && best_distance <= limit) return msg + " (did you mean " + in_quotes(best->name) + "?)";
  for (const Key& k : kKeys) {
    if (k.section != section && k.name == name) {
      const std::string home =
          k.section == S::side ? std::string("source/destination") : std::string(section_name(k.section));
      return msg + " (" + in_quotes(name) + " belongs " +
             (k.section == S::top ? std::string("at the top level") : "in section " + in_quotes(home)) + ")";
    }
  }
  std::string valid;
  for (const Key& k : kKeys) {
    if (k.section == section && k.alias_of.empty()) valid += (valid.empty() ? "" : ", ") + std::string(k.name);
  }
  return msg + " (valid keys: " + valid + ")";
}

// ---------------------------------------------------------------------------
// The walker: one pass over the document, driven by kKeys.

struct Failure {
  int line = 0;
  std::string message;
};

bool is_unset(const YAML::Node& n) {
  // Absent, "key:" with nothing, or "" as left in the original's template.
  return n.IsNull() || (n.IsScalar() && trim(n.Scalar()).empty()) || (n.IsSequence() && n.size() == 0);
}

std::expected<Value, std::string> convert(const Key& key, const YAML::Node& node, const std::string& what) {
  Value v;
  v.line = line_of(node);
  if (key.type == T::strings) {
    if (node.IsMap())
      return std::unexpected(what + " must be " + type_description(key.type) + ", not " + node_kind(node));
    if (node.IsScalar()) {
      v.list.emplace_back(trim(node.Scalar()));
      return v;
    }
    for (const YAML::Node& item : node) {
      if (!item.IsScalar()) {
        return std::unexpected(what + " must be a list of strings, but an item is " +
                               (item.IsNull() ? std::string("empty") : node_kind(item)));
      }
      const std::string_view s = trim(item.Scalar());
      if (s.empty()) return std::unexpected(what + " has an empty item; remove it");
      v.list.emplace_back(s);
    }
    return v;
  }
  if (!node.IsScalar()) {
    // Never echo the value: for secrets it is the secret itself.
    return std::unexpected(what + " must be " + type_description(key.type) + ", not " + node_kind(node) +
                           (is_secret_type(key.type) ? " (value not shown)" : ""));
  }
  const std::string& raw = node.Scalar();
  v.text = is_secret_type(key.type) ? raw : std::string(trim(raw));
  switch (key.type) {
    case T::boolean: {
      const std::string s = to_lower(v.text);
      if (s == "true" || s == "yes" || s == "on")
        v.flag = true;
      else if (s == "false" || s == "no" || s == "off")
        v.flag = false;
      else
        return std::unexpected(what + " must be true or false, got " + in_quotes(v.text));
      break;
    }
    case T::count: {
      const std::string& s = v.text;
      const size_t digits_from = (s[0] == '-' || s[0] == '+') ? 1 : 0;
      const bool digits = s.size() > digits_from && s.size() - digits_from <= 12 &&
                          s.find_first_not_of("0123456789", digits_from) == std::string::npos;
      if (!digits) return std::unexpected(what + " must be a whole number, got " + in_quotes(s));
      v.count = std::stoll(s);
      break;
    }
    case T::size:
    case T::bandwidth: {
      auto bytes = key.type == T::size ? parse_byte_size(v.text) : parse_bandwidth(v.text);
      if (!bytes) return std::unexpected(what + " " + bytes.error());
      v.bytes = *bytes;
      break;
    }
    case T::seconds: {
      char* end = nullptr;
      errno = 0;
      v.seconds = std::strtod(v.text.c_str(), &end);
      if (end == v.text.c_str() || *end != '\0' || errno != 0 || !std::isfinite(v.seconds) ||
          v.text.find_first_of("xXnN") != std::string::npos) {  // no hex, inf or nan
        return std::unexpected(what + " must be a number of seconds (like 10 or 2.5), got " + in_quotes(v.text));
      }
      break;
    }
    default:
      break;
  }
  return v;
}

class Walker {
 public:
  explicit Walker(Ctx& ctx) : ctx_(ctx) {}

  std::optional<Failure> walk(const YAML::Node& map, Section section) {
    const std::string where = section == S::side ? ctx_.side->name : std::string(section_name(section));
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node key_node = it->first;  // copies: the iterator hands out temporaries
      const YAML::Node value = it->second;
      const int line = line_of(key_node);
      if (!key_node.IsScalar()) {
        return Failure{line, "keys must be plain names" + (where.empty() ? std::string() : " in " + where)};
      }
      const std::string name = key_node.Scalar();
      const Key* key = find(section, name);
      if (key == nullptr) return Failure{line, unknown_key_message(section, where, name)};
      const std::string what = where.empty() ? name : where + "." + name;

      // A placeholder ("" or nothing, as the original's template had) sets
      // nothing, so it neither counts as given nor clashes with an alias.
      if (key->type != T::section && is_unset(value)) continue;
      const std::string path = canonical_path(*key, where);
      if (auto [it_seen, fresh] = ctx_.seen.try_emplace(path, line, what); !fresh) {
        const auto& [first_line, first_what] = it_seen->second;
        return Failure{line, first_what == what
                                 ? what + " is given twice (first on line " + std::to_string(first_line) + "); keep one"
                                 : what + " sets the same thing as " + first_what + " on line " +
                                       std::to_string(first_line) + "; keep one"};
      }

      if (key->type == T::section) {
        if (value.IsNull()) continue;  // "local:" with nothing under it
        if (!value.IsMap()) {
          return Failure{line, what + " must be " + type_description(T::section) + ", not " + node_kind(value)};
        }
        SideConfig* saved = ctx_.side;
        if (key->side == 1) ctx_.side = &ctx_.cfg.source;
        if (key->side == 2) ctx_.side = &ctx_.cfg.destination;
        auto failure = walk(value, key->child);
        ctx_.side = saved;
        if (failure) return failure;
        continue;
      }
      auto converted = convert(*key, value, what);
      if (!converted) return Failure{line, converted.error()};
      converted->line = line;
      converted->name = name;
      if (auto problem = key->apply(ctx_, *converted)) return Failure{line, what + " " + *problem};
    }
    return std::nullopt;
  }

 private:
  static const Key* find(Section section, std::string_view name) {
    for (const Key& k : kKeys) {
      if (k.section == section && k.name == name) return &k;
    }
    return nullptr;
  }

  static std::string canonical_path(const Key& key, const std::string& where) {
    if (!key.path.empty()) return std::string(key.path);
    const std::string_view canonical = key.alias_of.empty() ? key.name : key.alias_of;
    return where.empty() ? std::string(canonical) : where + "." + std::string(canonical);
  }

  Ctx& ctx_;
};

void collect_all_scalars(const YAML::Node& node, std::vector<std::string>& out) {
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) collect_all_scalars(item, out);
  } else if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) collect_all_scalars(it->second, out);
  }
}

bool looks_secret(const YAML::Node& key) {
  if (!key.IsScalar()) return false;
  const std::string name = to_lower(key.Scalar());
  for (const Key& k : kKeys) {
    if (is_secret_type(k.type) && k.name == name) return true;
  }
  // Misspelt secret keys ("secret_acess_key") count too.
  for (std::string_view word : {"secret", "token", "password", "passwd"}) {
    if (name.find(word) != std::string::npos) return true;
  }
  return false;
}

// Every value in the document under a secret-looking key, and every password
// inside a URL, so that a message built from any part of the document can be
// scrubbed before it leaves (a safety net behind messages that already avoid
// echoing secrets).
void collect_secret_values(const YAML::Node& node, std::vector<std::string>& out) {
  if (node.IsScalar()) {
    if (std::string pw = url_password(node.Scalar()); !pw.empty()) out.push_back(pw);
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) collect_secret_values(item, out);
  } else if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (looks_secret(it->first))
        collect_all_scalars(it->second, out);
      else
        collect_secret_values(it->second, out);
    }
  }
}

std::string scrub(std::string text, std::vector<std::string> secrets) {
  std::sort(secrets.begin(), secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const std::string& s : secrets) {
    if (s.empty()) continue;
    for (size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 3)) {
      text.replace(pos, s.size(), "***");
    }
  }
  return text;
}

std::unexpected<Error> config_error(const std::string& file, int line, const std::string& message) {
  return make_error(ErrorKind::fatal, "ConfigError",
                    line > 0 ? file + ":" + std::to_string(line) + ": " + message : file + ": " + message);
}

// ---------------------------------------------------------------------------
// Credentials

std::optional<std::string> lookup(EnvLookup env, const char* name) {
  auto v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

std::optional<std::string> real_env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

std::string credentials_file_path(EnvLookup env) {
  if (auto f = lookup(env, "AWS_SHARED_CREDENTIALS_FILE")) return *f;
  if (auto home = lookup(env, "HOME")) return *home + "/.aws/credentials";
  return "~/.aws/credentials";
}

std::string missing_credentials(const SideConfig& side, const std::string& file, const std::string& profile) {
  return side.name +
         ": no credentials found; provide them in one of three ways: access_key and "
         "secret_access_key under " +
         side.name +
         " in this file; the environment variables AWS_ACCESS_KEY_ID and "
         "AWS_SECRET_ACCESS_KEY; or a profile in the shared credentials file " +
         file + " (tried profile " + in_quotes(profile) + "; choose one with " + side.name + ".profile or AWS_PROFILE)";
}

// Profile named by the side's `profile` key or AWS_PROFILE: `chosen` says a
// person asked for it, so its absence is an error about that profile rather
// than the generic "no credentials".
std::optional<std::string> from_profile(SideConfig& side, EnvLookup env, const std::string& profile,
                                        const std::string& chosen_by) {
  const std::string file = credentials_file_path(env);
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (chosen_by.empty()) return missing_credentials(side, file, profile);
    return side.name + ": profile " + in_quotes(profile) + " (from " + chosen_by + ") cannot be read: " + file + ": " +
           std::strerror(errno) + " (set AWS_SHARED_CREDENTIALS_FILE or create the file)";
  }
  std::stringstream text;
  text << in.rdbuf();
  const auto profiles = parse_shared_credentials(text.str());
  const auto found = profiles.find(profile);
  if (found == profiles.end()) {
    if (chosen_by.empty()) return missing_credentials(side, file, profile);
    std::string names;
    for (const auto& [name, unused] : profiles) names += (names.empty() ? "" : ", ") + name;
    return side.name + ": profile " + in_quotes(profile) + " (from " + chosen_by + ") is not in " + file +
           (names.empty() ? std::string(" (it has no profiles)") : " (it has: " + names + ")");
  }
  const ProfileCredentials& creds = found->second;
  if (creds.access_key.empty() || creds.secret_access_key.empty()) {
    return side.name + ": profile " + in_quotes(profile) + " in " + file +
           " needs both aws_access_key_id and aws_secret_access_key";
  }
  side.access_key = creds.access_key;
  side.secret_access_key = creds.secret_access_key;
  side.session_token = creds.session_token;
  side.profile = profile;
  side.credentials_origin = "profile " + profile;
  return std::nullopt;
}

std::optional<std::string> resolve_credentials(SideConfig& side, EnvLookup env) {
  const bool has_key = !side.access_key.empty();
  const bool has_secret = !side.secret_access_key.empty();
  if (has_key || has_secret) {
    if (!has_secret) {
      return side.name + ".access_key is set but " + side.name +
             ".secret_access_key is not; set both, or remove access_key to use the environment or a profile";
    }
    if (!has_key) return side.name + ".secret_access_key is set but " + side.name + ".access_key is not; set both";
    if (!side.profile.empty()) {
      return side.name + " sets both profile and access_key/secret_access_key; keep one of them";
    }
    side.credentials_origin = "config";
    return std::nullopt;
  }
  if (!side.session_token.empty()) {
    return side.name + ".session_token only works together with access_key and secret_access_key; set them too";
  }
  // An explicit profile in the file outranks the environment, as in the AWS
  // SDKs: it is the most specific instruction for this side.
  if (!side.profile.empty()) return from_profile(side, env, side.profile, side.name + ".profile");
  const auto id = lookup(env, "AWS_ACCESS_KEY_ID");
  const auto secret = lookup(env, "AWS_SECRET_ACCESS_KEY");
  if (id && secret) {
    side.access_key = *id;
    side.secret_access_key = *secret;
    side.session_token = lookup(env, "AWS_SESSION_TOKEN").value_or("");
    side.credentials_origin = "environment";
    return std::nullopt;
  }
  if (id || secret) {
    return side.name +
           ": only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set in the environment; "
           "set both (or neither, to use a profile)";
  }
  if (auto profile = lookup(env, "AWS_PROFILE")) return from_profile(side, env, *profile, "AWS_PROFILE");
  return from_profile(side, env, "default", "");
}

bool holds_secret_from_file(const Config& cfg) {
  for (const SideConfig* side : {&cfg.source, &cfg.destination}) {
    if (side->credentials_origin == "config") return true;
    if (!url_password(side->network.proxy).empty()) return true;
  }
  return !url_password(cfg.ledger.postgres_url).empty();
}

// ---------------------------------------------------------------------------

std::expected<Config, Failure> parse_document(const YAML::Node& root, const std::string& file, EnvLookup env) {
  Config cfg;
  cfg.file = file;
  cfg.source.name = "source";
  cfg.destination.name = "destination";
  if (!root.IsMap()) {
    return std::unexpected(Failure{line_of(root),
                                   "the top level must be sections such as 'source:' and "
                                   "'destination:', not " +
                                       node_kind(root) + " (see examples/config.yaml)"});
  }
  Ctx ctx{cfg, file};
  if (auto failure = Walker(ctx).walk(root, S::top)) return std::unexpected(*failure);

  for (SideConfig* side : {&cfg.source, &cfg.destination}) {
    const auto section = ctx.seen.find(side->name);
    if (section == ctx.seen.end()) {
      return std::unexpected(Failure{0, "missing section " + in_quotes(side->name) +
                                            " (with at least 'bucket:'); "
                                            "see examples/config.yaml"});
    }
    const int line = section->second.first;
    const auto at = [&](const std::string& key) {
      const auto found = ctx.seen.find(side->name + "." + key);
      return found == ctx.seen.end() ? line : found->second.first;
    };
    if (side->bucket.empty()) {
      return std::unexpected(Failure{line, side->name + ".bucket is missing: add 'bucket: NAME' under " + side->name});
    }
    if (side->endpoint_urls.empty()) {
      if (side->region == "snow") {
        return std::unexpected(Failure{at("region"), side->name +
                                                         ".region is 'snow' (Snowball Edge), which has no "
                                                         "default endpoint: set " +
                                                         side->name +
                                                         ".endpoint_urls, e.g. 'https://192.168.1.100:8443'"});
      }
      side->endpoint_urls.push_back(aws_default_endpoint(side->region));
      side->aws_default_endpoint = true;
    }
    if (auto problem = resolve_credentials(*side, env)) return std::unexpected(Failure{line, *problem});
    if (side->network.insecure_skip_verify) {
      cfg.warnings.push_back(file + ":" + std::to_string(at("insecure")) + ": WARNING: " + side->name +
                             ": TLS certificate verification is OFF (insecure: true); anyone on the network path "
                             "can read the data and steal the credentials. Use ca_bundle with the endpoint's "
                             "certificate instead.");
    }
  }
  return cfg;
}

}  // namespace

Result<Config> parse_config(const std::string& yaml_text, const std::string& file_name, EnvLookup env) {
  if (env == nullptr) env = real_env;
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(yaml_text);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's messages name the construct ("illegal map value"), never the text.
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    return config_error(file_name, line,
                        "malformed YAML: " + e.msg + " (check the indentation and quoting around this line)");
  }
  if (docs.empty() || docs.front().IsNull()) {
    return config_error(file_name, 0, "the file is empty; start from examples/config.yaml");
  }
  std::vector<std::string> secrets;
  for (const YAML::Node& doc : docs) collect_secret_values(doc, secrets);
  if (docs.size() > 1) {
    return config_error(file_name, 0,
                        "holds " + std::to_string(docs.size()) + " YAML documents (separated by '---'); keep one");
  }
  std::expected<Config, Failure> cfg = [&]() -> std::expected<Config, Failure> {
    try {
      return parse_document(docs.front(), file_name, env);
    } catch (const YAML::Exception& e) {
      return std::unexpected(Failure{e.mark.is_null() ? 0 : e.mark.line + 1, "unreadable YAML: " + e.msg});
    }
  }();
  if (!cfg) return config_error(file_name, cfg.error().line, scrub(cfg.error().message, secrets));
  return std::move(*cfg);
}

Result<Config> load_config(const std::string& path, EnvLookup env) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) {
    return config_error(path, 0, "file not found; create it (start from examples/config.yaml) or check the path");
  }
  if (status.type() == std::filesystem::file_type::directory) {
    return config_error(path, 0, "is a directory; give the path of the config file itself");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return config_error(path, 0,
                        std::string("cannot be read: ") + std::strerror(errno) +
                            " (check its permissions; it should be readable by you, e.g. chmod 600)");
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return config_error(path, 0, std::string("cannot be read: ") + std::strerror(errno));
  auto cfg = parse_config(text.str(), path, env);
  if (!cfg) return cfg;
  anchor_job_paths(*cfg, path);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0 && holds_secret_from_file(*cfg)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    cfg->warnings.push_back(path + ": holds a secret but is readable by group/others (mode " + mode +
                            "); run 'chmod 600 " + path + "'");
  }
  return cfg;
}

std::string redact(const Config& config, std::string text) {
  std::vector<std::string> secrets;
  for (const SideConfig* side : {&config.source, &config.destination}) {
    secrets.push_back(side->secret_access_key);
    secrets.push_back(side->session_token);
    secrets.push_back(url_password(side->network.proxy));
  }
  secrets.push_back(url_password(config.ledger.postgres_url));
  return scrub(std::move(text), std::move(secrets));
}

}  // namespace s5j::config
