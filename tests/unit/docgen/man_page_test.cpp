// s5j(1) is generated from the app s5j parses with: every command and every
// option is on the page, every config key of the loader has its row in
// docs/config.md (where the page takes its type and default from), and the
// page is valid roff for man.
#include "docgen/man_page.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/app.h"
#include "cli/exit_codes.h"
#include "config/key_docs.h"
#include "docgen/config_doc.h"
#include "support/test_env.h"

namespace s5j::docgen {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

CommandModel s5j_cli() {
  cli::CommandAction unused;
  return read_cli(*cli::make_app(unused));
}

std::string s5j_page() {
  return render_man_page(
      s5j_cli(), {"1.2.3", "2026-12-07", read_config_doc(read_file(testing::source_dir() + "/docs/config.md"))});
}

void expect_on_page(const std::string& page, const CommandModel& cmd) {
  std::string path;
  for (const auto& part : cmd.path) path += (path.empty() ? "" : " ") + part;
  if (!cmd.path.empty()) {
    EXPECT_NE(page.find(".SS \"s5j " + roff_text(path) + "\""), std::string::npos) << "command " << path;
  }
  for (const auto& opt : cmd.options) {
    for (const auto& name : opt.names) {
      EXPECT_NE(page.find(roff_text(name)), std::string::npos) << path << " " << name;
    }
    EXPECT_NE(page.find(roff_text(opt.description)), std::string::npos) << path << " " << opt.names.front();
  }
  for (const auto& sub : cmd.subcommands) expect_on_page(page, sub);
}

TEST(ManPage, HasEveryCommandAndOptionOfTheBinary) {
  const auto model = s5j_cli();
  ASSERT_GE(model.subcommands.size(),
            10u);  // transfer check sync stage drain relay status ledger reset verify
  const std::string page = s5j_page();
  expect_on_page(page, model);
  EXPECT_NE(page.find(".SS \"s5j ledger export\""), std::string::npos);
  EXPECT_NE(page.find("\\fB\\-c\\fR, \\fB\\-\\-config\\fR \\fIFILE\\fR"), std::string::npos);
  EXPECT_NE(page.find("\\fB\\-\\-format\\fR \\fIcsv|jsonl\\fR"), std::string::npos);
  EXPECT_NE(page.find(".TH S5J 1 \"2026-12-07\" \"s5j 1.2.3\""), std::string::npos);
}

TEST(ManPage, HasEveryExitCodeAndEveryConfigKey) {
  const std::string page = s5j_page();
  for (const auto& doc : cli::exit_code_docs()) {
    EXPECT_NE(page.find(".TP\n.B " + std::to_string(doc.code) + "\n"), std::string::npos) << doc.code;
  }
  for (const auto& key : config::key_docs()) {
    // A legacy key of a section is listed with it
    // ("staging.max_transfer_size").
    const bool qualified = key.legacy && !key.section.empty() && key.section != "source and destination";
    const std::string name = qualified ? key.section + "." + key.name : key.name;
    EXPECT_NE(page.find("\\fB" + roff_text(name) + "\\fR"), std::string::npos) << key.section << "." << key.name;
  }
  for (const char* section : {".SH CONFIGURATION", ".SH \"EXIT STATUS\"", ".SH ENVIRONMENT", ".SH FILES"}) {
    EXPECT_NE(page.find(section), std::string::npos) << section;
  }
}

// The page takes each key's type and default from docs/config.md: a key the
// loader accepts but the doc forgot would be described by its type alone,
// so the doc must have a row for every key that is not a legacy spelling.
TEST(ManPage, DocsConfigMdHasARowForEveryKey) {
  const auto rows = read_config_doc(read_file(testing::source_dir() + "/docs/config.md"));
  for (const auto& key : config::key_docs()) {
    if (key.legacy) continue;
    EXPECT_TRUE(rows.contains(key.section + "." + key.name))
        << "docs/config.md has no row for " << (key.section.empty() ? "" : key.section + ".") << key.name;
  }
  const auto workers = rows.find("transfer.workers");
  ASSERT_NE(workers, rows.end());
  EXPECT_EQ(workers->second.type, "whole number");
  EXPECT_EQ(workers->second.default_value, "`64`");
}

TEST(ManPage, RoffTextEscapes) {
  EXPECT_EQ(roff_text("--config"), "\\-\\-config");
  EXPECT_EQ(roff_text("a\\b"), "a\\eb");
  EXPECT_EQ(roff_text(".hidden"), "\\&.hidden");
  EXPECT_EQ(roff_text("'quote"), "\\&'quote");
  EXPECT_EQ(roff_text("set `ca_bundle` now"), "set \\fBca_bundle\\fR now");
  EXPECT_EQ(roff_text("open `code"), "open \\fBcode\\fR");
}

// man itself reads the page without a warning (what lintian's
// groff-message check runs).
TEST(ManPage, ManReadsItWithoutWarnings) {
  const std::string dir = ::testing::TempDir();
  const std::string page_path = dir + "/s5j.1";
  std::ofstream(page_path) << s5j_page();
  const std::string command =
      "LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z '" + page_path + "' 2>&1 >/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string warnings;
  char buf[512];
  while (fgets(buf, sizeof buf, pipe)) warnings += buf;
  EXPECT_EQ(pclose(pipe), 0);
  EXPECT_EQ(warnings, "");
}

}  // namespace
}  // namespace s5j::docgen
