// Finding and checking the staging volumes, before any space accounting.
//
// Volumes are either configured explicitly (staging.volumes) or discovered
// like the original toolset: every existing <pattern>01 ... <pattern>99
// (pattern "/tmp/volume-" by default).
//
// Failure: StagingError (fatal), one line naming the path and the fix.
// Thread safety: free functions with no shared state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace s5j::staging {

// The paths <pattern>01 ... <pattern>99 that exist (of any file type, so a
// stray file with a volume's name is reported by prepare_volume rather than
// silently skipped), in numeric order.
std::vector<std::string> discover_volumes(std::string_view pattern);

// Checks that `volume` exists, is a directory (a symlink to one is fine) and
// is writable, by creating <volume>/s5j-staging/<job> (mode 0700) and a
// probe file in it (created and removed). Writing a file is the only check
// that also holds for root, for whom permission bits do not stop writes but
// a read-only mount does. `discovered` only tailors the hint in the message.
Status prepare_volume(const std::string& volume, std::string_view job, bool discovered);

// The job's volumes: `configured` when not empty, else discover_volumes(
// pattern); each normalized and prepared. Fails when there is none, when one
// fails prepare_volume, or when two entries are the same directory.
Result<std::vector<std::string>> resolve_volumes(const std::vector<std::string>& configured,
                                                 std::string_view pattern, std::string_view job);

}  // namespace s5j::staging
