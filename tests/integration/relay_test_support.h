// Shared fixture of the staged-relay end-to-end tests: a source bucket on
// gateway A, a destination bucket on gateway B, two staging volumes under a
// temp dir, configs, and what the volumes and the ledger hold.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/open_ledger.h"
#include "support/job_files.h"
#include "support/process.h"
#include "support/s3_fixtures.h"
#include "support/test_env.h"

namespace s5j::relay_test {

constexpr uint64_t kMiB = 1024 * 1024;

inline testing::ProcessResult s5j(const std::vector<std::string>& args) {
  std::vector<std::string> argv{testing::s5j_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::run_process(argv);
}

inline std::vector<std::string> hostile_keys() {
  return {"with space/and  two  spaces.bin", "plus+equals=percent%25tilde~", "unicode/日本語/Ünïcödé-\xF0\x9F\x98\x80",
          "double//slash", "dot/./segment", "dotdot/../segment", "query?like&this=1#hash",
          "quote\"apostrophe'semi;colon:comma,", std::string("control-\x01-\x1f-chars"),
          std::string(300, 'k') + "/" + std::string(300, 'l')};
}

// Files under a volume's staging directory: complete staged files and
// .part leftovers, with their sizes.
struct VolumeFiles {
  std::map<std::string, uint64_t> complete;
  std::map<std::string, uint64_t> partial;
  uint64_t bytes() const {
    uint64_t n = 0;
    for (const auto& [p, s] : complete) n += s;
    for (const auto& [p, s] : partial) n += s;
    return n;
  }
  size_t count() const { return complete.size() + partial.size(); }
};

inline VolumeFiles files_on(const std::string& volume) {
  VolumeFiles out;
  std::error_code ec;
  const std::string root = volume + "/s5j-staging";
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st {};
    // Files come and go while a run works: a vanished one is skipped.
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    const std::string path = it->path().string();
    if (path.ends_with(".part")) {
      out.partial[path] = static_cast<uint64_t>(st.st_size);
    } else if (it->path().filename().string().find_first_not_of("0123456789") == std::string::npos) {
      out.complete[path] = static_cast<uint64_t>(st.st_size);
    }
  }
  return out;
}

class RelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("relay");
    volumes_ = {dir_ + "/vol1", dir_ + "/vol2"};
    for (const auto& v : volumes_) std::filesystem::create_directories(v);
    src_client_ = testing::make_test_client(testing::endpoint_a());
    dst_client_ = testing::make_test_client(testing::endpoint_b());
    src_bucket_ = testing::unique_bucket_name("rsrc");
    dst_bucket_ = testing::unique_bucket_name("rdst");
    ASSERT_TRUE(src_client_->create_bucket(src_bucket_).has_value());
    ASSERT_TRUE(dst_client_->create_bucket(dst_bucket_).has_value());
  }
  void TearDown() override {
    testing::remove_bucket(*src_client_, src_bucket_);
    testing::remove_bucket(*dst_client_, dst_bucket_);
  }

  // Config with both volumes; `extra` goes into the staging section, then
  // `transfer` is appended. Endpoints may be replaced (a side that cannot
  // be reached).
  std::string config(const std::string& staging_extra = "", const std::string& transfer =
                         "transfer:\n  part_size: 5MiB\n  multipart_threshold: 6MiB\n  workers: 8\n",
                     const std::string& source_endpoint = "", const std::string& destination_endpoint = "") {
    const std::string yaml = "staging:\n  volumes: [" + volumes_[0] + ", " + volumes_[1] +
                             "]\n  reserve: 0\n  scan_interval: 1\n" + staging_extra + transfer;
    return testing::write_job_config(
        testing::JobConfig{{source_endpoint.empty() ? testing::endpoint_a() : source_endpoint, src_bucket_, "in/"},
                           {destination_endpoint.empty() ? testing::endpoint_b() : destination_endpoint,
                            dst_bucket_, "out/"},
                           dir_,
                           yaml});
  }

  void expect_identical() {
    auto src = testing::bucket_digests(*src_client_, src_bucket_, "in/");
    auto dst = testing::bucket_digests(*dst_client_, dst_bucket_, "out/");
    EXPECT_EQ(src.size(), dst.size());
    EXPECT_TRUE(src == dst) << "source and destination differ";
  }
  void expect_no_open_uploads() {
    auto uploads = dst_client_->list_multipart_uploads(dst_bucket_, "");
    ASSERT_TRUE(uploads.has_value()) << uploads.error().describe();
    EXPECT_TRUE(uploads->uploads.empty()) << uploads->uploads.size() << " multipart uploads left behind";
  }
  void expect_volumes_empty() {
    for (const auto& v : volumes_) {
      const auto f = files_on(v);
      EXPECT_EQ(f.complete.size(), 0u) << v << " still holds staged files";
      EXPECT_EQ(f.partial.size(), 0u) << v << " still holds .part files";
    }
  }
  size_t staged_file_count() {
    size_t n = 0;
    for (const auto& v : volumes_) n += files_on(v).complete.size();
    return n;
  }

  std::unique_ptr<ledger::Ledger> open_ledger() {
    auto l = ledger::open_ledger({.location = dir_ + "/ledger.db"});
    EXPECT_TRUE(l.has_value());
    return l ? std::move(*l) : nullptr;
  }
  // Objects per state of the job.
  std::map<ledger::ObjectState, uint64_t> totals() {
    std::map<ledger::ObjectState, uint64_t> out;
    auto l = open_ledger();
    if (!l) return out;
    auto job = l->find_job("default");
    if (!job || !*job) return out;
    auto all = l->totals((**job).id);
    if (!all) return out;
    for (const auto& t : *all) out[t.state] = t.objects;
    return out;
  }
  ledger::ObjectRecord record(const std::string& key) {
    auto l = open_ledger();
    auto job = l->find_job("default");
    EXPECT_TRUE(job && *job);
    auto r = l->find_object((**job).id, key);
    EXPECT_TRUE(r && *r) << key;
    return (r && *r) ? **r : ledger::ObjectRecord{};
  }

  std::string dir_;
  std::vector<std::string> volumes_;
  std::unique_ptr<s3::S3Client> src_client_, dst_client_;
  std::string src_bucket_, dst_bucket_;
};

// `s5j status --json`: one JSON object (an empty one, after a failed
// expectation, when status fails or prints something else).
inline nlohmann::json status_json(const std::string& config) {
  auto r = s5j({"status", "-c", config, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.out << r.err;
  return j.is_discarded() ? nlohmann::json::object() : j;
}

// Objects in `state` as a `status --json` object shows them (0: not shown).
inline uint64_t state_objects(const nlohmann::json& status, const std::string& state) {
  for (const auto& s : status.value("states", nlohmann::json::array()))
    if (s["state"] == state) return s["objects"].get<uint64_t>();
  return 0;
}

}  // namespace s5j::relay_test
