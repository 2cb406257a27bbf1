#include "ops/destination_verifier.h"

#include <algorithm>
#include <set>
#include <thread>

#include "checksum/multi_hasher.h"
#include "checksum/multipart_etag.h"
#include "ops/verify_cursors.h"
#include "s3/s3_error_codes.h"
#include "transfer/copy_part_plan.h"
#include "transfer/key_mapping.h"

namespace s5j::ops {
namespace {

// Runs fn(0..n-1) on up to `threads` threads (the caller's included).
template <class F>
void parallel_for(size_t n, int threads, F&& fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  const size_t extra = std::min<size_t>(n, static_cast<size_t>(std::max(1, threads))) - (n > 0 ? 1 : 0);
  std::vector<std::jthread> pool;
  pool.reserve(extra);
  for (size_t t = 0; t < extra; ++t) pool.emplace_back(work);
  work();
}

void keep_sample(std::vector<std::string>& samples, const std::string& key, size_t limit) {
  if (samples.size() < limit) samples.push_back(key);
}

}  // namespace

struct DestinationVerifier::Item {
  ledger::ObjectRecord record;
  std::string dest_key;
  bool from_listing = false;                // the merge with the listing had its say
  std::optional<DestinationObject> listed;  // what the listing showed (when from_listing)
  VerdictDetail verdict;
  std::string error;  // non-empty: could not be checked
};

DestinationVerifier::DestinationVerifier(VerifySettings settings, s3::S3Client& source, s3::S3Client& destination,
                                         ledger::ObjectCatalog* ledger, std::optional<ledger::JobId> job,
                                         log::EventLog& events)
    : settings_(std::move(settings)),
      source_(source),
      destination_(destination),
      ledger_(ledger),
      job_(job),
      events_(events) {}

std::string DestinationVerifier::destination_key(const std::string& source_key) const {
  return transfer::destination_key_for(settings_.source_prefix, settings_.destination_prefix, source_key);
}

Result<VerifyReport> DestinationVerifier::run() {
  VerifyReport report;
  report.deep = settings_.deep;
  report.job_found = ledger_ != nullptr && job_.has_value();
  events_.emit("verify_started", {{"deep", settings_.deep}, {"job_found", report.job_found}});
  if (report.job_found)
    if (auto s = check_destination(report); !s) return std::unexpected(s.error());
  if (auto s = check_source(report); !s) return std::unexpected(s.error());
  if (report.job_found) {
    // After the reopening, so the objects put back in line are counted.
    auto totals = ledger_->totals(*job_);
    if (!totals) return std::unexpected(totals.error());
    for (const auto& t : *totals)
      if (t.state != ledger::ObjectState::verified && t.state != ledger::ObjectState::vanished)
        report.not_verified += t.objects;
  }
  report.bytes_read = bytes_read_.load();
  report.heads = heads_.load();
  events_.emit("verify_summary", {{"deep", report.deep},
                                  {"checked", report.checked},
                                  {"checked_bytes", report.checked_bytes},
                                  {"ok", report.ok},
                                  {"missing", report.missing},
                                  {"different", report.different},
                                  {"unproven", report.unproven},
                                  {"errors", report.errors},
                                  {"reopened", report.reopened},
                                  {"skipped", report.skipped},
                                  {"bytes_read", report.bytes_read},
                                  {"source_listed", report.source_listed},
                                  {"unseen_at_source", report.unseen_at_source},
                                  {"changed_at_source", report.changed_at_source},
                                  {"not_verified", report.not_verified},
                                  {"clean", report.clean()}});
  return report;
}

// ---- Destination pass ----

Status DestinationVerifier::check_destination(VerifyReport& report) {
  ListingCursor listing(destination_, settings_.destination_bucket, settings_.destination_prefix);
  ledger::ListQuery query;
  query.limit = settings_.page_size;
  query.state = ledger::ObjectState::verified;
  uint64_t pages = 0;
  for (;;) {
    auto records = ledger_->list_objects(*job_, query);
    if (!records) return std::unexpected(records.error());
    if (records->empty()) break;
    query.after_key = records->back().key;
    const bool last_page = records->size() < query.limit;
    std::vector<Item> items;
    items.reserve(records->size());
    for (auto& r : *records) {
      Item item;
      item.dest_key = destination_key(r.key);
      item.record = std::move(r);
      if (report.destination_listing_used) {
        auto found = listing.seek(item.dest_key);
        if (!found) {
          if (found.error().code != s3::kUnsortedListing) return std::unexpected(found.error());
          report.destination_listing_used = false;
          events_.emit("destination_unsorted", {{"note", "every verified object is checked with HEAD"}});
        } else {
          item.from_listing = true;
          const s3::ObjectInfo* d = *found;
          if (d != nullptr && d->key == item.dest_key) item.listed = DestinationObject{d->size, d->etag};
        }
      }
      items.push_back(std::move(item));
    }
    if (auto s = settle_page(items, report); !s) return s;
    if (++pages % 10 == 0)
      events_.emit("verify_progress", {{"checked", report.checked}, {"ok", report.ok}, {"bytes_read", bytes_read_.load()}});
    if (last_page) break;
  }
  return {};
}

// Decides every item of one ledger page (remote work in parallel), then
// reopens what is missing or different in one ledger transaction.
Status DestinationVerifier::settle_page(std::vector<Item>& items, VerifyReport& report) {
  std::vector<size_t> remote;
  for (size_t i = 0; i < items.size(); ++i) {
    Item& it = items[i];
    if (it.from_listing) it.verdict = compare_metadata(it.record, it.listed);
    // The listing settles an object that agrees; anything else is asked
    // again (HEAD), and --deep reads every object back.
    if (settings_.deep || !it.from_listing || it.verdict.verdict != Verdict::ok) remote.push_back(i);
  }
  parallel_for(remote.size(), settings_.workers, [&](size_t k) { check_item(items[remote[k]]); });

  std::vector<ledger::ReopenRequest> reopen;
  for (const Item& it : items) {
    ++report.checked;
    report.checked_bytes += it.record.size;
    if (!it.error.empty()) {
      ++report.errors;
      keep_sample(report.samples.errors, it.record.key, settings_.samples);
      events_.emit("verify_error", {{"key", it.record.key}, {"dest_key", it.dest_key}, {"error", it.error}});
      continue;
    }
    switch (it.verdict.verdict) {
      case Verdict::ok:
        ++report.ok;
        if (it.verdict.by_checksum) ++report.ok_by_checksum;
        continue;
      case Verdict::missing:
        ++report.missing;
        keep_sample(report.samples.missing, it.record.key, settings_.samples);
        break;
      case Verdict::different:
        ++report.different;
        keep_sample(report.samples.different, it.record.key, settings_.samples);
        break;
      case Verdict::unproven:
        ++report.unproven;
        keep_sample(report.samples.unproven, it.record.key, settings_.samples);
        events_.emit("verify_mismatch", {{"key", it.record.key},
                                         {"dest_key", it.dest_key},
                                         {"verdict", to_string(it.verdict.verdict)},
                                         {"detail", it.verdict.detail},
                                         {"reopened", false}});
        continue;
    }
    reopen.push_back(ledger::ReopenRequest{it.record.id, it.record.size, it.record.source_etag,
                                           it.record.updated_at, "verify: " + it.verdict.detail});
  }
  if (reopen.empty()) return {};
  auto ids = ledger_->reopen_verified(*job_, reopen);
  if (!ids) return std::unexpected(ids.error());
  const std::set<ledger::ObjectId> done(ids->begin(), ids->end());
  report.reopened += done.size();
  report.skipped += reopen.size() - done.size();
  // A finding not reopened is one whose record a concurrent run re-listed or
  // copied again after we read it: that run owns it now (`skipped`).
  for (const Item& it : items) {
    if (!it.error.empty() || (it.verdict.verdict != Verdict::missing && it.verdict.verdict != Verdict::different))
      continue;
    events_.emit("verify_mismatch", {{"key", it.record.key},
                                     {"dest_key", it.dest_key},
                                     {"verdict", to_string(it.verdict.verdict)},
                                     {"detail", it.verdict.detail},
                                     {"reopened", done.contains(it.record.id)}});
  }
  return {};
}

void DestinationVerifier::check_item(Item& it) {
  std::optional<DestinationObject> seen = it.listed;
  if (!it.from_listing || it.verdict.verdict != Verdict::ok) {
    auto h = head(it.dest_key);
    if (!h) {
      it.error = h.error().describe();
      return;
    }
    seen = *h;
    it.verdict = compare_metadata(it.record, seen);
  }
  // The ETag cannot tell: the destination's additional checksum may.
  if (seen && it.verdict.verdict == Verdict::unproven && checksum_may_prove(it.record)) {
    auto h = head(it.dest_key, true);
    if (!h) {
      it.error = h.error().describe();
      return;
    }
    seen = *h;
    it.verdict = compare_metadata(it.record, seen);
  }
  if (!settings_.deep || !seen || it.verdict.verdict == Verdict::missing || it.verdict.verdict == Verdict::different)
    return;
  // Read back; an object rewritten between our look and the read fails the
  // If-Match: look again and read the new version once more.
  for (int attempt = 1;; ++attempt) {
    auto read = read_back(it.record, it.dest_key, *seen);
    if (read && *read) {
      it.verdict = compare_bytes(it.record, **read);
      return;
    }
    if (read) {  // gone meanwhile
      it.verdict = {Verdict::missing, "missing at the destination (deleted while verifying)"};
      return;
    }
    if (read.error().code != s3::kPreconditionFailed || attempt == 2) {
      it.error = read.error().describe();
      return;
    }
    auto h = head(it.dest_key);
    if (!h) {
      it.error = h.error().describe();
      return;
    }
    seen = *h;
    it.verdict = compare_metadata(it.record, seen);
    if (!seen || it.verdict.verdict == Verdict::missing || it.verdict.verdict == Verdict::different) return;
  }
}

Result<std::optional<DestinationObject>> DestinationVerifier::head(const std::string& dest_key, bool checksum_mode) {
  ++heads_;
  auto h = destination_.head_object(settings_.destination_bucket, dest_key, {.checksum_mode = checksum_mode});
  if (!h) {
    if (h.error().code == s3::kNoSuchKey) return std::optional<DestinationObject>();
    return std::unexpected(h.error());
  }
  DestinationObject seen{h->size, h->etag};
  seen.checksum_crc32c = s3::returned_checksum(h->raw_headers, s3::ChecksumAlgorithm::crc32c);
  seen.checksum_crc64nvme = s3::returned_checksum(h->raw_headers, s3::ChecksumAlgorithm::crc64nvme);
  return std::optional<DestinationObject>(std::move(seen));
}

// The part layout of a multipart destination object, to rebuild its ETag
// from the bytes: part 1's length from HEAD ?partNumber=1 where the server
// answers it (AWS, MinIO; Ceph ignores partNumber), else inferred as the
// copier infers a source's (the sizes common tools use that give N parts).
// nullopt when no layout can be had.
std::optional<checksum::PartPlan> DestinationVerifier::part_layout(const std::string& dest_key,
                                                                   const DestinationObject& seen) {
  const auto info = checksum::classify_etag(seen.etag);
  if (info.kind != checksum::EtagKind::multipart) return std::nullopt;
  std::optional<uint64_t> learned;
  if (info.part_count > 1) {
    ++heads_;
    s3::GetOptions part1;
    part1.part_number = 1;
    if (auto h = destination_.head_object(settings_.destination_bucket, dest_key, part1); h && h->size < seen.size)
      learned = h->size;
  }
  auto plan = transfer::plan_copy_parts(seen.size, info.part_count, learned, settings_.part_size);
  if (!plan || !plan->mirrors_source || plan->parts.part_count != info.part_count) return std::nullopt;
  return plan->parts;
}

// Streams the object once through the hashers (whole object, and per part
// when a multipart ETag must be rebuilt); nothing is buffered. nullopt when
// the object is gone.
Result<std::optional<ReadBack>> DestinationVerifier::read_back(const ledger::ObjectRecord& record,
                                                              const std::string& dest_key,
                                                              const DestinationObject& seen) {
  using Out = std::optional<ReadBack>;
  auto whole = checksum::MultiHasher::create({.md5 = true, .crc32c = true, .crc32 = false});
  if (!whole) return std::unexpected(whole.error());
  auto part_md5 = checksum::Md5::create();
  if (!part_md5) return std::unexpected(part_md5.error());
  const std::optional<checksum::PartPlan> layout =
      needs_part_rebuild(record) ? part_layout(dest_key, seen) : std::nullopt;
  checksum::MultipartEtagBuilder rebuilt;
  uint64_t offset = 0;     // bytes seen so far
  uint64_t part_end = 0;   // end offset of the current part
  uint32_t part = 0;
  if (layout) part_end = checksum::part_range(*layout, ++part).length;

  s3::GetOptions options;
  options.if_match = seen.etag;  // the version we looked at, or PreconditionFailed
  options.expected_size = seen.size;
  auto got = destination_.get_object(
      settings_.destination_bucket, dest_key, options, [&](std::string_view chunk) -> Status {
        whole->update(chunk);
        bytes_read_ += chunk.size();
        // Cut the stream at part boundaries; bytes past the last part (an
        // object longer than planned) only reach the whole-object hash.
        while (layout && !chunk.empty() && part <= layout->part_count) {
          const size_t take = static_cast<size_t>(std::min<uint64_t>(chunk.size(), part_end - offset));
          part_md5->update(chunk.substr(0, take));
          chunk.remove_prefix(take);
          offset += take;
          if (offset == part_end) {
            rebuilt.add_part(part_md5->finish());
            if (++part <= layout->part_count) part_end += checksum::part_range(*layout, part).length;
          }
        }
        return {};
      });
  if (!got) {
    if (got.error().code == s3::kNoSuchKey) return Out();
    return std::unexpected(got.error());
  }
  const checksum::Checksums sums = whole->finish();
  ReadBack out;
  out.bytes = sums.bytes;
  out.md5 = sums.md5.value_or(checksum::Md5Digest{});
  out.crc32c = sums.crc32c.value_or(0);
  if (layout && rebuilt.part_count() == layout->part_count && sums.bytes == seen.size) {
    auto etag = rebuilt.etag();
    if (!etag) return std::unexpected(etag.error());
    out.multipart_etag = *etag;
  }
  return Out(out);
}

// ---- Source pass ----

Status DestinationVerifier::check_source(VerifyReport& report) {
  std::optional<LedgerCursor> cursor;
  if (report.job_found) cursor.emplace(*ledger_, *job_, settings_.page_size);
  s3::ListRequest request{.bucket = settings_.source_bucket, .prefix = settings_.source_prefix};
  std::string last_token;
  for (;;) {
    auto page = source_.list_objects(request);
    if (!page) return std::unexpected(page.error());
    for (const auto& o : page->objects) {
      ++report.source_listed;
      std::optional<ledger::ObjectRecord> record;
      if (cursor) {
        auto found = cursor->find(o.key);
        if (!found) return std::unexpected(found.error());
        record = std::move(*found);
      }
      if (!record) {
        ++report.unseen_at_source;
        report.unseen_bytes += o.size;
        keep_sample(report.samples.unseen_at_source, o.key, settings_.samples);
        events_.emit("unseen_at_source", {{"key", o.key}, {"size", o.size}});
      } else if (record->state == ledger::ObjectState::verified &&
                 (record->size != o.size || record->source_etag != o.etag)) {
        // Same test as upsert_listed: the next run copies the new version.
        ++report.changed_at_source;
        keep_sample(report.samples.changed_at_source, o.key, settings_.samples);
        events_.emit("changed_at_source", {{"key", o.key}, {"size", o.size}, {"etag", o.etag}});
      }
    }
    if (!page->is_truncated) break;
    std::string next = source_.using_list_v1() ? page->next_marker : page->next_continuation_token;
    if (next.empty() || next == last_token)
      return make_error(ErrorKind::permanent, s3::kListingStuck,
                        "the source listing does not advance past '" + next + "' (set list_api: v1 for the source)");
    last_token = next;
    request.continuation = std::move(next);
  }
  return {};
}

}  // namespace s5j::ops
