// URI encoding exactly as SigV4 for S3 requires. Pure functions.
//
// Every byte outside A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case hex of each
// UTF-8 byte); space is %20, never '+'. '/' is kept literal only when
// encoding an object-key path. S3 paths are encoded once and never
// normalised: "//", "." and ".." segments are preserved byte for byte.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace s5j::s3 {

std::string uri_encode(std::string_view s, bool keep_slash);

// Path-style request path: "/" + encoded bucket [+ "/" + encoded key]. An
// empty bucket gives "/" (ListBuckets); an empty key gives "/bucket", with
// no trailing "/".
std::string encode_path_style(std::string_view bucket, std::string_view key);
// Virtual-hosted path: "/" + encoded key.
std::string encode_virtual_hosted(std::string_view key);

// Query parameters as given by the caller, not yet encoded. A parameter
// without value (e.g. "uploads") has an empty value and is written "uploads=".
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Encodes names and values with uri_encode(..., false), sorts by encoded
// name then encoded value, joins with '&'. The same string is used in the
// URL and in the canonical request.
std::string canonical_query_string(const QueryParams& params);

// Decodes %XX escapes; when `plus_is_space`, '+' becomes ' ' (form encoding,
// used for keys in listings with encoding-type=url). Invalid escapes are
// kept as they are.
std::string uri_decode(std::string_view s, bool plus_is_space);

}  // namespace s5j::s3
