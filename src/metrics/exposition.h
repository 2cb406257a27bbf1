// What `/metrics` answers: the Prometheus text format (version 0.0.4) of
// prometheus-cpp's registry (instruments updated as things happen: request
// counters and latency histograms) followed by the families the sources
// write at scrape time (figures read from the run's tallies and the job's
// status), and `s5j_build_info`. Families of one name written by several
// sources (one per S3 client) are joined into one.
//
// Thread safety: add_source() before serving; text() from any thread (the
// registry is thread-safe; each source must be).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/registry.h>

#include "metrics/metric_families.h"

namespace s5j::metrics {

inline constexpr char kExpositionContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// A source appends the families it knows to the scrape's list.
using MetricsSource = std::function<void(Families&)>;

class Exposition {
 public:
  // `version` and `commit` label s5j_build_info.
  Exposition(std::string version, std::string commit);

  prometheus::Registry& registry() { return *registry_; }
  void add_source(MetricsSource source) { sources_.push_back(std::move(source)); }

  // One scrape.
  std::string text() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::vector<MetricsSource> sources_;
  std::string version_, commit_;
};

}  // namespace s5j::metrics
