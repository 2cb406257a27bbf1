// The source object's metadata headers as one string for the ledger
// (StagedCopy::metadata), so the upload leg of a staged relay — perhaps
// another process, later, elsewhere — sends them with the object.
// JSON array of [name, value] pairs (UTF-8; anything else is replaced by
// U+FFFD). Pure functions.
#pragma once

#include <string>

#include "base/error.h"
#include "s3/s3_client.h"

namespace s5j::transfer {

std::string encode_metadata(const s3::ObjectMetadata& metadata);
// Empty text is no metadata. Errors: InvalidMetadata for text that is not
// what encode_metadata() writes.
Result<s3::ObjectMetadata> decode_metadata(const std::string& text);

}  // namespace s5j::transfer
