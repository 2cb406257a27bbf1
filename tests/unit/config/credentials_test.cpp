// Credentials resolution (config, profile, environment, shared credentials
// file) and that no message ever contains a secret.
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "config_test_fixture.h"

namespace s5j::config {
namespace {

// --- Credentials ------------------------------------------------------------

TEST_F(ConfigTest, CredentialsFromTheEnvironment) {
  g_env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  g_env["AWS_SECRET_ACCESS_KEY"] = "EnvSecret";
  g_env["AWS_SESSION_TOKEN"] = "EnvToken";
  auto r = parse(kNoCredentials);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  for (const SideConfig* side : {&r->source, &r->destination}) {
    EXPECT_EQ(side->access_key, "AKIAENV");
    EXPECT_EQ(side->secret_access_key, "EnvSecret");
    EXPECT_EQ(side->session_token, "EnvToken");
    EXPECT_EQ(side->credentials_origin, "environment");
  }
}

TEST_F(ConfigTest, ConfigCredentialsBeatTheEnvironment) {
  g_env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  g_env["AWS_SECRET_ACCESS_KEY"] = "EnvSecret";
  auto r = parse(
      "source:\n  bucket: a\n  access_key: AK\n  secret_access_key: CfgSecret\n  session_token: T\n"
      "destination:\n  bucket: b\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->source.credentials_origin, "config");
  EXPECT_EQ(r->source.secret_access_key, "CfgSecret");
  EXPECT_EQ(r->source.session_token, "T");
  EXPECT_EQ(r->destination.credentials_origin, "environment");
  EXPECT_EQ(r->destination.session_token, "");
}

TEST_F(ConfigTest, CredentialsFromTheDefaultProfileUnderHome) {
  std::filesystem::create_directories(dir_ + "/.aws");
  write_file(dir_ + "/.aws/credentials",
             "[default]\naws_access_key_id = AKIAPROF\naws_secret_access_key = ProfSecret\n");
  auto r = parse(kNoCredentials);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->source.access_key, "AKIAPROF");
  EXPECT_EQ(r->source.secret_access_key, "ProfSecret");
  EXPECT_EQ(r->source.credentials_origin, "profile default");
  EXPECT_EQ(r->source.profile, "default");
}

TEST_F(ConfigTest, ProfileKeyAndAwsProfileChooseTheProfile) {
  const std::string file = dir_ + "/creds";
  write_file(file,
             "[default]\naws_access_key_id = AKIADEF\naws_secret_access_key = DefSecret\n"
             "[snow]\naws_access_key_id = AKIASNOW\naws_secret_access_key = SnowSecret\naws_session_token = ST\n"
             "[cloud]\naws_access_key_id = AKIACLOUD\naws_secret_access_key = CloudSecret\n");
  g_env["AWS_SHARED_CREDENTIALS_FILE"] = file;
  g_env["AWS_PROFILE"] = "cloud";
  auto r = parse("source:\n  bucket: a\n  profile: snow\ndestination:\n  bucket: b\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->source.access_key, "AKIASNOW");
  EXPECT_EQ(r->source.session_token, "ST");
  EXPECT_EQ(r->source.credentials_origin, "profile snow");
  EXPECT_EQ(r->destination.access_key, "AKIACLOUD");
  EXPECT_EQ(r->destination.credentials_origin, "profile cloud");
}

TEST_F(ConfigTest, ExplicitProfileKeyBeatsTheEnvironment) {
  const std::string file = dir_ + "/creds";
  write_file(file, "[snow]\naws_access_key_id = AKIASNOW\naws_secret_access_key = SnowSecret\n");
  g_env["AWS_SHARED_CREDENTIALS_FILE"] = file;
  g_env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  g_env["AWS_SECRET_ACCESS_KEY"] = "EnvSecret";
  auto r = parse("source:\n  bucket: a\n  profile: snow\ndestination:\n  bucket: b\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->source.credentials_origin, "profile snow");
  EXPECT_EQ(r->destination.credentials_origin, "environment");
}

TEST_F(ConfigTest, MissingCredentialsNameTheThreeWays) {
  const std::string msg = error_of(kNoCredentials);
  EXPECT_HAS(msg, "config.yaml:1: source: no credentials found");
  EXPECT_HAS(msg, "access_key and secret_access_key under source");
  EXPECT_HAS(msg, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  EXPECT_HAS(msg, dir_ + "/.aws/credentials");
  EXPECT_HAS(msg, "AWS_PROFILE");
}

TEST_F(ConfigTest, ChosenProfileThatIsMissingIsAnError) {
  const std::string file = dir_ + "/creds";
  write_file(file, "[default]\naws_access_key_id = A\naws_secret_access_key = S\n[half]\naws_access_key_id = A\n");
  g_env["AWS_SHARED_CREDENTIALS_FILE"] = file;
  EXPECT_HAS(error_of("source:\n  bucket: a\n  profile: nope\ndestination:\n  bucket: b\n"),
             "source: profile 'nope' (from source.profile) is not in " + file + " (it has: default, half)");
  EXPECT_HAS(error_of("source:\n  bucket: a\n  profile: half\ndestination:\n  bucket: b\n"),
             "needs both aws_access_key_id and aws_secret_access_key");
  g_env["AWS_PROFILE"] = "gone";
  EXPECT_HAS(error_of(kNoCredentials), "profile 'gone' (from AWS_PROFILE) is not in");
  g_env["AWS_SHARED_CREDENTIALS_FILE"] = dir_ + "/nothing-here";
  EXPECT_HAS(error_of(kNoCredentials), "profile 'gone' (from AWS_PROFILE) cannot be read");
}

TEST_F(ConfigTest, IncompleteCredentialsAreErrors) {
  EXPECT_HAS(error_of("source:\n  bucket: a\n  access_key: A\ndestination:\n  bucket: b\n"),
             "source.access_key is set but source.secret_access_key is not");
  EXPECT_HAS(error_of("source:\n  bucket: a\n  secret_access_key: S\ndestination:\n  bucket: b\n"),
             "source.secret_access_key is set but source.access_key is not");
  EXPECT_HAS(error_of("source:\n  bucket: a\n  session_token: T\ndestination:\n  bucket: b\n"),
             "source.session_token only works together with access_key");
  EXPECT_HAS(error_of(with_source("  profile: p\n")), "sets both profile and access_key");
  g_env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  EXPECT_HAS(error_of(kNoCredentials), "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
}

// --- Secrets never leak -------------------------------------------------------

TEST_F(ConfigTest, NoErrorMessageContainsASecret) {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRET";
  const std::string cases[] = {
      "source:\n  bucket: a\n  secret_access_key: [" + secret + "]\n",
      "source:\n  bucket: a\n  secret_access_key: {k: " + secret + "}\n",
      "source:\n  bucket: a\n  secret_key:\n    - " + secret + "\n",
      "source:\n  bucket: a\n  session_token: [" + secret + "]\n",
      "source:\n  bucket: a\n  secret_access_key: " + secret + "\n  secret_access_key: " + secret + "\n",
      "source:\n  bucket: a\n  secret_acess_key: " + secret + "\n",
      "source:\n  bucket: a\n  secret_access_key: " + secret + "\ndestination:\n  bucket: b\n",
      "source:\n  bucket: a\n  access_key: A\n  secret_access_key: " + secret + "\n  region: " + secret + "\n",
      "source:\n  bucket: a\n  access_key: A\n  secret_access_key: " + secret + "\n  bucket_prefix: /" + secret + "\n",
      "source:\n  bucket: a\n  endpoint_urls: https://AKIA:" + secret + "@s3.lan\n",
      "source:\n  bucket: a\n  endpoint_urls: AKIA:" + secret + "@s3.lan\n",
      "source:\n  bucket: a\n  proxy: ftp://u:" + secret + "@proxy.lan\n",
      "source:\n  bucket: a\n  proxy: u:" + secret + "@proxy.lan\n",
      "ledger:\n  postgres_url: mysql://u:" + secret + "@db\n",
      "ledger:\n  postgres_url: [" + secret + "]\n",
      "source:\n  bucket: a\n  access_key: A\n  secret_access_key: " + secret + "\n  workers: 1\n",
      "source:\n  bucket: a\n  access_key: A\n  secret_access_key: " + secret + "\ndestination: " + secret + "\n",
  };
  for (const std::string& text : cases) {
    const std::string msg = error_of(text);
    EXPECT_FALSE(msg.empty());
    EXPECT_EQ(msg.find(secret), std::string::npos) << "leaked in: " << msg;
    EXPECT_EQ(msg.find("wJalrXUtnFEMI"), std::string::npos) << "partly leaked in: " << msg;
  }
}

TEST_F(ConfigTest, NoErrorMessageContainsAnEnvironmentOrProfileSecret) {
  g_env["AWS_SECRET_ACCESS_KEY"] = "EnvOnlySecret123";
  EXPECT_EQ(error_of(kNoCredentials).find("EnvOnlySecret123"), std::string::npos);
  const std::string file = dir_ + "/creds";
  write_file(file, "[p]\naws_secret_access_key = ProfOnlySecret456\n");
  g_env.erase("AWS_SECRET_ACCESS_KEY");
  g_env["AWS_SHARED_CREDENTIALS_FILE"] = file;
  g_env["AWS_PROFILE"] = "p";
  EXPECT_EQ(error_of(kNoCredentials).find("ProfOnlySecret456"), std::string::npos);
}

}  // namespace
}  // namespace s5j::config
