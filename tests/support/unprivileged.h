// Runs a piece of a test as an unprivileged user, so permission checks
// (an unreadable file) can be tested when the suite runs as root, as CI
// does: root reads any file whatever its mode.
#pragma once

#include <functional>
#include <string>

namespace s5j::testing {

// Calls `fn` in a forked child that has dropped to uid/gid 65534 (nobody)
// when running as root, or directly otherwise, and returns what `fn`
// returned. A failure to fork or drop privileges returns a string starting
// with "run_unprivileged:" so the calling assertion fails with the reason.
std::string run_unprivileged(const std::function<std::string()>& fn);

}  // namespace s5j::testing
