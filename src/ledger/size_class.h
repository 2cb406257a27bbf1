// Object-size classes: the ledger keeps its per-state totals per class
// (ObjectCatalog::totals_by_size_class) and a run measures its pace per
// class, so that the ETA weighs what is left by how long objects of that
// size take here (ops/eta.h). A 10^7-object prefix of 4 KiB logs takes
// far longer per byte than 10 GiB of video: one bytes-per-second figure
// cannot predict both.
//
// The classes are powers of 16 apart: under 64 KiB (a request's latency is
// all of it), under 1 MiB, under 16 MiB (one or a few parts), under
// 256 MiB, and the rest (bandwidth is all of it). The numbers are stored in
// the ledger: never renumber, only append.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace s5j::ledger {

inline constexpr int kSizeClasses = 5;

// The class of an object of `size` bytes: 0 .. kSizeClasses-1.
constexpr int size_class_of(uint64_t size) {
  if (size < (uint64_t{64} << 10)) return 0;
  if (size < (uint64_t{1} << 20)) return 1;
  if (size < (uint64_t{16} << 20)) return 2;
  if (size < (uint64_t{256} << 20)) return 3;
  return 4;
}

// The smallest size of class `c` (0 for class 0).
constexpr uint64_t size_class_floor(int c) {
  constexpr std::array<uint64_t, kSizeClasses> floors{0, uint64_t{64} << 10, uint64_t{1} << 20, uint64_t{16} << 20,
                                                      uint64_t{256} << 20};
  return floors[static_cast<size_t>(c)];
}

// Stable names for JSON, metrics labels and the page: "lt64KiB",
// "lt1MiB", "lt16MiB", "lt256MiB", "ge256MiB".
constexpr std::string_view size_class_name(int c) {
  constexpr std::array<std::string_view, kSizeClasses> names{"lt64KiB", "lt1MiB", "lt16MiB", "lt256MiB",
                                                             "ge256MiB"};
  return names[static_cast<size_t>(c)];
}

}  // namespace s5j::ledger
