// Credentials resolution for one side of config.yaml, after its keys are
// read: the first of these that applies is used and recorded in
// SideConfig::credentials_origin ("config", "profile NAME", "environment"):
//   1. access_key + secret_access_key from the file (session_token optional);
//   2. the side's `profile` key: that profile of the shared credentials file;
//   3. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN);
//   4. profile AWS_PROFILE, else "default", of the shared credentials file
//      (AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials).
// Half-given credentials (a key without its secret, a token alone, keys and
// a profile together) are errors rather than a silent fall-through.
#pragma once

#include <optional>
#include <string>

#include "config/config.h"

namespace s5j::config {

// Fills side.access_key/secret_access_key/session_token/profile/
// credentials_origin, or returns the problem as one line without file or
// line ("source: no credentials found; ..."). Never contains a secret.
std::optional<std::string> resolve_credentials(SideConfig& side, EnvLookup env);

// getenv as an EnvLookup: the default when no test passes its own.
std::optional<std::string> process_environment(const char* name);

}  // namespace s5j::config
