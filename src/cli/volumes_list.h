// `s5j volumes list`: every block device with size, model, filesystem,
// label, mount points and its state (free, in use and why, s5j staging
// volume with its free space and the jobs' staged files), and with a
// config, whether each of the job's staging volumes is a filesystem of its
// own. Text for people, --json (one object) for scripts.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "volumes/block_device.h"

namespace s5j::cli {

nlohmann::json volumes_list_json(const volumes::Inventory& inventory, const config::Config* config);
std::string volumes_list_text(const nlohmann::json& list);

}  // namespace s5j::cli
