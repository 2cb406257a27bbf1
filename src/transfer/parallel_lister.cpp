#include "transfer/parallel_lister.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "s3/s3_error_codes.h"
#include "transfer/key_order.h"
#include "transfer/range_page_committer.h"

namespace s5j::transfer {
namespace {

constexpr char kV1Only[] = "list_api_v1";
constexpr char kUnsorted[] = "unsorted";

// Discovery descends this many levels below the prefix while a level has a
// single common prefix.
constexpr int kDiscoveryDepth = 3;

// Ranges made from common prefixes per worker: enough that a worker ending
// early finds another range to claim before splitting is needed.
constexpr size_t kPrefixRangesPerWorker = 4;

// Pages a worker may have listed but not yet committed: it asks for the
// next page while the last one commits. A crash lists them again.
constexpr size_t kPagesInFlightPerWorker = 2;

}  // namespace

// What the workers share; guarded by `mutex` unless said otherwise.
struct ParallelLister::Shared {
  ledger::ListingId listing;
  std::mutex mutex;
  std::condition_variable changed;
  uint64_t generation = 0;  // bumped on every commit and every worker that stops listing
  int listing_workers = 0;  // workers holding (or claiming) a range
  std::optional<Error> failure;
  std::string single_stream_reason;
  ListingOutcome outcome;
  std::function<void(uint64_t, uint64_t)> on_page;
  std::function<bool()> stop_requested;  // not guarded: the caller's, thread-safe
  bool stopped = false;

