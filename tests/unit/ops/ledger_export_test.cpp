// Ledger export rows: one line per object whatever its key holds, CSV
// fields quoted and escaped so that commas, quotes and newlines in keys
// neither split nor join lines.
#include "ops/ledger_export.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "unit/ops/ops_fixture.h"

namespace s5j::ops {
namespace {

using testing::OpsTest;

size_t lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

TEST(CsvField, QuotesCommasQuotesAndEdgeSpacesEscapesControlBytes) {
  EXPECT_EQ(csv_field("plain/key.txt"), "plain/key.txt");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field(" lead"), "\" lead\"");
  EXPECT_EQ(csv_field("line1\nline2\r\tend"), "\"line1\\nline2\\r\\tend\"");
  EXPECT_EQ(csv_field("back\\slash"), "\"back\\\\slash\"");
  EXPECT_EQ(csv_field(std::string("bell\x07", 5)), "\"bell\\x07\"");
  EXPECT_EQ(csv_field("\xff"), "\"\\xFF\"");  // not UTF-8: byte escaped
  EXPECT_EQ(csv_field("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(Utf8, RejectsOverlongsSurrogatesAndTruncation) {
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));      // cut short
}

class LedgerExportRows : public OpsTest {};

TEST_F(LedgerExportRows, HostileKeysGiveExactlyOneLinePerObject) {
  auto context = open_context();
  auto& l = *context.ledger;
  const auto job = context.job->id;
  const std::vector<std::string> keys = {"in/a,b", "in/\"quoted\"", "in/multi\nline\r\nkey", "in/\xff\xfe",
                                         "in/plain"};
  for (const auto& k : keys) list(l, job, k, 3);
  std::string csv = export_csv_header(), jsonl;
  ASSERT_TRUE(ledger::for_each_object(l, job, [&](const ledger::ObjectRecord& r) -> Status {
                csv += export_csv_line(r);
                jsonl += export_jsonl_line(r);
                return {};
              }).has_value());
  EXPECT_EQ(lines(csv), keys.size() + 1);
  EXPECT_EQ(lines(jsonl), keys.size());
  EXPECT_NE(csv.find(",\"in/a,b\",pending,3,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\"in/\"\"quoted\"\"\",pending,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\"in/multi\\nline\\r\\nkey\",pending,"), std::string::npos) << csv;  // escaped, so quoted
  EXPECT_NE(csv.find(",\"in/\\xFF\\xFE\",pending,"), std::string::npos) << csv;
  // The key that is not UTF-8 keeps its exact bytes in key_base64.
  EXPECT_NE(jsonl.find("\"key_base64\":\"aW4v//4=\""), std::string::npos) << jsonl;
}

TEST_F(LedgerExportRows, EveryLineHasTheHeadersColumnCount) {
  auto context = open_context();
  list(*context.ledger, context.job->id, "in/k", 1);
  const std::string header = export_csv_header();
  const std::string line = export_csv_line(get(*context.ledger, context.job->id, "in/k"));
  EXPECT_EQ(std::count(header.begin(), header.end(), ','), std::count(line.begin(), line.end(), ','));
  EXPECT_TRUE(header.starts_with("id,key,state,size,"));
}

}  // namespace
}  // namespace s5j::ops
