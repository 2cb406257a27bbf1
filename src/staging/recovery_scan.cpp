#include "staging/recovery_scan.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "staging/staging_error.h"
#include "staging/staging_layout.h"
#include "staging/volume_lock.h"

namespace s5j::staging {
namespace {

namespace fs = std::filesystem;

bool is_shard_name(std::string_view name) {
  return name.size() == 3 && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Lists one directory's entries (names only), or an io_error.
Result<std::vector<std::string>> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return io_error("cannot list", dir, ec.value());
  for (const fs::directory_iterator end; it != end; it.increment(ec)) {
    if (ec) break;
    names.push_back(it->path().filename().string());
  }
  if (ec) return io_error("cannot list", dir, ec.value());
  return names;
}

bool by_id_then_volume(const StagedEntry& a, const StagedEntry& b) {
  return a.id != b.id ? a.id < b.id : a.volume_index < b.volume_index;
}

}  // namespace

Result<ScanResult> scan_staging(const std::vector<std::string>& volumes, std::string_view job) {
  if (auto ok = validate_job_name(job); !ok) return std::unexpected(ok.error());
  ScanResult out;
  for (size_t v = 0; v < volumes.size(); ++v) {
    const std::string jdir = job_dir(volumes[v], job);
    struct stat jst {};
    if (::lstat(jdir.c_str(), &jst) != 0) {
      if (errno == ENOENT) continue;
      return io_error("cannot stat", jdir, errno);
    }
    if (!S_ISDIR(jst.st_mode)) {
      out.unknown.push_back(jdir);
      continue;
    }
    auto shards = list_dir(jdir);
    if (!shards) return std::unexpected(shards.error());
    for (const std::string& shard : *shards) {
      const std::string sdir = jdir + "/" + shard;
      struct stat sst {};
      // lstat: a symlink where a shard belongs is never followed.
      if (::lstat(sdir.c_str(), &sst) != 0) continue;  // vanished meanwhile
      if (shard == kVolumeLockName) continue;  // the job's VolumeLock, not staged data
      if (!S_ISDIR(sst.st_mode) || !is_shard_name(shard)) {
        out.unknown.push_back(sdir);
        continue;
      }
      auto files = list_dir(sdir);
      if (!files) return std::unexpected(files.error());
      for (const std::string& name : *files) {
        const std::string path = sdir + "/" + name;
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0) continue;  // removed by a concurrent writer
        const auto parsed = parse_staged_name(shard, name);
        if (!parsed || !S_ISREG(st.st_mode)) {
          out.unknown.push_back(path);
          continue;
        }
        StagedEntry e;
        e.id = parsed->id;
        e.volume_index = v;
        e.path = path;
        e.size = static_cast<uint64_t>(st.st_size);
        e.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
        (parsed->part ? out.partial : out.complete).push_back(std::move(e));
      }
    }
  }
  std::sort(out.complete.begin(), out.complete.end(), by_id_then_volume);
  std::sort(out.partial.begin(), out.partial.end(), by_id_then_volume);
  std::sort(out.unknown.begin(), out.unknown.end());
  return out;
}

}  // namespace s5j::staging
