#include "metrics/job_status_source.h"

namespace s5j::metrics {

JobStatusSource::JobStatusSource(config::Config config, std::chrono::milliseconds max_age)
    : config_(std::move(config)), max_age_(max_age) {}

Result<ops::StatusReport> JobStatusSource::get() {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (last_ && now - last_at_ < max_age_) return *last_;
  if (!context_ || !context_->ledger || !context_->job) {
    auto opened = ops::open_job_context(config_, /*create_if_missing=*/false);
    if (!opened) return std::unexpected(opened.error());
    context_ = std::move(*opened);
  }
  auto report = ops::collect_status(config_, *context_, &samples_);
  if (!report) {
    context_.reset();  // opened afresh next time
    return std::unexpected(report.error());
  }
  last_ = *report;
  last_at_ = now;
  if (report->job_exists) {
    uint64_t verified = 0;
    for (const auto& t : report->states)
      if (t.state == ledger::ObjectState::verified) verified = t.bytes;
    history_.push_back({report->generated_at, verified, report->throughput.last_minute});
    if (history_.size() > kMaxHistory) history_.pop_front();
  }
  return report;
}

std::vector<JobStatusSource::Point> JobStatusSource::history() const {
  std::lock_guard lock(mutex_);
  return {history_.begin(), history_.end()};
}

}  // namespace s5j::metrics
