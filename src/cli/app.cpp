#include "cli/app.h"

#include "cli/version.h"

namespace s5j::cli {

std::unique_ptr<CLI::App> make_app(CommandAction& action) {
  auto app = std::make_unique<CLI::App>(
      "s5j: move large data sets between S3-compatible object stores, verified "
      "end to end",
      "s5j");
  app->require_subcommand(1);
  app->set_version_flag(
      "--version", [] { return version_text(); },
      "print the version, the commit and the linked libraries' versions, and "
      "exit");
  add_transfer_command(*app, action);
  add_check_command(*app, action);
  add_sync_command(*app, action);
  add_relay_commands(*app, action);
  add_status_command(*app, action);
  add_ledger_command(*app, action);
  add_reset_command(*app, action);
  add_verify_command(*app, action);
  add_volumes_command(*app, action);
  return app;
}

}  // namespace s5j::cli
