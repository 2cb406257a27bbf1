// The staged relay on several hosts of one job, through a PostgreSQL
// ledger: each host stages onto its own volumes and uploads only its own
// files; when a host is gone past its lease, what it had staged is fetched
// again by the hosts still there; when it comes back, its leftovers are
// cleaned. Two hosts are two host names on this machine (S5J_HOST_NAME),
// each with its own volume, as two machines would have.
#include <algorithm>

#include "integration/fleet_fixture.h"

namespace s5j {
namespace {

class FleetRelayTest : public FleetTest {
 protected:
  // Host `name`'s directory (its config, logs and staging volume).
  std::string host_dir(const std::string& name) {
    const std::string d = dir_ + "/" + name;
    std::filesystem::create_directories(d + "/volume");
    return d;
  }

  std::string host_config(const std::string& name, const std::string& bandwidth) {
    const std::string d = host_dir(name);
    const std::string side = "  max_bandwidth: " + bandwidth + "\n";
    return testing::write_job_config(
        {{testing::endpoint_a(), src_bucket_, "in/", side},
         {testing::endpoint_b(), dst_bucket_, "out/", side},
         d,
         "job:\n  name: " + job_ + "\nstaging:\n  volumes: [" + d + "/volume]\n" +
             "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n  workers: 3\n",
         "  postgres_url: " + testing::postgres_url() + "\n  lease_timeout: 3\n"});
  }

  static std::vector<std::string> as_host(const std::string& name) { return {"S5J_HOST_NAME=" + name}; }

  testing::ProcessResult run_as(const std::string& host, const std::vector<std::string>& args) {
    std::vector<std::string> argv{testing::s5j_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::run_process(argv, as_host(host));
  }

  // The files of the job's directory on a host's volume: its staged copies.
  size_t staged_files(const std::string& host) {
    const std::string job_dir = dir_ + "/" + host + "/volume/s5j-staging/" + job_;
    if (!std::filesystem::exists(job_dir)) return 0;
    size_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(job_dir)) {
      const std::string name = e.path().filename().string();  // a staged copy is named by its object's id
      if (e.is_regular_file() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
        ++n;
    }
    return n;
  }

  std::vector<nlohmann::json> host_events(const std::string& host, const std::string& name) {
    return events_named(testing::read_events(dir_ + "/" + host + "/logs"), name);
  }
};

// Host B stages every object and goes away before uploading any (its stage
// run ends; no run of the job is left on it). Host A's relay finds B absent,
// sends B's staged objects back, fetches them itself and finishes the job;
// B, back, deletes the files nobody will upload.
TEST_F(FleetRelayTest, AnAbsentHostsStagedObjectsAreFetchedAgainAndItsLeftoversCleaned) {
  const auto objects = seed(6, 1);
  const auto cfg_b = host_config("host-b", "100MiB");
  const auto cfg_a = host_config("host-a", "100MiB");

  auto staged = run_as("host-b", {"stage", "-c", cfg_b, "--once", "--no-progress"});
  ASSERT_EQ(staged.exit_code, 0) << staged.out << staged.err;
  ASSERT_EQ(staged_files("host-b"), objects.size());
  for (const auto& r : records()) {
    ASSERT_EQ(r.state, ledger::ObjectState::staged) << r.key;
    ASSERT_TRUE(r.staged.has_value());
    EXPECT_EQ(r.staged->host, "host-b") << r.key;
  }

  auto relay = run_as("host-a", {"relay", "-c", cfg_a, "--once", "--no-progress"});
  ASSERT_EQ(relay.exit_code, 0) << relay.out << relay.err;
  EXPECT_TRUE(testing::bucket_digests(*src_, src_bucket_, "in/") == testing::bucket_digests(*dst_, dst_bucket_, "out/"));
  expect_job_verified(objects.size());
  uint64_t unstaged = 0;
  for (const auto& e : host_events("host-a", "absent_hosts_unstaged")) {
    unstaged += e["objects"].get<uint64_t>();
    EXPECT_EQ(e["present_hosts"], nlohmann::json::array({"host-a"}));
  }
  EXPECT_EQ(unstaged, objects.size());
  EXPECT_EQ(host_events("host-a", "object_staged").size(), objects.size());
  for (const auto& r : records()) {
    ASSERT_TRUE(r.staged.has_value()) << r.key;
    EXPECT_EQ(r.staged->host, "host-a") << r.key;
    EXPECT_EQ(r.attempts, 2u) << r.key << ": staged on B, then fetched again on A";
  }
  EXPECT_EQ(staged_files("host-a"), 0u);
  EXPECT_EQ(staged_files("host-b"), objects.size());  // B has not been back yet

  auto back = run_as("host-b", {"relay", "-c", cfg_b, "--once", "--no-progress"});
  ASSERT_EQ(back.exit_code, 0) << back.out << back.err;
  auto cleaned = host_events("host-b", "staging_cleaned");
  ASSERT_FALSE(cleaned.empty());
  EXPECT_EQ(cleaned.back()["stale_removed"], objects.size());
  EXPECT_EQ(staged_files("host-b"), 0u);
  EXPECT_TRUE(host_events("host-b", "object_uploaded").empty());
  expect_job_verified(objects.size());
}

// Two hosts relay one job at once, each uploading what it staged; host B is
// killed with SIGKILL midway. Host A finishes the job byte-identical, and
// nothing B had verified is uploaded again.
TEST_F(FleetRelayTest, TwoHostsRelayOneJobOneKilledTheOtherFinishes) {
  const auto objects = seed(60, 1);
  const auto cfg_a = host_config("host-a", "1MiB");
  const auto cfg_b = host_config("host-b", "1MiB");
  workers_.push_back(std::make_unique<testing::BackgroundProcess>(
      std::vector<std::string>{testing::s5j_binary(), "relay", "-c", cfg_a, "--once", "--no-progress"},
      as_host("host-a"), dir_ + "/host-a"));
  workers_.push_back(std::make_unique<testing::BackgroundProcess>(
      std::vector<std::string>{testing::s5j_binary(), "relay", "-c", cfg_b, "--once", "--no-progress"},
      as_host("host-b"), dir_ + "/host-b"));
  auto& a = *workers_[0];
  auto& b = *workers_[1];
  ASSERT_TRUE(eventually([&] {
    return host_events("host-b", "object_verified").size() >= 3 && host_events("host-a", "object_verified").size() >= 3;
  })) << "the two hosts did not both upload" << outputs();
  b.kill(SIGKILL);
  (void)b.wait();
  const auto verified_by_b = keys_of(host_events("host-b", "object_verified"));

  auto r = a.wait();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(testing::bucket_digests(*src_, src_bucket_, "in/") == testing::bucket_digests(*dst_, dst_bucket_, "out/"));
  expect_job_verified(objects.size());
  for (const auto& key : keys_of(host_events("host-a", "upload_started")))
    EXPECT_EQ(verified_by_b.count(key), 0u) << key << " was verified by B and uploaded again by A";
  // Each host uploaded only files it had staged itself.
  for (const char* host : {"host-a", "host-b"}) {
    const auto staged_here = keys_of(host_events(host, "object_staged"));
    for (const auto& key : keys_of(host_events(host, "upload_started")))
      EXPECT_EQ(staged_here.count(key), 1u) << host << " uploaded " << key << ", staged elsewhere";
  }
}

}  // namespace
}  // namespace s5j
