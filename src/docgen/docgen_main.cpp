// s5j-docgen: writes s5j's man page or bash completion from the command
// line s5j itself parses with (cli/app.h). Run by the build
// (src/docgen/CMakeLists.txt); not installed.
//   s5j-docgen man OUT CONFIG_MD [DATE]
//                                 CONFIG_MD: docs/config.md (keys' types
//                                 and defaults); DATE (YYYY-MM-DD) defaults to
//                                 SOURCE_DATE_EPOCH's day (reproducible
//                                 builds, set by dpkg-buildpackage), else today
//   s5j-docgen bash OUT
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/app.h"
#include "cli/version.h"
#include "docgen/bash_completion.h"
#include "docgen/man_page.h"

int main(int argc, char** argv) {
  const std::string usage = "usage: s5j-docgen man OUT CONFIG_MD [DATE] | s5j-docgen bash OUT";
  if (argc < 3) {
    std::cerr << usage << "\n";
    return 2;
  }
  const std::string what = argv[1];
  s5j::cli::CommandAction unused;
  const auto model = s5j::docgen::read_cli(*s5j::cli::make_app(unused));
  std::string text;
  if (what == "man" && argc > 3) {
    std::ifstream config_md(argv[3], std::ios::binary);
    const std::string markdown((std::istreambuf_iterator<char>(config_md)), std::istreambuf_iterator<char>());
    if (!config_md && !config_md.eof()) {
      std::cerr << "s5j-docgen: cannot read " << argv[3] << "\n";
      return 1;
    }
    std::string date = argc > 4 ? argv[4] : "";
    if (date.empty()) {
      std::time_t when = std::time(nullptr);
      if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) when = static_cast<std::time_t>(std::atoll(epoch));
      std::tm utc{};
      gmtime_r(&when, &utc);
      char day[16];
      std::strftime(day, sizeof day, "%F", &utc);
      date = day;
    }
    text =
        s5j::docgen::render_man_page(model, {s5j::cli::version_number(), date, s5j::docgen::read_config_doc(markdown)});
  } else if (what == "bash") {
    text = s5j::docgen::render_bash_completion(model);
  } else {
    std::cerr << usage << "\n";
    return 2;
  }
  std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "s5j-docgen: cannot write " << argv[2] << "\n";
    return 1;
  }
  return 0;
}
