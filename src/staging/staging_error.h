// Error codes of the staging layer, and helpers that build them.
//
//   StagingError     fatal: a volume cannot be used (missing, not a
//                    directory, read-only, duplicate) or the job name is
//                    unusable; the message names the path and the fix. The
//                    CLI maps it to the "staging volume problem" exit code.
//   Full             retryable: reserve(fail_fast) found no volume with room.
//   TooLarge         permanent: the object is larger than any volume could
//                    ever hold for this job (usable space even if every file
//                    this job staged there were gone, and the volume limit).
//   Cancelled        retryable: a blocking reserve() was woken by its stop
//                    token.
//   DiskFull         retryable: ENOSPC/EDQUOT while writing a staged file;
//                    the .part was removed and the reservation released.
//   StagingIoError   retryable: any other failed system call on a staged
//                    file or staging directory (message names the path).
//   StagedCorrupt    permanent for that copy: the staged file is shorter
//                    than its recorded size, or (the drain leg's uploader)
//                    its bytes differ from the recorded checksums; restage
//                    it.
//   StagedNotFound   permanent: no staged file for that id.
//   InvalidArgument  permanent: a caller bug (id <= 0, write outside the
//                    file, commit with holes, foreign reservation).
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace s5j::staging {

inline constexpr char kStagingError[] = "StagingError";
inline constexpr char kFull[] = "Full";
inline constexpr char kTooLarge[] = "TooLarge";
inline constexpr char kCancelled[] = "Cancelled";
inline constexpr char kDiskFull[] = "DiskFull";
inline constexpr char kStagingIoError[] = "StagingIoError";
inline constexpr char kStagedCorrupt[] = "StagedCorrupt";
inline constexpr char kStagedNotFound[] = "StagedNotFound";
inline constexpr char kInvalidArgument[] = "InvalidArgument";

std::unexpected<Error> staging_error(ErrorKind kind, std::string_view code, std::string message);

// A failed system call: "<what> <path>: <strerror(err)>". ENOSPC and EDQUOT
// become DiskFull (retryable); everything else StagingIoError (retryable).
std::unexpected<Error> io_error(std::string_view what, std::string_view path, int err);

}  // namespace s5j::staging
