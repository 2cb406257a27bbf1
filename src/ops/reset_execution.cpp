#include "ops/reset_execution.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "staging/stager.h"

namespace s5j::ops {
namespace {

using ledger::UploadRecord;
using ledger::UploadStatus;

// Keys are raw bytes: shown JSON-quoted so control characters cannot
// garble the terminal.
std::string json_quoted(const std::string& key) {
  return nlohmann::json(key).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

// Aborts the uploads at the destination, finding each upload id's key in
// the destination's own listing (the ledger holds the source key; the
// destination key is the engine's business). Problems are warnings: the
// uploads then stay listed for a later reset or run.
AbortOutcome abort_uploads(const config::Config& config, ledger::TransitionQueue& ledger,
                           const std::vector<UploadRecord>& uploads, const DestinationClientFactory& destination,
                           std::vector<std::string>& warnings) {
  AbortOutcome outcome;
  auto warn = [&](const std::string& what) { warnings.push_back(what); };
  config::TransferConfig quick = config.transfer;
  quick.max_attempts = std::min(quick.max_attempts, 2);  // an unreachable side should not stall the reset
  auto client = destination(quick);
  const std::string left_msg = std::to_string(uploads.size()) +
                               " multipart uploads stay listed in the ledger; run `s5j reset` again once the "
                               "destination is reachable";
  if (!client) {
    warn("no destination client (" + client.error().message + "): " + left_msg);
    outcome.left = uploads.size();
    return outcome;
  }
  const auto& bucket = config.destination.bucket;
  std::map<std::string, std::string> key_of;  // upload id -> key at the destination
  std::string key_marker, id_marker;
  bool complete = false;
  for (int page_count = 0; page_count < 10'000; ++page_count) {
    auto page = (*client)->list_multipart_uploads(bucket, config.destination.prefix, key_marker, id_marker);
    if (!page) {
      warn("cannot list multipart uploads at the destination (" + page.error().describe() + "): " + left_msg);
      outcome.left = uploads.size();
      return outcome;
    }
    for (const auto& u : page->uploads) key_of[u.upload_id] = u.key;
    if (!page->is_truncated) {
      complete = true;
      break;
    }
    if (page->next_key_marker == key_marker && page->next_upload_id_marker == id_marker) break;  // stuck
    key_marker = page->next_key_marker;
    id_marker = page->next_upload_id_marker;
  }
  for (const auto& u : uploads) {
    auto it = key_of.find(u.upload_id);
    if (it == key_of.end()) {
      // Absent from a complete listing: completed, aborted or expired at the
      // destination already. From a partial listing we cannot tell.
      if (!complete) {
        ++outcome.left;
        continue;
      }
      if (auto st = ledger.queue_upload_end(u.ref, UploadStatus::aborted); !st) {
        ++outcome.left;
        continue;
      }
      ++outcome.gone;
      continue;
    }
    if (auto st = (*client)->abort_multipart_upload(bucket, it->second, u.upload_id); !st) {
      warn("could not abort upload " + u.upload_id + " of " + json_quoted(it->second) + " (" + st.error().describe() +
           "); it stays listed in the ledger");
      ++outcome.left;
      continue;
    }
    if (auto st = ledger.queue_upload_end(u.ref, UploadStatus::aborted); !st) {
      ++outcome.left;
      continue;
    }
    ++outcome.aborted;
  }
  if (auto flushed = ledger.flush(); !flushed) {
    warn("aborted uploads could not be recorded (" + flushed.error().message + "); they stay listed in the ledger");
    outcome.left += outcome.aborted + outcome.gone;
    outcome.aborted = outcome.gone = 0;
  }
  return outcome;
}

Result<ResetOutcome> execute_reset(const config::Config& config, JobContext& context, const ResetPlan& plan,
                                   const DestinationClientFactory& destination) {
  ResetOutcome outcome;
  // Staging is opened before the ledger is touched: a volume problem stops
  // the reset with nothing changed.
  std::unique_ptr<staging::Stager> stager;
  if (!plan.volumes.empty()) {
    auto opened = staging::Stager::open(staging_options_for(config));
    if (!opened) return std::unexpected(opened.error());
    stager = std::move(*opened);
  }
  if (plan.job_exists) {
    if (auto st = context.ledger->reset_job(context.job->id); !st) return std::unexpected(st.error());
  }
  if (stager) {
    for (int64_t id : plan.staged_ids) {
      if (auto st = stager->remove(id); !st) return std::unexpected(st.error());
    }
    if (auto st = stager->discard_partials(); !st) return std::unexpected(st.error());
    for (const auto& v : plan.volumes) outcome.removed_files += v.staged_files + v.partial_files;
    for (const auto& v : plan.volumes) outcome.removed_bytes += v.staged_bytes + v.partial_bytes;
    auto rescan = stager->scan();
    if (!rescan) return std::unexpected(rescan.error());
    if (!rescan->complete.empty() || !rescan->partial.empty()) {
      return make_error(
          ErrorKind::fatal, "StagedFilesRemain",
          std::to_string(rescan->complete.size() + rescan->partial.size()) + " staged files of job " + config.job +
              " remain (first: " + (rescan->complete.empty() ? rescan->partial : rescan->complete).front().path +
              "): check the volume is writable, then run reset again");
    }
  }
  if (!plan.uploads.empty())
    outcome.uploads = abort_uploads(config, *context.ledger, plan.uploads, destination, outcome.warnings);
  return outcome;
}

}  // namespace s5j::ops
