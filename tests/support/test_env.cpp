#include "support/test_env.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

namespace s5j::testing {
namespace {
std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? std::string(v) : std::string(fallback);
}
std::atomic<int> counter{0};
}  // namespace

std::string endpoint_a() { return env_or("S5J_TEST_ENDPOINT_A", S5J_TEST_ENDPOINT_A); }
std::string endpoint_b() { return env_or("S5J_TEST_ENDPOINT_B", S5J_TEST_ENDPOINT_B); }
std::string access_key() { return env_or("S5J_TEST_ACCESS_KEY", S5J_TEST_ACCESS_KEY); }
std::string secret_key() { return env_or("S5J_TEST_SECRET_KEY", S5J_TEST_SECRET_KEY); }
std::string limited_access_key() { return env_or("S5J_TEST_LIMITED_ACCESS_KEY", "LIMITEDACCESSKEY0001"); }
std::string limited_secret_key() {
  return env_or("S5J_TEST_LIMITED_SECRET_KEY", "limitedsecretkey0000000000000000000000001");
}
std::string limited_user_arn() { return "arn:aws:iam:::user/s5j-limited"; }
std::string postgres_url() { return env_or("S5J_TEST_POSTGRES_URL", S5J_TEST_POSTGRES_URL); }
std::string postgres_dir() { return env_or("S5J_TEST_POSTGRES_DIR", S5J_TEST_POSTGRES_DIR); }
std::string postgres_port() { return env_or("S5J_TEST_POSTGRES_PORT", S5J_TEST_POSTGRES_PORT); }
std::string s5j_binary() { return env_or("S5J_BINARY", S5J_BINARY); }
std::string source_dir() { return env_or("S5J_SOURCE_DIR", S5J_SOURCE_DIR); }

std::string unique_bucket_name(const std::string& tag) {
  return "s5j-test-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

std::string make_temp_dir(const std::string& tag) {
  auto dir = std::filesystem::temp_directory_path() /
             ("s5j-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace s5j::testing
