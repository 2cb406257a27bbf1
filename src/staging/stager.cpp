#include "staging/stager.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>

#include "staging/posix_file.h"
#include "staging/staging_error.h"
#include "staging/volume_discovery.h"

namespace s5j::staging {
namespace {

ssize_t system_pwrite(int fd, const void* buf, size_t count, off_t offset) { return ::pwrite(fd, buf, count, offset); }

// Size of the regular file at `path` (not following a symlink), if any.
std::optional<uint64_t> regular_file_size(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace

Result<std::unique_ptr<Stager>> Stager::open(StagingOptions options) {
  if (auto ok = validate_job_name(options.job); !ok) return std::unexpected(ok.error());
  auto volumes = resolve_volumes(options.volumes, options.volume_pattern, options.job);
  if (!volumes) return std::unexpected(volumes.error());
  SpaceOptions space_options;
  space_options.reserve_bytes = options.reserve_bytes;
  space_options.volume_limit_bytes = options.volume_limit_bytes;
  space_options.fs_stats = options.fs_stats;
  space_options.recheck_interval = options.space_recheck_interval;
  space_options.on_wait = options.on_space_wait;
  auto space = SpaceManager::create(*volumes, std::move(space_options));
  if (!space) return std::unexpected(space.error());
  std::vector<std::unique_ptr<GroupSync>> syncs;
  for (const std::string& volume : *volumes) {
    auto sync = GroupSync::open(volume, options.sync_fs);
    if (!sync) return std::unexpected(sync.error());
    syncs.push_back(std::move(*sync));
  }
  std::unique_ptr<Stager> stager(
      new Stager(std::move(options), std::move(*volumes), std::move(*space), std::move(syncs)));

  // Staged files from an earlier run still occupy their volumes and are
  // still to be uploaded: index them and count them.
  auto found = stager->scan();
  if (!found) return std::unexpected(found.error());
  std::map<StagedId, std::vector<StagedEntry>> by_id;
  for (StagedEntry& e : found->complete) by_id[e.id].push_back(std::move(e));
  for (auto& [id, entries] : by_id) {
    // Two copies of one id mean a crash between a commit and the removal of
    // the copy it superseded: the newest is the current one.
    std::stable_sort(entries.begin(), entries.end(),
                     [](const StagedEntry& a, const StagedEntry& b) { return a.mtime_ns > b.mtime_ns; });
    std::vector<Copy>& copies = stager->index_[id];
    for (const StagedEntry& e : entries) {
      copies.push_back(Copy{e.volume_index, e.size});
      stager->space_->add_staged(e.volume_index, e.size);
    }
  }
  return stager;
}

Stager::Stager(StagingOptions options, std::vector<std::string> volumes, std::unique_ptr<SpaceManager> space,
               std::vector<std::unique_ptr<GroupSync>> syncs)
    : job_(std::move(options.job)),
      checksums_(options.checksums),
      pwrite_(options.pwrite ? std::move(options.pwrite) : PwriteFn(system_pwrite)),
      volumes_(std::move(volumes)),
      space_(std::move(space)),
      syncs_(std::move(syncs)) {}

Result<Reservation> Stager::reserve(uint64_t bytes, WaitMode mode, std::stop_token stop) {
  return space_->reserve(bytes, mode, std::move(stop));
}

Result<std::unique_ptr<StagedWriter>> Stager::create_writer(StagedId id, Reservation reservation) {
  if (auto ok = validate_id(id); !ok) return std::unexpected(ok.error());
  if (!reservation || reservation.owner() != space_.get()) {
    return staging_error(ErrorKind::permanent, kInvalidArgument,
                         "staged write of id " + std::to_string(id) + " needs an active reservation from this stager");
  }
  {
    std::lock_guard lock(mutex_);
    if (!writing_.insert(id).second) {
      return staging_error(ErrorKind::permanent, kInvalidArgument,
                           "id " + std::to_string(id) + " is already being staged in job " + job_);
    }
  }
  // Until the writer exists, failures here must give the id back.
  auto give_back = [&](Error e) {
    writer_closed(id);
    return std::unexpected(std::move(e));
  };
  const std::string& volume = reservation.volume();
  const std::string dir = shard_dir(volume, job_, id);
  if (auto ok = ensure_dir(dir, job_dir(volume, job_)); !ok) return give_back(ok.error());
  const std::string part = part_path(volume, job_, id);
  // A .part of this id can only be a leftover of a write that died (ours
  // are registered in writing_): this write supersedes it.
  if (::unlink(part.c_str()) != 0 && errno != ENOENT) return give_back(io_error("cannot remove", part, errno).error());
  UniqueFd fd(::open(part.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return give_back(io_error("cannot create", part, errno).error());
  auto hasher = checksum::MultiHasher::create(checksums_);
  if (!hasher) {
    fd.reset();
    ::unlink(part.c_str());
    return give_back(hasher.error());
  }
  std::string final_path = staged_path(volume, job_, id);
  return std::unique_ptr<StagedWriter>(new StagedWriter(*this, id, std::move(reservation), dir, part,
                                                        std::move(final_path), std::move(fd), std::move(*hasher),
                                                        pwrite_));
}

void Stager::writer_committed(StagedId id, size_t volume, uint64_t size, Reservation& reservation) {
  std::lock_guard lock(mutex_);
  space_->commit(reservation);
  std::vector<Copy> kept{Copy{volume, size}};
  for (const Copy& old : index_[id]) {
    if (old.volume == volume) {  // the rename replaced it
      space_->remove_staged(old.volume, old.size);
      continue;
    }
    const int err = unlink_in_dir(shard_dir(volumes_[old.volume], job_, id), std::to_string(id));
    if (err == 0 || err == ENOENT) {
      space_->remove_staged(old.volume, old.size);
    } else {
      kept.push_back(old);  // still on disk: keep counting it; remove() retries
    }
  }
  index_[id] = std::move(kept);
}

void Stager::writer_closed(StagedId id) {
  std::lock_guard lock(mutex_);
  writing_.erase(id);
}

std::optional<StagedLocation> Stager::find(StagedId id) const {
  std::lock_guard lock(mutex_);
  auto it = index_.find(id);
  if (it == index_.end() || it->second.empty()) return std::nullopt;
  const Copy& c = it->second.front();
  return StagedLocation{c.volume, staged_path(volumes_[c.volume], job_, id), c.size};
}

Result<StagedReader> Stager::open_reader(StagedId id) const {
  if (auto ok = validate_id(id); !ok) return std::unexpected(ok.error());
  const auto where = find(id);
  if (!where) {
    return staging_error(ErrorKind::permanent, kStagedNotFound,
                         "no staged file for id " + std::to_string(id) + " in job " + job_);
  }
  return StagedReader::open(where->path);
}

Status Stager::remove(StagedId id) {
  if (auto ok = validate_id(id); !ok) return ok;
  std::lock_guard lock(mutex_);
  std::vector<Copy> copies;
  if (auto it = index_.find(id); it != index_.end()) copies = std::move(it->second);
  std::vector<Copy> kept;
  std::optional<Error> first_error;
  // Every volume, not only the indexed ones: also clears a copy the index
  // lost track of. The path comes from the id alone.
  for (size_t v = 0; v < volumes_.size(); ++v) {
    const std::string path = staged_path(volumes_[v], job_, id);
    const int err = unlink_in_dir(shard_dir(volumes_[v], job_, id), std::to_string(id));
    const bool gone = err == 0 || err == ENOENT;
    if (!gone && !first_error) first_error = io_error("cannot remove", path, err).error();
    for (const Copy& c : copies) {
      if (c.volume != v) continue;
      if (gone) {
        space_->remove_staged(c.volume, c.size);
      } else {
        kept.push_back(c);
      }
    }
  }
  if (kept.empty()) {
    index_.erase(id);
  } else {
    index_[id] = std::move(kept);
  }
  if (first_error) return std::unexpected(*first_error);
  return {};
}

Result<StagedReader> Stager::open_reader_anywhere(StagedId id) {
  if (auto ok = validate_id(id); !ok) return std::unexpected(ok.error());
  if (find(id)) return open_reader(id);
  for (size_t v = 0; v < volumes_.size(); ++v) {
    const std::string path = staged_path(volumes_[v], job_, id);
    auto reader = StagedReader::open(path);
    if (!reader) {
      if (reader.error().code == kStagedNotFound) continue;
      return reader;
    }
    std::lock_guard lock(mutex_);
    auto& copies = index_[id];
    if (std::none_of(copies.begin(), copies.end(), [&](const Copy& c) { return c.volume == v; })) {
      copies.insert(copies.begin(), Copy{v, reader->size()});
      space_->add_staged(v, reader->size());
    }
    return reader;
  }
  return staging_error(ErrorKind::permanent, kStagedNotFound,
                       "no staged file for id " + std::to_string(id) + " in job " + job_ + " on any volume");
}

Result<size_t> Stager::refresh() {
  auto found = scan();
  if (!found) return std::unexpected(found.error());
  std::map<StagedId, std::vector<const StagedEntry*>> on_disk;
  for (const StagedEntry& e : found->complete) on_disk[e.id].push_back(&e);
  auto listed = [&](StagedId id, size_t volume) {
    auto it = on_disk.find(id);
    if (it == on_disk.end()) return false;
    return std::any_of(it->second.begin(), it->second.end(), [&](const StagedEntry* e) { return e->volume_index == volume; });
  };
  size_t changes = 0;
  std::lock_guard lock(mutex_);
  // Gone: removed by another process (or by hand).
  for (auto it = index_.begin(); it != index_.end();) {
    std::vector<Copy> kept;
    for (const Copy& c : it->second) {
      if (listed(it->first, c.volume) || regular_file_size(staged_path(volumes_[c.volume], job_, it->first))) {
        kept.push_back(c);
      } else {
        space_->remove_staged(c.volume, c.size);
        ++changes;
      }
    }
    if (kept.empty()) {
      it = index_.erase(it);
    } else {
      it->second = std::move(kept);
      ++it;
    }
  }
  // New: staged by another process.
  for (const auto& [id, entries] : on_disk) {
    auto& copies = index_[id];
    for (const StagedEntry* e : entries) {
      if (std::any_of(copies.begin(), copies.end(), [&](const Copy& c) { return c.volume == e->volume_index; })) continue;
      const auto size = regular_file_size(e->path);
      if (!size) continue;  // removed since the scan
      copies.push_back(Copy{e->volume_index, *size});
      space_->add_staged(e->volume_index, *size);
      ++changes;
    }
    if (copies.empty()) index_.erase(id);
  }
  return changes;
}

Result<ScanResult> Stager::scan() const { return scan_staging(volumes_, job_); }

Result<size_t> Stager::discard_partials() {
  auto found = scan();
  if (!found) return std::unexpected(found.error());
  size_t removed = 0;
  for (const StagedEntry& e : found->partial) {
    // Checked and deleted under the lock that create_writer registers ids
    // with, so a .part a live writer has just created is never taken.
    std::lock_guard lock(mutex_);
    if (writing_.contains(e.id)) continue;
    if (::unlink(e.path.c_str()) == 0) {
      ++removed;
    } else if (errno != ENOENT) {
      return io_error("cannot remove", e.path, errno);
    }
  }
  return removed;
}

}  // namespace s5j::staging
