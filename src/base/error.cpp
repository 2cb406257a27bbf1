#include "base/error.h"

namespace s5j {

std::string Error::describe() const {
  std::string out = code.empty() ? std::string("Error") : code;
  if (!message.empty()) out += ": " + message;
  if (http_status != 0) out += " (HTTP " + std::to_string(http_status) + ")";
  if (!endpoint.empty()) out += " [" + endpoint + "]";
  if (!request_id.empty()) out += " request-id=" + request_id;
  return out;
}

}  // namespace s5j
