// S3Client against an in-memory transport: retries, backoff, budget, clock
// skew, region correction, GET resume, errors inside 200, failover.
#include "s3/s3_client.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <atomic>
#include <cstring>

#include "base/strings.h"
#include "support/fake_s3_client.h"

namespace s5j::s3 {
namespace {

using testing::FakeAnswer;
using testing::FakeClock;
using testing::FakeTransport;
using testing::RecordedRequest;

FakeAnswer error_answer(int status, const std::string& code, const std::string& message = "m") {
  return testing::s3_error_answer(status, code, message);
}

using Harness = testing::FakeS3Client;

std::string md5_b64(std::string_view data) {
  unsigned char d[16];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), d, &n, EVP_md5(), nullptr);
  return base64_encode(std::span<const unsigned char>(d, n));
}

TEST(S3Client, PutObjectIsSignedAndCarriesContentMd5) {
  Harness h([](const RecordedRequest&, int) {
    FakeAnswer a;
    a.headers = {{"ETag", "\"abc\""}};
    return a;
  });
  const std::string data = "hello world";
  BodySource body{.size = data.size(), .data = data, .content_md5 = md5_b64(data)};
  auto etag = h.client->put_object("bkt", "dir/a b+c=d.txt", body);
  ASSERT_TRUE(etag.has_value()) << etag.error().describe();
  EXPECT_EQ(*etag, "abc");
  auto reqs = h.transport->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(reqs[0].url, "http://127.0.0.1:9000/bkt/dir/a%20b%2Bc%3Dd.txt");
  EXPECT_EQ(reqs[0].body, data);
  EXPECT_EQ(reqs[0].header("Content-MD5"), md5_b64(data));
  EXPECT_EQ(reqs[0].header("x-amz-content-sha256"), sha256_hex(data));
  EXPECT_TRUE(reqs[0].header("Authorization").starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
  EXPECT_NE(reqs[0].header("Authorization").find("content-md5"), std::string::npos);
  EXPECT_EQ(reqs[0].header("Authorization").find("secret-for-tests-only"), std::string::npos);
}

TEST(S3Client, SlowDownIsRetriedWithThrottleBackoff) {
  Harness h([](const RecordedRequest&, int i) {
    if (i < 2) return error_answer(503, "SlowDown", "Please reduce your request rate.");
    FakeAnswer a;
    a.headers = {{"Content-Length", "0"}, {"ETag", "\"e\""}};
    return a;
  });
  std::vector<RequestEvent> events;
  h.client->set_observer([&](const RequestEvent& e) { events.push_back(e); });
  auto head = h.client->head_object("bkt", "k");
  ASSERT_TRUE(head.has_value()) << head.error().describe();
  EXPECT_EQ(h.transport->request_count(), 3u);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].error_code, "SlowDown");
  EXPECT_TRUE(events[0].will_retry);
  EXPECT_EQ(events[2].error_code, "");
  auto sleeps = h.clock.sleeps();
  ASSERT_EQ(sleeps.size(), 2u);
  EXPECT_LE(sleeps[0].count(), 1000);  // throttle base 1 s, attempt 1
  EXPECT_LE(sleeps[1].count(), 2000);  // doubled ceiling
}

TEST(S3Client, ConnectionResetIsRetried) {
  Harness h([](const RecordedRequest&, int i) {
    FakeAnswer a;
    if (i == 0) a.transport_error = "ConnectionReset";
    return a;
  });
  ASSERT_TRUE(h.client->delete_object("bkt", "k").has_value());
  EXPECT_EQ(h.transport->request_count(), 2u);
}

