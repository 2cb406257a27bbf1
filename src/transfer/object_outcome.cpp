#include "transfer/object_outcome.h"
#include "s3/s3_error_codes.h"
#include "transfer/transfer_error.h"

namespace s5j::transfer {

std::string_view to_string(CopyMethod method) {
  switch (method) {
    case CopyMethod::none: return "none";
    case CopyMethod::put: return "put";
    case CopyMethod::streamed_put: return "streamed-put";
    case CopyMethod::multipart: return "multipart";
    case CopyMethod::server_copy: return "server-copy";
    case CopyMethod::server_multipart_copy: return "server-multipart-copy";
    case CopyMethod::get: return "get";
    case CopyMethod::ranged_get: return "ranged-get";
  }
  return "none";
}

bool is_server_side(CopyMethod method) {
  return method == CopyMethod::server_copy || method == CopyMethod::server_multipart_copy;
}

ObjectOutcome ObjectOutcome::of(OutcomeKind kind, std::string code, const std::string& message) {
  ObjectOutcome out;
  out.kind = kind;
  out.error_code = std::move(code);
  if (!message.empty()) out.update.error = out.error_code + ": " + message;
  return out;
}

ObjectOutcome ObjectOutcome::from_error(const Error& e) {
  // Every part of a run that gives up because it is stopping says Cancelled
  // (the memory budget, the staging space wait, the part pool).
  if (e.code == kCancelled) return of(OutcomeKind::cancelled, e.code, "stopping");
  return of(OutcomeKind::failed, e.code, e.message);
}

ObjectOutcome ObjectOutcome::from_source_error(const Error& e) {
  if (e.code == s3::kNoSuchKey) return of(OutcomeKind::vanished, e.code, e.message);
  if (e.code == s3::kPreconditionFailed || e.code == kSizeChanged) return of(OutcomeKind::changed, e.code, e.message);
  return from_error(e);
}

ObjectOutcome with_progress(ObjectOutcome bad, const ObjectOutcome& so_far) {
  bad.method = so_far.method;
  bad.bytes_uploaded = so_far.bytes_uploaded;
  bad.bytes_downloaded = so_far.bytes_downloaded;
  return bad;
}

}  // namespace s5j::transfer
