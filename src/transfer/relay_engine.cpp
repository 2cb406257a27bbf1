#include "transfer/relay_engine.h"

#include <mutex>

#include "s3/access_probe.h"
#include "transfer/drain_leg.h"
#include "transfer/key_mapping.h"
#include "transfer/planner.h"
#include "transfer/relay_activity.h"
#include "transfer/run_driver.h"
#include "transfer/stage_leg.h"
#include "transfer/staging_cleanup.h"

namespace s5j::transfer {

std::string_view to_string(RelayRole role) {
  switch (role) {
    case RelayRole::stage: return "stage";
    case RelayRole::drain: return "drain";
    case RelayRole::relay: return "relay";
  }
  return "relay";
}

namespace {

JobRunSettings run_settings(const RelaySettings& s) {
  JobRunSettings r;
  r.job = s.job;
  r.mode = ledger::JobMode::staged;
  r.command = s.command.empty() ? std::string(to_string(s.role)) : s.command;
  r.version = s.version;
  r.shared_lock_ttl = s.lease;
  // Two runs of one role exclude each other; stage and drain do not.
  if (s.role != RelayRole::drain) r.roles.push_back("stage");
  if (s.role != RelayRole::stage) r.roles.push_back("drain");
  return r;
}

SideGateSettings gate_settings(const RelaySettings& s) {
  SideGateSettings g;
  g.side = "destination";
  g.first_retry = s.refusal_first_retry;
  g.max_retry = s.refusal_max_retry;
  return g;
}

}  // namespace

// The relay as the driver runs it: staging volumes opened and cleaned,
// the stage side's listing, the role's legs, its report.
struct RelayEngine::State final : RunSpec {
  State(RelaySettings s, s3::S3Client* src, s3::S3Client* dst, ledger::Ledger& l, log::EventLog& e, const Clock& c)
      : settings(std::move(s)),
        source(src),
        destination(dst),
        ledger(l),
        events(e),
        destination_gate(gate_settings(settings),
                         [this] {
                           return s3::probe_writable(*destination, settings.destination_bucket,
                                                     settings.destination_prefix, settings.landing.options);
                         },
                         c, e),
        driver(run_settings(settings), {settings.lease, settings.flush_interval, settings.ledger_unavailable_limit},
               *this, l, e, c),
        activity(driver.job_run()) {
    report.role = settings.role;
    if (has_drain() && destination != nullptr) {
      activity.set_destination_gate(&destination_gate);
      destination_gate.set_on_change([this] { activity.refresh(); });
    }
  }

  RelaySettings settings;
  s3::S3Client* source;
  s3::S3Client* destination;
  ledger::Ledger& ledger;
  log::EventLog& events;
  SideGate destination_gate;                // used when the run uploads; outlives the legs
  RelayReport report;                       // the run()'s thread
  mutable std::mutex legs_mutex;            // progress() may come from another thread at any time
  std::unique_ptr<staging::Stager> stager;  // guarded by legs_mutex while being set; outlives the legs
  RunDriver driver;                         // owns the legs
  RelayActivity activity;
  StageLeg* stage = nullptr;  // guarded by legs_mutex while being set; owned by the driver

  std::atomic<bool> planning{true};
  std::atomic<bool> stop_listing{false};  // set by stopping(), from the signal's thread
  std::atomic<uint64_t> listed{0}, to_stage{0}, to_stage_bytes{0}, to_upload{0}, to_upload_bytes{0};

  bool has_stage() const { return settings.role != RelayRole::drain; }
  bool has_drain() const { return settings.role != RelayRole::stage; }
  ledger::JobId job() { return driver.job_run().job(); }

  nlohmann::json started_fields() const override {
    return {{"job", settings.job},
            {"command", driver.job_run().settings().command},
            {"role", std::string(to_string(settings.role))},
            {"source", "s3://" + settings.source_bucket + "/" + settings.source_prefix},
            {"destination", "s3://" + settings.destination_bucket + "/" + settings.destination_prefix},
            {"workers", settings.workers},
            {"once", settings.once}};
  }

  RecoveryOptions recovery() const override {
    RecoveryOptions o;
    // Leases of the states our role works on were held by a dead run of it;
    // the other role's run may be alive and working on its states.
    if (settings.role == RelayRole::stage)
      o.lease_states = {ledger::ObjectState::pending, ledger::ObjectState::staging};
    if (settings.role == RelayRole::drain)
      o.lease_states = {ledger::ObjectState::staged, ledger::ObjectState::uploading};
    if (has_drain() && destination != nullptr) {
      o.destination = destination;
      o.destination_bucket = settings.destination_bucket;
      o.destination_key = [this](const std::string& key) {
        return destination_key_for(settings.source_prefix, settings.destination_prefix, key);
      };
    }
    return o;
  }

