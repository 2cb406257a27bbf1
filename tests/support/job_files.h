// Config files and event logs of s5j runs, for end-to-end tests.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace s5j::testing {

struct JobSide {
  std::string endpoint;  // one URL, or several separated by ", "
  std::string bucket;
  std::string prefix;
  std::string extra_yaml;  // more keys of this side, each line "  key: value\n"
  std::string access_key;  // empty: the test user's (test_env.h)
  std::string secret_key;
};

struct JobConfig {
  JobSide source;
  JobSide destination;
  std::string dir;          // ledger and logs go here
  std::string extra_yaml;   // appended verbatim (e.g. "transfer:\n  workers: 4\n")
  std::string ledger_yaml;  // more keys of the ledger section, each line "  key: value\n"
};

// Writes DIR/config.yaml (mode 0600) with the test credentials, ledger
// DIR/ledger.db and log dir DIR/logs; returns its path.
std::string write_job_config(const JobConfig& job);

// Every event of every log file in `log_dir`, files in the order of log_files().
std::vector<nlohmann::json> read_events(const std::string& log_dir);
// Only the events called `name`.
std::vector<nlohmann::json> events_named(const std::vector<nlohmann::json>& events, const std::string& name);
// The log files in `log_dir`, in the order their first events were written
// (the runs' start order; not the names', which tie within a second).
std::vector<std::string> log_files(const std::string& log_dir);
std::vector<nlohmann::json> read_event_file(const std::string& path);

}  // namespace s5j::testing
