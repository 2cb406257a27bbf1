// Config: the typed form of config.yaml. The only code that knows YAML is
// config_loader.cpp; everything else sees these structs.
//
// Keys carry over from the original Python toolset (docs/config.md lists
// every key, its default and its legacy aliases): sections
// `source`/`destination` (aliases `src`/`dst`) with `bucket` (alias
// `bucket_name`), `prefix` (alias `bucket_prefix`), `region`, `access_key`,
// `secret_access_key`, `endpoint_urls` (list or one string; "no_endpoint"
// means the AWS default endpoint); and the original's `local:` and
// `transfer_settings:` sections, key for key as its published file has them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "http/network_options.h"
#include "s3/checksum_algorithm.h"
#include "s3/list_api.h"
#include "s3/outposts_arn.h"

namespace s5j::config {

// The code of every error load_config() and parse_config() return.
inline constexpr char kConfigError[] = "ConfigError";

enum class Addressing { path, virtual_hosted };

// Which metadata an object takes to the destination: the source's
// (Content-Type, Cache-Control, Content-Disposition, Content-Encoding,
// Content-Language, Expires and x-amz-meta-*), none, or the file's own.
enum class MetadataMode { copy, none, given };

// How objects land at the destination (keys of the `destination` section
// only; docs/config.md "destination"). Empty strings send nothing. Checked
// when the file is loaded: values here are valid for S3.
struct LandingConfig {
  std::string storage_class;   // upper-case token: AWS's or an appliance's own class
  std::string sse;             // "", "AES256" or "aws:kms"
  std::string sse_kms_key_id;  // only with sse "aws:kms"
  std::vector<std::pair<std::string, std::string>> tags;  // at most 10, in file order
  std::string acl;             // a canned ACL, "" = none sent (the bucket's default)
  MetadataMode metadata = MetadataMode::copy;
  // MetadataMode::given: header name (lower case: "content-type", ...,
  // "x-amz-meta-NAME") and value, in file order.
  std::vector<std::pair<std::string, std::string>> metadata_headers;
};

struct SideConfig {
  std::string name;  // "source" or "destination", for messages
  std::string bucket;
  // Set when `bucket` is an S3 on Outposts access-point ARN (s3/outposts_arn.h).
  std::optional<s3::OutpostsAccessPoint> outposts;
  std::string prefix;  // may be empty
  std::string region = "us-east-1";
  std::string access_key;         // resolved: config, else profile key, else env, else AWS_PROFILE/default profile
  std::string secret_access_key;  // never printed; see redact()
  std::string session_token;
  std::string credentials_origin;  // "config", "environment", "profile NAME" (for messages)
  std::string profile;             // shared-credentials profile used (or configured); empty otherwise
  // Full base URLs in normal form ("https://10.0.0.5:8443": scheme, host,
  // optional port; no trailing '/'). Never empty after load: when the file
  // gives none (or "no_endpoint") it holds the AWS default for the region,
  // "https://s3.<region>.amazonaws.com", and aws_default_endpoint is true.
  std::vector<std::string> endpoint_urls;
  bool aws_default_endpoint = false;
  s3::ListApi list_api = s3::ListApi::automatic;
  Addressing addressing = Addressing::path;
  // Requests in flight to this side at most (so connections, one each);
  // 0: no cap of its own (the client's adaptive limit alone). `region: snow`
  // sets kSnowMaxRequests unless the file sets it.
  int max_requests = 0;
  // Destination only: the additional checksum (x-amz-checksum-*) sent with
  // uploads and recorded, for `verify` to prove objects whose ETag is no MD5.
  s3::ChecksumAlgorithm checksum_algorithm = s3::ChecksumAlgorithm::none;
  http::NetworkOptions network;
  LandingConfig landing;  // destination only (the source's stays empty)
};

// What `region: snow` selects unless the file says otherwise: Snowball
// Edge's S3 adapter takes at most 1,000 connections per device, shared by
// every client (and by every host of a fleet): one s5j side stays well under.
inline constexpr int kSnowMaxRequests = 200;

struct TransferConfig {
  int workers = 64;                            // objects in flight (parts: transfer::kMaxPartThreads)
  int list_workers = 8;                        // source key ranges listed at once
  uint64_t part_size = 16ull << 20;            // multipart part size (bytes)
  uint64_t multipart_threshold = 512ull << 20; // objects above this go multipart
  int max_attempts = 8;                        // per request, retries included
  uint64_t memory_budget = 256ull << 20;       // bytes of object/part buffers in memory at once
  bool server_side_copy = true;                // use CopyObject when both sides are the same endpoints
};

struct StagingConfig {
  std::vector<std::string> volumes;             // explicit directories
  std::string volume_pattern = "/tmp/volume-";  // discovery like the original: PATTERN01..99
  uint64_t reserve_bytes = 1ull << 30;          // keep this much free on each volume
  uint64_t max_batch_bytes = 0;                 // original's max transfer size (source to local); 0 = none
  uint64_t volume_limit_bytes = 0;              // bytes the job may stage per volume; 0 = no limit
  std::chrono::milliseconds scan_interval{30'000};  // relay: how often an idle run lists the source again
  std::chrono::milliseconds refusal_retry{30'000};  // relay: first wait before probing a refusing destination again
  // stage/relay refuse (instead of warning about) a staging volume that is
  // not a filesystem of its own: a plain directory, the root disk, tmpfs.
  bool require_mounts = false;
};

struct LedgerConfig {
  // SQLite file. A relative path is relative to the config file's directory
  // (or $STATE_DIRECTORY/<job> under systemd): config/job_paths.h.
  std::string path = "s5j-ledger.db";
  std::string postgres_url;  // a shared ledger: several workers (hosts) on one job
  // How long a claim (an object, a listing range) stays a worker's without a
  // heartbeat: a worker that dies has its work taken over after this long.
  std::chrono::milliseconds lease_timeout{30'000};
  // How long a run waits out a ledger it cannot reach (PostgreSQL restarted,
  // its network down), pausing and retrying, before it stops with the error.
  std::chrono::milliseconds unavailable_limit{std::chrono::minutes(30)};
  // Where s5j 0.1 put a relative `path` (the working directory), when that
  // differs from `path`; empty otherwise. Only for refusing to start a new
  // ledger beside an old one.
  std::string working_directory_path;
};

struct LogConfig {
  // JSON-lines event logs (their dt_data_json_dir); relative to the config
  // file's directory (or $LOGS_DIRECTORY/<job> under systemd).
  std::string dir = "s5j-logs";
  std::string level = "info";
  // Routine per-object events: 1 every object, N one object in N, 0 none.
  uint32_t object_events_every = 1;
  uint64_t max_size = 100ull << 20;  // the live file rotates at this size; 0: never
  uint32_t keep = 10;                // files per command and job besides the live one; 0: all
};

struct MetricsConfig {
  // HOST:PORT a run serves /metrics on (`--metrics-addr` wins); empty: none.
  std::string listen;
};

struct Config {
  std::string file;  // path it was read from
  std::string job = "default";
  // job.mode: how `s5j transfer` moves the job. "auto" decides by the
  // ledger's record of the job, else by staging.volumes (cli/job_preflight.h).
  std::string job_mode = "auto";  // auto | relay | sync
  SideConfig source;
  SideConfig destination;
  TransferConfig transfer;
  StagingConfig staging;
  LedgerConfig ledger;
  LogConfig log;
  MetricsConfig metrics;
  std::vector<std::string> warnings;  // non-fatal findings (world-readable file, insecure TLS, no-effect legacy keys)
};

// Reads and validates the file. Errors (kind fatal, code "ConfigError") are
// one line, "FILE:LINE: what is wrong (how to fix it)", naming the key: a
// missing/unreadable/empty file, malformed YAML, an unknown key (with a
// "did you mean", else its section's valid keys), a wrong type, a missing
// bucket, an invalid endpoint URL, an out-of-range value, missing
// credentials. The keys are all checked before anything is reported: when
// several are wrong (unknown keys, refused values) the error is
// "FILE: N problems; fix them all:" followed by one "  FILE:LINE: ..." line
// each, in file order. No message ever contains a secret value.
// Keys of the original's file that have no effect here (local.directory,
// transfer_settings.max_size_to_transfer_l2dest and .src_use_native_s3) are
// accepted with a one-line warning each in Config::warnings.
// Credentials per side: access_key/secret_access_key from the file; else
// the side's `profile` key; else AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
// (+AWS_SESSION_TOKEN); else profile AWS_PROFILE or "default" from
// AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials.
// parse_config checks everything except the file's permissions, which only
// load_config can see (warning when group/other may read a file holding a
// secret).
// `environment` lookups (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE) go through
// getenv unless a test passes its own function.
using EnvLookup = std::optional<std::string> (*)(const char* name);
Result<Config> load_config(const std::string& path, EnvLookup env = nullptr);
Result<Config> parse_config(const std::string& yaml_text, const std::string& file_name, EnvLookup env = nullptr);

// Replaces every occurrence of the configured secrets in `text` with "***":
// both sides' secret_access_key and session_token, and passwords embedded in
// a proxy URL or ledger.postgres_url. Empty values are skipped.
std::string redact(const Config& config, std::string text);

}  // namespace s5j::config
