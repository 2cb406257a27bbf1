// `s5j ledger export`: the command line, the file written atomically and
// the exit code; the lines are ops/ledger_export.h.

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_context.h"
#include "cli/output.h"
#include "ledger/ledger.h"
#include "ops/ledger_export.h"

namespace s5j::cli {
namespace {

using ledger::ObjectRecord;
using ops::export_csv_header;
using ops::export_csv_line;
using ops::export_jsonl_line;

struct ExportOptions {
  std::string config_path = "config.yaml";
  std::string format = "csv";
  std::string output;  // empty: stdout
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

int write_failure(const std::string& where, int err) {
  std::cerr << "s5j: cannot write " << where << ": " << std::strerror(err)
            << " (free space there, or choose another --output)\n";
  return kFailed;
}

int run_export(const ExportOptions& options) {
  auto config = load_config_for_command(options.config_path);
  if (!config) return exit_code_for(config.error());
  const auto redactor = redactor_for(*config);
  auto context = open_job_context(*config, /*create_if_missing=*/false);
  if (!context) return ledger_failure(context.error(), redactor);

  // A file is written beside its final name and renamed when complete, so
  // an interrupted export never looks like a whole one.
  const std::string target = options.output.empty() ? "standard output" : options.output;
  const std::string temp = options.output.empty() ? std::string()
                                                  : options.output + ".tmp-" + std::to_string(::getpid());
  std::unique_ptr<std::FILE, FileCloser> file;
  std::FILE* out = stdout;
  if (!temp.empty()) {
    file.reset(std::fopen(temp.c_str(), "wb"));
    if (!file) return write_failure(temp, errno);
    out = file.get();
  }
  const bool csv = options.format == "csv";
  auto emit = [&](const std::string& line) -> bool {
    const std::string safe = redactor.apply(line);
    return std::fwrite(safe.data(), 1, safe.size(), out) == safe.size();
  };
  int write_errno = 0;
  bool ok = !csv || emit(export_csv_header());
  if (!ok) write_errno = errno;
  if (ok && context->ledger && context->job) {
    auto st = ledger::for_each_object(*context->ledger, context->job->id, [&](const ObjectRecord& r) -> Status {
      if (emit(csv ? export_csv_line(r) : export_jsonl_line(r))) return {};
      write_errno = errno;
      return make_error(ErrorKind::fatal, "WriteFailed", "write failed");
    });
    if (!st) {
      if (write_errno == 0) {
        if (!temp.empty()) ::unlink(temp.c_str());
        return ledger_failure(st.error(), redactor);
      }
      ok = false;
    }
  }
  if (ok && std::fflush(out) != 0) ok = false, write_errno = errno;
  if (ok && file && ::fsync(::fileno(out)) != 0) ok = false, write_errno = errno;
  if (!ok) {
    if (!temp.empty()) ::unlink(temp.c_str());
    return write_failure(target, write_errno);
  }
  if (file) {
    file.reset();
    if (std::rename(temp.c_str(), options.output.c_str()) != 0) {
      const int err = errno;
      ::unlink(temp.c_str());
      return write_failure(options.output, err);
    }
  }
  return kOk;
}

}  // namespace

void add_ledger_command(CLI::App& app, CommandAction& action) {
  auto* ledger = app.add_subcommand("ledger", "work with a job's ledger");
  ledger->require_subcommand(1);
  auto options = std::make_shared<ExportOptions>();
  auto* exp = ledger->add_subcommand("export", "write every object record of the job as CSV or JSON lines");
  exp->add_option("-c,--config", options->config_path, "config file")->capture_default_str();
  exp->add_option("--format", options->format, "csv (header + one line per object) or jsonl")
      ->check(CLI::IsMember({"csv", "jsonl"}))
      ->capture_default_str();
  exp->add_option("-o,--output", options->output, "write to FILE (atomically) instead of standard output");
  exp->callback([&action, options] { action = [options] { return run_export(*options); }; });
}

}  // namespace s5j::cli
