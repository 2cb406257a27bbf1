// The real inventory of this machine: every block device of
// /sys/class/block (detached loop devices left out), each probed with
// libblkid's low-level probe (the device's own bytes, not udev's cache: a
// device formatted a second ago reads as formatted), with its mount points
// (/proc/self/mountinfo), swap use (/proc/swaps) and whether / is on it.
//
// Probing opens the device read-only; without the right to read it (not
// root) a device is listed with probed = false and the reason.
//
// Thread safety: free functions, no shared state.
#pragma once

#include <string>

#include "base/error.h"
#include "volumes/block_device.h"

namespace s5j::volumes {

// StagingError when the mount table cannot be read (nothing could be judged).
Result<Inventory> read_inventory();

// The device `arg` names: a device node path ("/dev/nvme1n1", a symlink such
// as /dev/disk/by-id/... is followed) or a kernel name ("nvme1n1").
// StagingError "ARG does not exist" / "ARG is not a block device" / "ARG is
// not a block device this machine lists".
Result<const BlockDevice*> resolve_device(const Inventory& inventory, const std::string& arg);

}  // namespace s5j::volumes
