// DestinationVerifier: the work of `s5j verify` (their repair_ledger.py,
// done once instead of in a loop).
//
//  1. Every record the ledger holds as verified is checked against the
//     destination as it is now: the job's verified records (key order) are
//     merge-joined with the destination listing (sorted by the server), and
//     compared by size and ETag (ops/verify_compare.h). What the listing
//     cannot settle (absent, different, unproven; or every object when the
//     listing is unsorted) is asked again with HEAD, so a listing page that
//     was stale, or an object a concurrent run verified after its page was
//     read, is not reported. With `deep` every object present is read back
//     and its bytes' MD5/CRC-32C compared with the source's. An object the
//     ETag cannot prove (unproven) is asked once more, HEAD with checksum
//     mode, and settled by the destination's additional checksum where the
//     ledger recorded the same CRC of the source bytes (ok_by_checksum).
//  2. Objects missing or different are put back to `pending`
//     (Ledger::reopen_verified, a compare-and-set on the record as read; no
//     job lock, so verify may run beside a sync or relay), so the next run
//     moves them again. Unproven ones are reported, not reopened.
//  3. Records not verified yet (pending, in flight, staged, failed) are
//     counted from the ledger's totals: the job is not done while any is.
//  4. The source is listed and merged with the ledger: keys the ledger has
//     never seen are reported (the next sync or relay plans them), as are
//     verified objects whose source changed since; the ledger is not
//     changed for them.
//
// Memory: one ledger page, one listing page per side, and per worker the
// hashing state of one stream; independent of the object count.
// Works for direct and staged jobs alike (they differ only before verified).
//
// Thread safety: run() once; it uses `workers` threads for HEADs and reads.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "checksum/part_plan.h"
#include "ops/verify_compare.h"
#include "ledger/object_catalog.h"
#include "log/event_log.h"
#include "s3/s3_client.h"

namespace s5j::ops {

struct VerifySettings {
  std::string source_bucket;
  std::string source_prefix;
  std::string destination_bucket;
  std::string destination_prefix;
  bool deep = false;
  int workers = 16;       // HEADs and reads in flight
  size_t samples = 20;    // keys kept per finding for the report
  size_t page_size = 1000;
  // transfer.part_size: the first guess when inferring the part layout of
  // a multipart object to rebuild its ETag (--deep, server-side copies).
  uint64_t part_size = 16ull << 20;
};

struct VerifySamples {
  std::vector<std::string> missing, different, unproven, errors, unseen_at_source, changed_at_source;
};

struct VerifyReport {
  bool deep = false;
  bool job_found = false;          // the ledger holds the job
  uint64_t checked = 0;            // verified records checked at the destination
  uint64_t checked_bytes = 0;
  uint64_t ok = 0;
  uint64_t ok_by_checksum = 0;     // of ok: proven by the destination's additional checksum
  uint64_t missing = 0;
  uint64_t different = 0;
  uint64_t unproven = 0;           // ETag changed, not comparable: run --deep
  uint64_t errors = 0;             // could not be checked (the error is in the event log)
  uint64_t reopened = 0;           // put back to pending (missing + different, less skipped)
  uint64_t skipped = 0;            // left verified: a concurrent run changed the record meanwhile
  uint64_t bytes_read = 0;         // --deep: bytes read back
  uint64_t heads = 0;              // HEAD requests made
  bool destination_listing_used = true;  // false: unsorted, every object was HEADed
  uint64_t source_listed = 0;
  uint64_t unseen_at_source = 0;   // at the source, never in the ledger
  uint64_t unseen_bytes = 0;
  uint64_t changed_at_source = 0;  // verified, but the source object changed since
  uint64_t not_verified = 0;       // records not verified yet (pending, active, staged, failed), reopened ones included
  VerifySamples samples;

  // True when nothing needs attention (exit code 0).
  bool clean() const {
    return missing + different + unproven + errors + unseen_at_source + changed_at_source + not_verified == 0;
  }
};

class DestinationVerifier {
 public:
  // `ledger` may be null (no ledger file yet) and `job` nullopt (the job
  // was never run): then only the source pass runs, reporting every source
  // object as unseen.
  DestinationVerifier(VerifySettings settings, s3::S3Client& source, s3::S3Client& destination,
                      ledger::ObjectCatalog* ledger, std::optional<ledger::JobId> job, log::EventLog& events);

  // Errors: listing failures (the S3 error), ledger errors. Per-object
  // HEAD/GET failures are counted in `errors`, not returned.
  Result<VerifyReport> run();

  std::string destination_key(const std::string& source_key) const;

 private:
  struct Item;
  Status check_destination(VerifyReport& report);
  Status settle_page(std::vector<Item>& items, VerifyReport& report);
  void check_item(Item& item);
  // `checksum_mode`: ask for the additional checksums too.
  Result<std::optional<DestinationObject>> head(const std::string& dest_key, bool checksum_mode = false);
  std::optional<checksum::PartPlan> part_layout(const std::string& dest_key, const DestinationObject& seen);
  Result<std::optional<ReadBack>> read_back(const ledger::ObjectRecord& record, const std::string& dest_key,
                                            const DestinationObject& seen);
  Status check_source(VerifyReport& report);

  VerifySettings settings_;
  s3::S3Client& source_;
  s3::S3Client& destination_;
  ledger::ObjectCatalog* ledger_;
  std::optional<ledger::JobId> job_;
  log::EventLog& events_;
  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<uint64_t> heads_{0};
};

}  // namespace s5j::ops
