// `s5j check [src|dst]`: connectivity and credentials test for one side
// (their src_connect_test.py / dest_connect_test.py), then a count of the
// objects and bytes under the prefix, and what the side's server honours
// (cli/check_capabilities.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "cli/check_capabilities.h"
#include "config/config.h"

namespace s5j::cli {

struct EndpointProbe {
  std::string url;
  bool ok = false;  // reachable and answering as S3
  int64_t latency_ms = 0;
  std::string error;  // one line when !ok
};

struct CheckReport {
  std::string side;  // "source" / "destination"
  std::string bucket;
  std::string prefix;
  std::string region;
  std::string credentials_origin;
  std::vector<EndpointProbe> endpoints;
  bool authenticated = false;
  bool bucket_found = false;
  std::optional<bool> list_v2;         // nullopt: not learned (an error came first)
  std::string server_side_copy = "unknown";  // supported | unsupported | unknown (also in capabilities)
  uint64_t objects = 0;
  uint64_t bytes = 0;
  std::optional<Error> error;  // the problem that stopped the check, if any
  std::vector<std::string> warnings;
  Capabilities capabilities;

  nlohmann::ordered_json to_json() const;
  std::string to_text() const;
};

struct CheckScope {
  // The object probes (conditional GET, HEAD ?partNumber, ranged GET; on
  // the destination also a probe object written and deleted): `s5j check`
  // runs them; the pre-flight of `s5j transfer` does not (a run learns a
  // refused feature from its first refusal, and writes nothing it need not).
  bool probe_objects = true;
};

// Never fails as a call: problems are recorded in the report.
CheckReport run_check(const config::Config& config, const config::SideConfig& side, const CheckScope& scope = {});

}  // namespace s5j::cli
