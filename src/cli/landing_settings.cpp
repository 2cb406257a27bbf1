#include "cli/landing_settings.h"

namespace s5j::cli {

transfer::LandingSettings landing_settings_for(const config::LandingConfig& landing) {
  transfer::LandingSettings out;
  out.options.storage_class = landing.storage_class;
  out.options.sse = landing.sse;
  out.options.sse_kms_key_id = landing.sse_kms_key_id;
  out.options.tags = landing.tags;
  out.options.acl = landing.acl;
  switch (landing.metadata) {
    case config::MetadataMode::copy:
      out.metadata = transfer::MetadataLanding::copy;
      break;
    case config::MetadataMode::none:
      out.metadata = transfer::MetadataLanding::none;
      break;
    case config::MetadataMode::given:
      out.metadata = transfer::MetadataLanding::given;
      for (const auto& [name, value] : landing.metadata_headers) out.given.headers.push_back({name, value});
      break;
  }
  return out;
}

}  // namespace s5j::cli
