// The S3 client options a config side turns into: the cap on requests in
// flight (`max_requests`, set by `region: snow` unless the file says
// otherwise) becomes the ceiling of the client's adaptive limit.
#include <gtest/gtest.h>

#include "cli/side_client.h"

namespace s5j::cli {
namespace {

TEST(SideClient, MaxRequestsIsTheCeilingOfTheAdaptiveLimit) {
  config::SideConfig side;
  side.endpoint_urls = {"http://127.0.0.1:1"};
  const config::TransferConfig transfer;
  const int uncapped = client_options_for(side, transfer).concurrency.ceiling;
  EXPECT_EQ(uncapped, s3::ConcurrencyOptions{}.ceiling) << "no cap of its own";

  side.max_requests = config::kSnowMaxRequests;
  EXPECT_EQ(client_options_for(side, transfer).concurrency.ceiling, config::kSnowMaxRequests);
  auto client = make_side_client(side, transfer);
  ASSERT_TRUE(client.has_value()) << client.error().describe();
  EXPECT_EQ((*client)->concurrency_limit(), config::kSnowMaxRequests) << "the limit starts at the ceiling";
}

}  // namespace
}  // namespace s5j::cli
