#include "cli/side_client.h"

#include "http/curl_transport.h"

namespace s5j::cli {

s3::ClientOptions client_options_for(const config::SideConfig& side, const config::TransferConfig& transfer) {
  s3::ClientOptions options;
  options.endpoint_urls = side.endpoint_urls;
  options.region = side.region;
  options.credentials = {side.access_key, side.secret_access_key, side.session_token};
  options.virtual_hosted = side.addressing == config::Addressing::virtual_hosted;
  options.outposts = side.outposts;
  options.list_api = side.list_api;
  if (side.max_requests > 0) options.concurrency.ceiling = side.max_requests;
  options.retry.max_attempts = transfer.max_attempts;
  return options;
}

Result<std::unique_ptr<s3::S3Client>> make_side_client(const config::SideConfig& side,
                                                       const config::TransferConfig& transfer) {
  auto transport = std::make_shared<http::CurlTransport>(side.network);
  return s3::make_client(client_options_for(side, transfer), std::move(transport));
}

}  // namespace s5j::cli
