// An S3Client over a FakeTransport, for unit tests of the client and of
// what is built on it: the handler decides every answer, the transport
// records every request, the clock is a FakeClock.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "s3/s3_client.h"
#include "support/fake_clock.h"
#include "support/fake_transport.h"

namespace s5j::testing {

// An S3 error answer as a server sends it (XML body with Code, Message,
// RequestId).
inline FakeAnswer s3_error_answer(int status, const std::string& code, const std::string& message = "m") {
  FakeAnswer a;
  a.status = status;
  a.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message +
           "</Message><RequestId>rid-1</RequestId></Error>";
  return a;
}

struct FakeS3Client {
  FakeClock clock;
  std::shared_ptr<FakeTransport> transport;
  std::unique_ptr<s3::S3Client> client;

  explicit FakeS3Client(FakeTransport::Handler handler,
                        std::vector<std::string> endpoints = {"http://127.0.0.1:9000"}, s3::RetryOptions retry = {}) {
    transport = std::make_shared<FakeTransport>(std::move(handler));
    s3::ClientOptions options;
    options.endpoint_urls = std::move(endpoints);
    options.credentials = {"AKIDEXAMPLE", "secret-for-tests-only", ""};
    options.retry = retry;
    auto made = s3::make_client(options, transport, clock);
    EXPECT_TRUE(made.has_value());
    client = std::move(*made);
  }
};

}  // namespace s5j::testing
