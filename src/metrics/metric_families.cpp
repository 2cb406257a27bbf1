#include "metrics/metric_families.h"

namespace s5j::metrics {

FamilyBuilder::FamilyBuilder(std::string name, std::string help, prometheus::MetricType type) {
  family_.name = std::move(name);
  family_.help = std::move(help);
  family_.type = type;
}

FamilyBuilder& FamilyBuilder::add(double value, const LabelPairs& labels) {
  prometheus::ClientMetric m;
  for (const auto& [name, label_value] : labels) m.label.push_back({name, label_value});
  if (family_.type == prometheus::MetricType::Counter)
    m.counter.value = value;
  else
    m.gauge.value = value;
  family_.metric.push_back(std::move(m));
  return *this;
}

void FamilyBuilder::append_to(Families& out) {
  if (!family_.metric.empty()) out.push_back(std::move(family_));
}

}  // namespace s5j::metrics