  Status prepare() override {
    staging::StagingOptions o = settings.staging;
    o.job = settings.job;
    o.on_space_wait = [this](uint64_t bytes) {
      ++driver.tally().space_waits;
      nlohmann::json volumes = nlohmann::json::array();
      if (stager)
        for (const auto& u : stager->usage())
          volumes.push_back({{"path", u.path},
                             {"staged_bytes", u.staged_bytes},
                             {"reserved_bytes", u.reserved_bytes},
                             {"free_bytes", u.free_bytes},
                             {"limit_bytes", u.limit_bytes}});
      events.emit("waiting_for_space", {{"bytes", bytes}, {"volumes", volumes}});
      activity.space_wait(bytes);
    };
    auto opened = staging::Stager::open(o);
    if (!opened) return std::unexpected(opened.error());
    {
      std::lock_guard lock(legs_mutex);
      stager = std::move(*opened);
    }
    activity.set_stager(stager.get());
    const auto own_host = ledger.cooperative() ? std::optional<std::string>(local_host_name()) : std::nullopt;
    auto cleaned = clean_staging(*stager, ledger, job(), has_stage(), events, own_host);
    if (!cleaned) return std::unexpected(cleaned.error());
    report.partials_removed = cleaned->partials_removed;
    report.stale_removed = cleaned->stale_removed;
    return {};
  }

  // The stage side lists the source into the ledger (the first listing,
  // and the rescans of continuous mode); then the work is counted.
  Status list_source(bool first) {
    if (has_stage()) {
      // `stage` alone may not see the destination (that is why it stages):
      // its listing is matched against the ledger only. A relay sees both
      // sides, so its first listing also skips objects already identical at
      // the destination (after a reset, or data that got there another way).
      // The rescans of continuous mode do not list the destination again:
      // at 10^8 objects that is a full listing per scan for new keys alone.
      const bool match_destination = first && has_drain() && destination != nullptr;
      PlannerSettings ps{settings.source_bucket, settings.source_prefix, settings.destination_bucket,
                         settings.destination_prefix, match_destination, settings.list_workers,
                         driver.job_run().owner(),
                         [this, first](const std::string& why) {
                           if (first) driver.job_run().set_activity({.name = "listing", .detail = why});
                         },
                         [this] { return stop_listing.load(); }, ledger.cooperative(),
                         ledger.cooperative() ? settings.lease : PlannerSettings{}.range_lease};
      // The first listing runs beside the legs (copy while listing).
      if (first) ps.claims_open = [this](bool open) { driver.open_claims(open); };
      Planner planner(std::move(ps), *source, match_destination ? *destination : *source, ledger, job(), events);
      auto plan = planner.plan([this](uint64_t objects, uint64_t) {
        listed = objects;
        driver.wake_legs();  // the stage leg may fetch what was just committed
      });
      if (!plan) return std::unexpected(plan.error());
      if (first) {
        report.listed_objects = plan->listed_objects;
        report.found_at_destination = plan->found_at_destination;
      }
      listed = plan->listed_objects;
    }
    return count_work();
  }

  Status count_work() {
    auto totals = ledger.totals(job());
    if (!totals) return std::unexpected(totals.error());
    uint64_t stage_n = 0, stage_b = 0, upload_n = 0, upload_b = 0;
    for (const auto& t : *totals) {
      using S = ledger::ObjectState;
      if (t.state == S::pending || t.state == S::staging || t.state == S::failed) {
        stage_n += t.objects;
        stage_b += t.bytes;
      }
      if (t.state != S::verified && t.state != S::vanished) {
        upload_n += t.objects;
        upload_b += t.bytes;
      }
    }
    to_stage = stage_n;
    to_stage_bytes = stage_b;
    to_upload = upload_n;
    to_upload_bytes = upload_b;
    return {};
  }

  Result<nlohmann::json> plan() override {
    // The first listing; the rescans of continuous mode are `scanning`.
    if (has_stage()) driver.job_run().set_activity("listing");
    if (auto r = list_source(true); !r) return std::unexpected(r.error());
    planning = false;
    return nlohmann::json{{"listed", report.listed_objects},
                          {"to_stage", to_stage.load()},
                          {"to_stage_bytes", to_stage_bytes.load()},
                          {"to_upload", to_upload.load()},
                          {"to_upload_bytes", to_upload_bytes.load()},
                          {"volumes", stager->volumes()}};
  }

  // The stage leg fetches the first committed records while the listing
  // goes on.
  bool plans_beside_legs() const override { return has_stage(); }

  std::vector<std::unique_ptr<Leg>> make_legs(RunContext& context) override {
    std::vector<std::unique_ptr<Leg>> legs;
    if (has_stage()) {
      auto leg = std::make_unique<StageLeg>(context, settings, *stager, activity, *source,
                                            [this] { return list_source(false); },
                                            has_drain() ? &destination_gate : nullptr);
      std::lock_guard lock(legs_mutex);
      stage = leg.get();
      legs.push_back(std::move(leg));
    }
    if (has_drain())
      legs.push_back(std::make_unique<DrainLeg>(context, settings, *stager, activity, *destination, destination_gate));
    return legs;
  }

