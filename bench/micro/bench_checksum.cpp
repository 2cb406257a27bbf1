// Checksum throughput: MD5, CRC-32C, CRC-32 and the one-pass combination a
// transfer computes. Reported as bytes/s (MB/s in the console output).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "checksum/crc32.h"
#include "checksum/crc32c.h"
#include "checksum/md5.h"
#include "checksum/multi_hasher.h"

namespace {

const std::vector<unsigned char>& buffer() {
  static const std::vector<unsigned char> data = [] {
    std::vector<unsigned char> v(16 << 20);
    std::mt19937 rng(1);
    for (auto& b : v) b = static_cast<unsigned char>(rng());
    return v;
  }();
  return data;
}

void BM_Md5(benchmark::State& state) {
  const auto& data = buffer();
  const auto n = static_cast<size_t>(state.range(0));
  auto md5 = s5j::checksum::Md5::create();
  if (!md5) {
    state.SkipWithError("MD5 unavailable");
    return;
  }
  for (auto _ : state) {
    md5->update(std::span(data).first(n));
    benchmark::DoNotOptimize(md5->finish());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
}
BENCHMARK(BM_Md5)->Arg(64 << 10)->Arg(8 << 20);

void BM_Crc32c(benchmark::State& state) {
  const auto& data = buffer();
  const auto n = static_cast<size_t>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(s5j::checksum::crc32c_of(std::span(data).first(n)));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
}
BENCHMARK(BM_Crc32c)->Arg(64 << 10)->Arg(8 << 20);

void BM_Crc32(benchmark::State& state) {
  const auto& data = buffer();
  const auto n = static_cast<size_t>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(s5j::checksum::crc32_of(std::span(data).first(n)));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
}
BENCHMARK(BM_Crc32)->Arg(8 << 20);

// MD5 + CRC-32C in one pass, the default selection while streaming.
void BM_MultiHasher(benchmark::State& state) {
  const auto& data = buffer();
  const auto n = static_cast<size_t>(state.range(0));
  auto h = s5j::checksum::MultiHasher::create({.md5 = true, .crc32c = true, .crc32 = state.range(1) != 0});
  if (!h) {
    state.SkipWithError("MD5 unavailable");
    return;
  }
  for (auto _ : state) {
    h->update(std::span(data).first(n));
    benchmark::DoNotOptimize(h->finish());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
}
BENCHMARK(BM_MultiHasher)->Args({8 << 20, 0})->Args({8 << 20, 1});

}  // namespace
