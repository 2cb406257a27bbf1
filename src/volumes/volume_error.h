// Every failure of the volumes layer is a StagingError (fatal): one line
// naming the device or path and the fix; the CLI exits 11 for it.
#pragma once

#include <string>

#include "staging/staging_error.h"

namespace s5j::volumes {

inline std::unexpected<Error> volume_error(std::string message) {
  return staging::staging_error(ErrorKind::fatal, staging::kStagingError, std::move(message));
}

}  // namespace s5j::volumes
