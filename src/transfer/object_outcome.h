// ObjectOutcome: what moving one object came to, for every leg of every
// run (the direct copy, the relay's stage and drain legs). The leg that
// moved the object turns it into ledger transitions and events; the run
// driver handles the kinds every leg shares (cancelled, failed, vanished).
//
// Kinds and copy methods are enums: nothing in transfer/ compares an
// outcome or a method with a string. to_string(CopyMethod) is the name the
// event log shows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "ledger/ledger.h"

namespace s5j::transfer {

enum class OutcomeKind {
  verified,   // at the destination, proven equal to the source bytes
  staged,     // on a staging volume, proven equal to the bytes read
  failed,     // gave up for now (update.error says why); retried on a later run
  vanished,   // the source object no longer exists
  changed,    // the source object changed since it was listed
  cancelled,  // stopping: nothing recorded, hand the object back
  corrupt,    // the staged copy differs from the source bytes: fetch it again
  missing,    // no staged copy found: fetch it again
};

enum class CopyMethod {
  none,                   // nothing was sent (yet)
  put,                    // one PUT from a buffer, Content-MD5
  streamed_put,           // one PUT streamed, the source's MD5 as Content-MD5
  multipart,              // a multipart upload, parts in parallel
  server_copy,            // CopyObject
  server_multipart_copy,  // UploadPartCopy
  get,                    // staging: one GET into the staged file
  ranged_get,             // staging: ranged GETs in parallel
};

// "put", "streamed-put", "multipart", "server-copy", "server-multipart-copy",
// "get", "ranged-get" ("none" for none).
std::string_view to_string(CopyMethod method);
bool is_server_side(CopyMethod method);

struct ObjectOutcome {
  OutcomeKind kind = OutcomeKind::failed;
  ledger::ObjectUpdate update;                        // checksums, destination ETag, staged copy, error
  std::optional<ledger::UploadRef> completed_upload;  // queue its end with the transition
  uint64_t bytes_uploaded = 0;                        // payload bytes sent to the destination
  uint64_t bytes_downloaded = 0;                      // payload bytes read from the source
  CopyMethod method = CopyMethod::none;
  std::string proof;       // how the bytes were proven, for the log
  std::string error_code;  // stable code, when not verified or staged

  // `kind` with `code`; update.error = "code: message" when there is a message.
  static ObjectOutcome of(OutcomeKind kind, std::string code = {}, const std::string& message = {});
  // An error of this run: stopping (Cancelled) → cancelled, else failed.
  static ObjectOutcome from_error(const Error& e);
  // An error reading the source: deleted → vanished, changed since it was
  // listed (PreconditionFailed, SizeChanged) → changed, else as from_error.
  static ObjectOutcome from_source_error(const Error& e);
};

// `bad`, keeping the method and bytes `so_far` had moved (for the log).
ObjectOutcome with_progress(ObjectOutcome bad, const ObjectOutcome& so_far);

}  // namespace s5j::transfer
