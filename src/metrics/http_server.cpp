#include "metrics/http_server.h"

#include <civetweb.h>

#include <mutex>
#include <string_view>
#include <vector>

#include <openssl/crypto.h>

namespace s5j::metrics {
namespace {

// civetweb needs mg_init_library once per process before the first server.
void init_civetweb_once() {
  static std::once_flag once;
  std::call_once(once, [] { mg_init_library(0); });
}

bool same_token(std::string_view given, const std::string& token) {
  return given.size() == token.size() && CRYPTO_memcmp(given.data(), token.data(), token.size()) == 0;
}

const char* reason_of(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 500:
      return "Internal Server Error";
    default:
      return "Error";
  }
}

// civetweb's own messages (a refused connection, a bad request) stay out of
// the run's stderr: the handlers answer what matters.
int quiet_log(const struct mg_connection*, const char*) { return 1; }

}  // namespace

bool request_has_token(const std::string& query, const std::string& authorization, const std::string& token) {
  constexpr std::string_view bearer = "Bearer ";
  if (authorization.starts_with(bearer) && same_token(std::string_view(authorization).substr(bearer.size()), token))
    return true;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string_view pair = std::string_view(query).substr(start, end - start);
    if (pair.starts_with("token=") && same_token(pair.substr(6), token)) return true;
    start = end + 1;
  }
  return false;
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(HttpServerOptions options) {
  init_civetweb_once();
  std::unique_ptr<HttpServer> server(new HttpServer(std::move(options)));
  const std::string ports = server->options_.address.to_string();
  // No document_root: nothing but the routes is served.
  const char* config[] = {"listening_ports", ports.c_str(), "num_threads", "4", "request_timeout_ms", "10000",
                          nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = quiet_log;
  mg_init_data init{.callbacks = &callbacks, .user_data = server.get(), .configuration_options = config};
  char text[256] = {};
  unsigned code = 0;
  mg_error_data error{.code = &code, .text = text, .text_buffer_size = sizeof text};
  server->context_ = mg_start2(&init, &error);
  if (server->context_ == nullptr)
    return make_error(ErrorKind::permanent, kListenFailed,
                      "cannot listen on " + ports + ": " + (text[0] ? std::string(text) : "the server did not start") +
                          " (choose a free port, or an address of this machine)");
  mg_set_request_handler(server->context_, "/", &HttpServer::handle, server.get());
  mg_server_port bound[4] = {};
  const int n = mg_get_server_ports(server->context_, 4, bound);
  if (n > 0) server->port_ = static_cast<uint16_t>(bound[0].port);
  return server;
}

HttpServer::~HttpServer() {
  if (context_ != nullptr) mg_stop(context_);
}

std::string HttpServer::url() const {
  http::ListenAddress a = options_.address;
  a.port = port_;
  return "http://" + a.to_string();
}

HttpResponse HttpServer::answer(const HttpRequest& request, const std::string& authorization) const {
  if (!options_.token.empty() && !request_has_token(request.query, authorization, options_.token))
    return {.status = 401,
            .body = "token required: send the contents of --serve-token-file as \"Authorization: Bearer TOKEN\" "
                    "or open the page with ?token=TOKEN\n"};
  const auto route = options_.routes.find(request.path);
  if (route == options_.routes.end()) return {.status = 404, .body = "not found: " + request.path + "\n"};
  try {
    return route->second(request);
  } catch (const std::exception& e) {
    return {.status = 500, .body = std::string("internal error: ") + e.what() + "\n"};
  }
}

int HttpServer::handle(struct mg_connection* connection, void* self) {
  const auto* server = static_cast<const HttpServer*>(self);
  const mg_request_info* info = mg_get_request_info(connection);
  const std::string_view method = info->request_method ? info->request_method : "";
  HttpResponse response;
  if (method != "GET" && method != "HEAD") {
    response = {.status = 405, .body = "read-only: only GET and HEAD\n"};
  } else {
    HttpRequest request{.path = info->local_uri ? info->local_uri : "/",
                        .query = info->query_string ? info->query_string : ""};
    const char* authorization = mg_get_header(connection, "Authorization");
    response = server->answer(request, authorization ? authorization : "");
  }
  const std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " + reason_of(response.status) +
                           "\r\nContent-Type: " + response.content_type +
                           "\r\nContent-Length: " + std::to_string(response.body.size()) +
                           "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n" +
                           (response.status == 401 ? "WWW-Authenticate: Bearer\r\n" : "") + "\r\n";
  mg_write(connection, head.data(), head.size());
  if (method != "HEAD" && !response.body.empty()) mg_write(connection, response.body.data(), response.body.size());
  return static_cast<int>(response.status);
}

}  // namespace s5j::metrics
