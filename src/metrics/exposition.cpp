#include "metrics/exposition.h"

#include <prometheus/text_serializer.h>

namespace s5j::metrics {

Exposition::Exposition(std::string version, std::string commit)
    : registry_(std::make_shared<prometheus::Registry>()), version_(std::move(version)), commit_(std::move(commit)) {}

std::string Exposition::text() const {
  Families families = registry_->Collect();
  gauge("s5j_build_info", "s5j's version and commit (always 1)")
      .add(1, {{"version", version_}, {"commit", commit_}})
      .append_to(families);
  for (const auto& source : sources_) source(families);
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace s5j::metrics
