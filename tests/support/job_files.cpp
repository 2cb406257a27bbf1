#include "support/job_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "support/test_env.h"

namespace s5j::testing {

std::string write_job_config(const JobConfig& job) {
  auto side = [](const char* name, const JobSide& s) {
    return std::string(name) + ":\n  bucket: " + s.bucket + "\n  bucket_prefix: \"" + s.prefix +
           "\"\n  region: us-east-1\n  access_key: " + (s.access_key.empty() ? access_key() : s.access_key) +
           "\n  secret_access_key: " + (s.secret_key.empty() ? secret_key() : s.secret_key) +
           "\n  endpoint_urls: [" + s.endpoint + "]\n" + s.extra_yaml;
  };
  const std::string path = job.dir + "/config.yaml";
  std::ofstream(path) << side("source", job.source) << side("destination", job.destination) << "ledger:\n  path: "
                      << job.dir << "/ledger.db\nlog:\n  dir: " << job.dir << "/logs\n"
                      << job.extra_yaml;
  ::chmod(path.c_str(), 0600);
  return path;
}

std::vector<std::string> log_files(const std::string& log_dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(log_dir, ec))
    if (entry.path().extension() == ".jsonl") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<nlohmann::json> read_event_file(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    // A line being written while we read is incomplete: stop there.
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) break;
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<nlohmann::json> read_events(const std::string& log_dir) {
  std::vector<nlohmann::json> out;
  for (const auto& f : log_files(log_dir)) {
    auto events = read_event_file(f);
    out.insert(out.end(), events.begin(), events.end());
  }
  return out;
}

std::vector<nlohmann::json> events_named(const std::vector<nlohmann::json>& events, const std::string& name) {
  std::vector<nlohmann::json> out;
  for (const auto& e : events)
    if (e.value("event", "") == name) out.push_back(e);
  return out;
}

}  // namespace s5j::testing