TEST(S3Client, PermanentErrorIsNotRetried) {
  Harness h([](const RecordedRequest&, int) { return error_answer(403, "AccessDenied", "Access Denied"); });
  auto r = h.client->put_object("bkt", "k", BodySource{.size = 1, .data = "x"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "AccessDenied");
  EXPECT_EQ(r.error().kind, ErrorKind::permanent);
  EXPECT_EQ(r.error().http_status, 403);
  EXPECT_EQ(r.error().request_id, "rid-1");
  EXPECT_EQ(h.transport->request_count(), 1u);
}

TEST(S3Client, RetriesStopAtMaxAttempts) {
  RetryOptions retry;
  retry.max_attempts = 4;
  Harness h([](const RecordedRequest&, int) { return error_answer(500, "InternalError"); }, {"http://h:1"}, retry);
  auto r = h.client->delete_object("bkt", "k");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "InternalError");
  EXPECT_TRUE(r.error().retryable());
  EXPECT_EQ(h.transport->request_count(), 4u);
}

TEST(S3Client, RetryBudgetStopsRetryStorms) {
  RetryOptions retry;
  retry.max_attempts = 100;
  retry.budget_tokens = 20;  // four retries at cost 5
  Harness h([](const RecordedRequest&, int) { return error_answer(503, "ServiceUnavailable"); }, {"http://h:1"},
            retry);
  auto r = h.client->delete_object("bkt", "k");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(h.transport->request_count(), 5u);  // first try + 4 budgeted retries
  auto again = h.client->delete_object("bkt", "k2");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(h.transport->request_count(), 6u);  // budget spent: no retry at all
}

TEST(S3Client, ClockSkewIsCorrectedFromDateHeader) {
  FakeClock* clock_ptr = nullptr;
  Harness h([&](const RecordedRequest&, int i) {
    if (i == 0) {
      auto a = error_answer(403, "RequestTimeTooSkewed");
      // The server is 20 minutes ahead of this machine.
      auto server = clock_ptr->now() + std::chrono::minutes(20);
      std::time_t t = std::chrono::system_clock::to_time_t(server);
      char buf[64];
      std::tm tm{};
      gmtime_r(&t, &tm);
      std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
      a.headers.push_back({"Date", buf});
      return a;
    }
    return FakeAnswer{};
  });
  clock_ptr = &h.clock;
  ASSERT_TRUE(h.client->delete_object("bkt", "k").has_value());
  auto reqs = h.transport->requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].header("x-amz-date"), format_amz_datetime(h.clock.now() + std::chrono::minutes(20)));
  EXPECT_EQ(h.client->clock_offset(), std::chrono::minutes(20));
  EXPECT_TRUE(h.clock.sleeps().empty());  // corrected at once, no backoff
}

TEST(S3Client, WrongRegionIsCorrectedOnce) {
  Harness h([](const RecordedRequest& r, int) {
    if (r.header("Authorization").find("/us-east-1/") != std::string::npos)
      return error_answer(400, "AuthorizationHeaderMalformed",
                          "The authorization header is malformed; the region 'us-east-1' is wrong; expecting "
                          "'eu-west-1'");
    return FakeAnswer{};
  });
  ASSERT_TRUE(h.client->delete_object("bkt", "k").has_value());
  EXPECT_EQ(h.client->region(), "eu-west-1");
  auto reqs = h.transport->requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_NE(reqs[1].header("Authorization").find("/eu-west-1/s3/aws4_request"), std::string::npos);
}

TEST(S3Client, BrokenDownloadResumesWithRangeAndIfMatch) {
  std::string object(100, '\0');
  for (size_t i = 0; i < object.size(); ++i) object[i] = static_cast<char>('a' + i % 26);
  Harness h([&](const RecordedRequest& r, int i) {
    FakeAnswer a;
    a.headers = {{"ETag", "\"v1\""}};
    if (i == 0) {
      a.body = object;
      a.cut_body_after = 37;
      return a;
    }
    EXPECT_EQ(r.header("Range"), "bytes=37-");
    EXPECT_EQ(r.header("If-Match"), "\"v1\"");
    a.status = 206;
    a.body = object.substr(37);
    a.headers.push_back({"Content-Range", "bytes 37-99/100"});
    return a;
  });
  std::string received;
  auto head = h.client->get_object("bkt", "k", {}, [&](std::string_view chunk) -> Status {
    received.append(chunk);
    return {};
  });
  ASSERT_TRUE(head.has_value()) << head.error().describe();
  EXPECT_EQ(received, object);
  EXPECT_EQ(head->size, 100u);
  EXPECT_EQ(head->etag, "v1");
}

