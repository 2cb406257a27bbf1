// The staged relay's settings and roles, shared by RelayEngine and its legs
// (StageLeg, DrainLeg).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "s3/checksum_algorithm.h"
#include "staging/stager.h"
#include "transfer/landing.h"

namespace s5j::transfer {

enum class RelayRole { stage, drain, relay };
std::string_view to_string(RelayRole role);

struct RelaySettings {
  RelayRole role = RelayRole::relay;
  std::string job = "default";
  std::string source_bucket;
  std::string source_prefix;
  std::string destination_bucket;
  std::string destination_prefix;
  uint64_t part_size = 16ull << 20;
  uint64_t multipart_threshold = 512ull << 20;
  std::optional<uint64_t> destination_max_part_size;  // quirk (e.g. Snowball 512 MB)
  s3::ChecksumAlgorithm checksum_algorithm = s3::ChecksumAlgorithm::none;  // the destination's (drain leg)
  LandingSettings landing;  // how the drain's uploads land
  staging::StagingOptions staging;        // volumes, reserve, limit, job (on_space_wait is set by the engine)
  int workers = 16;                       // objects in flight, per leg
  int list_workers = 8;                   // source key ranges listed at once
  int part_threads = 16;                  // ranges / parts in flight, per leg
  uint64_t memory_budget = 256ull << 20;  // upload buffers
  uint64_t max_batch_bytes = 0;           // bytes staged per batch; 0 = no limit
  bool once = false;
  std::chrono::milliseconds scan_interval{std::chrono::seconds(30)};
  std::chrono::milliseconds poll_interval{std::chrono::seconds(1)};  // idle drain / waiting legs
  std::chrono::milliseconds lease{std::chrono::minutes(5)};  // the CLI sets ledger.lease_timeout
  std::chrono::milliseconds flush_interval{100};
  std::chrono::milliseconds ledger_unavailable_limit{std::chrono::minutes(30)};
  uint32_t max_source_changes = 5;
  // A destination that refuses the run mid-way (transfer/side_gate.h) is
  // probed again after the first wait, doubling up to the second.
  std::chrono::milliseconds refusal_first_retry{std::chrono::seconds(30)};
  std::chrono::milliseconds refusal_max_retry{std::chrono::minutes(5)};
  std::string command;  // for the run history; default: the role's name
  std::string version = "0.1.0";  // of s5j, for the run history
};

}  // namespace s5j::transfer
