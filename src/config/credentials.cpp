#include "config/credentials.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/credentials_file.h"

namespace s5j::config {
namespace {

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

std::optional<std::string> lookup(EnvLookup env, const char* name) {
  auto v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

std::string credentials_file_path(EnvLookup env) {
  if (auto f = lookup(env, "AWS_SHARED_CREDENTIALS_FILE")) return *f;
  if (auto home = lookup(env, "HOME")) return *home + "/.aws/credentials";
  return "~/.aws/credentials";
}

std::string missing_credentials(const SideConfig& side, const std::string& file, const std::string& profile) {
  return side.name +
         ": no credentials found; provide them in one of three ways: access_key and "
         "secret_access_key under " +
         side.name +
         " in this file; the environment variables AWS_ACCESS_KEY_ID and "
         "AWS_SECRET_ACCESS_KEY; or a profile in the shared credentials file " +
         file + " (tried profile " + in_quotes(profile) + "; choose one with " + side.name + ".profile or AWS_PROFILE)";
}

// Profile named by the side's `profile` key or AWS_PROFILE: `chosen` says a
// person asked for it, so its absence is an error about that profile rather
// than the generic "no credentials".
std::optional<std::string> from_profile(SideConfig& side, EnvLookup env, const std::string& profile,
                                        const std::string& chosen_by) {
  const std::string file = credentials_file_path(env);
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (chosen_by.empty()) return missing_credentials(side, file, profile);
    return side.name + ": profile " + in_quotes(profile) + " (from " + chosen_by + ") cannot be read: " + file + ": " +
           std::strerror(errno) + " (set AWS_SHARED_CREDENTIALS_FILE or create the file)";
  }
  std::stringstream text;
  text << in.rdbuf();
  const auto profiles = parse_shared_credentials(text.str());
  const auto found = profiles.find(profile);
  if (found == profiles.end()) {
    if (chosen_by.empty()) return missing_credentials(side, file, profile);
    std::string names;
    for (const auto& [name, unused] : profiles) names += (names.empty() ? "" : ", ") + name;
    return side.name + ": profile " + in_quotes(profile) + " (from " + chosen_by + ") is not in " + file +
           (names.empty() ? std::string(" (it has no profiles)") : " (it has: " + names + ")");
  }
  const ProfileCredentials& creds = found->second;
  if (creds.access_key.empty() || creds.secret_access_key.empty()) {
    return side.name + ": profile " + in_quotes(profile) + " in " + file +
           " needs both aws_access_key_id and aws_secret_access_key";
  }
  side.access_key = creds.access_key;
  side.secret_access_key = creds.secret_access_key;
  side.session_token = creds.session_token;
  side.profile = profile;
  side.credentials_origin = "profile " + profile;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> process_environment(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

std::optional<std::string> resolve_credentials(SideConfig& side, EnvLookup env) {
  const bool has_key = !side.access_key.empty();
  const bool has_secret = !side.secret_access_key.empty();
  if (has_key || has_secret) {
    if (!has_secret) {
      return side.name + ".access_key is set but " + side.name +
             ".secret_access_key is not; set both, or remove access_key to use the environment or a profile";
    }
    if (!has_key) return side.name + ".secret_access_key is set but " + side.name + ".access_key is not; set both";
    if (!side.profile.empty()) {
      return side.name + " sets both profile and access_key/secret_access_key; keep one of them";
    }
    side.credentials_origin = "config";
    return std::nullopt;
  }
  if (!side.session_token.empty()) {
    return side.name + ".session_token only works together with access_key and secret_access_key; set them too";
  }
  // An explicit profile in the file outranks the environment, as in the AWS
  // SDKs: it is the most specific instruction for this side.
  if (!side.profile.empty()) return from_profile(side, env, side.profile, side.name + ".profile");
  const auto id = lookup(env, "AWS_ACCESS_KEY_ID");
  const auto secret = lookup(env, "AWS_SECRET_ACCESS_KEY");
  if (id && secret) {
    side.access_key = *id;
    side.secret_access_key = *secret;
    side.session_token = lookup(env, "AWS_SESSION_TOKEN").value_or("");
    side.credentials_origin = "environment";
    return std::nullopt;
  }
  if (id || secret) {
    return side.name +
           ": only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set in the environment; "
           "set both (or neither, to use a profile)";
  }
  if (auto profile = lookup(env, "AWS_PROFILE")) return from_profile(side, env, *profile, "AWS_PROFILE");
  return from_profile(side, env, "default", "");
}

}  // namespace s5j::config
