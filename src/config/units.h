// Byte sizes and bandwidths as people write them in config.yaml.
//
// Sizes: a plain number of bytes ("16777216") or a number with a unit.
// SI units are powers of 1000 (kB/KB, MB, GB, TB), IEC units powers of 1024
// (KiB, MiB, GiB, TiB; any letter case). "1.5GiB" is allowed; the result is
// rounded down to whole bytes. Ambiguous units ("M", "Mb", "mb") are
// rejected with a hint rather than guessed.
// Bandwidths: a size per second, optionally written with "/s", or a bit
// rate ("800Mbit", "1Gbit", "1.5Gbit/s"; decimal prefixes), converted to
// bytes per second.
// Errors are the fix for a person, without file or key context (the caller
// adds that).
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace s5j::config {

std::expected<uint64_t, std::string> parse_byte_size(std::string_view text);
std::expected<uint64_t, std::string> parse_bandwidth(std::string_view text);

}  // namespace s5j::config
