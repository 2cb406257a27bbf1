// The AWS shared-credentials file (~/.aws/credentials): an INI file of
// profiles, each with aws_access_key_id, aws_secret_access_key and
// optionally aws_session_token.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace s5j::config {

struct ProfileCredentials {
  std::string access_key;
  std::string secret_access_key;
  std::string session_token;
};

// Profiles by name ("[name]" headers). Lines starting with '#' or ';' are
// comments; keys are case-insensitive; values are trimmed and kept whole
// (no inline comments, as in the AWS CLI); indented lines (nested settings
// such as "s3 =" blocks) and unknown keys are ignored. A profile missing
// either key is returned with that field empty.
std::map<std::string, ProfileCredentials> parse_shared_credentials(std::string_view text);

}  // namespace s5j::config
