#include "transfer/source_stream.h"
#include "transfer/transfer_error.h"

#include <algorithm>
#include <cstring>

namespace s5j::transfer {

SourceStream::SourceStream(s3::S3Client& source, std::string bucket, std::string key, std::string if_match,
                           uint64_t size, size_t buffer_bytes, std::optional<s3::ByteRange> range)
    : source_(source),
      bucket_(std::move(bucket)),
      key_(std::move(key)),
      if_match_(std::move(if_match)),
      size_(size),
      range_(range),
      ring_(std::max<size_t>(buffer_bytes, 64 * 1024)) {
  thread_ = std::thread([this] { run(); });
}

SourceStream::~SourceStream() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }
  writable_.notify_all();
  thread_.join();
}

void SourceStream::run() {
  auto got = source_.get_object(bucket_, key_, {.range = range_, .if_match = if_match_},
                                [this](std::string_view chunk) { return accept(chunk); });
  std::lock_guard lock(mutex_);
  finished_ = true;
  if (!got && !cancelled_) {
    Error e = got.error();
    e.kind = ErrorKind::permanent;  // the GET already retried; a new PUT would only read it again
    error_ = std::move(e);
  } else if (got && received_ != size_) {
    error_ = make_error(ErrorKind::permanent, kSizeChanged,
                        "read " + std::to_string(received_) + " bytes, listed " + std::to_string(size_))
                 .error();
  }
  readable_.notify_all();
}

Status SourceStream::accept(std::string_view chunk) {
  std::unique_lock lock(mutex_);
  if (received_ + chunk.size() > size_)
    return make_error(ErrorKind::permanent, kSizeChanged,
                      "the source sent more than the listed " + std::to_string(size_) + " bytes");
  while (!chunk.empty()) {
    writable_.wait(lock, [&] { return cancelled_ || used_ < ring_.size(); });
    if (cancelled_) return make_error(ErrorKind::permanent, kCancelled, "the upload this read fed has ended");
    const size_t tail = (head_ + used_) % ring_.size();
    const size_t n = std::min({chunk.size(), ring_.size() - used_, ring_.size() - tail});
    std::memcpy(ring_.data() + tail, chunk.data(), n);
    used_ += n;
    received_ += n;
    chunk.remove_prefix(n);
    readable_.notify_one();
  }
  return {};
}

Result<size_t> SourceStream::read(char* out, size_t capacity) {
  std::unique_lock lock(mutex_);
  readable_.wait(lock, [&] { return used_ > 0 || finished_; });
  if (used_ == 0) {
    if (error_) return std::unexpected(*error_);
    return 0;  // the whole object (run() checked the size)
  }
  size_t copied = 0;
  while (copied < capacity && used_ > 0) {
    const size_t n = std::min({capacity - copied, used_, ring_.size() - head_});
    std::memcpy(out + copied, ring_.data() + head_, n);
    head_ = (head_ + n) % ring_.size();
    used_ -= n;
    copied += n;
  }
  lock.unlock();
  writable_.notify_one();
  crc_.update(std::string_view(out, copied));
  hash_handed_out(std::string_view(out, copied));
  handed_out_ += copied;
  return copied;
}

uint64_t SourceStream::bytes_downloaded() const {
  std::lock_guard lock(mutex_);
  return received_;
}

}  // namespace s5j::transfer
