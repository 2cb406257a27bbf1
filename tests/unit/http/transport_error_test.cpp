// The one classification of connection failures. Before it, four lists
// decided alone (retry cost, endpoint failover, `check`, exit codes); each
// test below takes the codes one old list had and checks where they land,
// so a code cannot drift into another class unnoticed.
#include "http/transport_error.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace s5j::http {
namespace {

using enum ConnectionFailure;

Error transport_error(std::string code) {
  Error e;
  e.kind = ErrorKind::retryable;
  e.code = std::move(code);
  return e;
}

// Every code a Transport returns, with the class it belongs to. The strings
// are spelled out: they are the wire form in events and the ledger.
struct Expected {
  std::string code;
  ConnectionFailure failure;
};
const std::vector<Expected> kEveryTransportCode = {
    {"ConnectFailed", endpoint_unreachable}, {"ResolveFailed", endpoint_unreachable},
    {"ProxyFailed", proxy_unreachable},      {"ProxyRejected", proxy_rejected},
    {"Timeout", timed_out},
    {"ConnectionReset", connection_broken},  {"SendFailed", connection_broken},
    {"RecvFailed", connection_broken},       {"TlsError", tls},
    {"TlsCertificate", tls},                 {"TransportError", other},
    {"BodyAborted", none},
};

TEST(ConnectionFailure, EveryTransportCodeHasItsClass) {
  for (const auto& [code, failure] : kEveryTransportCode)
    EXPECT_EQ(to_string(connection_failure_of(transport_error(code))), to_string(failure)) << code;
}

TEST(ConnectionFailure, ConstantsSpellTheWireCodes) {
  EXPECT_EQ(std::string(kConnectFailed), "ConnectFailed");
  EXPECT_EQ(std::string(kResolveFailed), "ResolveFailed");
  EXPECT_EQ(std::string(kProxyFailed), "ProxyFailed");
  EXPECT_EQ(std::string(kProxyRejected), "ProxyRejected");
  EXPECT_EQ(std::string(kTimeout), "Timeout");
  EXPECT_EQ(std::string(kConnectionReset), "ConnectionReset");
  EXPECT_EQ(std::string(kSendFailed), "SendFailed");
  EXPECT_EQ(std::string(kRecvFailed), "RecvFailed");
  EXPECT_EQ(std::string(kTlsError), "TlsError");
  EXPECT_EQ(std::string(kTlsCertificate), "TlsCertificate");
  EXPECT_EQ(std::string(kTransportError), "TransportError");
  EXPECT_EQ(std::string(kBodyAborted), "BodyAborted");
}

// Old list 1, s3/retry_policy.cpp is_connection_error(): these cost the
// higher retry price. TlsCertificate was not on it but is permanent, so it
// is never retried and its price never asked.
TEST(ConnectionFailure, RetryPolicyListIsConnectionFailures) {
  for (const char* code : {"ConnectFailed", "ResolveFailed", "Timeout", "ConnectionReset", "SendFailed", "RecvFailed",
                           "TlsError", "ProxyFailed", "TransportError"})
    EXPECT_TRUE(is_connection_failure(transport_error(code))) << code;
}

// Old list 2, s3/s3_client.cpp: only these mark an endpoint down and fail
// over at once; nothing else the transport returns does.
TEST(ConnectionFailure, OnlyConnectAndResolveFailuresMakeAnEndpointUnreachable) {
  for (const auto& [code, failure] : kEveryTransportCode) {
    const bool unreachable = connection_failure_of(transport_error(code)) == endpoint_unreachable;
    EXPECT_EQ(unreachable, code == "ConnectFailed" || code == "ResolveFailed") << code;
  }
}

// Old list 3, cli/check_command.cpp: an endpoint that did not answer
// (is_connection_code) or had no TLS session (is_tls_code).
TEST(ConnectionFailure, CheckListIsConnectionFailures) {
  for (const char* code : {"ConnectFailed", "ResolveFailed", "Timeout", "ConnectionReset", "SendFailed", "RecvFailed",
                           "ProxyFailed", "TransportError", "TlsError", "TlsCertificate"})
    EXPECT_TRUE(is_connection_failure(transport_error(code))) << code;
}

// Old list 4, cli/exit_codes.cpp: exit 7 for these, 8 for the TLS codes.
TEST(ConnectionFailure, ExitCodeListsLandInUnreachableAndTlsClasses) {
  for (const char* code : {"ConnectFailed", "ResolveFailed", "Timeout", "ProxyFailed"}) {
    const auto failure = connection_failure_of(transport_error(code));
    EXPECT_TRUE(failure == endpoint_unreachable || failure == proxy_unreachable || failure == timed_out) << code;
  }
  for (const char* code : {"TlsCertificate", "TlsError"})
    EXPECT_EQ(connection_failure_of(transport_error(code)), tls) << code;
}

TEST(ConnectionFailure, BodyAbortedIsOursNotTheConnections) {
  EXPECT_FALSE(is_connection_failure(transport_error("BodyAborted")));
}

TEST(ConnectionFailure, AnErrorWithAnHttpAnswerIsNeverOne) {
  Error e = transport_error("Timeout");  // a server may name any code
  e.http_status = 500;
  EXPECT_EQ(connection_failure_of(e), none);
  EXPECT_FALSE(is_connection_failure(e));
}

TEST(ConnectionFailure, OtherLayersCodesAreNotOnes) {
  for (const char* code : {"", "SlowDown", "RequestTimeout", "NoSuchKey", "LedgerError", "StagingError", "Cancelled",
                           "connectfailed", "ConnectFailed "})
    EXPECT_FALSE(is_connection_failure(transport_error(code))) << "'" << code << "'";
}

}  // namespace
}  // namespace s5j::http
