// Cursors for the merge joins of `s5j verify`, each holding one page at a
// time whatever the object count:
//
//   ListingCursor  a bucket listing under a prefix, sorted by the server;
//                  seek(key) gives the first object at or after `key`.
//                  Keys must be sought in ascending order. A listing that
//                  goes backwards fails with code "UnsortedListing" (the
//                  caller then asks per key with HEAD instead).
//   LedgerCursor   a job's records in key order; find(key) gives the record
//                  of exactly `key`. Ascending keys walk the pages; a key
//                  lower than one asked before (a source that lists
//                  unsorted, like the legacy Snowball adapter) is looked up
//                  by itself, so any order is answered correctly.
//
// Thread safety: one thread per cursor.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "ledger/object_catalog.h"
#include "s3/s3_client.h"

namespace s5j::ops {

class ListingCursor {
 public:
  ListingCursor(s3::S3Client& client, std::string bucket, std::string prefix);
  // nullptr once the listing holds nothing at or after `key`. The pointer
  // is valid until the next call.
  Result<const s3::ObjectInfo*> seek(const std::string& key);

 private:
  s3::S3Client& client_;
  s3::ListRequest request_;
  std::vector<s3::ObjectInfo> page_;
  size_t at_ = 0;
  bool more_ = true;
  std::string last_key_;
  std::string last_token_;
};

class LedgerCursor {
 public:
  LedgerCursor(ledger::ObjectCatalog& ledger, ledger::JobId job, size_t page_size = 1000);
  Result<std::optional<ledger::ObjectRecord>> find(const std::string& key);

 private:
  ledger::ObjectCatalog& ledger_;
  ledger::JobId job_;
  size_t page_size_;
  std::vector<ledger::ObjectRecord> page_;
  size_t at_ = 0;
  bool more_ = true;
  std::optional<std::string> highest_;  // highest key asked so far
};

}  // namespace s5j::ops
