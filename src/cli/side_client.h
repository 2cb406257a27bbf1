// Builds the S3 client for one side of the config (source or destination):
// a CurlTransport with the side's network options, its endpoints, region,
// credentials and retry settings.
#pragma once

#include <memory>

#include "config/config.h"
#include "s3/s3_client.h"

namespace s5j::cli {

s3::ClientOptions client_options_for(const config::SideConfig& side, const config::TransferConfig& transfer);
Result<std::unique_ptr<s3::S3Client>> make_side_client(const config::SideConfig& side,
                                                       const config::TransferConfig& transfer);

}  // namespace s5j::cli
