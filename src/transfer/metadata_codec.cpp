#include "transfer/metadata_codec.h"
#include "transfer/transfer_error.h"

#include <nlohmann/json.hpp>

namespace s5j::transfer {

std::string encode_metadata(const s3::ObjectMetadata& metadata) {
  if (metadata.headers.empty()) return {};
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& h : metadata.headers) pairs.push_back({h.name, h.value});
  // HTTP header values are ASCII in practice; a byte sequence that is not
  // UTF-8 is replaced (U+FFFD) rather than failing the object.
  return pairs.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<s3::ObjectMetadata> decode_metadata(const std::string& text) {
  s3::ObjectMetadata out;
  if (text.empty()) return out;
  auto bad = [&](const std::string& why) {
    return make_error(ErrorKind::permanent, kInvalidMetadata, "recorded object metadata is unreadable: " + why);
  };
  auto pairs = nlohmann::json::parse(text, nullptr, false);
  if (pairs.is_discarded() || !pairs.is_array()) return bad("not a JSON array");
  for (const auto& p : pairs) {
    if (!p.is_array() || p.size() != 2 || !p[0].is_string() || !p[1].is_string()) return bad("not [name, value] pairs");
    out.headers.push_back({p[0].get<std::string>(), p[1].get<std::string>()});
  }
  return out;
}

}  // namespace s5j::transfer