  void legs_starting() override { activity.start(has_stage(), has_drain()); }
  void stopping() override {
    stop_listing = true;
    activity.stopping();
  }

  std::vector<EndpointFigures> endpoint_figures() const override {
    std::vector<EndpointFigures> out;
    if (source != nullptr) out = endpoint_figures_of("source", source->endpoints());
    if (destination != nullptr) {
      auto destination_side = endpoint_figures_of("destination", destination->endpoints());
      out.insert(out.end(), destination_side.begin(), destination_side.end());
    }
    return out;
  }

  RunSummary summarize(const RunEnd& end) override {
    const RunTally& t = driver.tally();
    RelayReport& r = report;
    r.staged_objects = t.staged_objects;
    r.staged_bytes = t.staged_bytes;
    r.downloaded_bytes = t.downloaded_bytes;
    r.verified_objects = t.verified_objects;
    r.verified_bytes = t.verified_bytes;
    r.uploaded_bytes = t.uploaded_bytes;
    r.failed_objects = t.failed_objects;
    r.vanished_objects = t.vanished_objects;
    r.changed_objects = t.changed_objects;
    r.refetch_objects = t.refetch_objects;
    r.space_waits = t.space_waits;
    r.failures = t.failures();
    r.stopped = end.stopped;
    r.duration = end.duration;
    if (auto totals = ledger.totals(job())) {
      for (const auto& x : *totals) {
        using S = ledger::ObjectState;
        r.totals.emplace_back(std::string(ledger::to_string(x.state)), x.objects);
        r.total_objects += x.objects;
        if (x.state == S::verified) {
          r.total_verified = x.objects;
          r.total_verified_bytes = x.bytes;
        }
        const bool left = has_drain() ? (x.state == S::pending || x.state == S::staging || x.state == S::staged ||
                                         x.state == S::uploading)
                                      : (x.state == S::pending || x.state == S::staging);
        if (left) r.remaining_objects += x.objects;
      }
    }
    nlohmann::json totals = nlohmann::json::object();
    for (const auto& [state, n] : r.totals) totals[state] = n;
    return {{{"role", std::string(to_string(r.role))},
             {"listed", r.listed_objects},
             {"found_at_destination", r.found_at_destination},
             {"staged", r.staged_objects},
             {"staged_bytes", r.staged_bytes},
             {"downloaded_bytes", r.downloaded_bytes},
             {"verified", r.verified_objects},
             {"verified_bytes", r.verified_bytes},
             {"uploaded_bytes", r.uploaded_bytes},
             {"failed", r.failed_objects},
             {"vanished", r.vanished_objects},
             {"changed", r.changed_objects},
             {"refetch", r.refetch_objects},
             {"space_waits", r.space_waits},
             {"remaining", r.remaining_objects},
             {"totals", totals},
             {"stopped", r.stopped},
             {"duration_ms", r.duration.count()}},
            r.complete()};
  }
};

RelayEngine::RelayEngine(RelaySettings settings, s3::S3Client* source, s3::S3Client* destination,
                         ledger::Ledger& ledger, log::EventLog& events, const Clock& clock)
    : state_(std::make_unique<State>(std::move(settings), source, destination, ledger, events, clock)) {
  if (source != nullptr) source->set_observer(log_retries(state_->events, "source"));
  if (destination != nullptr) destination->set_observer(log_retries(state_->events, "destination"));
}

RelayEngine::~RelayEngine() = default;

void RelayEngine::request_stop() { state_->driver.request_stop(); }

const RunTally& RelayEngine::tally() const { return state_->driver.tally(); }

RelayProgress RelayEngine::progress() const {
  const auto& s = *state_;
  const RunTally& t = s.driver.tally();
  RelayProgress p;
  p.planning = s.planning;
  p.listed_objects = s.listed;
  p.to_stage_objects = s.to_stage;
  p.to_stage_bytes = s.to_stage_bytes;
  p.to_upload_objects = s.to_upload;
  p.to_upload_bytes = s.to_upload_bytes;
  p.staged_objects = t.staged_objects;
  p.staged_bytes = t.staged_bytes;
  p.verified_objects = t.verified_objects;
  p.verified_bytes = t.verified_bytes;
  p.failed_objects = t.failed_objects;
  std::lock_guard lock(s.legs_mutex);
  p.scanning = s.stage && s.stage->scanning();
  p.waiting_for_space = s.stager && s.stager->waiting_for_space();
  return p;
}

Result<RelayReport> RelayEngine::run() {
  auto& s = *state_;
  if ((s.has_stage() && s.source == nullptr) || (s.has_drain() && s.destination == nullptr))
    return make_error(ErrorKind::fatal, "InvalidArgument", "the relay needs a client for each side it works on");
  auto end = s.driver.run();
  if (!end) return std::unexpected(end.error());
  return s.report;
}

}  // namespace s5j::transfer
