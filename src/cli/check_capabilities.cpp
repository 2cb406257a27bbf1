#include "cli/check_capabilities.h"

#include <unistd.h>

#include <algorithm>
#include <memory>
#include <random>
#include <stdexcept>

#include "checksum/checksum_encoding.h"
#include "checksum/crc32c.h"
#include "cli/side_client.h"
#include "http/transport.h"
#include "s3/s3_error.h"

namespace s5j::cli {
namespace {

using enum CapabilityState;

// A probe reads a few bytes; a server that ignores Range or If-Match
// answers with the whole object, and the probe stops reading here.
constexpr size_t kProbeReadCap = 64 * 1024;
constexpr char kProbeReadCapped[] = "S5jProbeReadCapped";

// The wrong Content-MD5 the probe sends: an all-zero digest, which no
// body's MD5 is in practice.
constexpr char kWrongContentMd5[] = "AAAAAAAAAAAAAAAAAAAAAA==";

std::string random_suffix() {
  std::random_device rd;
  return std::to_string(getpid()) + "-" + std::to_string(rd());
}

// "AccessDenied (HTTP 403)" or "ConnectFailed: <message>": why a probe
// learned nothing about its feature.
std::string reason_of(const Error& e) {
  if (e.http_status > 0) return e.code + " (HTTP " + std::to_string(e.http_status) + ")";
  return e.code + ": " + e.message;
}

// A client of its own for one probe: its fallback flags start clean, and
// the statuses of its exchanges are recorded.
struct ProbeClient {
  std::unique_ptr<s3::S3Client> s3;
  std::shared_ptr<std::vector<s3::RequestEvent>> events = std::make_shared<std::vector<s3::RequestEvent>>();

  // The first refusal of a feature, as the client reported it.
  const s3::RequestEvent* refusal() const {
    for (const auto& e : *events)
      if (!e.feature_refused.empty()) return &e;
    return nullptr;
  }
  int last_status() const {
    for (auto it = events->rbegin(); it != events->rend(); ++it)
      if (it->feature_refused.empty()) return it->http_status;
    return 0;
  }
};

Result<ProbeClient> make_probe_client(const ProbeClientFactory& clients) {
  auto client = clients();
  if (!client) return std::unexpected(client.error());
  ProbeClient probe{.s3 = std::move(*client)};
  probe.s3->add_observer([events = probe.events](const s3::RequestEvent& e) { events->push_back(e); });
  return probe;
}

// Reads at most kProbeReadCap bytes of the answer into `got`.
http::BodySink capped_sink(std::string& got) {
  return [&got](std::string_view chunk) -> Status {
    if (got.size() + chunk.size() > kProbeReadCap)
      return make_error(ErrorKind::permanent, kProbeReadCapped, "the probe read enough of the answer");
    got.append(chunk);
    return {};
  };
}

Capability unknown_because(Capability c, std::string detail) {
  c.state = CapabilityState::unknown;
  c.detail = std::move(detail);
  return c;
}

std::string refusal_detail(const s3::RequestEvent& refusal, std::string_view what) {
  return "refused " + std::string(what) + " (HTTP " + std::to_string(refusal.http_status) +
         (refusal.error_code.empty() ? "" : " " + refusal.error_code) + ")";
}

// Deletes, when it goes out of scope, every probe object a PUT may have
// written: one that succeeded, and one whose answer never came or was a
// server error (it may have landed). A 4xx refusal wrote nothing, and a
// read-only destination is not asked for deletes it would refuse.
class ProbeKeys {
 public:
  ProbeKeys(s3::S3Client& s3, std::string bucket) : s3_(s3), bucket_(std::move(bucket)) {}
  ProbeKeys(const ProbeKeys&) = delete;
  ProbeKeys& operator=(const ProbeKeys&) = delete;
  ~ProbeKeys() { (void)clean(); }
  template <class T>
  void put_tried(const std::string& key, const Result<T>& put) {
    if (put || put.error().http_status == 0 || put.error().http_status >= 500) keys_.push_back(key);
  }
  // Warnings for the keys that could not be deleted.
  std::vector<std::string> clean() {
    std::vector<std::string> left;
    for (const auto& key : keys_)
      if (auto d = s3_.delete_object(bucket_, key); !d)
        left.push_back("the probe object '" + key + "' could not be deleted (" + reason_of(d.error()) +
                       "): delete it by hand");
    keys_.clear();
    return left;
  }

