// load_config/parse_config: config.yaml text → a checked Config. The keys
// and their rules are in the key table (key_table.h, side_keys.cpp,
// settings_keys.cpp, legacy_keys.cpp), the walk over the document in key_walker.cpp,
// credentials in credentials.cpp, secret scrubbing in secret_scrub.cpp.
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "config/config.h"
#include "config/credentials.h"
#include "config/job_paths.h"
#include "config/endpoint_url.h"
#include "config/key_table.h"
#include "config/key_walker.h"
#include "config/secret_scrub.h"
#include "http/endpoint_url.h"

namespace s5j::config {
namespace {

using detail::Failure;
using detail::in_quotes;

std::string located(const std::string& file, int line, const std::string& message) {
  return line > 0 ? file + ":" + std::to_string(line) + ": " + message : file + ": " + message;
}

std::unexpected<Error> config_error(const std::string& file, int line, const std::string& message) {
  return make_error(ErrorKind::fatal, kConfigError, located(file, line, message));
}

// One problem: its one line. Several: a count, then one "FILE:LINE: ..."
// line each (as a compiler lists them), so all are fixed in one go.
std::unexpected<Error> config_error(const std::string& file, const std::vector<Failure>& failures,
                                    const std::vector<std::string>& secrets) {
  if (failures.size() == 1) {
    return config_error(file, failures.front().line, detail::scrub(failures.front().message, secrets));
  }
  std::string message = file + ": " + std::to_string(failures.size()) + " problems; fix them all:";
  for (const Failure& f : failures) message += "\n  " + located(file, f.line, detail::scrub(f.message, secrets));
  return make_error(ErrorKind::fatal, kConfigError, message);
}

bool holds_secret_from_file(const Config& cfg) {
  for (const SideConfig* side : {&cfg.source, &cfg.destination}) {
    if (side->credentials_origin == "config") return true;
    if (!http::url_password(side->network.proxy).empty()) return true;
  }
  return !http::url_password(cfg.ledger.postgres_url).empty();
}

// ---------------------------------------------------------------------------

std::unexpected<std::vector<Failure>> one_failure(Failure failure) {
  return std::unexpected(std::vector<Failure>{std::move(failure)});
}

std::expected<Config, std::vector<Failure>> parse_document(const YAML::Node& root, const std::string& file, EnvLookup env) {
  Config cfg;
  cfg.file = file;
  cfg.source.name = "source";
  cfg.destination.name = "destination";
  if (!root.IsMap()) {
    return one_failure(Failure{detail::line_of(root),
                                   "the top level must be sections such as 'source:' and "
                                   "'destination:', not " +
                                       detail::node_kind(root) + " (see examples/config.yaml)"});
  }
  detail::Ctx ctx{cfg, file};
  // Every problem of the walk at once; the checks below would only repeat
  // them (a misspelt 'bucket' is also a missing bucket).
  if (auto failures = detail::walk_section(ctx, root, detail::Section::top); !failures.empty()) {
    return std::unexpected(std::move(failures));
  }

  {
    int line = 0;
    if (auto problem = detail::check_landing(ctx, line)) return one_failure(Failure{line, *problem});
  }
  for (SideConfig* side : {&cfg.source, &cfg.destination}) {
    const auto section = ctx.seen.find(side->name);
    if (section == ctx.seen.end()) {
      return one_failure(Failure{0, "missing section " + in_quotes(side->name) +
                                            " (with at least 'bucket:'); "
                                            "see examples/config.yaml"});
    }
    const int line = section->second.first;
    const auto at = [&](const std::string& key) {
      const auto found = ctx.seen.find(side->name + "." + key);
      return found == ctx.seen.end() ? line : found->second.first;
    };
    if (side->bucket.empty()) {
      return one_failure(Failure{line, side->name + ".bucket is missing: add 'bucket: NAME' under " + side->name});
    }
    if (side->endpoint_urls.empty()) {
      if (side->region == "snow") {
        return one_failure(Failure{at("region"), side->name +
                                                         ".region is 'snow' (Snowball Edge), which has no "
                                                         "default endpoint: set " +
                                                         side->name +
                                                         ".endpoint_urls, e.g. 'https://192.168.1.100:8443'"});
      }
      // An Outposts access point has its own endpoint, in its ARN's region.
      side->endpoint_urls.push_back(side->outposts ? side->outposts->default_endpoint()
                                                   : aws_default_endpoint(side->region));
      side->aws_default_endpoint = true;
    }
    if (side->region == "snow") {
      // Snowball Edge's documented limits, unless the file chose otherwise:
      // ListObjects v1, and a cap on connections (path addressing is the
      // default anyway; s5j never uses chunked payload signing).
      if (!ctx.seen.contains(side->name + ".list_api")) side->list_api = s3::ListApi::v1;
      if (!ctx.seen.contains(side->name + ".max_requests")) side->max_requests = kSnowMaxRequests;
    }
    if (auto problem = resolve_credentials(*side, env)) return one_failure(Failure{line, *problem});
    if (side->network.insecure_skip_verify) {
      cfg.warnings.push_back(file + ":" + std::to_string(at("insecure")) + ": WARNING: " + side->name +
                             ": TLS certificate verification is OFF (insecure: true); anyone on the network path "
                             "can read the data and steal the credentials. Use ca_bundle with the endpoint's "
                             "certificate instead.");
    }
  }
  return cfg;
}

}  // namespace

Result<Config> parse_config(const std::string& yaml_text, const std::string& file_name, EnvLookup env) {
  if (env == nullptr) env = process_environment;
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(yaml_text);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's messages name the construct ("illegal map value"), never the text.
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    return config_error(file_name, line,
                        "malformed YAML: " + e.msg + " (check the indentation and quoting around this line)");
  }
  if (docs.empty() || docs.front().IsNull()) {
    return config_error(file_name, 0, "the file is empty; start from examples/config.yaml");
  }
  std::vector<std::string> secrets;
  for (const YAML::Node& doc : docs) detail::collect_secret_values(doc, secrets);
  if (docs.size() > 1) {
    return config_error(file_name, 0,
                        "holds " + std::to_string(docs.size()) + " YAML documents (separated by '---'); keep one");
  }
  std::expected<Config, std::vector<Failure>> cfg = [&]() -> std::expected<Config, std::vector<Failure>> {
    try {
      return parse_document(docs.front(), file_name, env);
    } catch (const YAML::Exception& e) {
      return one_failure(Failure{e.mark.is_null() ? 0 : e.mark.line + 1, "unreadable YAML: " + e.msg});
    }
  }();
  if (!cfg) return config_error(file_name, cfg.error(), secrets);
  return std::move(*cfg);
}

Result<Config> load_config(const std::string& path, EnvLookup env) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) {
    return config_error(path, 0, "file not found; create it (start from examples/config.yaml) or check the path");
  }
  if (status.type() == std::filesystem::file_type::directory) {
    return config_error(path, 0, "is a directory; give the path of the config file itself");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return config_error(path, 0,
                        std::string("cannot be read: ") + std::strerror(errno) +
                            " (check its permissions; it should be readable by you, e.g. chmod 600)");
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return config_error(path, 0, std::string("cannot be read: ") + std::strerror(errno));
  auto cfg = parse_config(text.str(), path, env);
  if (!cfg) return cfg;
  anchor_job_paths(*cfg, path);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0 && holds_secret_from_file(*cfg)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    cfg->warnings.push_back(path + ": holds a secret but is readable by group/others (mode " + mode +
                            "); run 'chmod 600 " + path + "'");
  }
  return cfg;
}

}  // namespace s5j::config
