#include "transfer/landing.h"

namespace s5j::transfer {

s3::PutOptions landing_put_options(const LandingSettings& landing, const s3::ObjectMetadata& source) {
  s3::PutOptions out = landing.options;
  switch (landing.metadata) {
    case MetadataLanding::copy:
      out.metadata = source;
      break;
    case MetadataLanding::none:
      out.metadata = {};
      break;
    case MetadataLanding::given:
      out.metadata = landing.given;
      break;
  }
  return out;
}

s3::CopyOptions landing_copy_options(const LandingSettings& landing, const std::string& if_match) {
  s3::CopyOptions out;
  out.if_match = if_match;
  out.landing = landing_put_options(landing, {});
  // COPY (the server's default) keeps the source's metadata in the server.
  out.replace_metadata = landing.metadata != MetadataLanding::copy;
  return out;
}

}  // namespace s5j::transfer
