// EventLog: which events a level and log.object_events let through,
// rotation by size into compressed pieces, and pruning of a series.
#include "log/event_log.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "log/event_levels.h"
#include "log/log_files.h"
#include "support/test_env.h"

namespace s5j::log {
namespace {

namespace fs = std::filesystem;

std::vector<nlohmann::json> read_lines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

std::vector<nlohmann::json> read_gz_lines(const std::string& path) {
  std::vector<nlohmann::json> out;
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return out;
  std::string text;
  char buffer[4096];
  for (int n; (n = gzread(gz, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<size_t>(n));
  gzclose(gz);
  size_t from = 0;
  for (size_t nl; (nl = text.find('\n', from)) != std::string::npos; from = nl + 1)
    out.push_back(nlohmann::json::parse(text.substr(from, nl - from)));
  return out;
}

std::set<std::string> names_in(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

class EventLogTest : public ::testing::Test {
 protected:
  std::string dir_ = s5j::testing::make_temp_dir("event-log");

  std::unique_ptr<EventLog> open(EventLogOptions options, const std::string& name = "run.jsonl") {
    auto log = EventLog::open(dir_, name, Redactor(), std::move(options));
    EXPECT_TRUE(log.has_value());
    return log ? std::move(*log) : nullptr;
  }
};

TEST(EventLevels, NamesMapToLevels) {
  EXPECT_EQ(level_of("object_failed"), Level::error);
  EXPECT_EQ(level_of("object_retried"), Level::warn);
  EXPECT_EQ(level_of("destination_refused"), Level::warn);
  EXPECT_EQ(level_of("source_still_refused"), Level::warn);
  EXPECT_EQ(level_of("part_done"), Level::debug);
  EXPECT_EQ(level_of("object_verified"), Level::info);
  EXPECT_EQ(level_of("run_summary"), Level::info);
  EXPECT_EQ(level_of("an_event_added_later"), Level::info);
  EXPECT_EQ(parse_level("warn"), Level::warn);
  EXPECT_FALSE(parse_level("loud").has_value());
  EXPECT_TRUE(is_routine_object_event("object_verified"));
  EXPECT_FALSE(is_routine_object_event("object_failed"));
}

TEST_F(EventLogTest, ALevelDropsTheEventsBelowIt) {
  EventLogOptions o;
  o.level = Level::warn;
  {
    auto log = open(o);
    log->emit("run_started");
    log->emit("object_verified", {{"key", "a"}});
    log->emit("object_retried", {{"key", "a"}});
    log->emit("object_failed", {{"key", "b"}});
    log->emit("part_done", {{"key", "a"}});
  }
  std::vector<std::string> events;
  for (const auto& line : read_lines(dir_ + "/run.jsonl")) events.push_back(line["event"]);
  EXPECT_EQ(events, (std::vector<std::string>{"object_retried", "object_failed"}));
}

TEST_F(EventLogTest, DebugLevelWritesPartEventsThatInfoLeavesOut) {
  EventLogOptions o;
  {
    auto info = open(o, "info.jsonl");
    info->emit("part_done", {{"key", "a"}});
    o.level = Level::debug;
    auto debug = open(o, "debug.jsonl");
    debug->emit("part_done", {{"key", "a"}});
  }
  EXPECT_TRUE(read_lines(dir_ + "/info.jsonl").empty());
  EXPECT_EQ(read_lines(dir_ + "/debug.jsonl").size(), 1u);
}

// One object in N: all events of a chosen object, none of the others, the
// same objects in every run; failures are always written.
TEST_F(EventLogTest, SampledObjectEventsKeepWholeObjectsAndEveryFailure) {
  EventLogOptions o;
  o.object_events_every = 10;
  const int kObjects = 2000;
  for (const char* name : {"first.jsonl", "second.jsonl"}) {
    auto log = open(o, name);
    for (int i = 0; i < kObjects; ++i) {
      const std::string key = "dir/object-" + std::to_string(i);
      log->emit("object_started", {{"key", key}});
      log->emit("object_verified", {{"key", key}});
      if (i % 100 == 0) log->emit("object_failed", {{"key", key}});
    }
    log->emit("run_summary");
  }
  std::map<std::string, std::vector<std::string>> by_key;
  size_t failures = 0, summaries = 0;
  for (const auto& line : read_lines(dir_ + "/first.jsonl")) {
    if (line["event"] == "object_failed") ++failures;
    if (line["event"] == "run_summary") ++summaries;
    if (line.contains("key") && line["event"] != "object_failed") by_key[line["key"]].push_back(line["event"]);
  }
  EXPECT_EQ(failures, 20u);
  EXPECT_EQ(summaries, 1u);
  EXPECT_GT(by_key.size(), kObjects / 20u);
  EXPECT_LT(by_key.size(), kObjects / 5u);
  for (const auto& [key, events] : by_key) EXPECT_EQ(events.size(), 2u) << key;
  std::set<std::string> second_keys;
  for (const auto& line : read_lines(dir_ + "/second.jsonl"))
    if (line.contains("key") && line["event"] != "object_failed") second_keys.insert(line["key"]);
  std::set<std::string> first_keys;
  for (const auto& [key, events] : by_key) first_keys.insert(key);
  EXPECT_EQ(first_keys, second_keys);
}

TEST_F(EventLogTest, NoObjectEventsLeavesOnlyTheRest) {
  EventLogOptions o;
  o.object_events_every = 0;
  {
    auto log = open(o);
    log->emit("object_verified", {{"key", "a"}});
    log->emit("object_retried", {{"key", "a"}});
    log->emit("plan_done");
  }
  EXPECT_EQ(read_lines(dir_ + "/run.jsonl").size(), 2u);
}

// The live file rotates at max_size into "<name>.<n>.gz"; every line is in
// exactly one file, in order; at most `keep` pieces stay.
TEST_F(EventLogTest, RotationCompressesPiecesKeepsEveryLineAndPrunesToKeep) {
  EventLogOptions o;
  o.max_size = 4096;
  o.keep = 3;
  o.series = "sync-job";
  const std::string name = run_log_name(o.series);
  const int kLines = 400;  // ~90 bytes each: about nine rotations
  {
    auto log = open(o, name);
    for (int i = 0; i < kLines; ++i) log->emit("plan_done", {{"n", i}, {"pad", std::string(40, 'x')}});
  }
  const auto names = names_in(dir_);
  std::vector<int> seen;
  size_t pieces = 0;
  for (const std::string& n : names) {
    ASSERT_TRUE(n == name || (n.starts_with(name + ".") && n.ends_with(".gz"))) << n;
    if (n == name) continue;
    ++pieces;
    for (const auto& line : read_gz_lines(dir_ + "/" + n)) seen.push_back(line["n"]);
  }
  EXPECT_EQ(pieces, 3u);
  const auto live = read_lines(dir_ + "/" + name);
  ASSERT_FALSE(live.empty());
  EXPECT_EQ(live.back()["n"], kLines - 1);
  for (const auto& line : live) seen.push_back(line["n"]);
  std::sort(seen.begin(), seen.end());
  // The newest lines survive, each once and with none missing between.
  ASSERT_FALSE(seen.empty());
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_EQ(seen[i], seen[i - 1] + 1);
  EXPECT_EQ(seen.back(), kLines - 1);
  EXPECT_LE(fs::file_size(dir_ + "/" + name), 4096u);
}

TEST_F(EventLogTest, OpeningPrunesEarlierRunsOfTheSameSeriesOnly) {
  for (int i = 0; i < 5; ++i) {
    std::ofstream(dir_ + "/sync-a-20260101T00000" + std::to_string(i) + "Z-1" + std::to_string(i) + ".jsonl") << "{}\n";
    fs::last_write_time(dir_ + "/sync-a-20260101T00000" + std::to_string(i) + "Z-1" + std::to_string(i) + ".jsonl",
                        fs::file_time_type::clock::now() - std::chrono::hours(10 - i));
  }
  std::ofstream(dir_ + "/sync-a-b-20260101T000000Z-7.jsonl") << "{}\n";  // job "a-b"
  std::ofstream(dir_ + "/notes.txt") << "mine\n";
  EventLogOptions o;
  o.keep = 2;
  o.series = "sync-a";
  auto log = open(o, "sync-a-20260102T000000Z-99.jsonl");
  EXPECT_EQ(names_in(dir_), (std::set<std::string>{"sync-a-20260101T000003Z-13.jsonl", "sync-a-20260101T000004Z-14.jsonl",
                                                   "sync-a-20260102T000000Z-99.jsonl", "sync-a-b-20260101T000000Z-7.jsonl",
                                                   "notes.txt"}));
}

TEST(LogFiles, SeriesMembershipIsExact) {
  EXPECT_TRUE(belongs_to_series("sync-a-20260101T000000Z-12.jsonl", "sync-a"));
  EXPECT_TRUE(belongs_to_series("sync-a-20260101T000000Z-12.jsonl.3.gz", "sync-a"));
  EXPECT_TRUE(belongs_to_series("sync-a-20260101T000000Z-12.jsonl.3", "sync-a"));
  EXPECT_FALSE(belongs_to_series("sync-a-b-20260101T000000Z-12.jsonl", "sync-a"));
  EXPECT_FALSE(belongs_to_series("sync-a-20260101T000000Z-12.jsonl.gz.tmp", "sync-a"));
  EXPECT_FALSE(belongs_to_series("sync-a.jsonl", "sync-a"));
  EXPECT_FALSE(belongs_to_series("relay-a-20260101T000000Z-12.jsonl", "sync-a"));
}

}  // namespace
}  // namespace s5j::log
