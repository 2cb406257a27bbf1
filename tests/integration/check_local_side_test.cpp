// `s5j check` looks at the job's local side too: where the ledger lives,
// and for a staged job each staging volume, failing with the ledger (10) or
// staging (11) exit code before `stage` would.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "relay_test_support.h"

namespace s5j::relay_test {
namespace {

class CheckLocalSide : public RelayTest {
 protected:
  std::vector<nlohmann::json> json_lines(const std::string& out) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
  }
};

TEST_F(CheckLocalSide, StagedJobReportsLedgerAndEveryVolume) {
  const auto r = s5j({"check", "-c", config()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ledger: " + dir_ + "/ledger.db"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("not created yet"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("volume " + volumes_[0] + "  ok"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("volume " + volumes_[1] + "  ok"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/ledger.db")) << "check must not create the ledger";
}

TEST_F(CheckLocalSide, MissingVolumeExits11InTextAndJson) {
  const auto cfg = config();
  std::filesystem::remove_all(volumes_[1]);
  const auto text = s5j({"check", "-c", cfg});
  EXPECT_EQ(text.exit_code, 11) << text.out << text.err;
  EXPECT_NE(text.out.find("volume " + volumes_[1] + "  FAILED"), std::string::npos) << text.out;
  EXPECT_NE(text.err.find(volumes_[1] + " does not exist"), std::string::npos) << text.err;

  const auto json = s5j({"check", "-c", cfg, "--json"});
  EXPECT_EQ(json.exit_code, 11) << json.out << json.err;
  const auto lines = json_lines(json.out);
  ASSERT_EQ(lines.size(), 4u) << json.out;  // source, destination, ledger, staging
  EXPECT_EQ(lines[2]["side"], "ledger");
  EXPECT_EQ(lines[2]["ledger"]["ok"], true);
  EXPECT_EQ(lines[3]["side"], "staging");
  const auto& staging = lines[3]["staging"];
  EXPECT_EQ(staging["ok"], false);
  EXPECT_EQ(staging["error"]["code"], "StagingError");
  ASSERT_EQ(staging["volumes"].size(), 2u);
  EXPECT_EQ(staging["volumes"][0]["usable"], true);
  EXPECT_GT(staging["volumes"][0]["free_bytes"].get<uint64_t>(), 0u);
  EXPECT_EQ(staging["volumes"][1]["usable"], false);
}

TEST_F(CheckLocalSide, VolumeThatIsAFileExits11) {
  const auto cfg = config();
  std::filesystem::remove_all(volumes_[0]);
  std::ofstream(volumes_[0]) << "not a directory";
  const auto r = s5j({"check", "-c", cfg});
  EXPECT_EQ(r.exit_code, 11) << r.out << r.err;
  EXPECT_NE(r.err.find("is not a directory"), std::string::npos) << r.err;
}

TEST_F(CheckLocalSide, ReserveLeavingNoSpaceExits11) {
  // The fixture's staging section keeps no reserve; this one keeps more
  // than any disk holds.
  const auto cfg = config();
  std::ifstream in(cfg);
  std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = yaml.find("  reserve: 0\n");
  ASSERT_NE(at, std::string::npos) << yaml;
  yaml.replace(at, 12, "  reserve: 1000000TiB\n");
  std::ofstream(cfg, std::ios::trunc) << yaml;
  const auto r = s5j({"check", "-c", cfg});
  EXPECT_EQ(r.exit_code, 11) << r.out << r.err;
  EXPECT_NE(r.err.find("no space to stage into"), std::string::npos) << r.err;
}

TEST_F(CheckLocalSide, DirectJobHasNoStagingCheck) {
  const auto cfg = testing::write_job_config(
      testing::JobConfig{{testing::endpoint_a(), src_bucket_, "in/"}, {testing::endpoint_b(), dst_bucket_, "out/"}, dir_, ""});
  const auto r = s5j({"check", "-c", cfg});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ledger: "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("staging:"), std::string::npos) << r.out;
}

TEST_F(CheckLocalSide, LedgerThatIsNotALedgerExits10) {
  const auto cfg = config();
  std::ofstream(dir_ + "/ledger.db") << "this is not an SQLite database, just some text that is long enough";
  const auto r = s5j({"check", "-c", cfg});
  EXPECT_EQ(r.exit_code, 10) << r.out << r.err;
}

}  // namespace
}  // namespace s5j::relay_test
