#include "s3/access_probe.h"

#include <unistd.h>

#include <atomic>
#include <chrono>

#include "s3/s3_error.h"

namespace s5j::s3 {
Status probe_readable(S3Client& client, const std::string& bucket, const std::string& prefix) {
  ListRequest request;
  request.bucket = bucket;
  request.prefix = prefix;
  request.max_keys = 1;
  auto page = client.list_objects(request);
  if (!page) return std::unexpected(page.error());
  return {};
}

std::string write_probe_key(const std::string& prefix) {
  static std::atomic<unsigned> sequence{0};
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return prefix + ".s5j-write-probe-" + std::to_string(::getpid()) + "-" +
         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()) + "-" +
         std::to_string(sequence.fetch_add(1));
}

bool is_write_probe_key(const std::string& prefix, const std::string& key) {
  return key.starts_with(prefix + ".s5j-write-probe-");
}

Status probe_writable(S3Client& client, const std::string& bucket, const std::string& prefix,
                      const PutOptions& landing) {
  if (auto readable = probe_readable(client, bucket, prefix); !readable) return readable;
  const std::string key = write_probe_key(prefix);
  PutOptions options = landing;
  options.metadata = {};  // the objects' metadata is no right of its own
  auto upload = client.create_multipart_upload(bucket, key, options);
  if (!upload) {
    // The server lacks the request, which says nothing about our rights.
    if (is_unsupported_operation(upload.error())) return {};
    return std::unexpected(upload.error());
  }
  // Best effort: an upload left open by a failed abort (or a kill just
  // before it) is swept with the job's orphans (ops/orphan_uploads, which
  // knows the probe's keys) and holds no data.
  (void)client.abort_multipart_upload(bucket, key, *upload);
  return {};
}

}  // namespace s5j::s3
