// The generated completion loads in bash (with the bash-completion
// package's helpers, as /usr/share/bash-completion/completions files are
// loaded) and completes commands, subcommands, options, choices and config
// file names of the real command line.
#include "docgen/bash_completion.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli/app.h"

namespace s5j::docgen {
namespace {

namespace fs = std::filesystem;

class BashCompletion : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kHelpers)) << "bash-completion is not installed "
                                         "(tools/install-deps.sh installs it)";
    dir_ = fs::path(::testing::TempDir()) / ("s5j-completion-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    cli::CommandAction unused;
    std::ofstream(dir_ / "s5j") << render_bash_completion(read_cli(*cli::make_app(unused)));
    std::ofstream(dir_ / "job.yaml") << "";
    std::ofstream(dir_ / "notes.txt") << "";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // What the completion offers for the command line `line` (the cursor at
  // its end), sorted, one per line.
  std::string complete(const std::string& line) {
    const std::string script = "cd '" + dir_.string() + "' && . " + kHelpers + " && . ./s5j && COMP_LINE='" + line +
                               "' && COMP_POINT=${#COMP_LINE} && read -ra COMP_WORDS <<< "
                               "\"$COMP_LINE\" && " +
                               "if [[ $COMP_LINE == *' ' ]]; then COMP_WORDS+=(''); fi && " +
                               "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && _s5j && printf '%s\\n' "
                               "\"${COMPREPLY[@]}\" | sort";
    const std::string command = "bash -c '" + quote_for_single(script) + "' 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    std::string out;
    char buf[512];
    while (pipe && fgets(buf, sizeof buf, pipe)) out += buf;
    if (pipe) status_ = pclose(pipe);
    return out;
  }

  static std::string quote_for_single(const std::string& s) {
    std::string out;
    for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    return out;
  }

  static constexpr const char* kHelpers = "/usr/share/bash-completion/bash_completion";
  fs::path dir_;
  int status_ = -1;
};

TEST_F(BashCompletion, CompletesCommands) {
  EXPECT_EQ(complete("s5j sy"), "sync\n");
  EXPECT_EQ(status_, 0);
  EXPECT_EQ(complete("s5j st"), "stage\nstatus\n");
  EXPECT_EQ(complete("s5j ledger "), "export\n");
  EXPECT_EQ(complete("s5j volumes "), "list\nsetup\nunmount\n");
}

TEST_F(BashCompletion, CompletesEachCommandsOwnOptions) {
  const std::string sync = complete("s5j sync --");
  EXPECT_NE(sync.find("--config\n"), std::string::npos) << sync;
  EXPECT_NE(sync.find("--dry-run\n"), std::string::npos) << sync;
  EXPECT_EQ(sync.find("--deep"), std::string::npos) << sync;  // verify's, not sync's
  EXPECT_NE(complete("s5j verify --d").find("--deep"), std::string::npos);
}

TEST_F(BashCompletion, CompletesChoicesAndConfigFiles) {
  EXPECT_EQ(complete("s5j ledger export --format "), "csv\njsonl\n");
  EXPECT_EQ(complete("s5j check s"), "source\nsrc\n");
  EXPECT_EQ(complete("s5j sync -c "), "job.yaml\n");  // not notes.txt
  EXPECT_EQ(complete("s5j volumes setup --fstab no"), "notes.txt\n");  // any file
  EXPECT_EQ(complete("s5j volumes setup --fs "), "ext4\nxfs\n");
}

}  // namespace
}  // namespace s5j::docgen
