#include "transfer/staged_fetcher.h"

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "checksum/crc32c.h"
#include "checksum/multi_hasher.h"
#include "checksum/multipart_etag.h"
#include "ledger/transition.h"
#include "staging/staging_error.h"
#include "transfer/copy_part_plan.h"
#include "transfer/metadata_codec.h"
#include "transfer/source_proof.h"
#include "transfer/transfer_error.h"

namespace s5j::transfer {
namespace {

using Kind = OutcomeKind;

}  // namespace

// What reading the source taught, whichever way it was read.
struct StagedFetcher::Read {
  s3::ObjectMetadata metadata;
  checksum::EtagInfo info;
  std::optional<checksum::Md5Digest> stream_md5;  // whole stream hashed in order (single GET)
  uint32_t stream_crc = 0;                         // of the whole object
  std::optional<CopyPartPlan> plan;                // ranged reads
  std::vector<checksum::Md5Digest> part_md5s;      // ranged reads, by part
  uint64_t bytes = 0;
};

ObjectOutcome StagedFetcher::fetch(const ledger::ObjectRecord& record, std::stop_token stop) {
  // A mismatch between the bytes read and a plain-MD5 ETag is read once
  // more before it is called a failure: a flipped byte in transit must not
  // fail the object, a corrupt source must not pass.
  uint64_t downloaded = 0;
  for (int attempt = 1;; ++attempt) {
    bool read_again = false;
    ObjectOutcome out = fetch_once(record, stop, read_again);
    downloaded += out.bytes_downloaded;
    out.bytes_downloaded = downloaded;
    if (!read_again || attempt == 2) return out;
    // The same event as the direct copy's, so the log accounts for it.
    events_.emit("object_reread", {{"key", record.key}, {"reason", "mismatch"}, {"leg", "stage"}});
  }
}

ObjectOutcome StagedFetcher::fetch_once(const ledger::ObjectRecord& record, std::stop_token stop, bool& read_again) {
  auto space = stager_.reserve(record.size, staging::WaitMode::block, stop);
  if (!space) {
    // Stopping: cancelled; TooLarge: failed, reported, never attempted.
    return ObjectOutcome::from_error(space.error());
  }
  auto writer = stager_.create_writer(record.id.value, std::move(*space));
  if (!writer) return ObjectOutcome::of(Kind::failed, writer.error().code, writer.error().message);

  Read read;
  const bool ranged = record.size > settings_.multipart_threshold;
  const CopyMethod method = ranged ? CopyMethod::ranged_get : CopyMethod::get;
  Status got = ranged ? read_ranged(record, **writer, read, stop) : read_whole(record, **writer, read);
  if (!got) {
    (*writer)->abort();
    ObjectOutcome bad = ObjectOutcome::from_source_error(got.error());
    bad.bytes_downloaded = read.bytes;
    return bad;
  }
  auto file = (*writer)->commit();
  if (!file) {
    ObjectOutcome bad = ObjectOutcome::of(Kind::failed, file.error().code, file.error().message);
    bad.bytes_downloaded = read.bytes;
    return bad;
  }
  events_.emit("object_downloaded", {{"key", record.key},
                                     {"size", record.size},
                                     {"volume", file->volume},
                                     {"ranged", ranged},
                                     {"bytes_downloaded", read.bytes}});

  // From here on a failure must not leave the file behind.
  auto reject = [&](ObjectOutcome bad) {
    (void)stager_.remove(record.id.value);
    bad.bytes_downloaded = read.bytes;
    bad.method = method;
    return bad;
  };
  const auto& sums = file->checksums;
  if (!sums.crc32c || *sums.crc32c != read.stream_crc || (read.stream_md5 && sums.md5 != read.stream_md5))
    return reject(ObjectOutcome::of(Kind::failed, kStagedWriteMismatch,
                                    "the staged file " + file->path + " reads differently from the bytes received"));

  ObjectOutcome out;
  out.kind = Kind::staged;
  out.method = method;
  out.bytes_downloaded = read.bytes;
  out.update.crc32c = read.stream_crc;
  out.update.md5 = read.stream_md5;
  if (read.info.kind == checksum::EtagKind::plain_md5) {
    if (sums.md5 != read.info.digest) {
      read_again = true;
      return reject(ObjectOutcome::of(Kind::failed, ledger::kChecksumMismatch,
                                      "the MD5 of the bytes read differs from the source ETag " + record.source_etag));
    }
    out.update.md5 = sums.md5;  // proven equal to the source's own MD5
    out.proof = "source ETag = MD5 of bytes read";
  } else if (read.plan && read.info.kind == checksum::EtagKind::multipart && read.plan->mirrors_source) {
    auto rebuilt = checksum::multipart_etag(read.part_md5s);
    if (!rebuilt) return reject(ObjectOutcome::of(Kind::failed, rebuilt.error().code, rebuilt.error().message));
    auto proof = prove_multipart_layout(*read.plan, *rebuilt, record.source_etag);
    if (!proof) return reject(ObjectOutcome::of(Kind::failed, proof.error().code, proof.error().message));
    out.proof = *proof;
  } else {
    out.proof = "CRC32C of bytes read";
  }
  out.proof += "; staged file = bytes read";
  out.update.staged = ledger::StagedCopy{file->volume, file->path, file->size, sums.md5, sums.crc32c,
                                         encode_metadata(read.metadata)};
  return out;
}

Status StagedFetcher::read_whole(const ledger::ObjectRecord& record, staging::StagedWriter& writer, Read& read) {
  auto hasher = checksum::MultiHasher::create();
  if (!hasher) return std::unexpected(hasher.error());
  std::optional<Error> write_error;
  auto got = source_.get_object(settings_.source_bucket, record.key,
                                {.if_match = record.source_etag, .expected_size = record.size},
                                [&](std::string_view chunk) -> Status {
                                  if (auto w = writer.append(chunk); !w) {
                                    write_error = w.error();
                                    return w;
                                  }
                                  hasher->update(chunk);
                                  read.bytes += chunk.size();
                                  return {};
                                });
  if (write_error) return std::unexpected(*write_error);
  if (!got) return std::unexpected(got.error());
  if (read.bytes != record.size)
    return make_error(ErrorKind::permanent, kSizeChanged,
                      "read " + std::to_string(read.bytes) + " bytes, listed " + std::to_string(record.size));
  const checksum::Checksums sums = hasher->finish();
  read.stream_md5 = sums.md5;
  read.stream_crc = sums.crc32c.value_or(0);
  read.metadata = got->metadata;
  read.info = source_etag_info(record.source_etag, got->raw_headers);
  return {};
}

Status StagedFetcher::read_ranged(const ledger::ObjectRecord& record, staging::StagedWriter& writer, Read& read,
                                  std::stop_token stop) {
  auto head = source_.head_object(settings_.source_bucket, record.key, {.if_match = record.source_etag});
  if (!head) return std::unexpected(head.error());
  if (head->size != record.size)
    return make_error(ErrorKind::permanent, kSizeChanged, "source is now " + std::to_string(head->size) + " bytes");
  read.metadata = head->metadata;
  read.info = source_etag_info(record.source_etag, head->raw_headers);
  const auto learned = learn_source_part_size(source_, settings_.source_bucket, record.key, record.size, read.info);
  auto plan = plan_copy_parts(record.size, read.info.kind == checksum::EtagKind::multipart ? read.info.part_count : 0,
                              learned, settings_.part_size);
  if (!plan) return std::unexpected(plan.error());
  read.plan = *plan;
  const uint32_t count = plan->parts.part_count;

  struct Shared {
    std::vector<checksum::Checksums> parts;
    std::mutex mutex;
    std::optional<Error> first_error;  // guarded by mutex
    std::atomic<bool> failed{false};
    std::atomic<uint64_t> bytes{0};
    TaskGroup group;
  };
  auto shared = std::make_shared<Shared>();
  shared->parts.resize(count);
  auto fail = [shared](Error e) {
    std::lock_guard lock(shared->mutex);
    if (!shared->first_error) shared->first_error = std::move(e);
    shared->failed = true;
  };
  for (uint32_t n = 1; n <= count && !shared->failed; ++n) {
    const auto range = checksum::part_range(plan->parts, n);
    shared->group.add();
    part_pool_.submit([this, shared, fail, range, n, stop, &record, &writer] {
      struct Done {
        Shared& s;
        ~Done() { s.group.done(); }
      } done_guard{*shared};
      if (shared->failed) return;
      if (stop.stop_requested()) return fail(Error{ErrorKind::retryable, kCancelled, "stopping"});
      auto hasher = checksum::MultiHasher::create();
      if (!hasher) return fail(hasher.error());
      uint64_t at = range.offset;
      std::optional<Error> write_error;
      auto got = source_.get_object(
          settings_.source_bucket, record.key,
          {.range = s3::ByteRange{range.offset, range.offset + range.length - 1}, .if_match = record.source_etag},
          [&](std::string_view chunk) -> Status {
            if (at + chunk.size() > range.offset + range.length) {
              write_error = Error{ErrorKind::permanent, kSizeChanged, "part " + std::to_string(n) + " came long"};
              return std::unexpected(*write_error);
            }
            if (auto w = writer.write_at(at, chunk); !w) {
              write_error = w.error();
              return w;
            }
            hasher->update(chunk);
            at += chunk.size();
            return {};
          });
      shared->bytes += at - range.offset;
      if (write_error) return fail(*write_error);
      if (!got) return fail(got.error());
      if (at != range.offset + range.length)
        return fail(Error{ErrorKind::permanent, kSizeChanged, "part " + std::to_string(n) + " came short"});
      shared->parts[n - 1] = hasher->finish();
      events_.emit("part_downloaded", {{"key", record.key}, {"part", n}, {"bytes", range.length}});
    });
  }
  shared->group.wait();
  read.bytes = shared->bytes;
  if (shared->first_error) return std::unexpected(*shared->first_error);

  uint32_t crc = shared->parts[0].crc32c.value_or(0);
  read.part_md5s.push_back(shared->parts[0].md5.value_or(checksum::Md5Digest{}));
  for (uint32_t n = 2; n <= count; ++n) {
    crc = checksum::crc32c_combine(crc, shared->parts[n - 1].crc32c.value_or(0),
                                   checksum::part_range(plan->parts, n).length);
    read.part_md5s.push_back(shared->parts[n - 1].md5.value_or(checksum::Md5Digest{}));
  }
  read.stream_crc = crc;
  return {};
}

}  // namespace s5j::transfer
