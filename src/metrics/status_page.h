// The page `s5j status --serve` answers at `/` (status_page.html, built
// into the binary: the page needs nothing from the internet).
#pragma once

#include <string>
#include <string_view>

namespace s5j::metrics {

// The page with `initial_status_json` (what /api/status answers now, or
// "null") inside it, so it shows figures before its first refresh. The JSON
// is escaped so it cannot end the script element that holds it. Pure.
std::string status_page(std::string_view initial_status_json);

}  // namespace s5j::metrics
