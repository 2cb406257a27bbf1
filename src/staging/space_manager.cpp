#include "staging/space_manager.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <map>
#include <optional>

#include "staging/staging_error.h"

namespace s5j::staging {
namespace {

uint64_t sat_sub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }
uint64_t sat_add(uint64_t a, uint64_t b) {
  return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max() : a + b;
}

}  // namespace

Result<std::unique_ptr<SpaceManager>> SpaceManager::create(std::vector<std::string> volumes, SpaceOptions options) {
  if (volumes.empty()) {
    return staging_error(ErrorKind::fatal, kStagingError, "no staging volumes (list directories in staging.volumes)");
  }
  if (!options.fs_stats) options.fs_stats = system_fs_stats;
  std::vector<VolumeState> states;
  for (std::string& path : volumes) {
    auto stats = options.fs_stats(path);
    if (!stats) return std::unexpected(stats.error());
    VolumeState s;
    s.path = std::move(path);
    s.device = stats->device;
    states.push_back(std::move(s));
  }
  return std::unique_ptr<SpaceManager>(new SpaceManager(std::move(states), std::move(options)));
}

SpaceManager::SpaceManager(std::vector<VolumeState> volumes, SpaceOptions options)
    : volumes_(std::move(volumes)), options_(std::move(options)) {}

std::vector<SpaceManager::Room> SpaceManager::evaluate_locked() const {
  std::vector<Room> rooms(volumes_.size());
  // Volumes on one filesystem draw on the same free space, so in-flight
  // reservations (and this job's bytes, for capacity) are summed per device.
  std::map<uint64_t, uint64_t> reserved_on_fs;
  std::map<uint64_t, uint64_t> ours_on_fs;
  for (const VolumeState& v : volumes_) {
    reserved_on_fs[v.device] += v.reserved;
    ours_on_fs[v.device] += v.staged + v.reserved;
  }
  const uint64_t limit = options_.volume_limit_bytes;
  for (size_t i = 0; i < volumes_.size(); ++i) {
    const VolumeState& v = volumes_[i];
    Room& r = rooms[i];
    auto stats = options_.fs_stats(v.path);
    if (!stats) {
      r.error = stats.error().describe();
      continue;
    }
    r.ok = true;
    r.stats = *stats;
    const uint64_t avail = stats->available_bytes;
    r.room = sat_sub(avail, sat_add(options_.reserve_bytes, reserved_on_fs[v.device]));
    r.capacity = sat_sub(sat_add(avail, ours_on_fs[v.device]), options_.reserve_bytes);
    if (limit > 0) {
      r.room = std::min(r.room, sat_sub(limit, v.staged + v.reserved));
      r.capacity = std::min(r.capacity, limit);
    }
  }
  return rooms;
}

Result<Reservation> SpaceManager::reserve(uint64_t bytes, WaitMode mode, std::stop_token stop) {
  std::unique_lock lock(mutex_);
  bool announced = false;
  for (;;) {
    if (stop.stop_requested()) {
      return staging_error(ErrorKind::retryable, kCancelled, "waiting for staging space was cancelled (shutting down)");
    }
    const std::vector<Room> rooms = evaluate_locked();
    std::optional<size_t> best;
    size_t largest = 0;
    std::string first_error;
    for (size_t i = 0; i < rooms.size(); ++i) {
      if (!rooms[i].ok) {
        if (first_error.empty()) first_error = rooms[i].error;
        continue;
      }
      if (rooms[i].capacity > rooms[largest].capacity || !rooms[largest].ok) largest = i;
      if (rooms[i].room < bytes) continue;
      if (!best) {
        best = i;
        continue;
      }
      const VolumeState& a = volumes_[i];
      const VolumeState& b = volumes_[*best];
      if (a.in_flight < b.in_flight || (a.in_flight == b.in_flight && rooms[i].room > rooms[*best].room)) best = i;
    }
    if (best) {
      VolumeState& v = volumes_[*best];
      v.reserved += bytes;
      v.in_flight += 1;
      return Reservation(this, *best, bytes);
    }
    const bool any_ok = std::any_of(rooms.begin(), rooms.end(), [](const Room& r) { return r.ok; });
    const Room& big = rooms[largest];
    if (!any_ok || bytes > big.capacity) {
      if (!first_error.empty()) {
        // A volume we cannot see might have been the one with room; do not
        // call the object too large on partial knowledge.
        return staging_error(ErrorKind::retryable, kStagingIoError,
                             "cannot read free space of a staging volume: " + first_error);
      }
      return staging_error(ErrorKind::permanent, kTooLarge,
                           "object of " + std::to_string(bytes) + " bytes is larger than any staging volume can hold (at most " +
                               std::to_string(big.capacity) + " bytes on " + volumes_[largest].path +
                               " after staging.reserve" + (options_.volume_limit_bytes ? " and the volume limit" : "") +
                               "; add a larger volume or lower staging.reserve)");
    }
    if (mode == WaitMode::fail_fast) {
      return staging_error(ErrorKind::retryable, kFull,
                           "no staging volume has room for " + std::to_string(bytes) + " bytes now (" +
                               std::to_string(volumes_.size()) + " volumes; wait for uploads to drain them)");
    }
    const uint64_t seen = generation_;
    ++waiters_;
    if (!announced && options_.on_wait) {
      announced = true;
      lock.unlock();
      options_.on_wait(bytes);
      lock.lock();
    }
    // A release between the check above and this wait bumped generation_,
    // so the predicate is already true: no lost wake-up.
    cv_.wait_for(lock, stop, options_.recheck_interval, [&] { return generation_ != seen; });
    --waiters_;
  }
}

void SpaceManager::changed_locked() {
  ++generation_;
  cv_.notify_all();
}

void SpaceManager::release(size_t volume, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  VolumeState& v = volumes_[volume];
  assert(v.reserved >= bytes && v.in_flight > 0);
  v.reserved -= bytes;
  v.in_flight -= 1;
  changed_locked();
}

void SpaceManager::commit(Reservation& reservation) {
  assert(reservation.owner_ == this);
  std::lock_guard lock(mutex_);
  VolumeState& v = volumes_[reservation.volume_];
  v.reserved -= reservation.bytes_;
  v.in_flight -= 1;
  v.staged += reservation.bytes_;
  reservation.owner_ = nullptr;
  changed_locked();
}

void SpaceManager::add_staged(size_t volume, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  volumes_[volume].staged += bytes;
}

void SpaceManager::remove_staged(size_t volume, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  VolumeState& v = volumes_[volume];
  v.staged = sat_sub(v.staged, bytes);
  changed_locked();
}

std::vector<VolumeUsage> SpaceManager::usage() const {
  std::lock_guard lock(mutex_);
  const std::vector<Room> rooms = evaluate_locked();
  std::vector<VolumeUsage> out;
  for (size_t i = 0; i < volumes_.size(); ++i) {
    VolumeUsage u;
    u.path = volumes_[i].path;
    u.total_bytes = rooms[i].stats.total_bytes;
    u.free_bytes = rooms[i].stats.available_bytes;
    u.usable_bytes = rooms[i].room;
    u.staged_bytes = volumes_[i].staged;
    u.reserved_bytes = volumes_[i].reserved;
    u.limit_bytes = options_.volume_limit_bytes;
    u.writes_in_flight = volumes_[i].in_flight;
    u.error = rooms[i].error;
    out.push_back(std::move(u));
  }
  return out;
}

bool SpaceManager::waiting_for_space() const {
  std::lock_guard lock(mutex_);
  return waiters_ > 0;
}

}  // namespace s5j::staging
