#include "transfer/object_copier.h"

#include <map>
#include <memory>
#include <mutex>

#include "base/strings.h"
#include "checksum/crc32c.h"
#include "checksum/multi_hasher.h"
#include "checksum/multipart_etag.h"
#include "transfer/copy_part_plan.h"
#include "transfer/ordered_hasher.h"

namespace s5j::transfer {
namespace {

using Kind = CopyOutcome::Kind;
constexpr uint64_t kMaxCopyObjectSize = 5ull << 30;  // CopyObject limit

CopyOutcome outcome(Kind kind, std::string code = {}, std::string message = {}) {
  CopyOutcome out;
  out.kind = kind;
  out.error_code = std::move(code);
  if (!message.empty()) out.update.error = out.error_code + ": " + message;
  return out;
}

// A failed source read: deleted → vanished, changed → changed, else failed.
CopyOutcome from_source_error(const Error& e) {
  if (e.code == "NoSuchKey") return outcome(Kind::vanished, e.code, e.message);
  if (e.code == "PreconditionFailed") return outcome(Kind::changed, e.code, e.message);
  return outcome(Kind::failed, e.code, e.message);
}

CopyOutcome from_error(const Error& e) { return outcome(Kind::failed, e.code, e.message); }

// Under SSE-KMS, DSSE or SSE-C the ETag is not the MD5 of the data even
// when it looks like one.
bool etag_is_not_md5(const http::Headers& headers) {
  if (auto sse = http::find_header(headers, "x-amz-server-side-encryption"))
    if (starts_with_icase(*sse, "aws:kms")) return true;
  return http::find_header(headers, "x-amz-server-side-encryption-customer-algorithm").has_value();
}

checksum::EtagInfo source_etag_info(const std::string& etag, const http::Headers& headers) {
  auto info = checksum::classify_etag(etag);
  if (etag_is_not_md5(headers)) info.kind = checksum::EtagKind::opaque;
  return info;
}

bool server_refused_copy(const Error& e) {
  return e.code == "NotImplemented" || e.code == "MethodNotAllowed" || e.http_status == 501 ||
         e.http_status == 405;
}

Result<checksum::Checksums> hash_all(std::string_view data) {
  auto hasher = checksum::MultiHasher::create();
  if (!hasher) return std::unexpected(hasher.error());
  hasher->update(data);
  return hasher->finish();
}

}  // namespace

ObjectCopier::ObjectCopier(CopierSettings settings, s3::S3Client& source, s3::S3Client& destination,
                           ledger::Ledger& ledger, ByteBudget& budget, WorkerPool& part_pool, log::EventLog& events)
    : settings_(std::move(settings)),
      source_(source),
      destination_(destination),
      ledger_(ledger),
      budget_(budget),
      part_pool_(part_pool),
      events_(events) {}

std::string ObjectCopier::destination_key(const std::string& source_key) const {
  std::string_view suffix = source_key;
  if (suffix.starts_with(settings_.source_prefix)) suffix.remove_prefix(settings_.source_prefix.size());
  return settings_.destination_prefix + std::string(suffix);
}

CopyOutcome ObjectCopier::copy(const ledger::ObjectRecord& record) {
  if (settings_.server_side_copy && !server_copy_refused_.load()) {
    bool fall_back = false;
    CopyOutcome out = copy_server_side(record, fall_back);
    if (!fall_back) return out;
  }
  if (record.size > settings_.multipart_threshold) return copy_multipart(record);
  return copy_single(record);
}

// ------------------------------------------------------------ single PUT

CopyOutcome ObjectCopier::copy_single(const ledger::ObjectRecord& record) {
  if (!budget_.acquire(record.size)) return outcome(Kind::failed, "Cancelled", "stopping");
  BudgetLease lease(&budget_, record.size);
  std::string buffer;
  buffer.reserve(record.size);
  CopyOutcome out;
  std::optional<s3::ObjectHead> head;
  std::optional<checksum::Checksums> sums;
  // A mismatch between the bytes read and a plain-MD5 ETag is read once
  // more before it is called a failure: a flipped byte in transit must not
  // fail the object, a corrupt source must not pass.
  for (int attempt = 1; attempt <= 2; ++attempt) {
    buffer.clear();
    auto got = source_.get_object(settings_.source_bucket, record.key, {.if_match = record.source_etag},
                                  [&](std::string_view chunk) -> Status {
                                    buffer.append(chunk);
                                    return {};
                                  });
    if (!got) return from_source_error(got.error());
    out.bytes_downloaded += buffer.size();
    if (buffer.size() != record.size)
      return outcome(Kind::changed, "SizeChanged",
                     "read " + std::to_string(buffer.size()) + " bytes, listed " + std::to_string(record.size));
    auto hashed = hash_all(buffer);
    if (!hashed) return from_error(hashed.error());
    head = std::move(*got);
    sums = *hashed;
    auto info = source_etag_info(record.source_etag, head->raw_headers);
    if (info.kind != checksum::EtagKind::plain_md5 || sums->md5 == info.digest) break;
    if (attempt == 2)
      return outcome(Kind::failed, "ChecksumMismatch",
                     "the MD5 of the bytes read differs from the source ETag " + record.source_etag + " (read twice)");
  }
  const auto info = source_etag_info(record.source_etag, head->raw_headers);

  s3::BodySource body{.size = buffer.size(), .data = buffer, .content_md5 = sums->content_md5()};
  s3::PutOptions put_options{.metadata = head->metadata};
  const std::string key = destination_key(record.key);
  auto etag = destination_.put_object(settings_.destination_bucket, key, body, put_options);
  if (!etag) return from_error(etag.error());
  out.kind = Kind::verified;
  out.method = "put";
  out.bytes_uploaded = buffer.size();
  out.update.md5 = sums->md5;
  out.update.crc32c = sums->crc32c;
  out.update.dest_etag = *etag;
  out.proof = info.kind == checksum::EtagKind::plain_md5 ? "source ETag = MD5 of bytes read" : "CRC32C of bytes read";
  out.proof += checksum::etag_matches_md5(*etag, *sums->md5) ? "; destination ETag = MD5"
                                                             : "; destination verified Content-MD5";
  return out;
}

// ------------------------------------------------------------ multipart

CopyOutcome ObjectCopier::copy_multipart(const ledger::ObjectRecord& record) {
  auto head = source_.head_object(settings_.source_bucket, record.key, {.if_match = record.source_etag});
  if (!head) return from_source_error(head.error());
  if (head->size != record.size)
    return outcome(Kind::changed, "SizeChanged", "source is now " + std::to_string(head->size) + " bytes");
  const auto info = source_etag_info(record.source_etag, head->raw_headers);

  std::optional<uint64_t> learned;
  if (info.kind == checksum::EtagKind::multipart && info.part_count > 1) {
    // Servers that address parts answer part 1's length; Ceph ignores
    // partNumber and answers the whole object, which teaches nothing.
    auto part1 = source_.head_object(settings_.source_bucket, record.key, {.part_number = 1});
    if (part1 && part1->size < record.size) learned = part1->size;
  }
  checksum::PartLimits limits;
  limits.quirk_max_part_size = settings_.destination_max_part_size;
  auto plan = plan_copy_parts(record.size, info.kind == checksum::EtagKind::multipart ? info.part_count : 0, learned,
                              settings_.part_size, limits);
  if (!plan) return from_error(plan.error());
  const uint32_t count = plan->parts.part_count;
  const bool need_md5 = info.kind == checksum::EtagKind::plain_md5;
  const std::string key = destination_key(record.key);

  // Resume the upload the ledger knows, if its layout is the one we want.
  std::map<uint32_t, ledger::PartRecord> done;
  std::optional<ledger::UploadRef> ref;
  std::string upload_id;
  auto progress = ledger_.active_upload(record.id);
  if (!progress) return from_error(progress.error());
  if (*progress) {
    const auto& up = (*progress)->upload;
    if (up.part_size == plan->parts.part_size && up.part_count == count) {
      ref = up.ref;
      upload_id = up.upload_id;
      for (const auto& p : (*progress)->parts) done[p.part_number] = p;
      events_.emit("upload_resumed", {{"key", record.key}, {"upload_id", upload_id}, {"parts_done", done.size()}});
    } else {
      (void)destination_.abort_multipart_upload(settings_.destination_bucket, key, up.upload_id);
      (void)ledger_.queue_upload_end(up.ref, ledger::UploadStatus::aborted);
    }
  }
  if (!ref) {
    auto created = destination_.create_multipart_upload(settings_.destination_bucket, key, {.metadata = head->metadata});
    if (!created) return from_error(created.error());
    upload_id = *created;
    // Durable before any part is sent: a crash can never orphan the upload.
    auto begun = ledger_.begin_upload({record.id, upload_id, plan->parts.part_size, count});
    if (!begun) {
      (void)destination_.abort_multipart_upload(settings_.destination_bucket, key, upload_id);
      return from_error(begun.error());
    }
    ref = *begun;
  }

  struct PartResult {
    checksum::Md5Digest md5{};
    uint32_t crc32c = 0;
    std::string etag;
  };
  struct Shared {
    std::vector<PartResult> results;
    std::mutex mutex;
    std::optional<Error> first_error;  // guarded by mutex
    std::atomic<bool> failed{false};
    std::atomic<uint64_t> uploaded{0};
    std::atomic<uint64_t> downloaded{0};
    std::unique_ptr<OrderedHasher> hasher;
    TaskGroup group;
  };
  auto shared = std::make_shared<Shared>();
  shared->results.resize(count);
  if (need_md5) {
    auto md5 = checksum::Md5::create();
    if (!md5) return from_error(md5.error());
    shared->hasher = std::make_unique<OrderedHasher>(std::move(*md5));
  }
  auto fail = [shared](Error e) {
    {
      std::lock_guard lock(shared->mutex);
      if (!shared->first_error) shared->first_error = std::move(e);
    }
    shared->failed = true;
    if (shared->hasher) shared->hasher->abandon();
  };

  for (uint32_t n = 1; n <= count && !shared->failed; ++n) {
    const auto range = checksum::part_range(plan->parts, n);
    std::optional<ledger::PartRecord> recorded;
    if (auto it = done.find(n); it != done.end()) recorded = it->second;
    if (recorded && !need_md5 && recorded->md5 && recorded->crc32c && recorded->size == range.length) {
      shared->results[n - 1] = {*recorded->md5, *recorded->crc32c, recorded->etag};
      continue;  // uploaded before the restart: nothing to send or read
    }
    if (!budget_.acquire(range.length)) {
      fail(Error{ErrorKind::retryable, "Cancelled", "stopping"});
      break;
    }
    auto lease = std::make_shared<BudgetLease>(&budget_, range.length);
    shared->group.add();
    part_pool_.submit([this, shared, fail, lease, range, n, recorded, key, upload_id, ref, &record] {
      struct Done {
        Shared& s;
        ~Done() { s.group.done(); }
      } done_guard{*shared};
      if (shared->failed) return;
      std::string buffer;
      buffer.reserve(range.length);
      auto got = source_.get_object(
          settings_.source_bucket, record.key,
          {.range = s3::ByteRange{range.offset, range.offset + range.length - 1}, .if_match = record.source_etag},
          [&](std::string_view chunk) -> Status {
            buffer.append(chunk);
            return {};
          });
      if (!got) return fail(got.error());
      shared->downloaded += buffer.size();
      if (buffer.size() != range.length)
        return fail(Error{ErrorKind::permanent, "SizeChanged", "part " + std::to_string(n) + " came short"});
      auto sums = hash_all(buffer);
      if (!sums) return fail(sums.error());
      if (shared->hasher && !shared->hasher->hash_in_turn(n, buffer)) return;
      if (recorded) {
        // Uploaded before the restart; read again only for the whole MD5.
        if (recorded->md5 && *recorded->md5 != *sums->md5)
          return fail(Error{ErrorKind::permanent, "ChecksumMismatch",
                            "part " + std::to_string(n) + " reads differently from when it was uploaded"});
        shared->results[n - 1] = {*sums->md5, *sums->crc32c, recorded->etag};
        return;
      }
      s3::BodySource body{.size = buffer.size(), .data = buffer, .content_md5 = sums->content_md5()};
      auto etag = destination_.upload_part(settings_.destination_bucket, key, upload_id, static_cast<int>(n), body);
      if (!etag) return fail(etag.error());
      if (checksum::is_plain_md5_etag(*etag) && !checksum::etag_matches_md5(*etag, *sums->md5))
        return fail(Error{ErrorKind::retryable, "DestinationMismatch",
                          "part " + std::to_string(n) + ": the destination stored other bytes than were sent"});
      shared->uploaded += buffer.size();
      shared->results[n - 1] = {*sums->md5, *sums->crc32c, *etag};
      ledger::PartRecord part{n, range.offset, range.length, *etag, sums->md5, sums->crc32c};
      if (auto q = ledger_.queue_part(*ref, part); !q) return fail(q.error());
      events_.emit("part_done", {{"key", record.key}, {"part", n}, {"bytes", range.length}});
    });
  }
  shared->group.wait();

  CopyOutcome out;
  out.method = "multipart";
  out.bytes_uploaded = shared->uploaded;
  out.bytes_downloaded = shared->downloaded;
  auto abandon_upload = [&] {
    (void)destination_.abort_multipart_upload(settings_.destination_bucket, key, upload_id);
    (void)ledger_.queue_upload_end(*ref, ledger::UploadStatus::aborted);
  };
  if (shared->first_error) {
    const Error& e = *shared->first_error;
    CopyOutcome bad = e.code == "SizeChanged" ? outcome(Kind::changed, e.code, e.message) : from_source_error(e);
    bad.bytes_uploaded = out.bytes_uploaded;
    bad.bytes_downloaded = out.bytes_downloaded;
    bad.method = out.method;
    if (bad.kind != Kind::failed || e.code == "NoSuchUpload" || e.code == "ChecksumMismatch") {
      abandon_upload();  // this upload can never complete into the right object
    }
    // Otherwise the upload stays active in the ledger and resumes next run.
    return bad;
  }

  std::vector<s3::CompletedPart> parts;
  std::vector<checksum::Md5Digest> md5s;
  parts.reserve(count);
  for (uint32_t n = 1; n <= count; ++n) {
    parts.push_back({static_cast<int>(n), shared->results[n - 1].etag});
    md5s.push_back(shared->results[n - 1].md5);
  }
  auto completed = destination_.complete_multipart_upload(settings_.destination_bucket, key, upload_id, parts);
  if (!completed) {
    if (completed.error().code == "NoSuchUpload") abandon_upload();
    CopyOutcome bad = from_error(completed.error());
    bad.bytes_uploaded = out.bytes_uploaded;
    return bad;
  }
  // Ceph 16 answers Complete with an empty ETag: HEAD gives the real one.
  auto dest = destination_.head_object(settings_.destination_bucket, key);
  if (!dest) return from_error(dest.error());
  auto expected = checksum::multipart_etag(md5s);
  if (!expected) return from_error(expected.error());
  if (dest->size != record.size || (checksum::is_multipart_etag(dest->etag) && !checksum::etags_equal(dest->etag, *expected)))
    return outcome(Kind::failed, "DestinationMismatch",
                   "destination holds " + std::to_string(dest->size) + " bytes, ETag " + dest->etag + ", expected " +
                       std::to_string(record.size) + " bytes, ETag " + *expected);

  uint32_t crc = shared->results[0].crc32c;
  for (uint32_t n = 2; n <= count; ++n)
    crc = checksum::crc32c_combine(crc, shared->results[n - 1].crc32c, checksum::part_range(plan->parts, n).length);

  if (need_md5) {
    auto whole = shared->hasher->finish(count);
    if (!whole || whole != info.digest)
      return outcome(Kind::failed, "ChecksumMismatch",
                     "the MD5 of the bytes read differs from the source ETag " + record.source_etag);
    out.update.md5 = *whole;
    out.proof = "source ETag = MD5 of bytes read";
  } else if (info.kind == checksum::EtagKind::multipart && plan->mirrors_source) {
    if (checksum::etags_equal(*expected, record.source_etag)) {
      out.proof = "source multipart ETag reproduced from the bytes read";
    } else if (plan->learned) {
      return outcome(Kind::failed, "ChecksumMismatch",
                     "the part MD5s of the bytes read give ETag " + *expected + ", the source has " + record.source_etag);
    } else {
      out.proof = "CRC32C of bytes read (source part layout not learnable)";
    }
  } else {
    out.proof = "CRC32C of bytes read";
  }
  out.proof += "; destination confirmed every part's MD5 and the object's ETag";
  out.kind = Kind::verified;
  out.update.crc32c = crc;
  out.update.dest_etag = dest->etag;
  out.completed_upload = ref;
  return out;
}

// ------------------------------------------------------------ server side

CopyOutcome ObjectCopier::copy_server_side(const ledger::ObjectRecord& record, bool& fall_back) {
  fall_back = false;
  const auto info = checksum::classify_etag(record.source_etag);
  const std::string key = destination_key(record.key);
  auto refused = [&](const Error& e) {
    if (!server_refused_copy(e)) return false;
    if (!server_copy_refused_.exchange(true))
      events_.emit("server_copy_refused", {{"code", e.code}, {"status", e.http_status}});
    fall_back = true;
    return true;
  };

  if (info.kind == checksum::EtagKind::plain_md5 && record.size <= kMaxCopyObjectSize) {
    auto copied = destination_.copy_object(settings_.source_bucket, record.key, settings_.destination_bucket, key,
                                           record.source_etag);
    if (!copied) {
      if (refused(copied.error())) return {};
      return from_source_error(copied.error());
    }
    // Some servers (Ceph 16) ignore x-amz-copy-source-if-match: the ETag of
    // the copy is what tells whether the listed version was copied.
    if (!checksum::etags_equal(copied->etag, record.source_etag))
      return outcome(Kind::changed, "SourceChanged", "the copy has ETag " + copied->etag);
    CopyOutcome out;
    out.kind = Kind::verified;
    out.method = "server-copy";
    out.update.dest_etag = record.source_etag;
    out.proof = "server-side copy; destination ETag = source ETag";
    return out;
  }
  if (info.kind != checksum::EtagKind::multipart) {
    fall_back = true;  // opaque ETag, or plain and too big for CopyObject: prove by reading
    return {};
  }

  auto head = source_.head_object(settings_.source_bucket, record.key, {.if_match = record.source_etag});
  if (!head) return from_source_error(head.error());
  std::optional<uint64_t> learned;
  if (info.part_count > 1) {
    auto part1 = source_.head_object(settings_.source_bucket, record.key, {.part_number = 1});
    if (part1 && part1->size < record.size) learned = part1->size;
  }
  auto plan = plan_copy_parts(record.size, info.part_count, learned, settings_.part_size);
  if (!plan || !plan->mirrors_source) {
    fall_back = true;
    return {};
  }
  auto created = destination_.create_multipart_upload(settings_.destination_bucket, key, {.metadata = head->metadata});
  if (!created) {
    if (refused(created.error())) return {};
    return from_error(created.error());
  }
  auto begun = ledger_.begin_upload({record.id, *created, plan->parts.part_size, plan->parts.part_count});
  if (!begun) {
    (void)destination_.abort_multipart_upload(settings_.destination_bucket, key, *created);
    return from_error(begun.error());
  }
  auto abandon = [&] {
    (void)destination_.abort_multipart_upload(settings_.destination_bucket, key, *created);
    (void)ledger_.queue_upload_end(*begun, ledger::UploadStatus::aborted);
  };
  std::vector<s3::CompletedPart> parts;
  for (uint32_t n = 1; n <= plan->parts.part_count; ++n) {
    const auto range = checksum::part_range(plan->parts, n);
    auto part = destination_.upload_part_copy(settings_.source_bucket, record.key,
                                              {range.offset, range.offset + range.length - 1},
                                              settings_.destination_bucket, key, *created, static_cast<int>(n),
                                              record.source_etag);
    if (!part) {
      abandon();
      if (refused(part.error())) return {};
      return from_source_error(part.error());
    }
    parts.push_back({static_cast<int>(n), part->etag});
  }
  auto completed = destination_.complete_multipart_upload(settings_.destination_bucket, key, *created, parts);
  if (!completed) {
    abandon();
    return from_error(completed.error());
  }
  auto dest = destination_.head_object(settings_.destination_bucket, key);
  if (!dest) return from_error(dest.error());
  if (!checksum::etags_equal(dest->etag, record.source_etag) || dest->size != record.size) {
    (void)ledger_.queue_upload_end(*begun, ledger::UploadStatus::completed);
    if (plan->learned) return outcome(Kind::changed, "SourceChanged", "the copy has ETag " + dest->etag);
    fall_back = true;  // the inferred part layout was wrong: prove by reading instead
    return {};
  }
  CopyOutcome out;
  out.kind = Kind::verified;
  out.method = "server-multipart-copy";
  out.update.dest_etag = record.source_etag;
  out.completed_upload = *begun;
  out.proof = "server-side multipart copy; destination ETag = source multipart ETag";
  return out;
}

}  // namespace s5j::transfer
