// Reservation: space promised to one staged write on one volume.
//
// Obtained from SpaceManager::reserve(). While it lives, its bytes count
// against the volume (free-space check and per-volume limit) and it counts
// as one write in flight there. Destroying it, or release(), gives the
// space back and wakes reserve() calls waiting for space; a committed write
// instead turns it into staged bytes (SpaceManager::commit).
//
// Ownership: move-only; the SpaceManager must outlive it.
// Thread safety: one owner at a time; releasing is safe concurrently with
// any SpaceManager call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace s5j::staging {

class SpaceManager;

class Reservation {
 public:
  Reservation() = default;  // holds nothing
  Reservation(Reservation&& other) noexcept;
  Reservation& operator=(Reservation&& other) noexcept;  // releases what it held first
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
  ~Reservation() { release(); }

  bool active() const { return owner_ != nullptr; }
  explicit operator bool() const { return active(); }
  size_t volume_index() const { return volume_; }
  // Path of the volume; empty when not active.
  const std::string& volume() const;
  uint64_t bytes() const { return bytes_; }
  const SpaceManager* owner() const { return owner_; }

  // Gives the space back now; idempotent.
  void release();

 private:
  friend class SpaceManager;
  Reservation(SpaceManager* owner, size_t volume, uint64_t bytes) : owner_(owner), volume_(volume), bytes_(bytes) {}
  SpaceManager* owner_ = nullptr;
  size_t volume_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace s5j::staging