 private:
  s3::S3Client& s3_;
  std::string bucket_;
  std::vector<std::string> keys_;
};

Capability probe_conditional_get(const ProbeClientFactory& clients, const std::string& bucket,
                                 const ProbeObject& object) {
  Capability c{.feature = "conditional_get"};
  auto client = make_probe_client(clients);
  if (!client) return unknown_because(std::move(c), reason_of(client.error()));
  // Range 0-0 keeps the read to one byte on a server that honours ranges.
  const s3::ByteRange first_byte{0, 0};
  std::string got;
  const std::string wrong_etag = "00000000000000000000000000000000";
  auto wrong = client->s3->get_object(bucket, object.key, {.range = first_byte, .if_match = wrong_etag},
                                      capped_sink(got));
  if (const auto* refusal = client->refusal()) {
    c.state = unsupported;
    c.detail = refusal_detail(*refusal, "If-Match") + ": s5j compares ETags itself";
    return c;
  }
  if (wrong || wrong.error().code == kProbeReadCapped) {
    // A read cut short by the cap left no status: it was a 2xx with a body.
    const int status = wrong ? client->last_status() : 0;
    c.state = unsupported;
    c.detail = "answered " + (status > 0 ? std::to_string(status) : std::string("2xx")) +
               " to If-Match of a wrong ETag (the condition is ignored): s5j compares ETags itself";
    return c;
  }
  if (wrong.error().code != s3::kPreconditionFailed)
    return unknown_because(std::move(c), "If-Match probe: " + reason_of(wrong.error()));
  got.clear();
  auto right = client->s3->get_object(bucket, object.key, {.range = first_byte, .if_match = object.etag},
                                      capped_sink(got));
  if (!right && right.error().code != kProbeReadCapped)
    return unknown_because(std::move(c),
                           "412 to a wrong If-Match, but the right ETag got " + reason_of(right.error()));
  c.state = supported;
  c.detail = "412 to If-Match of a wrong ETag, " + std::to_string(client->last_status()) + " to the right one";
  return c;
}

Capability probe_head_part_number(const ProbeClientFactory& clients, const std::string& bucket,
                                  const ProbeObject& object) {
  Capability c{.feature = "head_part_number"};
  auto client = make_probe_client(clients);
  if (!client) return unknown_because(std::move(c), reason_of(client.error()));
  auto head = client->s3->head_object(bucket, object.key, {.part_number = 1});
  if (const auto* refusal = client->refusal()) {
    c.state = unsupported;
    c.detail = refusal_detail(*refusal, "HEAD ?partNumber=1") + ": part layouts are inferred";
    return c;
  }
  if (!head) return unknown_because(std::move(c), "HEAD ?partNumber=1: " + reason_of(head.error()));
  c.state = supported;
  c.detail = "HEAD ?partNumber=1 answered " + std::to_string(client->last_status());
  if (head->parts_count > 0) c.detail += " (x-amz-mp-parts-count " + std::to_string(head->parts_count) + ")";
  return c;
}

Capability probe_ranged_get(const ProbeClientFactory& clients, const std::string& bucket,
                            const ProbeObject& object) {
  Capability c{.feature = "ranged_get"};
  auto client = make_probe_client(clients);
  if (!client) return unknown_because(std::move(c), reason_of(client.error()));
  std::string got;
  auto r = client->s3->get_object(bucket, object.key, {.range = s3::ByteRange{0, 0}}, capped_sink(got));
  const int status = client->last_status();
  if (!r && r.error().code != kProbeReadCapped) {
    if (s3::is_unsupported_operation(r.error())) {
      c.state = unsupported;
      c.detail = "Range bytes=0-0 refused: " + reason_of(r.error());
    } else {
      c.detail = "Range bytes=0-0: " + reason_of(r.error());
    }
    return c;
  }
  c.state = unsupported;
  if (!r) {  // cut short by the cap
    c.detail = "Range bytes=0-0 answered with more than " + std::to_string(kProbeReadCap) +
               " bytes: the Range is ignored";
  } else if (status == 206 && got.size() == 1) {
    c.state = supported;
    c.detail = "Range bytes=0-0 answered 206 with 1 byte";
  } else {
    c.detail = "Range bytes=0-0 answered " + std::to_string(status) + " with " + std::to_string(got.size()) + " bytes";
  }
  return c;
}

// A PUT carrying a deliberately wrong `digest` header failed: refused as a
// bad digest (the server checks it), refused as not implemented (it does
// not take the header), or for another reason (nothing learned).
void judge_refused_digest(Capability& c, const Error& e, const std::string& digest) {
  if (e.code == s3::kBadDigest || e.code == "InvalidDigest") {
    c.state = supported;
    c.detail = "a wrong " + digest + " was refused: " + reason_of(e);
  } else if (s3::is_unsupported_operation(e)) {
    c.state = unsupported;
    c.detail = "a PUT with " + digest + " was refused: " + reason_of(e);
  } else {
    c.detail = digest + " probe: " + reason_of(e);
  }
}

Capability probe_content_md5(s3::S3Client& s3, const std::string& bucket, const std::string& key,
                             ProbeKeys& keys) {
  Capability c{.feature = "content_md5"};
  const std::string body = "s5j check: Content-MD5 probe\n";
  auto put = s3.put_object(bucket, key, {.size = body.size(), .data = body, .content_md5 = kWrongContentMd5});
  keys.put_tried(key, put);
  if (put) {
    c.state = unsupported;
    c.detail = "accepted a PUT with a wrong Content-MD5: the server does not check it";
    return c;
  }
  judge_refused_digest(c, put.error(), "Content-MD5");
  return c;
}

Capability probe_additional_checksums(s3::S3Client& s3, const std::string& bucket, const std::string& key,
                                      ProbeKeys& keys) {
  Capability c{.feature = "additional_checksums"};
  const std::string body = "s5j check: x-amz-checksum-crc32c probe\n";
  s3::BodySource source{.size = body.size(), .data = body};
  // The complement of the right CRC-32C: wrong whatever the body.
  source.extra_headers.push_back({"x-amz-checksum-crc32c", checksum::crc32_base64(~checksum::crc32c_of(body))});
  auto put = s3.put_object(bucket, key, source);
  keys.put_tried(key, put);
  if (!put) {
    judge_refused_digest(c, put.error(), "x-amz-checksum-crc32c");
    return c;
  }
  c.state = unsupported;
  auto head = s3.head_object(bucket, key, {.checksum_mode = true});
  if (!head) {
    c.detail = "accepted a wrong x-amz-checksum-crc32c (HEAD afterwards: " + reason_of(head.error()) + ")";
  } else if (http::find_header(head->raw_headers, "x-amz-checksum-crc32c")) {
    c.detail = "accepted a wrong x-amz-checksum-crc32c and stored it: the server does not check it";
  } else {
    c.detail = "accepted a wrong x-amz-checksum-crc32c and HEAD with ChecksumMode returns none: the header is ignored";
  }
  return c;
}

}  // namespace

std::string_view capability_state_name(CapabilityState state) {
  switch (state) {
    case supported: return "supported";
    case unsupported: return "unsupported";
    case unknown: return "unknown";
    case not_probed: return "not_probed";
  }
  return "unknown";
}

Capabilities::Capabilities(std::string unset_detail) {
  for (auto f : kCapabilityFeatures) entries_.push_back({std::string(f), unknown, unset_detail});
}

void Capabilities::set(Capability capability) {
  for (auto& e : entries_)
    if (e.feature == capability.feature) {
      e = std::move(capability);
      return;
    }
  throw std::logic_error("unknown capability " + capability.feature);
}

void Capabilities::set(std::string_view feature, CapabilityState state, std::string detail) {
  set(Capability{std::string(feature), state, std::move(detail)});
}

const Capability& Capabilities::get(std::string_view feature) const {
  for (const auto& e : entries_)
    if (e.feature == feature) return e;
  throw std::logic_error("unknown capability " + std::string(feature));
}

nlohmann::ordered_json Capabilities::to_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& e : entries_) j[e.feature] = {{"state", capability_state_name(e.state)}, {"detail", e.detail}};
  return j;
}