TEST(S3Client, ObjectChangedDuringResumeIsPreconditionFailed) {
  Harness h([&](const RecordedRequest&, int i) {
    if (i == 0) {
      FakeAnswer a;
      a.headers = {{"ETag", "\"v1\""}};
      a.body = std::string(50, 'x');
      a.cut_body_after = 10;
      return a;
    }
    return error_answer(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
  });
  auto head = h.client->get_object("bkt", "k", {}, [](std::string_view) -> Status { return {}; });
  ASSERT_FALSE(head.has_value());
  EXPECT_EQ(head.error().code, "PreconditionFailed");
  EXPECT_EQ(head.error().kind, ErrorKind::permanent);
}

// A server that refuses conditional requests (a device's reduced API):
// the GET is asked again without If-Match, the refusal is reported once,
// later requests go without it, and the client compares ETags itself.
TEST(S3Client, ConditionalGetRefusedFallsBackAndComparesTheETagItself) {
  std::string current_etag = "v1";
  Harness h([&](const RecordedRequest& r, int) {
    if (!r.header("If-Match").empty())
      return error_answer(501, "NotImplemented", "A header you provided implies functionality that is not implemented");
    FakeAnswer a;
    a.headers = {{"ETag", "\"" + current_etag + "\""}};
    a.body = "the bytes";
    return a;
  });
  std::vector<RequestEvent> reports;
  h.client->add_observer([&](const RequestEvent& e) {
    if (!e.feature_refused.empty()) reports.push_back(e);
  });
  std::string received;
  auto sink = [&](std::string_view chunk) -> Status {
    received.append(chunk);
    return {};
  };
  auto first = h.client->get_object("bkt", "k", {.if_match = "v1"}, sink);
  ASSERT_TRUE(first.has_value()) << first.error().describe();
  EXPECT_EQ(received, "the bytes");
  EXPECT_FALSE(h.client->honours_conditional_reads());
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].feature_refused, "If-Match");
  EXPECT_EQ(reports[0].operation, "GetObject");
  EXPECT_EQ(reports[0].http_status, 501);

  // The next GET and HEAD go without If-Match at once; another version is
  // PreconditionFailed before a byte reaches the sink.
  const size_t before = h.transport->request_count();
  current_etag = "v2";
  received.clear();
  auto changed = h.client->get_object("bkt", "k", {.if_match = "v1"}, sink);
  ASSERT_FALSE(changed.has_value());
  EXPECT_EQ(changed.error().code, "PreconditionFailed");
  EXPECT_EQ(changed.error().kind, ErrorKind::permanent);
  EXPECT_TRUE(received.empty());
  auto head = h.client->head_object("bkt", "k", {.if_match = "v1"});
  ASSERT_FALSE(head.has_value());
  EXPECT_EQ(head.error().code, "PreconditionFailed");
  EXPECT_TRUE(h.client->head_object("bkt", "k", {.if_match = "v2"}).has_value());
  EXPECT_EQ(h.transport->request_count() - before, 3u);  // no refused request again
  EXPECT_EQ(reports.size(), 1u);
}

TEST(S3Client, ConditionalHeadRefusedWith400FallsBack) {
  Harness h([&](const RecordedRequest& r, int) {
    if (!r.header("If-Match").empty()) return error_answer(400, "InvalidArgument", "If-Match not supported");
    FakeAnswer a;
    a.headers = {{"ETag", "\"v1\""}, {"Content-Length", "9"}};
    return a;
  });
  auto head = h.client->head_object("bkt", "k", {.if_match = "v1"});
  ASSERT_TRUE(head.has_value()) << head.error().describe();
  EXPECT_EQ(head->etag, "v1");
  EXPECT_FALSE(h.client->honours_conditional_reads());
}

