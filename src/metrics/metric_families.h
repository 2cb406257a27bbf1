// Metric families built by hand, for figures read at scrape time (a run's
// tallies, a job's status) rather than kept in prometheus-cpp's instruments.
// Pure helpers.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

namespace s5j::metrics {

using Families = std::vector<prometheus::MetricFamily>;
using LabelPairs = std::vector<std::pair<std::string, std::string>>;

// One family: name (with the s5j_ prefix, counters ending in _total), help
// text and type; add() appends one sample. An empty family (no sample added)
// is not written by append_to().
class FamilyBuilder {
 public:
  FamilyBuilder(std::string name, std::string help, prometheus::MetricType type);
  FamilyBuilder& add(double value, const LabelPairs& labels = {});
  void append_to(Families& out);  // moves the family out: the builder is spent

 private:
  prometheus::MetricFamily family_;
};

inline FamilyBuilder gauge(std::string name, std::string help) {
  return FamilyBuilder(std::move(name), std::move(help), prometheus::MetricType::Gauge);
}
inline FamilyBuilder counter(std::string name, std::string help) {
  return FamilyBuilder(std::move(name), std::move(help), prometheus::MetricType::Counter);
}

}  // namespace s5j::metrics
