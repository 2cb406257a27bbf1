#include "checksum/multi_hasher.h"

#include <algorithm>

#include "checksum/checksum_encoding.h"

namespace s5j::checksum {
namespace {
// Small enough to stay in L2 across the two or three passes, large enough
// that per-call overhead is negligible.
constexpr size_t kBlock = 64 * 1024;
}  // namespace

std::string Checksums::content_md5() const { return md5 ? md5_base64(*md5) : std::string(); }

Result<MultiHasher> MultiHasher::create(ChecksumSelection selection) {
  std::optional<Md5> md5;
  if (selection.md5) {
    auto m = Md5::create();
    if (!m) return std::unexpected(m.error());
    md5.emplace(std::move(*m));
  }
  return MultiHasher(selection, std::move(md5));
}

void MultiHasher::update(std::span<const unsigned char> data) {
  bytes_ += data.size();
  while (!data.empty()) {
    const auto block = data.first(std::min(data.size(), kBlock));
    if (md5_) md5_->update(block);
    if (selection_.crc32c) crc32c_.update(block);
    if (selection_.crc32) crc32_.update(block);
    if (selection_.crc64nvme) crc64nvme_.update(block);
    data = data.subspan(block.size());
  }
}

void MultiHasher::update(std::string_view data) {
  update(std::span(reinterpret_cast<const unsigned char*>(data.data()), data.size()));
}

Checksums MultiHasher::finish() {
  Checksums out;
  out.bytes = bytes_;
  if (md5_) out.md5 = md5_->finish();
  if (selection_.crc32c) out.crc32c = crc32c_.value();
  if (selection_.crc32) out.crc32 = crc32_.value();
  if (selection_.crc64nvme) out.crc64nvme = crc64nvme_.value();
  crc32c_.reset();
  crc32_.reset();
  crc64nvme_.reset();
  bytes_ = 0;
  return out;
}

}  // namespace s5j::checksum
