#include "staging/staging_error.h"

#include <cerrno>
#include <cstring>

namespace s5j::staging {

std::unexpected<Error> staging_error(ErrorKind kind, std::string_view code, std::string message) {
  return make_error(kind, code, std::move(message));
}

std::unexpected<Error> io_error(std::string_view what, std::string_view path, int err) {
  std::string message;
  message.append(what).append(" ").append(path).append(": ").append(std::strerror(err));
  // Disk full is the one I/O failure the caller treats specially: the object
  // can be restaged (elsewhere, or after space is freed).
  if (err == ENOSPC || err == EDQUOT) {
    message += " (free space on the volume or raise staging.reserve)";
    return make_error(ErrorKind::retryable, kDiskFull, std::move(message));
  }
  return make_error(ErrorKind::retryable, kStagingIoError, std::move(message));
}

}  // namespace s5j::staging
