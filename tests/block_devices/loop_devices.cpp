#include "block_devices/loop_devices.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/process.h"
#include "support/test_env.h"

namespace s5j::volumes_test {
namespace {

namespace fs = std::filesystem;

std::atomic<int> counter{0};

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Mount points of the filesystem with device number `dev`, deepest first.
std::vector<std::string> mounts_of(dev_t dev) {
  std::vector<std::string> out;
  std::istringstream in(read_all("/proc/self/mountinfo"));
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string id, parent, numbers, root, mount_point;
    f >> id >> parent >> numbers >> root >> mount_point;
    unsigned ma = 0, mi = 0;
    if (std::sscanf(numbers.c_str(), "%u:%u", &ma, &mi) == 2 && ma == ::major(dev) && mi == ::minor(dev))
      out.insert(out.begin(), mount_point);
  }
  return out;
}

// Whether anything is mounted at or below `dir`: never delete through a mount.
bool has_mounts_under(const std::string& dir) {
  std::istringstream in(read_all("/proc/self/mountinfo"));
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string id, parent, numbers, root, mount_point;
    f >> id >> parent >> numbers >> root >> mount_point;
    if (mount_point == dir || mount_point.starts_with(dir + "/")) return true;
  }
  return false;
}

// Unmounts everything mounted from `device`, then detaches it.
void release(const std::string& device) {
  struct stat st {};
  if (::stat(device.c_str(), &st) == 0 && S_ISBLK(st.st_mode))
    for (const auto& mp : mounts_of(st.st_rdev)) ::umount2(mp.c_str(), MNT_DETACH);
  run({"losetup", "--detach", device});
}

}  // namespace

void remove_unless_mounted(const std::string& dir) {
  std::error_code ec;
  if (!has_mounts_under(dir)) fs::remove_all(dir, ec);
}

bool running_as_root() { return ::geteuid() == 0; }

std::string test_dir() {
  fs::create_directories(S5J_VOLUMES_TEST_DIR);
  return S5J_VOLUMES_TEST_DIR;
}

Run run(const std::vector<std::string>& argv) {
  std::vector<std::string> full = argv;
  full[0] = full[0].find('/') == std::string::npos ? testing::program_path(full[0]) : full[0];
  auto r = testing::run_process(full);
  return {r.exit_code, r.out, r.err};
}

Run s5j(const std::vector<std::string>& args) {
  std::vector<std::string> argv{testing::s5j_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

std::unique_ptr<LoopDevice> LoopDevice::create(uint64_t size, std::string* error) {
  std::unique_ptr<LoopDevice> d(new LoopDevice);
  d->dir_ = test_dir() + "/" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  fs::create_directories(d->dir_);
  d->backing_file_ = d->dir_ + "/disk.img";
  const int fd = ::open(d->backing_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    if (fd >= 0) ::close(fd);
    *error = "cannot create " + d->backing_file_;
    return nullptr;
  }
  ::close(fd);
  const auto r = run({"losetup", "--find", "--show", d->backing_file_});
  if (r.exit_code != 0) {
    *error = "losetup --find --show failed: " + r.err;
    return nullptr;
  }
  d->path_ = trimmed(r.out);
  return d;
}

LoopDevice::~LoopDevice() {
  if (!path_.empty()) release(path_);
  remove_unless_mounted(dir_);
}

std::string LoopDevice::content_hash() const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::ifstream in(backing_file_, std::ios::binary);
  std::vector<char> buf(1 << 20);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
    EVP_DigestUpdate(ctx, buf.data(), static_cast<size_t>(in.gcount()));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  char two[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(two, sizeof two, "%02x", md[i]);
    hex += two;
  }
  return hex;
}

std::vector<std::string> LoopDevice::mount_points() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return {};
  return mounts_of(st.st_rdev);
}

int cleanup_stale_loop_devices() {
  int detached = 0;
  const std::string base = test_dir() + "/";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/sys/class/block", ec)) {
    const std::string backing = trimmed(read_all(entry.path().string() + "/loop/backing_file"));
    if (!backing.starts_with(base)) continue;
    // <base><pid>-<n>/disk.img: the owner is alive when /proc/<pid> exists.
    const std::string owner = backing.substr(base.size(), backing.find('-', base.size()) - base.size());
    if (owner.empty() || owner.find_first_not_of("0123456789") != std::string::npos) continue;
    if (::kill(std::stoi(owner), 0) == 0 || errno == EPERM) continue;
    release("/dev/" + entry.path().filename().string());
    remove_unless_mounted(fs::path(backing).parent_path().string());
    ++detached;
  }
  // Directories of dead processes whose devices were already detached.
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    const std::string name = entry.path().filename().string();
    const std::string owner = name.substr(0, name.find('-'));
    if (owner.empty() || owner.find_first_not_of("0123456789") != std::string::npos) continue;
    if (::kill(std::stoi(owner), 0) == 0 || errno == EPERM) continue;
    remove_unless_mounted(entry.path().string());
  }
  return detached;
}

}  // namespace s5j::volumes_test
