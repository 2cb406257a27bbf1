#include "transfer/sync_engine.h"

#include "transfer/copy_leg.h"
#include "transfer/key_mapping.h"
#include "transfer/run_driver.h"

namespace s5j::transfer {
namespace {

JobRunSettings run_settings(const SyncSettings& s) {
  JobRunSettings r;
  r.job = s.job;
  r.mode = ledger::JobMode::direct;
  r.command = s.command;
  r.version = s.version;
  r.shared_lock_ttl = s.lease;
  return r;
}

}  // namespace

// The direct sync as the driver runs it: plan with the destination listing,
// one copy leg, its report.
struct SyncEngine::State final : RunSpec {
  State(SyncSettings s, s3::S3Client& src, s3::S3Client& dst, ledger::Ledger& l, log::EventLog& e, const Clock& c)
      : settings(std::move(s)),
        source(src),
        destination(dst),
        ledger(l),
        events(e),
        driver(run_settings(settings), {settings.lease, settings.flush_interval, settings.ledger_unavailable_limit},
               *this, l, e, c) {}

  SyncSettings settings;
  s3::S3Client& source;
  s3::S3Client& destination;
  ledger::Ledger& ledger;
  log::EventLog& events;
  std::atomic<uint64_t> planned_objects{0}, listed_objects{0};
  std::atomic<bool> planning{true};
  std::atomic<bool> stop_listing{false};  // set by stopping(), from the signal's thread
  PlanSummary plan_summary;  // the run()'s thread only
  SyncReport report;         // set by summarize(), on the run()'s thread
  RunDriver driver;          // last: its legs use the parts above

  nlohmann::json started_fields() const override {
    const auto& c = settings.copier;
    return {{"job", settings.job},
            {"command", settings.command},
            {"source", "s3://" + c.source_bucket + "/" + c.source_prefix},
            {"destination", "s3://" + c.destination_bucket + "/" + c.destination_prefix},
            {"workers", settings.workers},
            {"server_side_copy", c.server_side_copy},
            {"dry_run", settings.dry_run}};
  }

  RecoveryOptions recovery() const override {
    RecoveryOptions o;
    o.destination = &destination;
    o.destination_bucket = settings.copier.destination_bucket;
    o.destination_key = [this](const std::string& key) {
      return destination_key_for(settings.copier.source_prefix, settings.copier.destination_prefix, key);
    };
    return o;
  }

  Result<nlohmann::json> plan() override {
    const auto& c = settings.copier;
    PlannerSettings ps{
        c.source_bucket, c.source_prefix, c.destination_bucket, c.destination_prefix, settings.match_destination,
        settings.list_workers, driver.job_run().owner(),
        [this](const std::string& why) { driver.job_run().set_activity({.name = "listing", .detail = why}); },
        [this] { return stop_listing.load(); }, ledger.cooperative(),
        ledger.cooperative() ? settings.lease : PlannerSettings{}.range_lease};
    ps.claims_open = [this](bool open) { driver.open_claims(open); };
    Planner planner(std::move(ps), source, destination, ledger, driver.job_run().job(), events);
    driver.job_run().set_activity("listing");
    auto plan = planner.plan([this](uint64_t objects, uint64_t) {
      listed_objects = objects;
      driver.wake_legs();  // copy while listing: the records just committed
    });
    if (!plan) return std::unexpected(plan.error());
    plan_summary = *plan;
    planned_objects = plan->pending_objects;
    tally().planned_bytes = plan->pending_bytes;
    planning = false;
    return nlohmann::json{{"listed", plan->listed_objects},
                          {"listed_bytes", plan->listed_bytes},
                          {"to_copy", plan->pending_objects},
                          {"to_copy_bytes", plan->pending_bytes},
                          {"already_verified", plan->already_verified()},
                          {"identical_at_destination", plan->found_at_destination}};
  }

  bool dry_run() const override { return settings.dry_run; }
  bool plans_beside_legs() const override { return true; }

