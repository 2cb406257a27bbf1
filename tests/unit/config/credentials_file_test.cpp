#include "config/credentials_file.h"

#include <gtest/gtest.h>

namespace s5j::config {
namespace {

TEST(ParseSharedCredentials, ReadsProfiles) {
  const auto profiles = parse_shared_credentials(
      "# comment\n"
      "[default]\n"
      "aws_access_key_id = AKIADEFAULT\n"
      "aws_secret_access_key=default/secret+key\r\n"
      "\n"
      "; another comment\n"
      "[ snowball ]\n"
      "AWS_ACCESS_KEY_ID = AKIASNOW\n"
      "aws_secret_access_key = snow secret with spaces \n"
      "aws_session_token = TOKEN==\n"
      "region = snow\n"
      "s3 =\n"
      "  aws_access_key_id = NESTED_NOT_A_KEY\n");
  ASSERT_EQ(profiles.size(), 2u);
  EXPECT_EQ(profiles.at("default").access_key, "AKIADEFAULT");
  EXPECT_EQ(profiles.at("default").secret_access_key, "default/secret+key");
  EXPECT_EQ(profiles.at("default").session_token, "");
  EXPECT_EQ(profiles.at("snowball").access_key, "AKIASNOW");
  EXPECT_EQ(profiles.at("snowball").secret_access_key, "snow secret with spaces");
  EXPECT_EQ(profiles.at("snowball").session_token, "TOKEN==");
}

TEST(ParseSharedCredentials, IgnoresKeysOutsideProfilesAndBrokenHeaders) {
  const auto profiles = parse_shared_credentials(
      "aws_access_key_id = ORPHAN\n"
      "[broken\n"
      "aws_access_key_id = LOST\n"
      "[ok]\n"
      "aws_access_key_id = OK\n");
  ASSERT_EQ(profiles.size(), 1u);
  EXPECT_EQ(profiles.at("ok").access_key, "OK");
  EXPECT_TRUE(parse_shared_credentials("").empty());
}

}  // namespace
}  // namespace s5j::config
