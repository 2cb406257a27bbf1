// `s5j ledger export`'s lines: a verified object's staged file is deleted
// once `verified` is durable, so the export shows no staged copy for it
// (while the ledger still keeps one); objects whose staged copy exists show
// it. The CSV header keeps its columns.
#include "ops/ledger_export.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace s5j::ops {
namespace {

using ledger::ObjectRecord;
using ledger::ObjectState;

ObjectRecord staged_record(ObjectState state) {
  ObjectRecord r;
  r.id = ledger::ObjectId{7};
  r.key = "data/file.bin";
  r.size = 100;
  r.state = state;
  r.attempts = 1;
  r.crc32c = 0x2a;
  r.staged = ledger::StagedCopy{"vol-1", "/mnt/vol-1/s5j/job/7", 100, std::nullopt, 0x2a, "", "host-1"};
  return r;
}

std::vector<std::string> split(const std::string& line) {  // no quoted fields in these records
  std::vector<std::string> out{""};
  for (char c : line) {
    if (c == ',') out.emplace_back();
    else if (c != '\n') out.back() += c;
  }
  return out;
}

size_t column(const std::string& name) {
  const auto header = split(export_csv_header());
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  ADD_FAILURE() << "no column " << name;
  return 0;
}

const std::vector<std::string> kStagedColumns = {"staged_volume", "staged_path", "staged_size", "staged_md5",
                                                 "staged_crc32c", "staged_host"};

TEST(LedgerExport, HeaderKeepsItsColumns) {
  EXPECT_EQ(export_csv_header(),
            "id,key,state,size,source_etag,source_last_modified,dest_etag,md5,crc32c,attempts,last_error,error_at,"
            "staged_volume,staged_path,staged_size,staged_md5,staged_crc32c,staged_host,lease_owner,lease_expires,"
            "created_at,updated_at\n");
}

TEST(LedgerExport, VerifiedObjectShowsNoStagedCopy) {
  const ObjectRecord r = staged_record(ObjectState::verified);
  const auto fields = split(export_csv_line(r));
  ASSERT_EQ(fields.size(), split(export_csv_header()).size());
  EXPECT_EQ(fields[column("state")], "verified");
  EXPECT_EQ(fields[column("crc32c")], "0000002a");
  for (const auto& c : kStagedColumns) EXPECT_EQ(fields[column(c)], "") << c;

  const auto json = nlohmann::json::parse(export_jsonl_line(r));
  for (const auto& c : kStagedColumns) EXPECT_TRUE(json.at(c).is_null()) << c;
}

TEST(LedgerExport, ExistingStagedCopyIsShown) {
  for (ObjectState state : {ObjectState::staged, ObjectState::uploading, ObjectState::failed}) {
    const ObjectRecord r = staged_record(state);
    const auto fields = split(export_csv_line(r));
    EXPECT_EQ(fields[column("staged_volume")], "vol-1");
    EXPECT_EQ(fields[column("staged_path")], "/mnt/vol-1/s5j/job/7");
    EXPECT_EQ(fields[column("staged_size")], "100");
    EXPECT_EQ(fields[column("staged_crc32c")], "0000002a");
    EXPECT_EQ(fields[column("staged_host")], "host-1");
    const auto json = nlohmann::json::parse(export_jsonl_line(r));
    EXPECT_EQ(json.at("staged_path"), "/mnt/vol-1/s5j/job/7");
    EXPECT_EQ(json.at("staged_host"), "host-1");
  }
}

}  // namespace
}  // namespace s5j::ops
