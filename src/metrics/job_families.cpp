#include "metrics/job_families.h"

#include <string>

#include "ledger/object_state.h"

namespace s5j::metrics {
namespace {

double num(uint64_t v) { return static_cast<double>(v); }

}  // namespace

void append_job_families(const ops::StatusReport& r, Families& out) {
  if (!r.job_exists) return;
  auto objects = gauge("s5j_job_objects", "the job's objects per ledger state");
  auto bytes = gauge("s5j_job_bytes", "the job's bytes per ledger state");
  for (const auto& s : r.states) {
    const LabelPairs labels = {{"state", std::string(ledger::to_string(s.state))}};
    objects.add(num(s.objects), labels);
    bytes.add(num(s.bytes), labels);
  }
  std::move(objects).append_to(out);
  std::move(bytes).append_to(out);
  gauge("s5j_job_remaining_objects", "the job's objects neither verified nor vanished")
      .add(num(r.remaining_objects))
      .append_to(out);
  gauge("s5j_job_remaining_bytes", "the job's bytes neither verified nor vanished")
      .add(num(r.remaining_bytes))
      .append_to(out);
  if (r.eta_seconds)
    gauge("s5j_job_eta_seconds",
          "time left: what is left by size class at the live workers' pace (only while a run is active)")
        .add(*r.eta_seconds)
        .append_to(out);
  auto by_size = gauge("s5j_job_remaining_size_class_objects", "the job's objects left, by size class");
  for (const auto& c : r.remaining_by_size) by_size.add(num(c.objects), {{"size_class", c.size_class}});
  std::move(by_size).append_to(out);
  gauge("s5j_job_workers", "live processes of the job (several in a fleet)")
      .add(num(r.workers.size()))
      .append_to(out);
  auto rate = gauge("s5j_job_throughput_bytes_per_second", "bytes verified per second");
  if (r.throughput.last_minute) rate.add(*r.throughput.last_minute, {{"window", "last_minute"}});
  if (r.throughput.since_run_start) rate.add(*r.throughput.since_run_start, {{"window", "run"}});
  std::move(rate).append_to(out);
  const bool active = r.run && r.run->active;
  gauge("s5j_job_run_active", "1 while a run of the job is active").add(active ? 1 : 0).append_to(out);
  if (active && r.run->activity)
    gauge("s5j_job_activity", "what the active run is doing (the label; always 1)")
        .add(1, {{"activity", r.run->activity->name}})
        .append_to(out);
  if (r.staging) {
    auto size = gauge("s5j_staging_volume_size_bytes", "staging volume's filesystem size");
    auto free = gauge("s5j_staging_volume_free_bytes", "staging volume's free space");
    auto usable = gauge("s5j_staging_volume_usable_bytes", "space staging may still use (free minus the reserve)");
    auto staged = gauge("s5j_staging_volume_staged_bytes", "bytes of staged files waiting for the drain");
    auto partial = gauge("s5j_staging_volume_partial_bytes", "bytes of staged files being written");
    for (const auto& v : *r.staging) {
      const LabelPairs labels = {{"volume", v.path}};
      if (v.error.empty()) {
        size.add(num(v.total_bytes), labels);
        free.add(num(v.free_bytes), labels);
        usable.add(num(v.usable_bytes), labels);
      }
      staged.add(num(v.staged_bytes), labels);
      partial.add(num(v.partial_bytes), labels);
    }
    for (auto* f : {&size, &free, &usable, &staged, &partial}) std::move(*f).append_to(out);
  }
  auto errors = gauge("s5j_job_recent_errors", "recorded errors by kind, among the most recent ones");
  for (const auto& e : r.errors) errors.add(num(e.count), {{"kind", e.kind}});
  std::move(errors).append_to(out);
}

}  // namespace s5j::metrics
