#include "cli/relay_output.h"

#include <chrono>
#include <cstdio>
#include <iostream>

#include "base/strings.h"

namespace s5j::cli {
namespace {

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", d.count() / 1000.0);
  return buf;
}

std::string rate_text(uint64_t bytes, std::chrono::milliseconds d) {
  const double seconds = std::max(0.001, d.count() / 1000.0);
  return human_bytes(static_cast<uint64_t>(bytes / seconds)) + "/s";
}

}  // namespace

std::string relay_summary(const transfer::RelayReport& r) {
  using transfer::RelayRole;
  const std::string role(transfer::to_string(r.role));
  std::string s = role + (r.stopped ? " stopped: " : r.complete() ? " complete: " : " incomplete: ");
  if (r.role != RelayRole::drain)
    s += std::to_string(r.staged_objects) + " objects staged (" + human_bytes(r.staged_bytes) + ", " +
         rate_text(r.staged_bytes, r.duration) + ")";
  if (r.role == RelayRole::relay) s += " and ";
  if (r.role != RelayRole::stage)
    s += std::to_string(r.verified_objects) + " objects uploaded and verified (" + human_bytes(r.verified_bytes) + ", " +
         rate_text(r.verified_bytes, r.duration) + ")";
  s += " in " + seconds_text(r.duration);
  s += "; " + std::to_string(r.total_verified) + " of " + std::to_string(r.total_objects) + " objects verified in all";
  if (r.remaining_objects > 0)
    s += ", " + std::to_string(r.remaining_objects) + (r.role == RelayRole::stage ? " not yet staged" : " not yet verified");
  if (r.refetch_objects > 0) s += ", " + std::to_string(r.refetch_objects) + " staged copies bad: fetched again";
  if (r.vanished_objects > 0) s += ", " + std::to_string(r.vanished_objects) + " vanished at the source";
  if (r.space_waits > 0) s += ", waited for staging space " + std::to_string(r.space_waits) + " times";
  if (r.failed_objects > 0) s += ", " + std::to_string(r.failed_objects) + " FAILED";
  return s;
}

RelayProgressLine::RelayProgressLine(const transfer::RelayEngine& engine) {
  thread_ = std::thread([this, &engine] {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::seconds(1));
      if (stop_) break;
      const auto p = engine.progress();
      std::string line;
      if (p.planning) {
        line = "listing: " + std::to_string(p.listed_objects) + " objects";
      } else {
        line = "staged " + std::to_string(p.staged_objects) + " (" + human_bytes(p.staged_bytes) + "), verified " +
               std::to_string(p.verified_objects) + "/" + std::to_string(p.to_upload_objects) + " (" +
               human_bytes(p.verified_bytes) + ")";
        if (p.failed_objects > 0) line += ", " + std::to_string(p.failed_objects) + " failed";
        if (p.waiting_for_space) line += ", waiting for staging space";
        if (p.scanning) line += ", scanning the source";
      }
      std::cerr << "\r\033[K" << line << std::flush;
    }
    std::cerr << "\r\033[K" << std::flush;
  });
}

RelayProgressLine::~RelayProgressLine() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

}  // namespace s5j::cli
