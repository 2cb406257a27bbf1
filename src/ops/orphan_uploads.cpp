#include "ops/orphan_uploads.h"

#include "s3/access_probe.h"

#include <set>
#include <vector>

namespace s5j::ops {

Result<uint64_t> abort_orphan_uploads(s3::S3Client& destination, const std::string& bucket, const std::string& prefix,
                                      const std::string& source_prefix, ledger::Ledger& ledger, ledger::JobId job,
                                      log::EventLog& events) {
  std::vector<s3::MultipartUploadInfo> listed;
  std::string key_marker, id_marker;
  for (int page = 0; page < 10'000; ++page) {  // bounded: 10 million uploads
    auto uploads = destination.list_multipart_uploads(bucket, prefix, key_marker, id_marker);
    if (!uploads) return std::unexpected(uploads.error());
    for (auto& u : uploads->uploads)
      if (u.key.starts_with(prefix)) listed.push_back(std::move(u));
    if (!uploads->is_truncated || uploads->next_key_marker.empty()) break;
    key_marker = uploads->next_key_marker;
    id_marker = uploads->next_upload_id_marker;
  }
  if (listed.empty()) return uint64_t{0};
  auto known = ledger.open_uploads(job);
  if (!known) return std::unexpected(known.error());
  std::set<std::string> known_ids;
  for (const auto& u : *known) known_ids.insert(u.upload_id);
  uint64_t aborted = 0;
  for (const auto& u : listed) {
    if (known_ids.count(u.upload_id)) continue;
    // A write probe's upload (access_probe.h) is ours whatever its key: a
    // process killed between the probe's create and abort leaves it open.
    const bool probe = s3::is_write_probe_key(prefix, u.key);
    if (!probe) {
      auto record = ledger.find_object(job, source_prefix + u.key.substr(prefix.size()));
      if (!record) return std::unexpected(record.error());
      if (!*record) continue;  // not a key of this job: another writer's
    }
    if (auto a = destination.abort_multipart_upload(bucket, u.key, u.upload_id); !a) return std::unexpected(a.error());
    events.emit("orphan_upload_aborted", {{"key", u.key}, {"upload_id", u.upload_id}, {"write_probe", probe}});
    ++aborted;
  }
  return aborted;
}

void sweep_orphan_uploads(s3::S3Client& destination, const config::Config& config, ledger::Ledger& ledger,
                          log::EventLog& events) {
  auto job = ledger.find_job(config.job);
  if (!job || !*job) return;
  auto swept = abort_orphan_uploads(destination, config.destination.bucket, config.destination.prefix,
                                    config.source.prefix, ledger, (**job).id, events);
  if (!swept) events.emit("orphan_sweep_failed", {{"error", swept.error().message}});
}

}  // namespace s5j::ops
