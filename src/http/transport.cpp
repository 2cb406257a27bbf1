#include "http/transport.h"

#include "base/strings.h"

namespace s5j::http {

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return std::string_view(h.value);
  return std::nullopt;
}

}  // namespace s5j::http