// A server without HEAD ?partNumber: refused once, reported once, never
// asked again (each multipart object would otherwise cost a refused HEAD).
TEST(S3Client, PartNumberHeadRefusedIsNotAskedAgain) {
  Harness h([&](const RecordedRequest& r, int) {
    if (r.url.find("partNumber=") != std::string::npos) return error_answer(400, "InvalidArgument", "partNumber");
    FakeAnswer a;
    a.headers = {{"ETag", "\"v1-3\""}, {"Content-Length", "30"}};
    return a;
  });
  int reports = 0;
  h.client->add_observer([&](const RequestEvent& e) { reports += e.feature_refused == "partNumber"; });
  for (int i = 0; i < 3; ++i) {
    auto part = h.client->head_object("bkt", "k" + std::to_string(i), {.part_number = 1});
    ASSERT_FALSE(part.has_value());
    EXPECT_EQ(part.error().code, i == 0 ? "InvalidArgument" : "NotImplemented");
  }
  EXPECT_FALSE(h.client->honours_part_number());
  EXPECT_TRUE(h.client->honours_conditional_reads());
  EXPECT_EQ(h.transport->request_count(), 1u);
  EXPECT_EQ(reports, 1);
  EXPECT_TRUE(h.client->head_object("bkt", "k", {}).has_value());  // plain HEADs go on
}

// A server that honours If-Match and answers 412 is not a refusal.
TEST(S3Client, PreconditionFailedIsNotARefusedFeature) {
  Harness h([&](const RecordedRequest&, int) { return error_answer(412, "PreconditionFailed", "no"); });
  auto head = h.client->head_object("bkt", "k", {.if_match = "v1"});
  ASSERT_FALSE(head.has_value());
  EXPECT_EQ(head.error().code, "PreconditionFailed");
  EXPECT_TRUE(h.client->honours_conditional_reads());
  EXPECT_EQ(h.transport->request_count(), 1u);
}

TEST(S3Client, ErrorInsideA200CopyAnswerIsRetried) {
  Harness h([](const RecordedRequest&, int i) {
    if (i == 0) {
      auto a = error_answer(200, "InternalError", "We encountered an internal error. Please try again.");
      return a;
    }
    FakeAnswer a;
    a.body = "<CopyObjectResult><LastModified>2009-10-28T22:32:00.000Z</LastModified><ETag>\"9b2cf535f27731c974343645a3985328\"</ETag></CopyObjectResult>";
    return a;
  });
  auto copy = h.client->copy_object("src", "a/b c", "dst", "x");
  ASSERT_TRUE(copy.has_value()) << copy.error().describe();
  EXPECT_EQ(copy->etag, "9b2cf535f27731c974343645a3985328");
  auto reqs = h.transport->requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].header("x-amz-copy-source"), "src/a/b%20c");
}

TEST(S3Client, RetriedCompleteThatAlreadySucceededIsSuccess) {
  Harness h([](const RecordedRequest& r, int i) {
    if (r.method == "POST" && i == 0) {
      FakeAnswer a;
      a.transport_error = "RecvFailed";  // the first Complete went through, the answer was lost
      return a;
    }
    if (r.method == "POST") return error_answer(404, "NoSuchUpload");
    FakeAnswer a;  // HEAD after NoSuchUpload
    a.headers = {{"ETag", "\"0123456789abcdef0123456789abcdef-2\""}, {"Content-Length", "10485760"}};
    return a;
  });
  auto done = h.client->complete_multipart_upload("bkt", "k", "upload-1", {{1, "e1"}, {2, "e2"}});
  ASSERT_TRUE(done.has_value()) << done.error().describe();
  EXPECT_EQ(done->etag, "0123456789abcdef0123456789abcdef-2");
}

