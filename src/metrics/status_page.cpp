#include "metrics/status_page.h"

#include "status_page_html.h"  // generated from status_page.html (CMakeLists.txt)

namespace s5j::metrics {

std::string status_page(std::string_view initial_status_json) {
  constexpr std::string_view placeholder = "/*S5J_INITIAL_STATUS*/null";
  std::string json;
  json.reserve(initial_status_json.size());
  // "</script>" inside the JSON would end the element; "<\/" is the same
  // string to JSON.parse.
  for (size_t i = 0; i < initial_status_json.size(); ++i) {
    if (initial_status_json[i] == '<' && i + 1 < initial_status_json.size() && initial_status_json[i + 1] == '/') {
      json += "<\\/";
      ++i;
    } else {
      json += initial_status_json[i];
    }
  }
  std::string page(kStatusPageHtml);
  if (const auto at = page.find(placeholder); at != std::string::npos)
    page.replace(at, placeholder.size(), json.empty() ? "null" : json);
  return page;
}

}  // namespace s5j::metrics
