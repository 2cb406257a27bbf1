// Small byte and string helpers shared by every layer. Pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace s5j {

std::string to_hex(std::span<const unsigned char> bytes);  // lower-case
std::string base64_encode(std::span<const unsigned char> bytes);
// Returns nullopt when `text` is not valid base64.
std::optional<std::vector<unsigned char>> base64_decode(std::string_view text);
// Returns nullopt when `hex` has odd length or a non-hex digit.
std::optional<std::vector<unsigned char>> from_hex(std::string_view hex);

std::string to_lower(std::string_view s);
std::string_view trim(std::string_view s);  // ASCII whitespace both ends
bool iequals(std::string_view a, std::string_view b);
bool starts_with_icase(std::string_view s, std::string_view prefix);

// "20130524T000000Z" and "20130524" forms used by SigV4.
std::string format_amz_datetime(std::chrono::system_clock::time_point t);
std::string format_amz_date(std::chrono::system_clock::time_point t);
// RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), also RFC 850 and
// asctime forms; nullopt when unparseable.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view s);
// ISO 8601 as used in S3 XML ("2009-10-12T17:50:30.000Z").
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s);
std::string format_iso8601(std::chrono::system_clock::time_point t);

// "1.5 GiB", "320 KiB": for people, not for parsing.
std::string human_bytes(uint64_t bytes);

// The parts with `separator` between them: {"a", "b"}, "+" -> "a+b".
std::string join(const std::vector<std::string>& parts, std::string_view separator);

}  // namespace s5j
