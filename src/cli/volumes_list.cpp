#include "cli/volumes_list.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include <algorithm>

#include "base/strings.h"
#include "cli/job_context.h"
#include "staging/volume_mount.h"
#include "volumes/device_rules.h"
#include "volumes/volume_contents.h"

namespace s5j::cli {
namespace {

nlohmann::json device_json(const volumes::Inventory& inv, const volumes::BlockDevice& d) {
  const auto verdict = volumes::classify(inv, d);
  nlohmann::json j{{"device", d.path},
                   {"type", volumes::to_string(d.type)},
                   {"size_bytes", d.size_bytes},
                   {"model", d.model},
                   {"fs_type", d.fs_type},
                   {"label", d.label},
                   {"uuid", d.uuid},
                   {"partition_table", d.partition_table},
                   {"mount_points", d.mount_points},
                   {"state", volumes::to_string(verdict.state)}};
  if (!verdict.reason.empty()) j["reason"] = verdict.reason;
  if (!d.backing_file.empty()) j["backing_file"] = d.backing_file;
  if (verdict.state != volumes::DeviceState::s5j_volume || d.mount_points.empty()) return j;
  const std::string& mp = d.mount_points.front();
  if (struct statvfs st {}; ::statvfs(mp.c_str(), &st) == 0) {
    j["free_bytes"] = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
    j["total_bytes"] = static_cast<uint64_t>(st.f_blocks) * st.f_frsize;
  }
  j["jobs"] = nlohmann::json::array();
  for (const auto& job : volumes::jobs_on_volume(mp)) {
    nlohmann::json jj{{"job", job.job}, {"staged_files", job.staged_files}, {"staged_bytes", job.staged_bytes},
                      {"partial_files", job.partial_files}};
    if (!job.held_by.empty()) jj["held_by"] = job.held_by;
    j["jobs"].push_back(jj);
  }
  return j;
}

nlohmann::json staging_volume_json(const volumes::Inventory& inv, const std::string& path) {
  const auto mount = staging::examine_volume_mount(path);
  nlohmann::json j{{"path", path}, {"own_filesystem", mount.ok()}};
  if (!mount.problem.empty()) j["problem"] = mount.problem;
  if (struct stat st {}; mount.examined && ::stat(path.c_str(), &st) == 0)
    if (const auto* d = inv.by_number(::major(st.st_dev), ::minor(st.st_dev))) j["device"] = d->path;
  return j;
}

std::string column(std::string s, size_t width) {
  if (s.size() < width) s += std::string(width - s.size(), ' ');
  return s + " ";
}

}  // namespace

nlohmann::json volumes_list_json(const volumes::Inventory& inventory, const config::Config* config) {
  nlohmann::json out{{"devices", nlohmann::json::array()}};
  for (const auto& d : inventory.devices) out["devices"].push_back(device_json(inventory, d));
  if (config) {
    out["job"] = config->job;
    out["staging_volumes"] = nlohmann::json::array();
    for (const auto& path : staging_volume_paths(*config))
      out["staging_volumes"].push_back(staging_volume_json(inventory, path));
  }
  return out;
}

std::string volumes_list_text(const nlohmann::json& list) {
  std::string out = column("DEVICE", 16) + column("SIZE", 10) + column("TYPE", 5) + column("MODEL", 20) +
                    column("FS", 12) + column("LABEL", 12) + column("MOUNTED AT", 18) + "STATE\n";
  std::string details;
  for (const auto& d : list["devices"]) {
    std::string mounts;
    for (const auto& m : d["mount_points"]) mounts += (mounts.empty() ? "" : ",") + m.get<std::string>();
    std::string state = d["state"].get<std::string>();
    if (d.contains("reason")) state += ": " + d["reason"].get<std::string>();
    std::string model = d["model"].get<std::string>();
    if (model.empty() && d.contains("backing_file")) model = d["backing_file"].get<std::string>();
    out += column(d["device"].get<std::string>(), 16) + column(human_bytes(d["size_bytes"].get<uint64_t>()), 10) +
           column(d["type"].get<std::string>(), 5) + column(model, 20) + column(d["fs_type"].get<std::string>(), 12) +
           column(d["label"].get<std::string>(), 12) + column(mounts.empty() ? "-" : mounts, 18) + state + "\n";
    if (d.contains("free_bytes")) {
      details += "  " + d["mount_points"][0].get<std::string>() + ": " + human_bytes(d["free_bytes"].get<uint64_t>()) +
                 " free of " + human_bytes(d["total_bytes"].get<uint64_t>());
      for (const auto& j : d["jobs"]) {
        details += "; job " + j["job"].get<std::string>() + ": " + std::to_string(j["staged_files"].get<uint64_t>()) +
                   " staged files (" + human_bytes(j["staged_bytes"].get<uint64_t>()) + ")";
        if (j["partial_files"].get<uint64_t>() > 0)
          details += ", " + std::to_string(j["partial_files"].get<uint64_t>()) + " partial";
        if (j.contains("held_by")) details += ", in use by a run (" + j["held_by"].get<std::string>() + ")";
      }
      details += "\n";
    }
  }
  if (!details.empty()) out += "\ns5j staging volumes:\n" + details;
  if (list.contains("staging_volumes")) {
    out += "\nstaging volumes of job " + list["job"].get<std::string>() + ":\n";
    if (list["staging_volumes"].empty()) out += "  none (none configured, none discovered)\n";
    for (const auto& v : list["staging_volumes"]) {
      out += "  " + v["path"].get<std::string>() + ": ";
      if (v["own_filesystem"].get<bool>())
        out += "own filesystem" + (v.contains("device") ? " (" + v["device"].get<std::string>() + ")" : std::string());
      else
        out += "WARNING: " + v["problem"].get<std::string>();
      out += "\n";
    }
  }
  return out;
}

}  // namespace s5j::cli
