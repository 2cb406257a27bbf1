#include "metrics/run_health.h"

#include <map>
#include <string>
#include <utility>

namespace s5j::metrics {
namespace {

using Json = nlohmann::json;

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// One "name{a="x",b="y"} value" line; false for comments and other shapes.
bool parse_sample(std::string_view line, Sample& out) {
  if (line.empty() || line[0] == '#') return false;
  const auto brace = line.find('{');
  const auto space = line.rfind(' ');
  if (space == std::string_view::npos) return false;
  out.labels.clear();
  if (brace == std::string_view::npos || brace > space) {
    out.name = std::string(line.substr(0, space));
  } else {
    out.name = std::string(line.substr(0, brace));
    size_t i = brace + 1;
    while (i < line.size() && line[i] != '}') {
      const auto eq = line.find('=', i);
      if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"') return false;
      const std::string name(line.substr(i, eq - i));
      std::string value;
      size_t j = eq + 2;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size()) {
          ++j;
          value += line[j] == 'n' ? '\n' : line[j];
        } else {
          value += line[j];
        }
      }
      out.labels[name] = std::move(value);
      i = j + 1;
      if (i < line.size() && line[i] == ',') ++i;
    }
  }
  try {
    out.value = std::stod(std::string(line.substr(space + 1)));
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

}  // namespace

Json run_health_from_exposition(std::string_view text) {
  std::map<std::string, Json> sides;                                    // side -> entry
  std::map<std::pair<std::string, std::string>, Json> endpoints;        // (side, endpoint) -> entry
  Sample s;
  size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (parse_sample(text.substr(start, end - start), s)) {
      const std::string side = s.labels["side"];
      if (s.name == "s5j_concurrency_limit" || s.name == "s5j_requests_in_flight") {
        auto& e = sides[side];
        e["side"] = side;
        e[s.name == "s5j_concurrency_limit" ? "concurrency_limit" : "in_flight"] = s.value;
      } else if (s.name == "s5j_endpoint_up" || s.name == "s5j_endpoint_requests_total" ||
                 s.name == "s5j_endpoint_failures_total") {
        auto& e = endpoints[{side, s.labels["endpoint"]}];
        e["side"] = side;
        e["endpoint"] = s.labels["endpoint"];
        if (s.name == "s5j_endpoint_up") e["up"] = s.value == 1;
        if (s.name == "s5j_endpoint_requests_total") e["requests"] = s.value;
        if (s.name == "s5j_endpoint_failures_total") e["failures"] = s.value;
      }
    }
    start = end + 1;
  }
  Json out{{"sides", Json::array()}, {"endpoints", Json::array()}};
  for (auto& [_, e] : sides) out["sides"].push_back(std::move(e));
  for (auto& [_, e] : endpoints) out["endpoints"].push_back(std::move(e));
  return out;
}

Json fetch_run_health(const http::ListenAddress& address, http::Transport& transport) {
  http::ListenAddress ask = address;
  if (ask.host == "0.0.0.0") ask.host = "127.0.0.1";
  if (ask.host == "::") ask.host = "::1";
  const std::string url = "http://" + ask.to_string() + "/metrics";
  http::Request request{.method = "GET", .url = url};
  auto answer = transport.perform(request);
  Json out;
  if (!answer) {
    out = {{"error", "no run answers at " + url + " (" + answer.error().code + ")"}};
  } else if (answer->status != 200) {
    out = {{"error", url + " answered HTTP " + std::to_string(answer->status)}};
  } else {
    out = run_health_from_exposition(answer->body);
  }
  out["metrics_url"] = url;
  return out;
}

}  // namespace s5j::metrics
