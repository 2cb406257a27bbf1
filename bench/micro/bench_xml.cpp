// Listing-page parse throughput: a 1,000-key ListObjectsV2 page as AWS sends
// it (pretty-printed, quoted ETags as &quot;), plain and with
// EncodingType=url. Reports keys/s; 100,000-object buckets are 100 pages.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "s3/s3_xml.h"

namespace {

std::string make_page(bool url_encoded) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
      "  <Name>bench-bucket</Name>\n  <Prefix></Prefix>\n"
      "  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>\n"
      "  <KeyCount>1000</KeyCount>\n  <MaxKeys>1000</MaxKeys>\n";
  if (url_encoded) xml += "  <EncodingType>url</EncodingType>\n";
  xml += "  <IsTruncated>true</IsTruncated>\n";
  char buf[512];
  for (int i = 0; i < 1000; ++i) {
    // Realistic data-lake keys; the encoded page escapes '/', ' ' and UTF-8
    // as AWS does, so every key goes through the decoder.
    if (url_encoded) {
      std::snprintf(buf, sizeof buf,
                    "data%%2Fyear%%3D2024%%2Fmonth%%3D%02d%%2Fday%%3D%02d%%2Fpart-%05d-c%%C3%%BCb%%E2%%82%%AC+copy.snappy.parquet",
                    1 + i % 12, 1 + i % 28, i);
    } else {
      std::snprintf(buf, sizeof buf, "data/year=2024/month=%02d/day=%02d/part-%05d-c\xC3\xBC" "b\xE2\x82\xAC copy.snappy.parquet",
                    1 + i % 12, 1 + i % 28, i);
    }
    xml += "  <Contents>\n    <Key>";
    xml += buf;
    std::snprintf(buf, sizeof buf,
                  "</Key>\n    <LastModified>2024-%02d-%02dT12:%02d:%02d.000Z</LastModified>\n"
                  "    <ETag>&quot;%08x9b2cf535f27731c974343645&quot;</ETag>\n"
                  "    <ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm>\n"
                  "    <Size>%d</Size>\n    <StorageClass>STANDARD</StorageClass>\n  </Contents>\n",
                  1 + i % 12, 1 + i % 28, i % 60, (i * 7) % 60, static_cast<unsigned>(i * 2654435761u),
                  1048576 + i * 4099);
    xml += buf;
  }
  xml += "</ListBucketResult>\n";
  return xml;
}

void run(benchmark::State& state, bool url_encoded) {
  const std::string xml = make_page(url_encoded);
  size_t keys = 0;
  for (auto _ : state) {
    auto page = s5j::s3::parse_list_objects_v2(xml);
    if (!page) {
      state.SkipWithError(page.error().message.c_str());
      return;
    }
    keys += page->objects.size();
    benchmark::DoNotOptimize(page->objects.data());
  }
  state.counters["keys/s"] = benchmark::Counter(static_cast<double>(keys), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(xml.size()));
}

void BM_ParseListObjectsV2_1000Keys(benchmark::State& state) { run(state, false); }
void BM_ParseListObjectsV2_1000Keys_UrlEncoded(benchmark::State& state) { run(state, true); }

BENCHMARK(BM_ParseListObjectsV2_1000Keys);
BENCHMARK(BM_ParseListObjectsV2_1000Keys_UrlEncoded);

}  // namespace
