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
  // level debug: the tests follow multipart runs by their part events
  // (part_done, part_downloaded), which the default level leaves out;
  // keep 0: they read the events of every run of a job (a crash loop has
  // twenty), which the default would prune to the last ten.
  std::ofstream(path) << side("source", job.source) << side("destination", job.destination) << "ledger:\n  path: "
                      << job.dir << "/ledger.db\n" << job.ledger_yaml << "log:\n  dir: " << job.dir << "/logs\n  level: debug\n  keep: 0\n"
                      << job.extra_yaml;
  ::chmod(path.c_str(), 0600);
  return path;
}

// The time of a log's first event ("" when it has none). File names order
// runs by second and then by pid, which is wrong within a second once pids
// wrap around; the first event's millisecond timestamp is not.
std::string first_event_time(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return "";
  auto e = nlohmann::json::parse(line, nullptr, false);
  return e.is_object() && e.contains("ts") && e["ts"].is_string() ? e["ts"].get<std::string>() : "";
}

std::vector<std::string> log_files(const std::string& log_dir) {
  std::vector<std::pair<std::string, std::string>> files;  // (first event's time, path)
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(log_dir, ec))
    if (entry.path().extension() == ".jsonl")
      files.emplace_back(first_event_time(entry.path().string()), entry.path().string());
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (auto& [time, path] : files) out.push_back(std::move(path));
  return out;
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
