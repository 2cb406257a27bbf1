// The fixture the config loader's tests share: a fake environment, a
// minimal valid file and helpers that parse text and return its error.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "config/config.h"
#include "support/test_env.h"

namespace s5j::config {


// EnvLookup is a plain function pointer, so the fake environment is a global
// that each test's fixture resets.
inline std::map<std::string, std::string> g_env;

inline std::optional<std::string> fake_env(const char* name) {
  const auto it = g_env.find(name);
  if (it == g_env.end()) return std::nullopt;
  return it->second;
}

inline constexpr const char* kSrcSecret = "SrcSecret/abc+123xyz";
inline constexpr const char* kDstSecret = "DstSecret/xyz+789abc";

inline const std::string kMinimal =
    "source:\n"
    "  bucket: src-bucket\n"
    "  access_key: AKIASRC\n"
    "  secret_access_key: SrcSecret/abc+123xyz\n"
    "destination:\n"
    "  bucket: dst-bucket\n"
    "  access_key: AKIADST\n"
    "  secret_access_key: DstSecret/xyz+789abc\n";

// Both buckets and nothing else: credentials come from elsewhere.
inline const std::string kNoCredentials = "source:\n  bucket: a\ndestination:\n  bucket: b\n";

inline void write_file(const std::string& path, const std::string& text, mode_t mode = 0600) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }
  ::chmod(path.c_str(), mode);
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = s5j::testing::make_temp_dir("config");
    g_env.clear();
    g_env["HOME"] = dir_;  // no ~/.aws/credentials unless a test writes one
  }
  void TearDown() override {
    g_env.clear();
    std::filesystem::remove_all(dir_);
  }

  static Result<Config> parse(const std::string& text) { return parse_config(text, "config.yaml", fake_env); }

  // Parses `text`, expects a ConfigError and returns its message.
  static std::string error_of(const std::string& text) {
    auto r = parse(text);
    if (r.has_value()) {
      ADD_FAILURE() << "expected an error for:\n" << text;
      return {};
    }
    EXPECT_EQ(r.error().kind, ErrorKind::fatal);
    EXPECT_EQ(r.error().code, "ConfigError");
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << "one line: " << r.error().message;
    return r.error().message;
  }

  // kMinimal with `extra` lines inserted right under "source:" (line 2 on).
  static std::string with_source(const std::string& extra) {
    return "source:\n" + extra + kMinimal.substr(std::string("source:\n").size());
  }
  static std::string with_transfer(const std::string& body) { return kMinimal + "transfer:\n" + body; }

  std::string dir_;
};

#define EXPECT_HAS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

}  // namespace s5j::config
