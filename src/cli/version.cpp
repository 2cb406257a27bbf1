#include "cli/version.h"

#include "checksum/md5.h"
#include "http/curl_transport.h"
#include "ledger/open_ledger.h"
#include "s5j_build_version.h"  // generated: cmake/build_version.cmake

namespace s5j::cli {

std::string version_number() { return S5J_VERSION; }
std::string commit_id() { return S5J_COMMIT; }

std::string version_text() {
  return "s5j " + version_number() + "\ncommit " + S5J_COMMIT + "\n" + http::libcurl_version() + ", " +
         std::string(checksum::crypto_library_version()) + ", " + ledger::backend_library_versions();
}

}  // namespace s5j::cli
