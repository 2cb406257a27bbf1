// s5j: entry point. Parses the command line, loads the config, runs one
// subcommand and turns its outcome into an exit code (cli/exit_codes.h).
// Every line printed passes through the Redactor built from the config's
// secrets.
#include <cstdio>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/check_command.h"
#include "cli/exit_codes.h"
#include "config/config.h"
#include "log/redactor.h"

namespace {

using namespace s5j;

log::Redactor redactor_for(const config::Config& c) {
  return log::Redactor({c.source.secret_access_key, c.source.session_token, c.destination.secret_access_key,
                        c.destination.session_token});
}

int fail(const Error& e, const log::Redactor& redactor) {
  std::cerr << "s5j: " << redactor.apply(e.message.empty() ? e.describe() : e.message) << "\n";
  return cli::exit_code_for(e);
}

int run_check_command(const std::string& config_path, const std::string& side_name, bool json) {
  auto config = config::load_config(config_path);
  if (!config) return fail(config.error(), log::Redactor());
  const auto redactor = redactor_for(*config);
  for (const auto& w : config->warnings) std::cerr << "s5j: warning: " << redactor.apply(w) << "\n";

  std::vector<const config::SideConfig*> sides;
  if (side_name.empty() || side_name == "src" || side_name == "source") sides.push_back(&config->source);
  if (side_name.empty() || side_name == "dst" || side_name == "destination") sides.push_back(&config->destination);

  int exit_code = cli::kOk;
  for (const auto* side : sides) {
    auto report = cli::run_check(*config, *side);
    if (json)
      std::cout << redactor.apply(report.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
                << "\n";
    else
      std::cout << redactor.apply(report.to_text());
    if (report.error && exit_code == cli::kOk) {
      exit_code = cli::exit_code_for(*report.error);
      if (!json) std::cerr << "s5j: " << redactor.apply(report.error->message) << "\n";
    }
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"s5j: move large data sets between S3-compatible object stores, verified end to end"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("s5j 0.1.0"));

  std::string config_path = "config.yaml";
  bool json = false;
  std::string side;
  auto* check = app.add_subcommand("check", "test connectivity, credentials and bucket of the source and/or destination");
  check->add_option("side", side, "src or dst (default: both)")->check(CLI::IsMember({"src", "dst", "source", "destination"}));
  check->add_option("-c,--config", config_path, "config file")->capture_default_str();
  check->add_flag("--json", json, "print one JSON object per side");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : s5j::cli::kUsage;
  }
  if (check->parsed()) return run_check_command(config_path, side, json);
  return s5j::cli::kUsage;
}
