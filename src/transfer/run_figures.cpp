#include "transfer/run_figures.h"

#include <nlohmann/json.hpp>

namespace s5j::transfer {
namespace {

constexpr int kVersion = 1;

}  // namespace

std::vector<EndpointFigures> endpoint_figures_of(const std::string& side, const s3::EndpointPool& pool) {
  std::vector<EndpointFigures> out;
  for (size_t i = 0; i < pool.size(); ++i)
    out.push_back({side, pool.endpoint(i).url, pool.requests(i), pool.failures(i), pool.is_up(i)});
  return out;
}

std::string encode_run_figures(const RunFigures& figures) {
  nlohmann::json legs = nlohmann::json::array();
  for (const auto& l : figures.legs) {
    nlohmann::json classes = nlohmann::json::array();
    for (const auto& c : l.classes) classes.push_back({c.samples, c.seconds_per_object, c.mean_size});
    legs.push_back({{"leg", l.leg},
                    {"busy", l.busy_workers},
                    {"ops", l.objects_per_second},
                    {"bps", l.bytes_per_second},
                    {"classes", std::move(classes)}});
  }
  nlohmann::json endpoints = nlohmann::json::array();
  for (const auto& e : figures.endpoints) endpoints.push_back({e.side, e.url, e.requests, e.failures, e.in_use});
  return nlohmann::json{
      {"v", kVersion}, {"leases", figures.leases_held}, {"legs", std::move(legs)}, {"endpoints", std::move(endpoints)}}
      .dump();
}

std::optional<RunFigures> parse_run_figures(std::string_view text) {
  if (text.empty()) return std::nullopt;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    if (j.at("v").get<int>() != kVersion) return std::nullopt;
    RunFigures f;
    f.leases_held = j.at("leases").get<uint64_t>();
    for (const auto& l : j.at("legs")) {
      LegPaceFigures leg;
      leg.leg = l.at("leg").get<std::string>();
      leg.busy_workers = l.at("busy").get<double>();
      leg.objects_per_second = l.at("ops").get<double>();
      leg.bytes_per_second = l.at("bps").get<double>();
      const auto& classes = l.at("classes");
      if (!classes.is_array() || classes.size() != leg.classes.size()) return std::nullopt;
      for (size_t c = 0; c < leg.classes.size(); ++c)
        leg.classes[c] = {classes[c].at(0).get<uint64_t>(), classes[c].at(1).get<double>(),
                          classes[c].at(2).get<double>()};
      f.legs.push_back(std::move(leg));
    }
    // Added within version 1: absent from the first releases that wrote it.
    if (auto e = j.find("endpoints"); e != j.end()) {
      for (const auto& x : *e)
        f.endpoints.push_back({x.at(0).get<std::string>(), x.at(1).get<std::string>(), x.at(2).get<uint64_t>(),
                               x.at(3).get<uint64_t>(), x.at(4).get<bool>()});
    }
    return f;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace s5j::transfer
