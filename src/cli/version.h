// What `s5j --version` prints: the version (from `git describe` at build
// time, or the package's), the commit, and the libraries as linked.
#pragma once

#include <string>

namespace s5j::cli {

// "s5j 0.1.0+git.1a2b3c4d5e6f\ncommit 1a2b…\nlibcurl 7.88.1 (OpenSSL/3.0.15),
// OpenSSL 3.0.15 3 Sep 2024, SQLite 3.40.1"
std::string version_text();
// The first part alone ("0.1.0+git.1a2b3c4d5e6f"), for run records and logs.
std::string version_number();
// The commit it was built from (or "unknown"), for s5j_build_info.
std::string commit_id();

}  // namespace s5j::cli
