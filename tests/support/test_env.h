// Where the integration tests find their servers and the s5j binary.
// Defaults are compiled in by tests/CMakeLists.txt (the ports the "rgw"
// ctest fixture starts Ceph RGW on); the environment variables of the same
// names override them.
#pragma once

#include <string>

namespace s5j::testing {

std::string endpoint_a();  // S5J_TEST_ENDPOINT_A: first RGW (http://127.0.0.1:17480)
std::string endpoint_b();  // S5J_TEST_ENDPOINT_B: second, independent RGW
std::string access_key();  // S5J_TEST_ACCESS_KEY
std::string secret_key();  // S5J_TEST_SECRET_KEY
// A second user on both gateways (tools/test-servers.sh creates it) with no
// rights of its own: tests grant it what they need with bucket policies.
// uid s5j-limited, access key LIMITEDACCESSKEY0001, secret
// limitedsecretkey0000000000000000000000001.
std::string limited_access_key();  // S5J_TEST_LIMITED_ACCESS_KEY
std::string limited_secret_key();  // S5J_TEST_LIMITED_SECRET_KEY
std::string limited_user_arn();    // "arn:aws:iam:::user/s5j-limited", for bucket policies
// The PostgreSQL of fixture "postgres" (tools/test-postgres.sh): a URL
// with the test role's password, and the server's directory and port (the
// reconnect tests stop and start it).
std::string postgres_url();   // S5J_TEST_POSTGRES_URL
std::string postgres_dir();   // S5J_TEST_POSTGRES_DIR
std::string postgres_port();  // S5J_TEST_POSTGRES_PORT
std::string s5j_binary();  // S5J_BINARY: the built s5j executable
std::string source_dir();  // S5J_SOURCE_DIR: the project checkout

// A bucket name unique to this process and call ("s5j-test-<tag>-<pid>-<n>").
std::string unique_bucket_name(const std::string& tag);

// A fresh empty directory under /tmp, unique to this process and call.
std::string make_temp_dir(const std::string& tag);

}  // namespace s5j::testing
