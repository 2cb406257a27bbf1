// SourceStream: the body of a streamed copy. A GET of the source object
// (or of one byte range of it: a part of a streamed multipart copy) runs
// on a thread of its own and hands its bytes, through a small bounded
// buffer, to the body reader of the destination PUT, so an object goes
// from source to destination without being held whole in memory.
//
// Nothing is hashed here but a CRC-32C (for the ledger): the PUT carries the
// source's own MD5 (its plain ETag) as Content-MD5, so the destination
// checks every byte against the source and refuses anything else
// (BadDigest). A retried PUT opens a new stream, which reads the source
// again: a byte flipped on either leg is cured by the retry.
//
// The GET is pinned to the listed ETag (If-Match). When it fails, or yields
// more or fewer bytes than the listed size, read() returns that Error as
// permanent (the GET has already retried as its client allows), so the PUT
// is not retried for it and the caller sees the source's own error code
// (NoSuchKey, PreconditionFailed, SizeChanged, ...).
//
// Thread safety: read() is called by one thread (the PUT's); the
// destructor cancels the GET and waits for its thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "checksum/crc32c.h"
#include "s3/s3_client.h"
#include "transfer/part_stream.h"

namespace s5j::transfer {

class SourceStream final : public PartStream {
 public:
  // Starts the GET at once. `buffer_bytes` bounds what is held in memory.
  // `size`: the object's size, or the range's length when `range` is set.
  SourceStream(s3::S3Client& source, std::string bucket, std::string key, std::string if_match, uint64_t size,
               size_t buffer_bytes, std::optional<s3::ByteRange> range = std::nullopt);
  ~SourceStream();
  SourceStream(const SourceStream&) = delete;
  SourceStream& operator=(const SourceStream&) = delete;

  // The PUT's body reader: up to `capacity` bytes, 0 only after all `size`.
  Result<size_t> read(char* out, size_t capacity) override;

  uint64_t bytes_read() const { return handed_out_; }   // reader's thread only
  uint32_t crc32c() const override { return crc_.value(); }  // of the bytes handed out
  // Payload bytes the GET received (resumed ranges included).
  uint64_t bytes_downloaded() const override;

 private:
  Status accept(std::string_view chunk);  // the GET's sink
  void run();

  s3::S3Client& source_;
  const std::string bucket_;
  const std::string key_;
  const std::string if_match_;
  const uint64_t size_;
  const std::optional<s3::ByteRange> range_;

  mutable std::mutex mutex_;
  std::condition_variable readable_;
  std::condition_variable writable_;
  std::vector<char> ring_;
  size_t head_ = 0;  // next byte to read
  size_t used_ = 0;  // bytes buffered
  uint64_t received_ = 0;
  bool finished_ = false;  // the GET returned
  bool cancelled_ = false;
  std::optional<Error> error_;

  uint64_t handed_out_ = 0;
  checksum::Crc32c crc_;
  std::thread thread_;
};

}  // namespace s5j::transfer
