#include "staging/staging_layout.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>

#include "staging/staging_error.h"
#include "unit/staging/staging_test_util.h"

namespace s5j::staging {
namespace {

using testing::code_of;

TEST(StagingLayout, PathsAreVolumeJobShardId) {
  EXPECT_EQ(staging_root("/tmp/volume-01"), "/tmp/volume-01/s5j-staging");
  EXPECT_EQ(job_dir("/tmp/volume-01/", "nightly"), "/tmp/volume-01/s5j-staging/nightly");
  EXPECT_EQ(shard_name(1), "001");
  EXPECT_EQ(shard_name(123456), "456");
  EXPECT_EQ(staged_path("/tmp/volume-01", "nightly", 123456), "/tmp/volume-01/s5j-staging/nightly/456/123456");
  EXPECT_EQ(part_path("/tmp/volume-01", "nightly", 7), "/tmp/volume-01/s5j-staging/nightly/007/7.part");
  EXPECT_EQ(staged_path("/", "j", 1000), "/s5j-staging/j/000/1000");
}

TEST(StagingLayout, JobNamesThatCouldEscapeAreRejected) {
  for (const char* bad : {"", ".", "..", "../etc", "a/b", "/abs", "with space", "tab\t"}) {
    auto r = validate_job_name(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(code_of(r), kStagingError);
    EXPECT_EQ(r.error().kind, ErrorKind::fatal);
  }
  EXPECT_FALSE(validate_job_name(std::string("nul\0x", 5)).has_value());
  EXPECT_FALSE(validate_job_name(std::string(129, 'a')).has_value());
  for (const char* good : {"default", "job-2024.01_x", "...", "a"}) EXPECT_TRUE(validate_job_name(good)) << good;
}

TEST(StagingLayout, NonPositiveIdsAreRejected) {
  EXPECT_FALSE(validate_id(0).has_value());
  EXPECT_FALSE(validate_id(-5).has_value());
  EXPECT_EQ(code_of(validate_id(std::numeric_limits<int64_t>::min())), kInvalidArgument);
  EXPECT_TRUE(validate_id(1).has_value());
}

// Whatever the id, the path stays one plain file name below the job's
// shard directory, and parses back to the same id.
TEST(StagingLayout, IdsNeverEscapeTheJobDirectory) {
  std::mt19937_64 rng(42);
  std::vector<int64_t> ids = {1, 9, 10, 999, 1000, 1001, std::numeric_limits<int64_t>::max()};
  for (int i = 0; i < 2000; ++i) ids.push_back(static_cast<int64_t>(rng() >> 1) | 1);
  const std::string prefix = job_dir("/v", "job") + "/";
  for (int64_t id : ids) {
    const std::string path = staged_path("/v", "job", id);
    ASSERT_TRUE(path.starts_with(prefix)) << path;
    const std::string rest = path.substr(prefix.size());  // "<shard>/<id>"
    ASSERT_EQ(rest.find('/'), 3u) << path;
    EXPECT_EQ(rest.find(".."), std::string::npos) << path;
    const auto parsed = parse_staged_name(rest.substr(0, 3), rest.substr(4));
    ASSERT_TRUE(parsed.has_value()) << path;
    EXPECT_EQ(parsed->id, id);
    EXPECT_FALSE(parsed->part);
    const auto part = parse_staged_name(shard_name(id), std::to_string(id) + ".part");
    ASSERT_TRUE(part.has_value());
    EXPECT_TRUE(part->part);
  }
}

TEST(StagingLayout, OnlyCanonicalNamesInTheRightShardParse) {
  EXPECT_FALSE(parse_staged_name("001", "0001"));                    // leading zeros
  EXPECT_FALSE(parse_staged_name("002", "1"));                       // wrong shard
  EXPECT_FALSE(parse_staged_name("000", "0"));                       // id 0
  EXPECT_FALSE(parse_staged_name("001", "-1"));
  EXPECT_FALSE(parse_staged_name("001", "1.tmp"));
  EXPECT_FALSE(parse_staged_name("001", ".part"));
  EXPECT_FALSE(parse_staged_name("001", "1.part.part"));
  EXPECT_FALSE(parse_staged_name("808", "9223372036854775808"));    // > int64 max
  EXPECT_FALSE(parse_staged_name("001", "s5j-probe"));
  EXPECT_TRUE(parse_staged_name("001", "1001"));
}

}  // namespace
}  // namespace s5j::staging