  void stopping() override { stop_listing = true; }

  std::vector<std::unique_ptr<Leg>> make_legs(RunContext& context) override {
    std::vector<std::unique_ptr<Leg>> legs;
    legs.push_back(std::make_unique<CopyLeg>(context,
                                             CopyLegSettings{settings.copier, settings.workers, settings.part_threads,
                                                             settings.memory_budget, settings.max_source_changes},
                                             source, destination));
    return legs;
  }

  void legs_starting() override { driver.job_run().set_activity("transferring"); }

  std::vector<EndpointFigures> endpoint_figures() const override {
    auto out = endpoint_figures_of("source", source.endpoints());
    auto destination_side = endpoint_figures_of("destination", destination.endpoints());
    out.insert(out.end(), destination_side.begin(), destination_side.end());
    return out;
  }

  RunSummary summarize(const RunEnd& end) override {
    const RunTally& t = tally();
    SyncReport& r = report;
    r.plan = plan_summary;
    r.copied_objects = t.verified_objects;
    r.copied_bytes = t.verified_bytes;
    r.uploaded_bytes = t.uploaded_bytes;
    r.downloaded_bytes = t.downloaded_bytes;
    r.server_side_copies = t.server_side_copies;
    r.failed_objects = t.failed_objects;
    r.vanished_objects = t.vanished_objects;
    r.changed_objects = t.changed_objects;
    r.failures = t.failures();
    r.stopped = end.stopped;
    r.duration = end.duration;
    const double seconds = std::max(0.001, r.duration.count() / 1000.0);
    return {{{"listed", r.plan.listed_objects},
             {"planned", r.plan.pending_objects},
             {"planned_bytes", r.plan.pending_bytes},
             {"copied", r.copied_objects},
             {"copied_bytes", r.copied_bytes},
             {"uploaded_bytes", r.uploaded_bytes},
             {"downloaded_bytes", r.downloaded_bytes},
             {"server_side_copies", r.server_side_copies},
             {"skipped", r.plan.verified_objects},
             {"failed", r.failed_objects},
             {"vanished", r.vanished_objects},
             {"changed", r.changed_objects},
             {"stopped", r.stopped},
             {"duration_ms", r.duration.count()},
             {"throughput_bytes_per_s", static_cast<uint64_t>(r.copied_bytes / seconds)}},
            r.complete()};
  }

  RunTally& tally() { return driver.tally(); }
};

SyncEngine::SyncEngine(SyncSettings settings, s3::S3Client& source, s3::S3Client& destination,
                       ledger::Ledger& ledger, log::EventLog& events, const Clock& clock)
    : state_(std::make_unique<State>(std::move(settings), source, destination, ledger, events, clock)) {
  source.set_observer(log_retries(state_->events, "source"));
  destination.set_observer(log_retries(state_->events, "destination"));
}

SyncEngine::~SyncEngine() = default;

void SyncEngine::request_stop() { state_->driver.request_stop(); }

const RunTally& SyncEngine::tally() const { return state_->driver.tally(); }

SyncProgress SyncEngine::progress() const {
  const auto& s = *state_;
  const RunTally& t = s.driver.tally();
  SyncProgress p;
  p.planned_objects = s.planned_objects;
  p.planned_bytes = t.planned_bytes;
  p.done_objects = t.done_objects;
  p.done_bytes = t.done_bytes;
  p.verified_objects = t.verified_objects;
  p.failed_objects = t.failed_objects;
  p.planning = s.planning;
  p.listed_objects = s.listed_objects;
  return p;
}

Result<SyncReport> SyncEngine::run() {
  auto& s = *state_;
  auto end = s.driver.run();
  if (!end) return std::unexpected(end.error());
  if (s.settings.dry_run) {  // no summary: the plan and the time it took
    s.report.plan = s.plan_summary;
    s.report.duration = end->duration;
  }
  return s.report;
}

}  // namespace s5j::transfer
