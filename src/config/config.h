// Config: the typed form of config.yaml. The only code that knows YAML is
// config_loader.cpp; everything else sees these structs.
//
// Keys carry over from the original Python toolset (see docs/config.md):
// sections `source`/`destination` (aliases `src`/`dst`) with `bucket`,
// `prefix` (alias `bucket_prefix`), `region`, `access_key`,
// `secret_access_key`, `endpoint_urls` (list or one string; "no_endpoint"
// means the AWS default endpoint).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "http/network_options.h"

namespace s5j::config {

enum class ListApi { automatic, v2, v1 };
enum class Addressing { path, virtual_hosted };

struct SideConfig {
  std::string name;  // "source" or "destination", for messages
  std::string bucket;
  std::string prefix;  // may be empty
  std::string region = "us-east-1";
  std::string access_key;         // resolved: config, else env, else profile
  std::string secret_access_key;  // never printed; see redact()
  std::string session_token;
  std::string credentials_origin;  // "config", "environment", "profile NAME" (for messages)
  // Full base URLs ("https://10.0.0.5:8443"). Empty = AWS default for region.
  std::vector<std::string> endpoint_urls;
  ListApi list_api = ListApi::automatic;
  Addressing addressing = Addressing::path;
  http::NetworkOptions network;
};

struct TransferConfig {
  int workers = 16;                          // objects in flight
  uint64_t part_size = 16ull << 20;          // multipart part size (bytes)
  uint64_t multipart_threshold = 64ull << 20;  // objects above this go multipart
  int max_attempts = 8;                      // per request, retries included
};

struct StagingConfig {
  std::vector<std::string> volumes;             // explicit directories
  std::string volume_pattern = "/tmp/volume-";  // discovery like the original: PATTERN01..99
  uint64_t reserve_bytes = 1ull << 30;          // keep this much free on each volume
  uint64_t max_batch_bytes = 0;                 // original's max transfer size (source to local); 0 = none
};

struct LedgerConfig {
  std::string path = "s5j-ledger.db";  // SQLite file
  std::string postgres_url;            // later: shared ledger
};

struct LogConfig {
  std::string dir = "s5j-logs";  // JSON-lines event logs (their dt_data_json_dir)
  std::string level = "info";
};

struct Config {
  std::string file;  // path it was read from
  std::string job = "default";
  SideConfig source;
  SideConfig destination;
  TransferConfig transfer;
  StagingConfig staging;
  LedgerConfig ledger;
  LogConfig log;
  std::vector<std::string> warnings;  // non-fatal findings (world-readable file, insecure TLS)
};

// Reads and validates the file. Errors (kind fatal, code "ConfigError") name
// the file, the line and the key, and say how to fix it: a missing/unreadable
// file, malformed YAML, an unknown key, a wrong type, a missing bucket, an
// invalid endpoint URL, missing credentials.
// `environment` lookups (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE) go through
// getenv unless a test passes its own function.
using EnvLookup = std::optional<std::string> (*)(const char* name);
Result<Config> load_config(const std::string& path, EnvLookup env = nullptr);
Result<Config> parse_config(const std::string& yaml_text, const std::string& file_name, EnvLookup env = nullptr);

// Replaces every occurrence of the configured secrets in `text` with "***".
std::string redact(const Config& config, std::string text);

}  // namespace s5j::config
