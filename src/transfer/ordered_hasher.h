// OrderedHasher: the MD5 of a whole object whose parts are downloaded in
// parallel. Each part waits for its turn (all earlier parts hashed), hashes
// its bytes, and passes the turn on. Only objects whose source ETag is a
// plain MD5 need this; their parts are granted memory in order (ByteBudget)
// and dispatched in order, so the part a waiter depends on is always
// already running.
//
// Thread safety: all members are safe from many threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>

#include "checksum/md5.h"

namespace s5j::transfer {

class OrderedHasher {
 public:
  explicit OrderedHasher(checksum::Md5 md5) : md5_(std::move(md5)) {}

  // Blocks until every part before `part_number` (1-based) was hashed, then
  // hashes `data` as that part. Returns false when abandoned.
  bool hash_in_turn(uint32_t part_number, std::string_view data);
  // Wakes every waiter; the digest will not be available.
  void abandon();
  // The digest once `parts` parts were hashed; nullopt if abandoned.
  std::optional<checksum::Md5Digest> finish(uint32_t parts);

 private:
  std::mutex mutex_;
  std::condition_variable turn_;
  checksum::Md5 md5_;       // guarded by mutex_
  uint32_t next_part_ = 1;  // guarded by mutex_
  bool abandoned_ = false;  // guarded by mutex_
};

}  // namespace s5j::transfer
