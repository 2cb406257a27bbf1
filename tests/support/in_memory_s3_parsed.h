// Internals of InMemoryS3 shared by its routing (in_memory_s3.cpp) and its
// operation handlers (in_memory_s3_handlers.cpp): one parsed request and
// the S3 error answer.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "support/in_memory_s3.h"

namespace s5j::testing {

struct InMemoryS3::Parsed {
  std::string method;
  std::string bucket;
  std::string key;
  bool has_key = false;
  std::map<std::string, std::string> query;  // decoded
  http::Headers headers;
  std::string body;

  bool has_query(const std::string& name) const { return query.contains(name); }
  std::string query_value(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
  std::optional<std::string> header(std::string_view name) const {
    auto v = http::find_header(headers, name);
    return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
  }
};

// An S3 <Error> answer.
InMemoryS3::Answer error_answer(int status, const std::string& code, const std::string& resource);
// & < > " ' as entities.
std::string xml_escape(std::string_view text);

}  // namespace s5j::testing
