// Real block devices for the volume tests: loop devices over sparse files
// under S5J_VOLUMES_TEST_DIR/<pid>-<n>/disk.img (a directory of the build
// tree, so two checkouts never touch each other's devices).
//
// A LoopDevice detaches itself, after unmounting whatever is mounted from
// it, when destroyed (also when its test fails an assertion). A test
// process that dies without running destructors leaves its devices behind:
// cleanup_stale_loop_devices() — called by every fixture's SetUp and by the
// ctest cleanup test volumes_loop_cleanup that runs after the volume tests,
// pass or fail — unmounts and detaches every device whose backing file
// belongs to a process that no longer runs.
//
// Needs root (losetup, mount); running_as_root() tells the tests to skip.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace s5j::volumes_test {

bool running_as_root();
std::string test_dir();  // S5J_VOLUMES_TEST_DIR, created on demand

class LoopDevice {
 public:
  // Attaches a new loop device over a sparse file of `size` bytes; null
  // (with the reason in `error`) when that fails.
  static std::unique_ptr<LoopDevice> create(uint64_t size, std::string* error);
  ~LoopDevice();
  LoopDevice(const LoopDevice&) = delete;
  LoopDevice& operator=(const LoopDevice&) = delete;

  const std::string& path() const { return path_; }              // /dev/loopN
  const std::string& backing_file() const { return backing_file_; }
  // SHA-256 of every byte of the backing file: the device's content.
  std::string content_hash() const;
  // The mount points of this device now (/proc/self/mountinfo).
  std::vector<std::string> mount_points() const;

 private:
  LoopDevice() = default;
  std::string path_, backing_file_, dir_;
};

// Loop devices of test processes that are gone: unmounted, detached, their
// files removed. Returns how many were detached.
int cleanup_stale_loop_devices();

// Removes `dir` and everything in it, unless something is mounted at or
// below it (never delete through a mount).
void remove_unless_mounted(const std::string& dir);

// Runs a program (argv[0] found in PATH); exit code, stdout and stderr.
struct Run {
  int exit_code = -1;
  std::string out, err;
};
Run run(const std::vector<std::string>& argv);
// The s5j binary under test with these arguments.
Run s5j(const std::vector<std::string>& args);

}  // namespace s5j::volumes_test
