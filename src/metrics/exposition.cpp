#include "metrics/exposition.h"

#include <map>

#include <prometheus/text_serializer.h>

namespace s5j::metrics {
namespace {

// Sources may each write part of one family (a family per side's client):
// the text format wants one HELP/TYPE block per name, so those parts are
// joined, in the order the names first appeared.
Families merged(Families families) {
  Families out;
  std::map<std::string, size_t> index;
  for (auto& f : families) {
    auto [it, inserted] = index.try_emplace(f.name, out.size());
    if (inserted) {
      out.push_back(std::move(f));
    } else {
      auto& into = out[it->second].metric;
      into.insert(into.end(), std::make_move_iterator(f.metric.begin()), std::make_move_iterator(f.metric.end()));
    }
  }
  return out;
}

}  // namespace

Exposition::Exposition(std::string version, std::string commit)
    : registry_(std::make_shared<prometheus::Registry>()), version_(std::move(version)), commit_(std::move(commit)) {}

std::string Exposition::text() const {
  Families families = registry_->Collect();
  gauge("s5j_build_info", "s5j's version and commit (always 1)")
      .add(1, {{"version", version_}, {"commit", commit_}})
      .append_to(families);
  for (const auto& source : sources_) source(families);
  return prometheus::TextSerializer().Serialize(merged(std::move(families)));
}

}  // namespace s5j::metrics
