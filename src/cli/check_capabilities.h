// What a side's server honours, as `s5j check` reports it: one Capability
// per feature s5j uses or may need, probed with a few cheap requests.
//
// A probe that fails for a reason that is not the feature (network, 403,
// a missing object) leaves the feature `unknown` with that reason: a
// capability never fails the check. Probes that write (Content-MD5, the
// additional checksums, the destination's probe object) run only on the
// destination, and every object they may have written is deleted again.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "s3/s3_client.h"

namespace s5j::cli {

enum class CapabilityState { supported, unsupported, unknown, not_probed };
std::string_view capability_state_name(CapabilityState state);

struct Capability {
  std::string feature;  // "list_objects_v2", ... (kCapabilityFeatures)
  CapabilityState state = CapabilityState::unknown;
  std::string detail;  // one line: what was seen
};

// Every feature, in report order.
inline constexpr std::string_view kCapabilityFeatures[] = {
    "list_objects_v2", "sorted_listing",  "conditional_get", "head_part_number",        "ranged_get",
    "server_side_copy", "content_md5",    "additional_checksums", "chunked_payload_signing", "virtual_host_addressing"};

// The report's entries, one per feature of kCapabilityFeatures, in order;
// a feature not set yet is `unknown` with `unset_detail`.
class Capabilities {
 public:
  explicit Capabilities(std::string unset_detail = "not probed: the check stopped before");
  void set(Capability capability);
  void set(std::string_view feature, CapabilityState state, std::string detail);
  const Capability& get(std::string_view feature) const;
  const std::vector<Capability>& all() const { return entries_; }

  nlohmann::ordered_json to_json() const;
  std::string to_text() const;  // "  capabilities:\n    feature  state  detail\n..."

 private:
  std::vector<Capability> entries_;
};

// Pure: whether `keys` (one listing page, in the order the server gave
// them) are strictly increasing in S3's byte order. Unknown with fewer than
// two keys.
Capability sorted_listing_capability(const std::vector<std::string>& keys);

// chunked_payload_signing and virtual_host_addressing: what the side's
// configuration decides; `answered` says whether the side's requests were
// answered as S3 (a listing came back).
Capability chunked_signing_capability();
Capability virtual_host_capability(const config::SideConfig& side, bool answered);

// An object the read probes may use.
struct ProbeObject {
  std::string key;
  std::string etag;  // without quotes
  uint64_t size = 0;
};

// A fresh client of the side for each probe, so one probe's fallback (the
// client stops sending a refused feature) does not hide another's refusal.
using ProbeClientFactory = std::function<Result<std::unique_ptr<s3::S3Client>>()>;
// The side's own clients, with few retries: a probe, not a transfer.
ProbeClientFactory side_probe_clients(const config::SideConfig& side, const config::TransferConfig& transfer);

// conditional_get, head_part_number and ranged_get against `object`. Reads
// one byte of it (at most 64 KiB from a server that ignores Range).
void probe_reads(const ProbeClientFactory& clients, const std::string& bucket, const ProbeObject& object,
                 Capabilities& out);

// The destination's probes: writes a tiny object under
// "<prefix>.s5j-check-<random>", runs probe_reads() on it, then the
// content_md5 and additional_checksums PUTs, and deletes every probe
// object that may have been written before returning (a key it could not
// delete is returned as a warning).
std::vector<std::string> probe_destination(const ProbeClientFactory& clients, const std::string& bucket,
                                           const std::string& prefix, Capabilities& out);

}  // namespace s5j::cli