TEST(S3Client, DeadEndpointIsMarkedDownAndRequestsFailOver) {
  Harness h(
      [](const RecordedRequest& r, int) {
        FakeAnswer a;
        if (r.url.starts_with("http://127.0.0.2:9")) a.transport_error = "ConnectFailed";
        a.headers = {{"ETag", "\"e\""}};
        a.body = "data";
        return a;
      },
      {"http://127.0.0.1:9000", "http://127.0.0.2:9", "http://127.0.0.3:9000"});
  for (int i = 0; i < 100; ++i) {
    auto r = h.client->get_object("bkt", "k" + std::to_string(i), {}, [](std::string_view) -> Status { return {}; });
    ASSERT_TRUE(r.has_value()) << r.error().describe();
  }
  EXPECT_FALSE(h.client->endpoints().is_up(1));
  EXPECT_LE(h.client->endpoints().failures(1), 2u);  // down after the first failure: not tried again
  EXPECT_TRUE(h.clock.sleeps().empty());             // failover does not wait
  EXPECT_GE(h.client->endpoints().requests(0), 45u);
  EXPECT_GE(h.client->endpoints().requests(2), 45u);
}

// A failure to reach the endpoint takes it out of the pool at once; a
// proxy failure is every endpoint's and a TLS failure the config's, so they
// never do; one timeout or broken connection came from an endpoint that was
// reached, and takes it out only when repeated (next test).
TEST(S3Client, ProxyTlsAndOtherFailuresLeaveTheEndpointUp) {
  for (const char* code : {"ProxyFailed", "TlsError", "TransportError"}) {
    Harness h(
        [code](const RecordedRequest& r, int) {
          FakeAnswer a;
          if (r.url.starts_with("http://127.0.0.2:9")) a.transport_error = code;
          a.headers = {{"ETag", "\"e\""}};
          a.body = "data";
          return a;
        },
        {"http://127.0.0.1:9000", "http://127.0.0.2:9"});
    for (int i = 0; i < 10; ++i) {
      auto r = h.client->get_object("bkt", "k" + std::to_string(i), {}, [](std::string_view) -> Status { return {}; });
      ASSERT_TRUE(r.has_value()) << code << ": " << r.error().describe();
    }
    EXPECT_GE(h.client->endpoints().requests(1), 5u) << code;  // tried again and again
    EXPECT_EQ(h.client->endpoints().failures(1), 0u) << code;  // never counted against it
    EXPECT_TRUE(h.client->endpoints().is_up(1)) << code;
  }
}

// An endpoint that is up but fails everything (500s, requests that time out
// or break off) is set aside after a few failures in a row, like one that
// refuses connections, and then receives nothing until its backoff ends.
TEST(S3Client, AnEndpointThatFailsEverythingIsSetAside) {
  for (const char* failure : {"500", "Timeout", "ConnectionReset", "RecvFailed"}) {
    Harness h(
        [failure](const RecordedRequest& r, int) {
          if (r.url.starts_with("http://127.0.0.2:9")) {
            if (std::string(failure) == "500") return error_answer(500, "InternalError");
            FakeAnswer a;
            a.transport_error = failure;
            return a;
          }
          FakeAnswer a;
          a.headers = {{"ETag", "\"e\""}};
          a.body = "data";
          return a;
        },
        {"http://127.0.0.1:9000", "http://127.0.0.2:9"});
    for (int i = 0; i < 100; ++i) {
      auto r = h.client->get_object("bkt", "k" + std::to_string(i), {}, [](std::string_view) -> Status { return {}; });
      ASSERT_TRUE(r.has_value()) << failure << ": " << r.error().describe();
    }
    EXPECT_FALSE(h.client->endpoints().is_up(1)) << failure;
    // Set aside after kFailuresToSetAside failures; then, as the backoffs
    // run out on the fake clock's retry sleeps, at most a probe now and then.
    EXPECT_LE(h.client->endpoints().requests(1), static_cast<uint64_t>(EndpointPool::kFailuresToSetAside) + 3)
        << failure;
    EXPECT_GE(h.client->endpoints().requests(0), 97u) << failure;
  }
}

