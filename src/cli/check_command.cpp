#include "cli/check_command.h"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <random>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_preflight.h"
#include "cli/output.h"
#include "cli/side_client.h"
#include "http/curl_transport.h"
#include "http/transport_error.h"
#include "s3/s3_error.h"

namespace s5j::cli {
namespace {

// A reachable endpoint that is no S3 server answers non-XML bodies.
Error as_not_s3(const Error& e, const std::string& url) {
  Error out = e;
  out.code = s3::kNotS3;
  out.kind = ErrorKind::permanent;
  out.message = "the endpoint " + url + " answered, but not as an S3 server (" + e.code +
                "): check endpoint_urls (scheme, host and port of the S3 service)";
  return out;
}

std::string random_suffix() {
  std::random_device rd;
  return std::to_string(getpid()) + "-" + std::to_string(rd());
}

Capability list_v2_capability(const config::SideConfig& side, bool using_v1) {
  if (side.list_api == s3::ListApi::v1)
    return {"list_objects_v2", CapabilityState::not_probed, "configured list_api: v1: s5j lists with ListObjects v1"};
  if (using_v1)
    return {"list_objects_v2", CapabilityState::unsupported, "ListObjectsV2 refused: s5j lists with ListObjects v1"};
  return {"list_objects_v2", CapabilityState::supported, "ListObjectsV2 answered"};
}

// The first object with data: the read probes need a byte to range over.
std::optional<ProbeObject> first_object_with_data(const std::vector<s3::ObjectInfo>& objects) {
  for (const auto& o : objects)
    if (o.size > 0) return ProbeObject{.key = o.key, .etag = o.etag, .size = o.size};
  return std::nullopt;
}

// What the object probes find (or why they do not run) on each side: the
// destination gets a probe object of its own; the source is only read.
void probe_objects(const config::Config& config, const config::SideConfig& side,
                   const std::optional<ProbeObject>& source_object, CheckReport& report) {
  const auto clients = side_probe_clients(side, config.transfer);
  if (side.name == "destination") {
    auto left = probe_destination(clients, side.bucket, side.prefix, report.capabilities);
    report.warnings.insert(report.warnings.end(), left.begin(), left.end());
    return;
  }
  for (auto f : {"content_md5", "additional_checksums"})
    report.capabilities.set(f, CapabilityState::not_probed, "s5j only reads the source");
  if (source_object) {
    probe_reads(clients, side.bucket, *source_object, report.capabilities);
    return;
  }
  const char* why = report.objects == 0 ? "no object under the prefix" : "no object with data under the prefix";
  for (auto f : {"conditional_get", "head_part_number", "ranged_get"})
    report.capabilities.set(f, CapabilityState::unknown, why);
}

}  // namespace

CheckReport run_check(const config::Config& config, const config::SideConfig& side, const CheckScope& scope) {
  CheckReport report;
  report.side = side.name;
  report.bucket = side.bucket;
  report.prefix = side.prefix;
  report.region = side.region;
  report.credentials_origin = side.credentials_origin;
  if (side.network.insecure_skip_verify)
    report.warnings.push_back("TLS certificate verification is OFF for the " + side.name +
                              " (insecure): anyone on the path can read and alter the data");

  // 1. Each endpoint on its own: reachable, and answering S3.
  config::TransferConfig one_try = config.transfer;
  one_try.max_attempts = 1;
  s3::ListRequest probe_request{.bucket = side.bucket, .prefix = side.prefix, .max_keys = 1};
  std::optional<Error> first_s3_error;
  std::optional<Error> first_probe_error;
  for (const auto& url : side.endpoint_urls) {
    EndpointProbe probe{.url = url};
    config::SideConfig single = side;
    single.endpoint_urls = {url};
    auto client = make_side_client(single, one_try);
    if (!client) {
      probe.error = client.error().message;
      report.endpoints.push_back(probe);
      if (!report.error) report.error = client.error();
      continue;
    }
    const auto started = std::chrono::steady_clock::now();
    auto page = (*client)->list_objects(probe_request);
    probe.latency_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    if (page) {
      probe.ok = true;
    } else if (http::is_connection_failure(page.error())) {  // no answer, or no TLS session
      probe.error = page.error().message;
      if (!first_probe_error) first_probe_error = page.error();
    } else if (page.error().code == s3::kNotS3 || page.error().code == s3::kMalformedXml) {
      Error e = as_not_s3(page.error(), url);
      probe.error = e.message;
      if (!first_s3_error) first_s3_error = e;
      if (!first_probe_error) first_probe_error = e;
    } else {
      probe.ok = true;  // reachable and speaking S3; the S3 error is judged below
      if (!first_s3_error) first_s3_error = page.error();
    }
    report.endpoints.push_back(probe);
  }
  if (report.error) return report;

  size_t up = 0;
  for (const auto& p : report.endpoints) up += p.ok ? 1 : 0;
  if (up == 0) {
    // Every endpoint failed: the first one's failure is the cause to report.
    report.error = first_s3_error && first_s3_error->code == s3::kNotS3 ? *first_s3_error : *first_probe_error;
    return report;
  }
  if (up < report.endpoints.size())
    report.warnings.push_back(std::to_string(report.endpoints.size() - up) + " of " +
                              std::to_string(report.endpoints.size()) +
                              " endpoints unreachable: transfers fail over to the others");

  // 2. Credentials and bucket, through the whole pool.
  auto client = make_side_client(side, config.transfer);
  if (!client) {
    report.error = client.error();
    return report;
  }
  auto& s3 = **client;
  auto first = s3.list_objects(probe_request);
  if (!first) {
    const auto& code = first.error().code;
    if (s3::is_credentials_rejected(first.error())) {
      report.error = first.error();
      return report;
    }
    // The server knew the credentials if it got as far as the bucket or a
    // permission check.
    report.authenticated = code == s3::kNoSuchBucket || code == s3::kAccessDenied;
    report.error = code == s3::kMalformedXml ? as_not_s3(first.error(), side.endpoint_urls.front()) : first.error();
    return report;
  }
  report.authenticated = true;
  report.bucket_found = true;
  report.list_v2 = !s3.using_list_v1();
  report.capabilities.set(list_v2_capability(side, s3.using_list_v1()));
  report.capabilities.set(chunked_signing_capability());
  report.capabilities.set(virtual_host_capability(side, true));

  // 3. Server-side copy: copying a key that does not exist changes nothing;
  // NoSuchKey means the server implements CopyObject.
  const std::string probe_key = side.prefix + ".s5j-copy-probe-" + random_suffix();
  auto copy = s3.copy_object(side.bucket, probe_key + "-missing", side.bucket, probe_key);
  if (copy) {
    (void)s3.delete_object(side.bucket, probe_key);  // cannot happen, but never leave litter
    report.server_side_copy = "supported";
    report.capabilities.set("server_side_copy", CapabilityState::supported, "CopyObject of a missing key succeeded");
  } else if (copy.error().code == s3::kNoSuchKey) {
    report.server_side_copy = "supported";
    report.capabilities.set("server_side_copy", CapabilityState::supported,
                            "CopyObject of a missing key answered NoSuchKey");
  } else if (s3::is_unsupported_operation(copy.error())) {
    report.server_side_copy = "unsupported";
    report.capabilities.set("server_side_copy", CapabilityState::unsupported,
                            "CopyObject refused (" + copy.error().code + "): objects are read and written again");
  } else {
    report.capabilities.set("server_side_copy", CapabilityState::unknown,
                            "CopyObject probe: " + copy.error().code + " (HTTP " +
                                std::to_string(copy.error().http_status) + ")");
  }

  // 4. Count everything under the prefix; the first page also says whether
  // listings are sorted, and gives the source's read probes their object.
  s3::ListRequest request{.bucket = side.bucket, .prefix = side.prefix};
  std::string last_continuation;
  std::optional<ProbeObject> source_object;
  for (bool first_page = true;; first_page = false) {
    auto page = s3.list_objects(request);
    if (!page) {
      report.error = page.error();
      return report;
    }
    if (first_page) {
      std::vector<std::string> keys;
      for (const auto& o : page->objects) keys.push_back(o.key);
      report.capabilities.set(sorted_listing_capability(keys));
      source_object = first_object_with_data(page->objects);
    }
    for (const auto& o : page->objects) {
      ++report.objects;
      report.bytes += o.size;
    }
    if (!page->is_truncated) break;
    std::string next = s3.using_list_v1() ? page->next_marker : page->next_continuation_token;
    if (next.empty() || next == last_continuation) {
      report.error = Error{ErrorKind::permanent, std::string(s3::kListingStuck),
                           "the server's listing does not advance past '" + next + "': try list_api: v1"};
      return report;
    }
    last_continuation = next;
    request.continuation = next;
  }
  report.list_v2 = !s3.using_list_v1();
  report.capabilities.set(list_v2_capability(side, s3.using_list_v1()));

  // 5. What the server honours on objects (after the count: the
  // destination's probe objects are never counted).
  if (scope.probe_objects) {
    probe_objects(config, side, source_object, report);
  } else {
    for (auto f : {"conditional_get", "head_part_number", "ranged_get", "content_md5", "additional_checksums"})
      report.capabilities.set(f, CapabilityState::not_probed, "not probed before a transfer (s5j check probes it)");
  }
  return report;
}

nlohmann::ordered_json CheckReport::to_json() const {
  nlohmann::ordered_json j;
  j["side"] = side;
  j["bucket"] = bucket;
  j["prefix"] = prefix;
  j["region"] = region;
  j["credentials_origin"] = credentials_origin;
  j["endpoints"] = nlohmann::ordered_json::array();
  for (const auto& e : endpoints) {
    nlohmann::ordered_json ej{{"url", e.url}, {"ok", e.ok}, {"latency_ms", e.latency_ms}};
    if (!e.ok) ej["error"] = e.error;
    j["endpoints"].push_back(ej);
  }
  j["authenticated"] = authenticated;
  j["bucket_found"] = bucket_found;
  j["list_v2"] = list_v2 ? nlohmann::ordered_json(*list_v2) : nlohmann::ordered_json(nullptr);
  j["server_side_copy"] = server_side_copy;
  j["objects"] = objects;
  j["bytes"] = bytes;
  j["ok"] = !error.has_value();
  if (error) j["error"] = {{"code", error->code}, {"message", error->message}};
  j["warnings"] = warnings;
  j["capabilities"] = capabilities.to_json();
  return j;
}

std::string CheckReport::to_text() const {
  std::string out = side + ": s3://" + bucket + "/" + prefix + "  (region " + region + ", credentials from " +
                    credentials_origin + ")\n";
  for (const auto& e : endpoints) {
    out += "  endpoint " + e.url + "  ";
    out += e.ok ? "ok (" + std::to_string(e.latency_ms) + " ms)" : "FAILED: " + e.error;
    out += "\n";
  }
  auto line = [&](const std::string& name, const std::string& value) {
    out += "  " + name + std::string(name.size() < 18 ? 18 - name.size() : 1, ' ') + value + "\n";
  };
  if (!error || authenticated) line("authentication", authenticated ? "ok" : "FAILED");
  if (bucket_found) line("bucket", "found");
  if (bucket_found && !error)
    line("objects", std::to_string(objects) + " (" + std::to_string(bytes) + " bytes, " + human_bytes(bytes) + ")");
  if (bucket_found) out += capabilities.to_text();
  for (const auto& w : warnings) out += "  warning: " + w + "\n";
  if (error) out += "  error: " + error->message + "\n";
  return out;
}

namespace {

struct CheckOptions {
  std::string config_path = "config.yaml";
  std::string side;
  bool json = false;
};

// Prints the ledger and staging checks (cli/job_preflight.h); returns
// kLedgerError / kStagingError for the first unusable one, else kOk.
int check_local_side(const config::Config& config, bool json, const log::Redactor& redactor) {
  const auto ledger = check_ledger_location(config);
  const auto mode = transfer_mode_for(config);
  const bool staged = mode ? *mode == TransferMode::relay : config.job_mode == "relay";
  std::optional<StagingCheck> staging;
  if (staged) staging = check_staging_volumes(config);
  const auto dump = [](const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  if (json) {
    std::cout << redactor.apply(dump({{"side", "ledger"}, {"ledger", to_json(ledger)}})) << "\n";
    if (staging) std::cout << redactor.apply(dump({{"side", "staging"}, {"staging", to_json(*staging)}})) << "\n";
  } else {
    std::cout << redactor.apply(to_text(ledger));
    if (staging) std::cout << redactor.apply(to_text(*staging));
  }
  if (ledger.error) {
    if (!json) std::cerr << "s5j: " << redactor.apply(ledger.error->message) << "\n";
    return kLedgerError;
  }
  if (staging && staging->error) {
    if (!json) std::cerr << "s5j: " << redactor.apply(staging->error->message) << "\n";
    return kStagingError;
  }
  return kOk;
}

int run_check_command(const CheckOptions& options) {
  auto config = load_config_for_command(options.config_path);
  if (!config) return exit_code_for(config.error());
  const auto redactor = redactor_for(*config);

  std::vector<const config::SideConfig*> sides;
  const auto& side = options.side;
  if (side.empty() || side == "src" || side == "source") sides.push_back(&config->source);
  if (side.empty() || side == "dst" || side == "destination") sides.push_back(&config->destination);

  int exit_code = kOk;
  for (const auto* s : sides) {
    auto report = run_check(*config, *s);
    if (options.json)
      std::cout << redactor.apply(report.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
                << "\n";
    else
      std::cout << redactor.apply(report.to_text());
    if (report.error && exit_code == kOk) {
      exit_code = exit_code_for(*report.error);
      if (!options.json) std::cerr << "s5j: " << redactor.apply(report.error->message) << "\n";
    }
  }
  // The job's local side, when both S3 sides are checked: the ledger, and
  // the staging volumes of a staged job (what `stage` would fail on).
  if (side.empty()) {
    const auto local = check_local_side(*config, options.json, redactor);
    if (exit_code == kOk) exit_code = local;
  }
  return exit_code;
}

}  // namespace

void add_check_command(CLI::App& app, CommandAction& action) {
  auto options = std::make_shared<CheckOptions>();
  auto* check = app.add_subcommand(
      "check", "test connectivity, credentials and bucket of the source and/or destination, and what each honours");
  check->add_option("side", options->side, "src or dst (default: both)")
      ->check(CLI::IsMember({"src", "dst", "source", "destination"}));
  check->add_option("-c,--config", options->config_path, "config file")->capture_default_str();
  check->add_flag("--json", options->json, "print one JSON object per side");
  check->callback([&action, options] { action = [options] { return run_check_command(*options); }; });
}

}  // namespace s5j::cli
