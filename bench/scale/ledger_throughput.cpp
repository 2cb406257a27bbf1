// s5j_ledger_throughput: the ledger's work rates on any backend, for the
// comparison of the SQLite and PostgreSQL ledgers (docs/performance.md,
// "PostgreSQL ledger").
//
//   s5j_ledger_throughput --ledger LOCATION [--objects N] [--workers W]
//                         [--batch B] [--group G]
//
// LOCATION is what ledger.path or ledger.postgres_url takes (a file path,
// or postgresql://...). A new job of N pending objects is planned (pages of
// 1,000), then two figures:
//   transitions_per_second  one instance queues N pending -> copying and
//                           then N copying -> verified transitions, flushing
//                           every G (group commit), over a claim of all N;
//   claim_settle_per_second W instances (each its own connection, as W
//                           workers or hosts) claim B at a time, then settle
//                           each batch (copying, flush, verified, flush), as
//                           a run does, until no object is left.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "ledger/open_ledger.h"

using namespace s5j;
using Steady = std::chrono::steady_clock;

namespace {

double seconds_since(Steady::time_point t0) { return std::chrono::duration<double>(Steady::now() - t0).count(); }

std::unique_ptr<ledger::Ledger> open_or_die(const std::string& location) {
  auto l = ledger::open_ledger(ledger::LedgerOptions{.location = location});
  if (!l) {
    std::fprintf(stderr, "ledger_throughput: %s\n", l.error().describe().c_str());
    std::exit(1);
  }
  return std::move(*l);
}

ledger::JobId plan(ledger::Ledger& l, const std::string& name, uint64_t objects) {
  auto job = l.open_job(name, ledger::JobMode::direct);
  if (!job) std::fprintf(stderr, "ledger_throughput: %s\n", job.error().describe().c_str()), std::exit(1);
  std::vector<ledger::ListedObject> page;
  for (uint64_t i = 0; i < objects; ++i) {
    char key[64];
    std::snprintf(key, sizeof key, "archive/2019/07/%05llu/file-%012llu.dat", (unsigned long long)(i / 1000),
                  (unsigned long long)i);
    page.push_back(ledger::ListedObject{key, 1024 + i, "\"0123456789abcdef0123456789abcdef\"", std::nullopt});
    if (page.size() == 1000 || i + 1 == objects) {
      if (auto r = l.upsert_listed(job->id, page); !r)
        std::fprintf(stderr, "ledger_throughput: %s\n", r.error().describe().c_str()), std::exit(1);
      page.clear();
    }
  }
  return job->id;
}

void flush_or_die(ledger::Ledger& l) {
  auto f = l.flush();
  if (!f || !f->rejected.empty()) {
    std::fprintf(stderr, "ledger_throughput: flush %s\n",
                 f ? ("rejected " + f->rejected.front().code).c_str() : f.error().describe().c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"claims, settles and transitions per second of a ledger"};
  std::string location;
  uint64_t objects = 20'000;
  int workers = 1;
  size_t batch = 64;
  size_t group = 4096;
  app.add_option("--ledger", location, "ledger file path or postgresql:// URL")->required();
  app.add_option("--objects", objects, "objects per figure");
  app.add_option("--workers", workers, "instances claiming at once");
  app.add_option("--batch", batch, "records per claim");
  app.add_option("--group", group, "transitions per flush (group commit)");
  CLI11_PARSE(app, argc, argv);
  const std::string tag = std::to_string(getpid()) + "-" + std::to_string(std::time(nullptr));

  auto main_ledger = open_or_die(location);
  std::printf("ledger %s\n", main_ledger->location().c_str());

  // Transitions: one claim of everything, then group commits.
  {
    const ledger::JobId job = plan(*main_ledger, "transitions-" + tag, objects);
    auto claimed = main_ledger->claim(
        ledger::ClaimRequest{job, objects, "bench", std::chrono::minutes(30), {ledger::ObjectState::pending}});
    if (!claimed) return std::fprintf(stderr, "ledger_throughput: %s\n", claimed.error().describe().c_str()), 1;
    const auto t0 = Steady::now();
    size_t n = 0;
    for (const auto& r : *claimed) {
      (void)main_ledger->queue(ledger::Transition::of(r, ledger::ObjectState::copying, "bench"));
      if (++n % group == 0) flush_or_die(*main_ledger);
    }
    flush_or_die(*main_ledger);
    for (const auto& r : *claimed) {
      auto t = ledger::Transition::of(r, ledger::ObjectState::verified, "bench");
      t.from = ledger::ObjectState::copying;
      t.update.crc32c = 1;
      (void)main_ledger->queue(t);
      if (++n % group == 0) flush_or_die(*main_ledger);
    }
    flush_or_die(*main_ledger);
    const double s = seconds_since(t0);
    std::printf("transitions %zu\n", n);
    std::printf("transitions_per_second %.0f\n", static_cast<double>(n) / s);
  }

  // Claims and settles by W instances at once.
  {
    const ledger::JobId job = plan(*main_ledger, "claims-" + tag, objects);
    std::vector<std::unique_ptr<ledger::Ledger>> instances;
    for (int w = 0; w < workers; ++w) instances.push_back(open_or_die(location));
    std::atomic<uint64_t> settled{0};
    const auto t0 = Steady::now();
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        ledger::Ledger& l = *instances[w];
        const std::string owner = "bench-" + std::to_string(w);
        for (;;) {
          auto got = l.claim(
              ledger::ClaimRequest{job, batch, owner, std::chrono::minutes(5), {ledger::ObjectState::pending}});
          if (!got) std::fprintf(stderr, "ledger_throughput: %s\n", got.error().describe().c_str()), std::exit(1);
          if (got->empty()) return;
          for (const auto& r : *got) (void)l.queue(ledger::Transition::of(r, ledger::ObjectState::copying, owner));
          flush_or_die(l);
          for (const auto& r : *got) {
            auto t = ledger::Transition::of(r, ledger::ObjectState::verified, owner);
            t.from = ledger::ObjectState::copying;
            t.update.crc32c = 1;
            (void)l.queue(t);
          }
          flush_or_die(l);
          settled += got->size();
        }
      });
    }
    for (auto& t : threads) t.join();
    const double s = seconds_since(t0);
    std::printf("workers %d batch %zu\n", workers, batch);
    std::printf("claimed_and_verified %llu\n", static_cast<unsigned long long>(settled.load()));
    std::printf("claim_settle_per_second %.0f\n", static_cast<double>(settled.load()) / s);
  }
  return 0;
}
