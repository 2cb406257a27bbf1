// `s5j ledger export` end to end: with keys holding commas, quotes,
// newlines, carriage returns, tabs, backslashes, NUL, non-ASCII text and
// bytes that are not UTF-8, the CSV still has exactly one line per object
// plus the header (`wc -l` = objects + 1) and decodes back to the exact
// keys; JSON lines parse one by one and give the exact bytes back; an
// unknown job exports only the header.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "integration/ops_test_support.h"

namespace s5j {
namespace {

using namespace opstest;
using Json = nlohmann::json;
using namespace std::string_literals;

const std::vector<std::string> kHostileKeys = {
    "plain/key.txt",
    "comma,in,key",
    "quote\"in\"key",
    "new\nline",
    "carriage\rreturn\r\n",
    "tab\tkey",
    "back\\slash\\n-not-a-newline",
    " leading and trailing space ",
    "unicode/é/日本語/🙂",
    "nul\0byte"s,
    "bell\x07 and del\x7f",
    "invalid-utf8-\xff\xfe-\xc3",
    "\"",
    ",",
};

int count_lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

// RFC 4180 field splitting of one line, then the documented unescaping.
std::vector<std::string> parse_csv_line(const std::string& line) {
  std::vector<std::string> raw{""};
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') raw.back() += '"', ++i;
      else if (c == '"') quoted = false;
      else raw.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      raw.emplace_back();
    } else {
      raw.back() += c;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quote in: " << line;
  std::vector<std::string> out;
  for (const auto& f : raw) {
    std::string u;
    for (size_t i = 0; i < f.size(); ++i) {
      if (f[i] != '\\') {
        u += f[i];
        continue;
      }
      const char e = f.at(++i);
      if (e == 'n') u += '\n';
      else if (e == 'r') u += '\r';
      else if (e == 't') u += '\t';
      else if (e == '\\') u += '\\';
      else if (e == 'x') u += static_cast<char>(std::stoi(f.substr(i + 1, 2), nullptr, 16)), i += 2;
      else ADD_FAILURE() << "unknown escape \\" << e;
    }
    out.push_back(u);
  }
  return out;
}

class LedgerExport : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ledger = env_.open_ledger();
    job_ = open_job(*ledger, "default", ledger::JobMode::direct);
    add_objects(*ledger, job_, kHostileKeys, 321);
    verify_direct(*ledger, job_, "comma,in,key");
    fail_direct(*ledger, job_, "new\nline", "SlowDown: slow down,\nplease \"now\"");
    // Another job in the same ledger must not appear.
    const JobId other = open_job(*ledger, "other", ledger::JobMode::direct);
    add_objects(*ledger, other, {"not-mine"}, 1);
  }
  OpsEnv env_{"export"};
  JobId job_;
};

TEST_F(LedgerExport, CsvHasOneLinePerObjectAndRoundTripsHostileKeys) {
  auto r = s5j({"ledger", "export", "-c", env_.config, "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.out), static_cast<int>(kHostileKeys.size()) + 1) << r.out;

  std::istringstream lines(r.out);
  std::string line;
  std::getline(lines, line);
  const auto header = parse_csv_line(line);
  ASSERT_EQ(header.front(), "id");
  auto column = [&](const std::string& name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  std::set<std::string> keys;
  while (std::getline(lines, line)) {
    const auto fields = parse_csv_line(line);
    ASSERT_EQ(fields.size(), header.size()) << line;
    const std::string& key = fields[column("key")];
    keys.insert(key);
    EXPECT_EQ(fields[column("size")], "321");
    if (key == "comma,in,key") {
      EXPECT_EQ(fields[column("state")], "verified");
      EXPECT_EQ(fields[column("md5")], "abababababababababababababababab");
      EXPECT_EQ(fields[column("crc32c")], "0badf00d");
      EXPECT_EQ(fields[column("dest_etag")], "dest-etag");
      EXPECT_EQ(fields[column("attempts")], "1");
    } else if (key == "new\nline") {
      EXPECT_EQ(fields[column("state")], "failed");
      EXPECT_EQ(fields[column("last_error")], "SlowDown: slow down,\nplease \"now\"");
      EXPECT_FALSE(fields[column("error_at")].empty());
    } else {
      EXPECT_EQ(fields[column("state")], "pending");
      EXPECT_TRUE(fields[column("md5")].empty());
    }
  }
  EXPECT_EQ(keys, std::set<std::string>(kHostileKeys.begin(), kHostileKeys.end()));
  EXPECT_EQ(keys.count("not-mine"), 0u);
}

TEST_F(LedgerExport, JsonLinesParseOneByOneAndKeepExactKeyBytes) {
  auto r = s5j({"ledger", "export", "-c", env_.config, "--format", "jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.out), static_cast<int>(kHostileKeys.size()));
  std::istringstream lines(r.out);
  std::set<std::string> keys;
  for (std::string line; std::getline(lines, line);) {
    Json j = Json::parse(line);  // throws (fails the test) on a bad line
    std::string key = j["key"];
    if (j.contains("key_base64")) {
      auto bytes = base64_decode(j["key_base64"].get<std::string>());
      ASSERT_TRUE(bytes.has_value());
      key.assign(bytes->begin(), bytes->end());
      EXPECT_NE(j["key"].get<std::string>().find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD
    }
    keys.insert(key);
    if (key == "comma,in,key") {
      EXPECT_EQ(j["crc32c"], "0badf00d");
      EXPECT_EQ(j["state"], "verified");
    }
    if (key == "plain/key.txt") {
      EXPECT_TRUE(j["md5"].is_null());
      EXPECT_TRUE(j["staged_path"].is_null());
      EXPECT_EQ(j["size"], 321);
    }
  }
  EXPECT_EQ(keys, std::set<std::string>(kHostileKeys.begin(), kHostileKeys.end()));
}

TEST_F(LedgerExport, OutputFileIsWrittenWhole) {
  const std::string file = env_.dir + "/ledger.csv";
  auto r = s5j({"ledger", "export", "-c", env_.config, "--output", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(file, std::ios::binary);
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(count_lines(content), static_cast<int>(kHostileKeys.size()) + 1);
  auto stdout_export = s5j({"ledger", "export", "-c", env_.config});
  EXPECT_EQ(content, stdout_export.out);
  for (const auto& e : std::filesystem::directory_iterator(env_.dir))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();

  r = s5j({"ledger", "export", "-c", env_.config, "--output", env_.dir + "/no/such/dir/x.csv"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
}

TEST(LedgerExportEmpty, UnknownJobOrNoLedgerExportsOnlyTheHeader) {
  OpsEnv env("export-empty");
  auto csv = s5j({"ledger", "export", "-c", env.config});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(count_lines(csv.out), 1);
  EXPECT_EQ(csv.out.rfind("id,key,state,size,", 0), 0u) << csv.out;
  EXPECT_FALSE(std::filesystem::exists(env.ledger_path));

  auto ledger = env.open_ledger();
  add_objects(*ledger, open_job(*ledger, "someone-else", ledger::JobMode::direct), {"k"}, 1);
  csv = s5j({"ledger", "export", "-c", env.config});
  EXPECT_EQ(count_lines(csv.out), 1);
  auto jsonl = s5j({"ledger", "export", "-c", env.config, "--format", "jsonl"});
  EXPECT_EQ(jsonl.exit_code, 0);
  EXPECT_TRUE(jsonl.out.empty());

  auto bad = s5j({"ledger", "export", "-c", env.config, "--format", "xml"});
  EXPECT_EQ(bad.exit_code, 2);
}

}  // namespace
}  // namespace s5j
