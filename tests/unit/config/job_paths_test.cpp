// Where a job keeps its state: relative paths follow the config file (or
// systemd's StateDirectory/LogsDirectory), never the working directory.
#include "config/job_paths.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace s5j::config {
namespace {

class JobPaths : public ::testing::Test {
 protected:
  Config config_with(std::string ledger, std::string logs) {
    Config c;
    c.job = "archive";
    c.ledger.path = std::move(ledger);
    c.log.dir = std::move(logs);
    return c;
  }
};

TEST_F(JobPaths, RelativePathsAreRelativeToTheConfigFileNotTheWorkingDirectory) {
  Config c = config_with("s5j-ledger.db", "logs");
  c.staging.volumes = {"vol1", "/mnt/vol2"};
  c.staging.volume_pattern = "volumes/volume-";
  anchor_job_paths(c, "/srv/jobs/archive.yaml");
  EXPECT_EQ(c.ledger.path, "/srv/jobs/s5j-ledger.db");
  EXPECT_EQ(c.log.dir, "/srv/jobs/logs");
  EXPECT_EQ(c.staging.volumes, (std::vector<std::string>{"/srv/jobs/vol1", "/mnt/vol2"}));
  EXPECT_EQ(c.staging.volume_pattern, "/srv/jobs/volumes/volume-");
}

TEST_F(JobPaths, AConfigNamedRelativeToTheWorkingDirectoryStillAnchorsItsPaths) {
  Config c = config_with("state/ledger.db", "logs");
  anchor_job_paths(c, "jobs/archive.yaml");
  const auto jobs = std::filesystem::current_path() / "jobs";
  EXPECT_EQ(c.ledger.path, (jobs / "state/ledger.db").string());
  EXPECT_EQ(c.log.dir, (jobs / "logs").string());
}

TEST_F(JobPaths, AbsolutePathsAreKeptAsGiven) {
  Config c = config_with("/var/lib/s5j/a.db", "/var/log/s5j/a");
  anchor_job_paths(c, "/srv/jobs/archive.yaml");
  EXPECT_EQ(c.ledger.path, "/var/lib/s5j/a.db");
  EXPECT_EQ(c.log.dir, "/var/log/s5j/a");
  EXPECT_TRUE(c.ledger.working_directory_path.empty());
}

TEST_F(JobPaths, TheOldWorkingDirectoryPlaceIsRememberedForARelativeLedger) {
  Config c = config_with("s5j-ledger.db", "logs");
  anchor_job_paths(c, "/srv/jobs/archive.yaml");
  EXPECT_EQ(c.ledger.working_directory_path, (std::filesystem::current_path() / "s5j-ledger.db").string());
}

TEST_F(JobPaths, NoOldPlaceWhenTheConfigIsInTheWorkingDirectory) {
  Config c = config_with("s5j-ledger.db", "logs");
  anchor_job_paths(c, "archive.yaml");
  EXPECT_EQ(c.ledger.path, (std::filesystem::current_path() / "s5j-ledger.db").string());
  EXPECT_TRUE(c.ledger.working_directory_path.empty());
}

TEST_F(JobPaths, AConfigUnderEtcKeepsItsStateWhereTheSystemKeepsState) {
  Config c = config_with("s5j-ledger.db", "s5j-logs");
  anchor_job_paths(c, "/etc/s5j/archive.yaml");
  EXPECT_EQ(c.ledger.path, "/var/lib/s5j/archive/s5j-ledger.db");
  EXPECT_EQ(c.log.dir, "/var/log/s5j/archive/s5j-logs");
}

TEST_F(JobPaths, TheSqliteSchemeKeepsItsPrefix) {
  Config c = config_with("sqlite:state/a.db", "/logs");
  anchor_job_paths(c, "/srv/jobs/archive.yaml");
  EXPECT_EQ(c.ledger.path, "sqlite:/srv/jobs/state/a.db");
}

TEST_F(JobPaths, APostgresLedgerIsLeftAlone) {
  Config c = config_with("s5j-ledger.db", "/logs");
  c.ledger.postgres_url = "postgresql://s5j@db/s5j";
  anchor_job_paths(c, "/srv/jobs/archive.yaml");
  EXPECT_EQ(c.ledger.postgres_url, "postgresql://s5j@db/s5j");
}

}  // namespace
}  // namespace s5j::config