std::string Capabilities::to_text() const {
  std::string out = "  capabilities:\n";
  for (const auto& e : entries_) {
    std::string line = "    " + e.feature;
    line.resize(std::max<size_t>(line.size() + 1, 30), ' ');
    std::string state(capability_state_name(e.state));
    state.resize(13, ' ');
    out += line + state + e.detail + "\n";
  }
  return out;
}

Capability sorted_listing_capability(const std::vector<std::string>& keys) {
  Capability c{.feature = "sorted_listing"};
  if (keys.size() < 2) {
    c.detail = std::to_string(keys.size()) + " key(s) under the prefix: nothing to compare";
    return c;
  }
  // std::string compares as unsigned bytes (char_traits<char>), S3's order.
  for (size_t i = 1; i < keys.size(); ++i) {
    if (!(keys[i - 1] < keys[i])) {
      c.state = unsupported;
      c.detail = "key " + std::to_string(i + 1) + " of the first page does not follow key " + std::to_string(i) +
                 " in byte order";
      return c;
    }
  }
  c.state = supported;
  c.detail = "the first page's " + std::to_string(keys.size()) + " keys are in strictly increasing byte order";
  return c;
}

Capability chunked_signing_capability() {
  return {"chunked_payload_signing", not_probed,
          "s5j signs whole payloads (UNSIGNED-PAYLOAD or the body's SHA-256); chunked signing is never needed"};
}

