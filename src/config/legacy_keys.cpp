// The original Python toolset's `local` and `transfer_settings` sections,
// key for key as its published config.yaml has them, each landing in its
// s5j setting; and its `bucket_name` (in side_keys.cpp).
//
// What the original did with each (its scripts, not only its comments):
//   local.directory                  a single-volume staging folder that its
//                                    own file marks "depricated and no longer
//                                    used"; only reset.py still wiped it. Its
//                                    staging is /tmp/volume-01..99, which is
//                                    s5j's default staging.volume_pattern.
//   max_size_to_transfer_src2l       bytes staged per batch on each volume.
//   max_size_to_transfer_l2dest      gigabytes; marked NOT IMPLEMENTED.
//   src_endpoint_url, dest_endpoint_url
//                                    a URL or a list; 'no_endpoint' = AWS.
//   src_use_native_s3                which program copied source → volumes:
//                                    the aws CLI (true) or s5cmd (false).
#include "config/key_table.h"

namespace s5j::config::detail {
namespace {

void warn(Ctx& c, const Value& v, const std::string& text) {
  c.cfg.warnings.push_back(c.file + ":" + std::to_string(v.line) + ": " + text);
}

Problem local_directory(Ctx& c, const Value& v) {
  warn(c, v,
       "local.directory is deprecated and has no effect (the original no longer used it either); s5j stages on "
       "the directories staging.volume_pattern finds (default /tmp/volume-01 to /tmp/volume-99, as the "
       "original) or on staging.volumes");
  return std::nullopt;
}

Problem max_size_src2l(Ctx& c, const Value& v) {
  // s5j bounds a batch as a whole, not each volume's share of it (see
  // docs/config.md): the same number stages at most as much as the original.
  c.cfg.staging.max_batch_bytes = v.bytes;  // 0 = no limit
  return std::nullopt;
}

Problem max_size_l2dest(Ctx& c, const Value& v) {
  warn(c, v,
       "transfer_settings.max_size_to_transfer_l2dest has no effect (it was never implemented in the original "
       "either); staging.max_batch_bytes bounds what is staged");
  return std::nullopt;
}

Problem src_endpoint_url(Ctx& c, const Value& v) { return set_endpoints(c.cfg.source, v.list); }
Problem dest_endpoint_url(Ctx& c, const Value& v) { return set_endpoints(c.cfg.destination, v.list); }

Problem src_use_native_s3(Ctx& c, const Value& v) {
  warn(c, v,
       "transfer_settings.src_use_native_s3 has no effect: s5j copies with its own S3 client either way (the "
       "original chose between the aws CLI and s5cmd); unlike the original it checks the source's TLS "
       "certificate, so give source.ca_bundle for a Snowball's self-signed one");
  return std::nullopt;
}

using S = Section;
using T = Type;

const Key kLegacyKeys[] = {
    {S::local, "directory", T::string, local_directory, {}, "local.directory"},
    {S::transfer_settings, "max_size_to_transfer_src2l", T::size, max_size_src2l, {}, "staging.max_batch_bytes"},
    {S::transfer_settings, "max_size_to_transfer_l2dest", T::ignored, max_size_l2dest, {},
     "transfer_settings.max_size_to_transfer_l2dest"},
    {S::transfer_settings, "src_endpoint_url", T::strings, src_endpoint_url, {}, "source.endpoint_urls"},
    {S::transfer_settings, "dest_endpoint_url", T::strings, dest_endpoint_url, {}, "destination.endpoint_urls"},
    {S::transfer_settings, "src_use_native_s3", T::boolean, src_use_native_s3, {},
     "transfer_settings.src_use_native_s3"},
};

}  // namespace

std::span<const Key> legacy_keys() { return kLegacyKeys; }

}  // namespace s5j::config::detail
