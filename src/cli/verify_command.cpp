// `s5j verify`: checks every object the ledger holds as verified against the
// destination as it is now, puts what is missing or different back in line
// for the next run, and reports source objects the ledger never saw (their
// repair_ledger.py, in one run instead of a loop). The work is in
// ops/destination_verifier.h; this file is the command line and the report.

#include <iostream>

#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_context.h"
#include "cli/output.h"
#include "cli/run_log.h"
#include "cli/run_commands.h"
#include "cli/side_client.h"
#include "ledger/ledger_error.h"
#include "log/event_log.h"
#include "ops/destination_verifier.h"

namespace s5j::cli {
namespace {

using Json = nlohmann::json;
using ops::DestinationVerifier;
using ops::VerifyReport;
using ops::VerifySettings;

// Keys may hold any bytes: JSON-quoted they stay on one line and control
// characters show as escapes.
std::string quoted(const std::string& key) {
  return Json(key).dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json report_json(const std::string& job, const VerifyReport& r, const std::string& log_path) {
  Json j;
  j["job"] = job;
  j["deep"] = r.deep;
  j["job_found"] = r.job_found;
  j["checked"] = r.checked;
  j["checked_bytes"] = r.checked_bytes;
  j["ok"] = r.ok;
  j["ok_by_checksum"] = r.ok_by_checksum;
  j["missing"] = r.missing;
  j["different"] = r.different;
  j["unproven"] = r.unproven;
  j["errors"] = r.errors;
  j["reopened"] = r.reopened;
  j["skipped"] = r.skipped;
  j["bytes_read"] = r.bytes_read;
  j["heads"] = r.heads;
  j["destination_listing_used"] = r.destination_listing_used;
  j["source_listed"] = r.source_listed;
  j["unseen_at_source"] = r.unseen_at_source;
  j["unseen_bytes"] = r.unseen_bytes;
  j["changed_at_source"] = r.changed_at_source;
  j["not_verified"] = r.not_verified;
  j["clean"] = r.clean();
  j["samples"] = {{"missing", r.samples.missing},
                  {"different", r.samples.different},
                  {"unproven", r.samples.unproven},
                  {"errors", r.samples.errors},
                  {"unseen_at_source", r.samples.unseen_at_source},
                  {"changed_at_source", r.samples.changed_at_source}};
  j["log"] = log_path;
  return j;
}

void print_samples(const char* label, const std::vector<std::string>& keys, uint64_t total,
                   const log::Redactor& redactor) {
  if (keys.empty()) return;
  std::cout << label << (total > keys.size() ? " (first " + std::to_string(keys.size()) + ")" : std::string()) << ":\n";
  for (const auto& k : keys) std::cout << "  " << redactor.apply(quoted(k)) << "\n";
}

// The command that moves a job's objects: a staged job refuses `sync`.
std::string rerun_command(std::optional<ledger::JobMode> mode) {
  if (!mode) return "s5j sync or s5j relay";
  return *mode == ledger::JobMode::staged ? "s5j relay, or s5j stage then s5j drain" : "s5j sync";
}

void print_text(const std::string& job, std::optional<ledger::JobMode> mode, const VerifyReport& r,
                const std::string& log_path, const log::Redactor& redactor) {
  std::cout << "verify (" << (r.deep ? "bytes read back" : "size and ETag") << ") of job " << quoted(job) << ":\n";
  if (!r.job_found) {
    std::cout << "  the ledger holds nothing for this job yet: nothing verified to check\n";
  } else {
    std::cout << "  checked:    " << r.checked << " verified objects (" << human_bytes(r.checked_bytes) << ")";
    if (r.deep) std::cout << ", " << human_bytes(r.bytes_read) << " read back";
    std::cout << "\n  ok:         " << r.ok;
    if (r.ok_by_checksum > 0)
      std::cout << " (" << r.ok_by_checksum << " by the destination's additional checksum: its ETag proves nothing)";
    std::cout << "\n"
              << "  missing:    " << r.missing << " at the destination\n"
              << "  different:  " << r.different << " at the destination\n";
    if (r.unproven > 0)
      std::cout << "  unproven:   " << r.unproven << " (ETag changed and cannot prove the bytes: run verify --deep)\n";
    if (r.errors > 0) std::cout << "  errors:     " << r.errors << " could not be checked (see the log)\n";
    std::cout << "  reopened:   " << r.reopened << " back to pending";
    if (r.skipped > 0) std::cout << " (" << r.skipped << " left to the run that changed them meanwhile)";
    std::cout << "\n";
  }
  std::cout << "  unseen at the source: " << r.unseen_at_source << " objects (" << human_bytes(r.unseen_bytes)
            << ") the ledger has never seen, of " << r.source_listed << " listed\n";
  if (r.changed_at_source > 0)
    std::cout << "  changed at the source: " << r.changed_at_source << " verified objects changed since\n";
  if (r.not_verified > 0)
    std::cout << "  not verified yet: " << r.not_verified << " objects of the job (pending, in flight or failed)\n";
  print_samples("missing", r.samples.missing, r.missing, redactor);
  print_samples("different", r.samples.different, r.different, redactor);
  print_samples("unproven", r.samples.unproven, r.unproven, redactor);
  print_samples("errors", r.samples.errors, r.errors, redactor);
  print_samples("unseen at the source", r.samples.unseen_at_source, r.unseen_at_source, redactor);
  print_samples("changed at the source", r.samples.changed_at_source, r.changed_at_source, redactor);
  if (r.clean()) {
    std::cout << "verify: everything verified is at the destination as recorded; nothing left to move\n";
    return;
  }
  std::string next;
  if (r.reopened + r.unseen_at_source + r.changed_at_source + r.not_verified > 0)
    next = "run the job again (" + rerun_command(mode) + ") to move the objects above";
  if (r.unproven > 0) next += std::string(next.empty() ? "" : "; ") + "run s5j verify --deep to settle the unproven ones";
  if (r.errors > 0) next += std::string(next.empty() ? "" : "; ") + "run s5j verify again for those that failed";
  if (next.empty()) next = "another run changed these objects meanwhile; run s5j verify again once it is done";
  std::cout << "verify: " << next << " (details: " << log_path << ")\n";
}

}  // namespace

int run_verify_command(const VerifyOptions& options, VerifyReport* out) {
  auto config = load_config_for_command(options.config_path, options.config_warnings);
  if (!config) return exit_code_for(config.error());
  const auto redactor = redactor_for(*config);

  auto context = open_job_context(*config, /*create_if_missing=*/false);
  if (!context) return ledger_failure(context.error(), redactor);
  auto source = make_side_client(config->source, config->transfer);
  if (!source) return report_failure(source.error(), redactor);
  auto destination = make_side_client(config->destination, config->transfer);
  if (!destination) return report_failure(destination.error(), redactor);
  auto events = open_run_log(*config, "verify", redactor);
  if (!events) return report_failure(events.error(), redactor);

  VerifySettings settings;
  settings.source_bucket = config->source.bucket;
  settings.source_prefix = config->source.prefix;
  settings.destination_bucket = config->destination.bucket;
  settings.destination_prefix = config->destination.prefix;
  settings.deep = options.deep;
  settings.part_size = config->transfer.part_size;
  settings.workers = options.workers > 0 ? options.workers : config->transfer.workers;

  std::optional<ledger::JobId> job;
  if (context->job) job = context->job->id;
  DestinationVerifier verifier(settings, **source, **destination, context->ledger.get(), job, **events);
  auto report = verifier.run();
  (*events)->flush();
  if (!report) {
    return ledger::is_ledger_error(report.error()) ? ledger_failure(report.error(), redactor)
                                                      : report_failure(report.error(), redactor);
  }
  if (options.json) {
    std::cout << redactor.apply(report_json(config->job, *report, (*events)->path())
                                    .dump(-1, ' ', false, Json::error_handler_t::replace))
              << "\n";
  } else {
    std::optional<ledger::JobMode> mode;
    if (context->job) mode = context->job->mode;
    print_text(config->job, mode, *report, (*events)->path(), redactor);
  }
  if (out) *out = *report;
  return report->clean() ? kOk : kIncomplete;
}

void add_verify_command(CLI::App& app, CommandAction& action) {
  auto options = std::make_shared<VerifyOptions>();
  auto* cmd = app.add_subcommand(
      "verify", "check every verified object at the destination; put missing or different ones back in line");
  cmd->add_option("-c,--config", options->config_path, "config file")->capture_default_str();
  cmd->add_flag("--deep", options->deep,
                "read every destination object back and compare its MD5/CRC32C with the source's");
  cmd->add_flag("--json", options->json, "print the report as one JSON object");
  cmd->add_option("--workers", options->workers, "HEADs and reads in flight (default: transfer.workers)")
      ->check(CLI::Range(1, 1024));
  cmd->callback([&action, options] { action = [options] { return run_verify_command(*options); }; });
}

}  // namespace s5j::cli