  bool stopping() {
    if (!stopped && stop_requested && stop_requested()) stopped = true;
    return failure.has_value() || !single_stream_reason.empty() || stopped;
  }
  void bump() {
    ++generation;
    changed.notify_all();
  }
  void fail(Error e) {
    std::lock_guard lock(mutex);
    if (!failure) failure = std::move(e);
    bump();
  }
};

ParallelLister::ParallelLister(ListerSettings settings, s3::S3Client& source, ledger::ListingRanges& ranges,
                               ledger::JobId job, log::EventLog& events)
    : settings_(std::move(settings)), source_(source), ranges_(ranges), job_(job), events_(events) {}

std::string ParallelLister::scope_of(const std::string& bucket, const std::string& prefix) {
  return bucket + "/" + prefix;
}

namespace {

// The split key between a range's cursor and its end, in the key space
// below the listing's prefix when both ends are in it (so the key keeps the
// prefix and a start-after there lists something).
std::optional<std::string> split_key(const std::string& prefix, const std::string& cursor,
                                     const std::optional<std::string>& through) {
  const bool under = cursor.starts_with(prefix) && (!through || through->starts_with(prefix));
  if (!under || prefix.empty()) return key_between(cursor, through);
  std::optional<std::string_view> high;
  if (through) high = std::string_view(*through).substr(prefix.size());
  auto middle = key_between(std::string_view(cursor).substr(prefix.size()), high);
  if (!middle) return std::nullopt;
  return prefix + *middle;
}

// Evenly spaced picks of at most `want` of `names`, the first left out
// (the range before it holds only what sorts before the first prefix).
std::vector<std::string> spaced(const std::vector<std::string>& names, size_t want) {
  std::vector<std::string> out;
  if (names.size() < 2) return out;
  const size_t n = std::min(want, names.size() - 1);
  for (size_t i = 1; i <= n; ++i) out.push_back(names[i * (names.size() - 1) / n]);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

Result<ListingOutcome> ParallelLister::run(const std::function<void(uint64_t, uint64_t)>& on_page) {
  Shared shared;
  shared.on_page = on_page;
  shared.stop_requested = settings_.stop_requested;
  const std::string scope = scope_of(settings_.bucket, settings_.prefix);
  auto listing = ranges_.open_listing(job_, scope);
  if (!listing) return std::unexpected(listing.error());
  shared.listing = listing->id;
  shared.outcome.resumed = listing->resumed;
  if (!settings_.cooperative) {
    if (auto st = ranges_.release_ranges(listing->id); !st) return std::unexpected(st.error());
  }

  // A new listing: split it where the delimiter listing says the keys are.
  if (!listing->resumed && !source_.using_list_v1()) {
    std::string level = settings_.prefix;
    std::vector<std::string> splits;
    for (int depth = 0; depth < kDiscoveryDepth && splits.empty(); ++depth) {
      auto page = source_.list_objects({.bucket = settings_.bucket, .prefix = level, .delimiter = "/"});
      if (!page) return std::unexpected(page.error());
      if (source_.using_list_v1()) break;
      const auto& names = page->common_prefixes;
      if (names.size() == 1 && page->objects.empty()) {
        level = names.front();
        continue;
      }
      splits = spaced(names, static_cast<size_t>(settings_.workers) * kPrefixRangesPerWorker);
      break;
    }
    if (!splits.empty()) {
      auto first = ranges_.listing_ranges(listing->id);
      if (!first) return std::unexpected(first.error());
      if (first->size() == 1) {
        // From the last cut back, so each cut is inside the first range.
        for (auto it = splits.rbegin(); it != splits.rend(); ++it)
          if (auto made = ranges_.split_range(first->front().id, *it); !made) return std::unexpected(made.error());
      }
      events_.emit("listing_split", {{"ranges", splits.size() + 1}, {"from", "common_prefixes"}});
    }
  }
  if (source_.using_list_v1()) {
    if (auto st = ranges_.finish_listing(listing->id); !st) return std::unexpected(st.error());
    ListingOutcome o;
    o.single_stream = true;
    o.single_stream_reason = kV1Only;
    return o;
  }
  if (listing->resumed) {
    auto rs = ranges_.listing_ranges(listing->id);
    if (!rs) return std::unexpected(rs.error());
    uint64_t open = 0, listed = 0;
    for (const auto& r : *rs) {
      open += r.done ? 0 : 1;
      listed += r.objects;
    }
    events_.emit("listing_resumed", {{"ranges", rs->size()}, {"open_ranges", open}, {"listed_before", listed}});
  }

  // Each page is committed by the committer's thread (group commit) while
  // its worker asks for the next one.
  RangePageCommitter committer(
      ranges_, settings_.lease, static_cast<size_t>(std::max(1, settings_.workers)), kPagesInFlightPerWorker,
      [&](const ledger::RangePageCommit& c) {
        std::lock_guard lock(shared.mutex);
        ListingOutcome& o = shared.outcome;
        o.objects += c.accepted;
        o.bytes += c.accepted_bytes;
        o.pages += 1;
        o.upsert.inserted += c.upsert.inserted;
        o.upsert.changed += c.upsert.changed;
        o.upsert.revived += c.upsert.revived;
        o.upsert.unchanged += c.upsert.unchanged;
        o.upsert.found_at_destination += c.upsert.found_at_destination;
        o.upsert.found_at_destination_bytes += c.upsert.found_at_destination_bytes;
        if (shared.on_page) shared.on_page(o.objects, o.bytes);
        shared.bump();
      });

  auto list_range = [&](size_t slot, const ledger::ListingRange& range) -> Status {
    committer.begin_range(slot, range.through);
    s3::ListRequest request{.bucket = settings_.bucket, .prefix = settings_.prefix, .max_keys = settings_.max_keys};
    request.start_after = range.cursor;
    std::string previous = range.cursor;
    std::string last_token;
    std::optional<DestinationMatcher::RangeMatch> match;
    if (settings_.matcher != nullptr) match.emplace(settings_.matcher->for_range());
    for (;;) {
      {
        std::lock_guard lock(shared.mutex);
        if (shared.stopping()) return {};
      }
      if (!committer.admit(slot)) return committer.drain(slot);
      const auto known = committer.view(slot);
      if (known.done) return {};  // a split moved the end behind what was listed
      auto page = source_.list_objects(request);
      if (!page) return std::unexpected(page.error());
      if (source_.using_list_v1()) {  // the server answered v1 after all
        std::lock_guard lock(shared.mutex);
        shared.single_stream_reason = kV1Only;
        shared.bump();
        return {};
      }
      ledger::RangePage listed{.range = range.id, .last_page = !page->is_truncated};
      listed.objects.reserve(page->objects.size());
      const std::string before_page = previous;
      for (auto& o : page->objects) {
        if (!key_less(previous, o.key)) {
          std::lock_guard lock(shared.mutex);
          shared.single_stream_reason = kUnsorted;
          shared.bump();
          return {};
        }
        previous = o.key;
        listed.objects.push_back({std::move(o.key), o.size, std::move(o.etag), o.last_modified});
      }
      if (match)
        if (auto marked = match->mark(listed.objects, before_page); !marked) return marked;
      // The page reached the range's end: the commit ends the range.
      const bool at_end = listed.last_page || (known.through && !key_less(previous, *known.through));
      committer.submit(slot, std::move(listed));
      if (at_end) return {};
      std::string next = page->next_continuation_token;
      if (next.empty()) {
        // A truncated page without a token: go on after its last key.
        request.continuation.clear();
        request.start_after = previous;
      } else {
        if (next == last_token)
          return make_error(ErrorKind::permanent, s3::kListingStuck,
                            "the source listing does not advance past '" + next + "' (set list_api: v1 for the source)");
        last_token = next;
        request.continuation = std::move(next);
      }
    }
  };

  // Splits the open range with the most key space left that has listed a
  // page; true when a new range was made.
  auto split_slowest = [&]() -> Result<bool> {
    auto rs = ranges_.listing_ranges(listing->id);
    if (!rs) return std::unexpected(rs.error());
    if (rs->size() >= settings_.max_ranges) return false;
    std::vector<std::pair<double, const ledger::ListingRange*>> candidates;
    for (const auto& r : *rs)
      if (!r.done && !r.lease_owner.empty() && r.pages > 0)
        candidates.emplace_back(key_span(r.cursor, r.through ? std::optional<std::string_view>(*r.through)
                                                             : std::nullopt),
                                &r);
    std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [span, r] : candidates) {
      auto at = split_key(settings_.prefix, r->cursor, r->through);
      if (!at) continue;
      auto made = ranges_.split_range(r->id, *at);
      if (!made) return std::unexpected(made.error());
      if (*made) return true;
    }
    return false;
  };

  // Ranges of this listing not done yet (others list them).
  auto others_listing = [&]() -> Result<bool> {
    auto rs = ranges_.listing_ranges(listing->id);
    if (!rs) return std::unexpected(rs.error());
    return std::any_of(rs->begin(), rs->end(), [](const ledger::ListingRange& r) { return !r.done; });
  };

  auto worker = [&](int n) {
    const std::string owner = settings_.owner + "/list-" + std::to_string(n);
    for (;;) {
      {
        std::lock_guard lock(shared.mutex);
        if (shared.stopping()) return;
        ++shared.listing_workers;  // before the claim: idle workers wait for this one
      }
      auto claimed = ranges_.claim_range(listing->id, owner, settings_.lease);
      Status listed;
      if (claimed && *claimed) {
        listed = list_range(static_cast<size_t>(n), **claimed);
        // Its pages committed before it counts as not listing: the range
        // is done in the ledger when the idle workers look.
        if (auto drained = committer.drain(static_cast<size_t>(n)); listed && !drained) listed = drained;
      }
      uint64_t seen = 0;
      {
        std::lock_guard lock(shared.mutex);
        --shared.listing_workers;
        shared.bump();
        seen = shared.generation;
      }
      if (!claimed) return shared.fail(claimed.error());
      if (!listed) return shared.fail(listed.error());
      if (*claimed) continue;
      auto split = split_slowest();
      if (!split) return shared.fail(split.error());
      if (*split) continue;
      std::unique_lock lock(shared.mutex);
      // Nobody lists: no range will open up (every one is done, or the one
      // another worker just split off is being claimed by it), unless other
      // workers of the job list some: wait for them (or their leases).
      if (shared.listing_workers == 0) {
        if (!settings_.cooperative) return;
        lock.unlock();
        auto open = others_listing();
        if (!open) return shared.fail(open.error());
        if (!*open) return;
        lock.lock();
        shared.changed.wait_for(lock, settings_.others_poll, [&] { return shared.stopping(); });
        continue;
      }
      // Something changed since: look again; else wait for the next page.
      shared.changed.wait(lock, [&] { return shared.generation != seen || shared.stopping(); });
    }
  };

  std::vector<std::thread> threads;
  for (int n = 0; n < std::max(1, settings_.workers); ++n) threads.emplace_back(worker, n);
  for (auto& t : threads) t.join();
  if (auto finished = committer.finish(); !finished && !shared.failure) shared.failure = finished.error();

  if (shared.failure) return std::unexpected(*shared.failure);
  if (!shared.single_stream_reason.empty()) {
    // Its cursors mean nothing to a listing in one stream: drop it.
    if (auto st = ranges_.finish_listing(listing->id); !st) return std::unexpected(st.error());
    shared.outcome.single_stream = true;
    shared.outcome.single_stream_reason = shared.single_stream_reason;
    return shared.outcome;
  }
  if (shared.stopped) {
    shared.outcome.stopped = true;
    return shared.outcome;
  }
  auto rs = ranges_.listing_ranges(listing->id);
  if (!rs) return std::unexpected(rs.error());
  for (const auto& r : *rs)
    if (!r.done)
      return make_error(ErrorKind::retryable, s3::kListingStuck,
                        "the listing ended with a range not listed (run again to resume it)");
  shared.outcome.ranges = rs->size();
  if (auto st = ranges_.finish_listing(listing->id); !st) return std::unexpected(st.error());
  return shared.outcome;
}

}  // namespace s5j::transfer
