// Shared set-up of the status / ledger export / reset tests: a config file
// pointing at a temporary ledger and staging volumes, the ledger opened
// in-test through the Ledger API to populate it, and `s5j` run as a child
// process. Destinations default to a closed port: these commands only talk
// to S3 when a reset has multipart uploads to abort.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "ledger/ledger.h"
#include "ledger/open_ledger.h"
#include "support/process.h"
#include "support/test_env.h"

namespace s5j::opstest {

using ledger::JobId;
using ledger::ObjectRecord;
using ledger::ObjectState;
using ledger::Transition;

struct ConfigSpec {
  std::string job = "default";
  std::vector<std::string> volumes;
  std::string destination_endpoint = "http://127.0.0.1:1";  // nothing listens there
  std::string destination_bucket = "ops-destination";
  std::string destination_prefix;
  std::string staging_extra;  // more keys of the staging section ("  key: value\n")
};

struct OpsEnv {
  std::string dir;
  std::string ledger_path;
  std::string config;

  explicit OpsEnv(const std::string& tag, const ConfigSpec& spec = {}) {
    dir = testing::make_temp_dir(tag);
    ledger_path = dir + "/ledger.db";
    config = write_config(spec, "config.yaml");
  }

  // Another config for the same ledger (another job, other volumes).
  std::string write_config(const ConfigSpec& spec, const std::string& name) const {
    std::string y = "source:\n  bucket: ops-source\n  region: us-east-1\n  access_key: " + testing::access_key() +
                    "\n  secret_access_key: " + testing::secret_key() + "\n  endpoint_urls: http://127.0.0.1:1\n";
    y += "destination:\n  bucket: " + spec.destination_bucket + "\n  bucket_prefix: \"" + spec.destination_prefix +
         "\"\n  region: us-east-1\n  access_key: " + testing::access_key() +
         "\n  secret_access_key: " + testing::secret_key() + "\n  endpoint_urls: " + spec.destination_endpoint + "\n";
    y += "job:\n  name: " + spec.job + "\nledger:\n  path: " + ledger_path + "\nlog:\n  dir: " + dir + "/logs\n";
    y += "staging:\n  reserve: 0\n  volume_pattern: " + dir + "/no-such-volume-\n" + spec.staging_extra;
    if (!spec.volumes.empty()) {
      y += "  volumes:\n";
      for (const auto& v : spec.volumes) y += "    - " + v + "\n";
    }
    const std::string path = dir + "/" + name;
    std::ofstream(path) << y;
    ::chmod(path.c_str(), 0600);
    return path;
  }

  std::unique_ptr<ledger::Ledger> open_ledger(const Clock* clock = &SystemClock::instance()) const {
    ledger::LedgerOptions o;
    o.location = ledger_path;
    o.clock = clock;
    auto l = ledger::open_ledger(o);
    EXPECT_TRUE(l.has_value()) << (l ? "" : l.error().describe());
    return l ? std::move(*l) : nullptr;
  }
};

inline testing::ProcessResult s5j(const std::vector<std::string>& args) {
  std::vector<std::string> argv{testing::s5j_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::run_process(argv, {"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_PROFILE=",
                                     "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"});
}

inline JobId open_job(ledger::Ledger& l, const std::string& name, ledger::JobMode mode) {
  auto j = l.open_job(name, mode);
  EXPECT_TRUE(j.has_value());
  return j ? j->id : JobId{};
}

inline void add_objects(ledger::Ledger& l, JobId job, const std::vector<std::string>& keys, uint64_t size) {
  std::vector<ledger::ListedObject> page;
  for (const auto& k : keys) page.push_back({k, size, "etag-" + std::to_string(k.size()), std::nullopt});
  std::sort(page.begin(), page.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  ASSERT_TRUE(l.upsert_listed(job, page).has_value());
}

inline ObjectRecord get(ledger::Ledger& l, JobId job, const std::string& key) {
  auto r = l.find_object(job, key);
  EXPECT_TRUE(r && *r) << "no record for key";
  return (r && *r) ? **r : ObjectRecord{};
}

inline void commit(ledger::Ledger& l, const Transition& t) {
  ASSERT_TRUE(l.queue(t).has_value());
  auto f = l.flush();
  ASSERT_TRUE(f.has_value());
  ASSERT_TRUE(f->rejected.empty()) << f->rejected.front().code << ": " << f->rejected.front().detail;
}

inline ledger::Md5Bytes md5_of(unsigned char fill) {
  ledger::Md5Bytes m{};
  m.fill(fill);
  return m;
}

// pending -> copying -> verified, as a direct worker records it.
inline void verify_direct(ledger::Ledger& l, JobId job, const std::string& key) {
  commit(l, Transition::of(get(l, job, key), ObjectState::copying));
  Transition t = Transition::of(get(l, job, key), ObjectState::verified);
  t.update.md5 = md5_of(0xAB);
  t.update.crc32c = 0x0badf00d;
  t.update.dest_etag = "dest-etag";
  commit(l, t);
}

// pending -> copying -> failed with `error` as last_error.
inline void fail_direct(ledger::Ledger& l, JobId job, const std::string& key, const std::string& error) {
  commit(l, Transition::of(get(l, job, key), ObjectState::copying));
  Transition t = Transition::of(get(l, job, key), ObjectState::failed);
  t.update.error = error;
  commit(l, t);
}

}  // namespace s5j::opstest
