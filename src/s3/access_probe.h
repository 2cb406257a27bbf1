// Access probes: can this client do a leg's work on its side, asked before
// the first byte moves (a relay must never stage for a destination that
// refuses it, nor start a drain it cannot finish).
//
//   probe_readable   one ListObjects page of at most one key under the
//                    prefix: endpoint, credentials, bucket and list right
//   probe_writable   probe_readable, then CreateMultipartUpload of a probe
//                    key under the prefix and its AbortMultipartUpload: the
//                    write right where the bucket policy applies it (a
//                    multipart upload leaves no object behind, even in a
//                    versioned bucket), with the landing's headers
//                    (storage class, encryption, tags, ACL): a bucket
//                    policy that demands encryption, or a storage class the
//                    server lacks, refuses the probe as it would every write
//
// Both return the request's Error unchanged (code, status, endpoint), so
// exit codes follow from it as for any other request. A server that does
// not implement the probe's request (501, 405) is not refused: the probe
// proves what it can. Thread-safe as the S3Client is.
#pragma once

#include <string>

#include "base/error.h"
#include "s3/s3_client.h"

namespace s5j::s3 {

Status probe_readable(S3Client& client, const std::string& bucket, const std::string& prefix);
Status probe_writable(S3Client& client, const std::string& bucket, const std::string& prefix,
                      const PutOptions& landing = {});

// The key probe_writable creates its upload under: `prefix` +
// ".s5j-write-probe-" + a unique suffix (for the orphan sweep and for
// operators reading a server's log).
std::string write_probe_key(const std::string& prefix);
// Whether `key` is one write_probe_key(prefix) makes (any process's).
bool is_write_probe_key(const std::string& prefix, const std::string& key);

}  // namespace s5j::s3
