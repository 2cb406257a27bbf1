// `s5j --version`: the version, the commit, and the linked libraries.
#include "cli/version.h"

#include <gtest/gtest.h>

#include <regex>

namespace s5j::cli {
namespace {

TEST(Version, NamesTheVersionTheCommitAndTheLinkedLibraries) {
  const std::string number = version_number();
  // 0.1.0, 0.2.0+5.gabc, 0.1.0+git.1a2b3c4d5e6f.dirty, or a package's.
  EXPECT_TRUE(std::regex_match(number, std::regex(R"([0-9]+\.[0-9]+\.[0-9]+[-+.~0-9A-Za-z]*)"))) << number;
  const std::string text = version_text();
  EXPECT_TRUE(text.starts_with("s5j " + number + "\ncommit ")) << text;
  EXPECT_TRUE(std::regex_search(text, std::regex(R"(\ncommit ([0-9a-f]{40}|unknown)\n)"))) << text;
  for (const char* library : {"libcurl 7.", "OpenSSL 3.", "SQLite 3."})
    EXPECT_NE(text.find(library), std::string::npos) << library << " missing from:\n" << text;
}

}  // namespace
}  // namespace s5j::cli