Capability virtual_host_capability(const config::SideConfig& side, bool answered) {
  Capability c{.feature = "virtual_host_addressing"};
  if (side.addressing == config::Addressing::path) {
    c.state = not_probed;
    c.detail = "configured path-style (addressing: path): requests name the bucket in the path";
  } else if (answered) {
    c.state = supported;
    c.detail = "configured (addressing: virtual): requests addressed to " + side.bucket + ".<endpoint host> answered";
  } else {
    c.detail = "configured (addressing: virtual): no request was answered";
  }
  return c;
}

ProbeClientFactory side_probe_clients(const config::SideConfig& side, const config::TransferConfig& transfer) {
  config::TransferConfig cheap = transfer;
  cheap.max_attempts = std::min(transfer.max_attempts, 3);
  return [side, cheap] { return make_side_client(side, cheap); };
}

void probe_reads(const ProbeClientFactory& clients, const std::string& bucket, const ProbeObject& object,
                 Capabilities& out) {
  out.set(probe_conditional_get(clients, bucket, object));
  out.set(probe_head_part_number(clients, bucket, object));
  out.set(probe_ranged_get(clients, bucket, object));
}

std::vector<std::string> probe_destination(const ProbeClientFactory& clients, const std::string& bucket,
                                           const std::string& prefix, Capabilities& out) {
  auto client = make_probe_client(clients);
  if (!client) {
    for (auto f : {"conditional_get", "head_part_number", "ranged_get", "content_md5", "additional_checksums"})
      out.set(f, unknown, reason_of(client.error()));
    return {};
  }
  auto& s3 = *client->s3;
  ProbeKeys keys(s3, bucket);
  const std::string base = prefix + ".s5j-check-" + random_suffix();

  const std::string object_key = base;
  const std::string body = "s5j check probe\n";
  auto put = s3.put_object(bucket, object_key, {.size = body.size(), .data = body});
  keys.put_tried(object_key, put);
  if (put) {
    probe_reads(clients, bucket, {.key = object_key, .etag = *put, .size = body.size()}, out);
  } else {
    for (auto f : {"conditional_get", "head_part_number", "ranged_get"})
      out.set(f, unknown, "the probe object could not be written: " + reason_of(put.error()));
  }
  out.set(probe_content_md5(s3, bucket, base + "-md5", keys));
  out.set(probe_additional_checksums(s3, bucket, base + "-crc32c", keys));
  return keys.clean();
}

}  // namespace s5j::cli
