// Shared set-up of the copy-path unit tests: an InMemoryS3 with a source
// and a destination bucket, the real S3Client over it (retries with
// millisecond backoff), a SQLite ledger in a temporary directory, and the
// helpers that put a listed object into the state a test starts from.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>

#include "ledger/open_ledger.h"
#include "log/event_log.h"
#include "s3/s3_client.h"
#include "support/in_memory_s3.h"
#include "support/test_env.h"
#include "transfer/byte_budget.h"
#include "transfer/worker_pool.h"

namespace s5j::transfer {

constexpr uint64_t kMiB = 1ull << 20;

// Deterministic bytes, different for each seed.
inline std::string test_bytes(size_t size, unsigned seed) {
  std::mt19937_64 random(seed);
  std::string out(size, '\0');
  for (size_t i = 0; i < size; i += 8) {
    const uint64_t v = random();
    for (size_t b = 0; b < 8 && i + b < size; ++b) out[i + b] = static_cast<char>(v >> (8 * b));
  }
  return out;
}

// A client of `server`; three attempts per request, millisecond backoff.
inline std::unique_ptr<s3::S3Client> in_memory_client(std::shared_ptr<testing::InMemoryS3> server) {
  s3::ClientOptions options;
  options.endpoint_urls = {"http://s3.in-memory.test"};
  options.credentials = {"TESTACCESSKEY0000001", "testsecretkey000000000000000000000000001", ""};
  options.retry.max_attempts = 3;
  options.retry.base = std::chrono::milliseconds(1);
  options.retry.throttle_base = std::chrono::milliseconds(1);
  options.retry.cap = std::chrono::milliseconds(4);
  return std::make_unique<s3::S3Client>(options, std::move(server));
}

class InMemoryFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("in-memory-s3");
    auto l = ledger::open_ledger({.location = dir_ + "/ledger.db"});
    ASSERT_TRUE(l.has_value());
    ledger_ = std::move(*l);
    events_ = log::EventLog::null();
    server_->create_bucket("src");
    server_->create_bucket("dst");
  }

  ledger::JobId job(ledger::JobMode mode = ledger::JobMode::direct) {
    if (!job_) {
      auto j = ledger_->open_job("job", mode);
      EXPECT_TRUE(j.has_value());
      job_ = j->id;
    }
    return *job_;
  }

  // Lists `key` as the source has it now and brings its record to `state`
  // (through the states in between, as a run would).
  ledger::ObjectRecord listed(const std::string& key, ledger::ObjectState state = ledger::ObjectState::copying) {
    auto o = server_->object("src", key);
    EXPECT_TRUE(o.has_value()) << key;
    std::vector<ledger::ListedObject> one{{key, o->data.size(), o->etag, std::nullopt}};
    EXPECT_TRUE(ledger_->upsert_listed(job(), one).has_value());
    auto r = record(key);
    if (state != ledger::ObjectState::pending) r = move_to(r, state);
    return r;
  }

  ledger::ObjectRecord record(const std::string& key) {
    auto r = ledger_->find_object(job(), key);
    EXPECT_TRUE(r.has_value() && r->has_value()) << key;
    return **r;
  }

  ledger::ObjectRecord move_to(const ledger::ObjectRecord& r, ledger::ObjectState to,
                               ledger::ObjectUpdate update = {}) {
    ledger::Transition t = ledger::Transition::of(r, to);
    t.update = std::move(update);
    EXPECT_TRUE(ledger_->queue(t).has_value());
    flush();
    return record(r.key);
  }

  void flush() {
    auto f = ledger_->flush();
    ASSERT_TRUE(f.has_value());
    for (const auto& rejected : f->rejected)
      ADD_FAILURE() << "ledger rejected: " << rejected.code << " " << rejected.detail;
  }

  std::string dst_data(const std::string& key) {
    auto o = server_->object("dst", key);
    return o ? o->data : std::string("<absent>");
  }

  std::string dir_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<log::EventLog> events_;
  std::optional<ledger::JobId> job_;
  std::shared_ptr<testing::InMemoryS3> server_ = std::make_shared<testing::InMemoryS3>();
  std::unique_ptr<s3::S3Client> client_ = in_memory_client(server_);
  ByteBudget budget_{64 * kMiB};
  WorkerPool pool_{4};
};

}  // namespace s5j::transfer