TEST(S3Client, ListFallsBackToV1WhenV2IsRefused) {
  Harness h([](const RecordedRequest& r, int) {
    if (r.url.find("list-type=2") != std::string::npos) return error_answer(501, "NotImplemented");
    FakeAnswer a;
    a.body =
        "<ListBucketResult><Name>b</Name><Prefix></Prefix><Marker></Marker><MaxKeys>1000</MaxKeys>"
        "<IsTruncated>false</IsTruncated><Contents><Key>a</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
        "<ETag>\"x\"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>";
    return a;
  });
  auto page = h.client->list_objects({.bucket = "b"});
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_TRUE(h.client->using_list_v1());
  auto again = h.client->list_objects({.bucket = "b"});
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(h.transport->request_count(), 3u);  // v2 refused once, then v1 twice
}

TEST(S3Client, HeadWithoutBodyMapsStatusToCodes) {
  Harness h([](const RecordedRequest&, int) {
    FakeAnswer a;
    a.status = 404;
    return a;
  });
  auto head = h.client->head_object("bkt", "k");
  ASSERT_FALSE(head.has_value());
  EXPECT_EQ(head.error().code, "NoSuchKey");
  auto bucket = h.client->head_bucket("bkt");
  ASSERT_FALSE(bucket.has_value());
  EXPECT_EQ(bucket.error().code, "NoSuchBucket");
}

TEST(S3Client, HtmlAnswerIsNotS3) {
  Harness h([](const RecordedRequest&, int) {
    FakeAnswer a;
    a.status = 404;
    a.body = "<html><body>Not Found</body></html>";
    return a;
  });
  auto page = h.client->list_objects({.bucket = "b"});
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code, "NotS3");
}

TEST(S3Client, DeleteObjectsSendsContentMd5OfBody) {
  Harness h([](const RecordedRequest&, int) {
    FakeAnswer a;
    a.body = "<DeleteResult><Deleted><Key>a</Key></Deleted></DeleteResult>";
    return a;
  });
  auto r = h.client->delete_objects("bkt", {"a", "b&c"});
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  auto reqs = h.transport->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].url, "http://127.0.0.1:9000/bkt?delete=");
  EXPECT_EQ(reqs[0].header("Content-MD5"), md5_b64(reqs[0].body));
}

TEST(S3Client, StreamedBodyIsReopenedForEachAttempt) {
  Harness h([](const RecordedRequest&, int i) {
    if (i == 0) return error_answer(500, "InternalError");
    FakeAnswer a;
    a.headers = {{"ETag", "\"p\""}};
    return a;
  });
  const std::string data(3000, 'z');
  int opens = 0;
  BodySource body;
  body.size = data.size();
  body.open = [&]() -> http::BodyReader {
    ++opens;
    auto offset = std::make_shared<size_t>(0);
    return [&, offset](char* buf, size_t cap) -> Result<size_t> {
      size_t n = std::min(cap, data.size() - *offset);
      std::memcpy(buf, data.data() + *offset, n);
      *offset += n;
      return n;
    };
  };
  auto etag = h.client->upload_part("bkt", "k", "u1", 3, body);
  ASSERT_TRUE(etag.has_value()) << etag.error().describe();
  EXPECT_EQ(opens, 2);
  auto reqs = h.transport->requests();
  EXPECT_EQ(reqs[1].body, data);
  EXPECT_EQ(reqs[1].header("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_EQ(reqs[1].url, "http://127.0.0.1:9000/bkt/k?partNumber=3&uploadId=u1");
}

}  // namespace
}  // namespace s5j::s3
