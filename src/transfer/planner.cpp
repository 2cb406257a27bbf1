#include "transfer/planner.h"

#include "checksum/multipart_etag.h"
#include "s3/s3_error_codes.h"
#include "transfer/destination_matcher.h"
#include "transfer/key_mapping.h"
#include "transfer/parallel_lister.h"

namespace s5j::transfer {

Planner::Planner(PlannerSettings settings, s3::S3Client& source, s3::S3Client& destination, ledger::Ledger& ledger,
                 ledger::JobId job, log::EventLog& events)
    : settings_(std::move(settings)),
      source_(source),
      destination_(destination),
      ledger_(ledger),
      job_(job),
      events_(events) {}

std::string Planner::destination_key(const std::string& source_key) const {
  return transfer::destination_key_for(settings_.source_prefix, settings_.destination_prefix, source_key);
}

Result<PlanSummary> Planner::plan(const std::function<void(uint64_t, uint64_t)>& on_page) {
  PlanSummary summary;
  auto totals = ledger_.totals(job_);
  if (!totals) return std::unexpected(totals.error());
  uint64_t pending = 0, records = 0, verified_before = 0, verified_before_bytes = 0;
  for (const auto& t : *totals) {
    records += t.objects;
    if (t.state == ledger::ObjectState::pending) pending = t.objects;
    if (t.state == ledger::ObjectState::verified) {
      verified_before = t.objects;
      verified_before_bytes = t.bytes;
    }
  }
  // Pending from earlier runs (a listing cut short, objects in flight when
  // a run died): compared before any of them may be claimed.
  if (settings_.match_destination && pending > 0)
    if (auto s = match_destination(summary); !s) return std::unexpected(s.error());
  open_claims(true);
  if (auto s = list_source(summary, on_page, records > 0); !s) return std::unexpected(s.error());
  open_claims(true);
  totals = ledger_.totals(job_);
  if (!totals) return std::unexpected(totals.error());
  uint64_t verified = 0, verified_bytes = 0;
  for (const auto& t : *totals) {
    if (t.state == ledger::ObjectState::pending || t.state == ledger::ObjectState::copying ||
        t.state == ledger::ObjectState::failed) {
      summary.pending_objects += t.objects;
      summary.pending_bytes += t.bytes;
    } else if (t.state == ledger::ObjectState::verified) {
      verified = t.objects;
      verified_bytes = t.bytes;
    }
  }
  // Copied while the listing went on (copy while listing, or other workers
  // of the job): part of what the plan had to copy, not verified before it.
  auto copied_meanwhile = [&](uint64_t now, uint64_t before, uint64_t found) {
    return now > before + found ? now - before - found : 0;
  };
  const uint64_t copied = copied_meanwhile(verified, verified_before, summary.found_at_destination);
  const uint64_t copied_bytes =
      copied_meanwhile(verified_bytes, verified_before_bytes, summary.found_at_destination_bytes);
  summary.pending_objects += copied;
  summary.pending_bytes += copied_bytes;
  summary.verified_objects = verified - copied;
  summary.verified_bytes = verified_bytes - copied_bytes;
  return summary;
}

Status Planner::list_source(PlanSummary& summary, const std::function<void(uint64_t, uint64_t)>& on_page,
                            bool job_had_records) {
  std::optional<DestinationMatcher> matcher;
  if (settings_.match_destination)
    matcher.emplace(DestinationMatchSettings{.source_prefix = settings_.source_prefix,
                                             .destination_bucket = settings_.destination_bucket,
                                             .destination_prefix = settings_.destination_prefix,
                                             .read_ledger = job_had_records},
                    destination_, ledger_, job_, events_);
  ParallelLister lister({.bucket = settings_.source_bucket,
                         .prefix = settings_.source_prefix,
                         .workers = settings_.list_workers,
                         .owner = settings_.lister_owner,
                         .lease = settings_.range_lease,
                         .cooperative = settings_.cooperative,
                         .stop_requested = settings_.stop_requested,
                         .matcher = matcher ? &*matcher : nullptr},
                        source_, ledger_, job_, events_);
  auto listed = lister.run(on_page);
  if (!listed) return std::unexpected(listed.error());
  if (listed->single_stream) {
    const std::string why = listed->single_stream_reason == "unsorted"
                                ? "in one stream, not resumable: the source lists keys out of order"
                                : "in one stream, not resumable: the source lists with v1 only";
    events_.emit("listing_single_stream", {{"reason", listed->single_stream_reason}, {"note", why}});
    if (settings_.on_single_stream) settings_.on_single_stream(why);
    summary.listed_in_parallel = false;
    summary.single_stream_reason = listed->single_stream_reason;
    if (listed->single_stream_reason == "unsorted") summary.source_sorted = false;
    // What it commits is compared with the destination only at its end.
    open_claims(false);
    if (auto s = list_in_one_stream(summary, on_page); !s) return s;
    if (settings_.match_destination && !summary.listing_stopped) return match_destination(summary);
    return {};
  }
  summary.found_at_destination += listed->upsert.found_at_destination;
  summary.found_at_destination_bytes += listed->upsert.found_at_destination_bytes;
  summary.listed_objects = listed->objects;
  summary.listed_bytes = listed->bytes;
  summary.upsert = listed->upsert;
  summary.listing_resumed = listed->resumed;
  summary.listing_pages = listed->pages;
  summary.listing_ranges = listed->ranges;
  summary.listing_stopped = listed->stopped;
  if (listed->stopped) {
    events_.emit("source_listing_stopped", {{"objects", summary.listed_objects},
                                            {"pages", summary.listing_pages},
                                            {"note", "the next run resumes the listing from its cursors"}});
    return {};
  }
  events_.emit("source_listed", {{"objects", summary.listed_objects},
                                 {"bytes", summary.listed_bytes},
                                 {"new", summary.upsert.inserted},
                                 {"changed", summary.upsert.changed},
                                 {"unchanged", summary.upsert.unchanged},
                                 {"sorted", true},
                                 {"parallel", true},
                                 {"ranges", summary.listing_ranges},
                                 {"pages", summary.listing_pages},
                                 {"resumed", summary.listing_resumed},
                                 {"identical_at_destination", listed->upsert.found_at_destination},
                                 {"destination_requests", matcher ? matcher->destination_requests() : 0}});
  return {};
}

Status Planner::list_in_one_stream(PlanSummary& summary,
                                   const std::function<void(uint64_t, uint64_t)>& on_page) {
  s3::ListRequest request{.bucket = settings_.source_bucket, .prefix = settings_.source_prefix};
  std::string last_key;
  std::string last_continuation;
  std::vector<ledger::ListedObject> batch;
  for (;;) {
    auto page = source_.list_objects(request);
    if (!page) return std::unexpected(page.error());
    batch.clear();
    batch.reserve(page->objects.size());
    for (auto& o : page->objects) {
      if (!last_key.empty() && o.key < last_key) summary.source_sorted = false;
      last_key = o.key;
      summary.listed_bytes += o.size;
      batch.push_back({std::move(o.key), o.size, std::move(o.etag), o.last_modified});
    }
    summary.listed_objects += batch.size();
    if (!batch.empty()) {
      auto stats = ledger_.upsert_listed(job_, batch);
      if (!stats) return std::unexpected(stats.error());
      summary.upsert.inserted += stats->inserted;
      summary.upsert.changed += stats->changed;
      summary.upsert.revived += stats->revived;
      summary.upsert.unchanged += stats->unchanged;
    }
    if (on_page) on_page(summary.listed_objects, summary.listed_bytes);
    if (!page->is_truncated) break;
    std::string next = source_.using_list_v1() ? page->next_marker : page->next_continuation_token;
    // A server that does not advance (the legacy Snowball adapter pages
    // without markers) must not loop forever.
    if (next.empty() || next == last_continuation)
      return make_error(ErrorKind::permanent, s3::kListingStuck,
                        "the source listing does not advance past '" + next + "' (set list_api: v1 for the source)");
    last_continuation = next;
    request.continuation = std::move(next);
  }
  events_.emit("source_listed", {{"objects", summary.listed_objects},
                                 {"bytes", summary.listed_bytes},
                                 {"new", summary.upsert.inserted},
                                 {"changed", summary.upsert.changed},
                                 {"unchanged", summary.upsert.unchanged},
                                 {"sorted", summary.source_sorted},
                                 {"parallel", false}});
  return {};
}

Status Planner::match_destination(PlanSummary& summary) {
  s3::ListRequest request{.bucket = settings_.destination_bucket, .prefix = settings_.destination_prefix};
  std::vector<s3::ObjectInfo> page;
  size_t at = 0;
  bool more = true;
  std::string last_key;
  // The next destination object at or after `key`, or nullptr at the end.
  auto seek = [&](const std::string& key) -> Result<const s3::ObjectInfo*> {
    for (;;) {
      while (at < page.size() && page[at].key < key) ++at;
      if (at < page.size()) return &page[at];
      if (!more) return nullptr;
      auto next = destination_.list_objects(request);
      if (!next) return std::unexpected(next.error());
      page = std::move(next->objects);
      at = 0;
      for (const auto& o : page) {
        if (!last_key.empty() && o.key < last_key)
          return make_error(ErrorKind::permanent, s3::kUnsortedListing, "the destination lists keys out of order");
        last_key = o.key;
      }
      more = next->is_truncated;
      request.continuation =
          destination_.using_list_v1() ? next->next_marker : next->next_continuation_token;
      if (more && request.continuation.empty()) more = false;
    }
  };

  ledger::ListQuery query{.limit = 1000, .state = ledger::ObjectState::pending};
  bool destination_exhausted = false;
  while (!destination_exhausted) {
    auto records = ledger_.list_objects(job_, query);
    if (!records) return std::unexpected(records.error());
    if (records->empty()) break;
    for (const auto& r : *records) {
      auto found = seek(destination_key(r.key));
      if (!found) {
        if (found.error().code == s3::kUnsortedListing) {
          events_.emit("destination_unsorted", {{"note", "every pending object will be copied"}});
          if (auto f = ledger_.flush(); !f) return std::unexpected(f.error());
          return {};
        }
        return std::unexpected(found.error());
      }
      const s3::ObjectInfo* d = *found;
      if (d == nullptr) {
        destination_exhausted = true;  // nothing further at the destination to match
        break;
      }
      const bool comparable = checksum::classify_etag(r.source_etag).kind != checksum::EtagKind::opaque;
      if (d->key != destination_key(r.key) || d->size != r.size || !comparable ||
          !checksum::etags_equal(d->etag, r.source_etag))
        continue;
      // Identical at the destination already: record it, copy nothing. The
      // equal ETags are the evidence the ledger asks of `verified`.
      ledger::Transition to_verified = ledger::Transition::of(r, ledger::ObjectState::verified);
      to_verified.update.dest_etag = r.source_etag;
      if (auto q = ledger_.queue(to_verified); !q) return q;
      ++summary.found_at_destination;
      summary.found_at_destination_bytes += r.size;
    }
    query.after_key = records->back().key;
  }
  auto flushed = ledger_.flush();
  if (!flushed) return std::unexpected(flushed.error());
  events_.emit("destination_matched",
               {{"identical", summary.found_at_destination}, {"bytes", summary.found_at_destination_bytes}});
  return {};
}

}  // namespace s5j::transfer
