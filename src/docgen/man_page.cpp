#include "docgen/man_page.h"

#include <map>
#include <regex>
#include <sstream>

#include "base/strings.h"
#include "cli/exit_codes.h"
#include "config/key_docs.h"

namespace s5j::docgen {
namespace {

// "\fB\-c\fR, \fB\-\-config\fR \fIFILE\fR"
std::string option_tag(const OptionModel& opt) {
  if (opt.positional) return "\\fI" + roff_text(opt.names.front()) + "\\fR";
  std::string tag;
  for (const auto& name : opt.names) tag += (tag.empty() ? "" : ", ") + ("\\fB" + roff_text(name) + "\\fR");
  if (opt.takes_value) tag += " \\fI" + roff_text(opt.value_name) + "\\fR";
  return tag;
}

std::string synopsis_of(const CommandModel& cmd) {
  std::string s = "\\fBs5j " + roff_text(join(cmd.path, " ")) + "\\fR";
  if (!cmd.subcommands.empty()) s += " \\fIsubcommand\\fR";
  for (const auto& opt : cmd.options) {
    if (opt.positional) s += " [\\fI" + roff_text(opt.names.front()) + "\\fR]";
  }
  bool has_options = false;
  for (const auto& opt : cmd.options) has_options = has_options || !opt.positional;
  if (has_options) s += " [\\fIoptions\\fR]";
  return s;
}

void render_command(std::ostringstream& out, const CommandModel& cmd) {
  out << ".SS \"s5j " << roff_text(join(cmd.path, " ")) << "\"\n";
  out << synopsis_of(cmd) << "\n.PP\n" << roff_text(cmd.description) << ".\n";
  for (const auto& opt : cmd.options) {
    out << ".TP\n" << option_tag(opt) << "\n" << roff_text(opt.description);
    if (!opt.default_value.empty()) out << " (default: " << roff_text(opt.default_value) << ")";
    out << "\n";
  }
  out << ".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nprint the command's options "
         "and exit\n";
  for (const auto& sub : cmd.subcommands) render_command(out, sub);
}

// "[Credentials](#credentials)" -> "Credentials (config.md)": the page has
// no links.
std::string without_links(const std::string& markdown) {
  static const std::regex link(R"(\[([^\]]*)\]\([^)]*\))");
  return std::regex_replace(markdown, link, "$1 (config.md)");
}

// "whole number; default: `16`", from docs/config.md where it has the key.
std::string key_description(const config::KeyDoc& key, const std::map<std::string, ConfigDocRow>& doc) {
  const auto row = doc.find(key.section + "." + key.name);
  std::string text = key.value;
  if (row != doc.end() && !row->second.what.empty()) text = row->second.what;
  if (row != doc.end() && !row->second.type.empty()) {
    text = row->second.type;
    const std::string& default_value = row->second.default_value;
    if (!default_value.empty() && default_value != "—") text += "; default: " + default_value;
  }
  if (key.secret) text += " (a secret: never shown)";
  if (key.url_with_password) text += " (a password in it is never shown)";
  return roff_text(without_links(text));
}

void render_configuration(std::ostringstream& out, const std::map<std::string, ConfigDocRow>& doc) {
  out << ".SH CONFIGURATION\n"
         "Every command reads one YAML file, given with \\fB\\-c\\fR (default "
         "\\fIconfig.yaml\\fR; "
         "a service reads \\fI/etc/s5j/JOB.yaml\\fR). Unknown keys, wrong "
         "types and refused values are "
         "errors that name the file, line and key (exit 3). Relative paths in "
         "it are relative to the "
         "file's directory; a file under \\fI/etc\\fR keeps its ledger in "
         "\\fI/var/lib/s5j/JOB/\\fR and "
         "its logs in \\fI/var/log/s5j/JOB/\\fR. Secrets given in the file are "
         "never repeated in any "
         "message, log, ledger or status. The keys, section by section (each "
         "explained in "
         "\\fI/usr/share/doc/s5j/config.md\\fR, an example in "
         "\\fI/usr/share/doc/s5j/examples/\\fR):\n";
  std::map<std::string, std::vector<const config::KeyDoc*>> legacy;
  std::string section = "\x01";
  const auto docs = config::key_docs();
  for (const auto& key : docs) {
    if (key.legacy) {
      legacy[key.section].push_back(&key);
      continue;
    }
    if (key.section != section) {
      section = key.section;
      out << ".SS \"" << (section.empty() ? "top level" : roff_text(section)) << "\"\n";
    }
    out << ".TP\n\\fB" << roff_text(key.name) << "\\fR\n" << key_description(key, doc) << "\n";
  }
  out << ".SS \"keys of the original toolset\"\n"
         "Accepted so that its config.yaml files keep working; each is another "
         "spelling of the key "
         "named, or is accepted and ignored with a warning.\n";
  for (const auto& [sec, keys] : legacy) {
    const bool side = sec == "source and destination";
    for (const auto* key : keys) {
      const std::string name = sec.empty() || side ? key->name : sec + "." + key->name;
      std::string meaning = "accepted, no effect";
      if (!key->alias_of.empty()) {
        const bool qualified = key->alias_of.find('.') != std::string::npos || sec.empty() || side;
        meaning = "same as \\fB" + roff_text(qualified ? key->alias_of : sec + "." + key->alias_of) + "\\fR";
      }
      out << ".TP\n\\fB" << roff_text(name) << "\\fR" << (side ? " (in source and destination)" : "") << "\n"
          << meaning << "\n";
    }
  }
}

void render_exit_status(std::ostringstream& out) {
  out << ".SH \"EXIT STATUS\"\n"
         "Every failure prints one line on standard error naming the problem "
         "and the fix. "
         "The codes are stable:\n";
  for (const auto& doc : cli::exit_code_docs()) {
    out << ".TP\n.B " << doc.code << "\n" << roff_text(std::string(doc.meaning)) << "\n";
  }
}

constexpr const char* kDescription = R"(.SH DESCRIPTION
.B s5j
copies the objects of a bucket (or a prefix of it) to another bucket on the
same or another S3-compatible server (AWS S3, Snowball Edge, Ceph, MinIO):
directly (\fBsync\fR), or staged through local volumes (\fBrelay\fR = \fBstage\fR
and \fBdrain\fR at once) when the two sides cannot be reached at the same
time or at the same speed. Every object goes through a durable ledger: a run
stopped by a signal, a crash or a power cut resumes where it stopped and never
sends a verified object again. Every byte is verified end to end (the
source's MD5 or multipart ETag, CRC-32C on the way). \fBverify\fR checks the
destination against the ledger later; \fBstatus\fR shows progress from the
ledger, beside a run or after it.
.PP
\fBs5j transfer\fR is the whole job for an operator: pre-flight checks, a
plan, confirmation, the copy, verification until the destination is proven
complete, and a summary.
)";

constexpr const char* kEnvironmentAndFiles = R"(.SH ENVIRONMENT
.TP
.BR AWS_ACCESS_KEY_ID ", " AWS_SECRET_ACCESS_KEY ", " AWS_SESSION_TOKEN
credentials of a side whose config gives neither keys nor a profile
.TP
.B AWS_PROFILE
the profile of the shared credentials file to use (default: \fBdefault\fR)
.TP
.B AWS_SHARED_CREDENTIALS_FILE
the shared credentials file (default: \fI~/.aws/credentials\fR)
.PP
Proxy environment variables are not used: a side's proxy is set in its config.
.SH FILES
.TP
.I /etc/s5j/JOB.yaml
the config of job JOB run by the systemd units (mode 0600, owned by the \fBs5j\fR user)
.TP
.I /var/lib/s5j/JOB/
the ledger of a job configured under \fI/etc\fR
.TP
.I /var/log/s5j/JOB/
its event logs (JSON lines)
.TP
.IR /lib/systemd/system/s5j-sync@.service ", " s5j-sync@.timer
one direct sync per config file: \fBsystemctl enable \-\-now s5j\-sync@JOB.timer\fR
.TP
.IR /lib/systemd/system/s5j-relay@.service ", " s5j-relay@.timer
one staged relay per config file
.TP
.I /usr/share/doc/s5j/
the operator's documentation (README, config, staging, service, operations) and example configs
.SH "SEE ALSO"
.BR systemctl (1),
.BR journalctl (1)
)";

}  // namespace

std::string roff_text(const std::string& text) {
  std::string out;
  bool in_code = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    const bool line_start = i == 0 || text[i - 1] == '\n';
    if (line_start && (ch == '.' || ch == '\'')) out += "\\&";
    switch (ch) {
      case '\\':
        out += "\\e";
        break;
      case '-':
        out += "\\-";
        break;
      case '`':
        out += in_code ? "\\fR" : "\\fB";
        in_code = !in_code;
        break;
      default:
        out += ch;
    }
  }
  if (in_code) out += "\\fR";
  return out;
}

std::string render_man_page(const CommandModel& cli, const ManPageInfo& info) {
  std::ostringstream out;
  out << ".\\\" Generated by s5j-docgen from s5j's own command line, config "
         "key table and exit codes.\n"
      << ".TH S5J 1 \"" << info.date << "\" \"s5j " << roff_text(info.version) << "\" \"User Commands\"\n"
      << ".SH NAME\ns5j \\- move large data sets between S3\\-compatible "
         "object stores, verified end to end\n"
      << ".SH SYNOPSIS\n\\fBs5j\\fR \\fIcommand\\fR "
         "[\\fIoptions\\fR]\n.br\n\\fBs5j \\-\\-version\\fR\n"
      << kDescription << ".SH OPTIONS\n";
  for (const auto& opt : cli.options) out << ".TP\n" << option_tag(opt) << "\n" << roff_text(opt.description) << "\n";
  out << ".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nlist the commands; with a "
         "command, its options\n"
      << ".SH COMMANDS\n";
  for (const auto& cmd : cli.subcommands) render_command(out, cmd);
  render_configuration(out, info.config_doc);
  render_exit_status(out);
  out << kEnvironmentAndFiles;
  return out.str();
}

}  // namespace s5j::docgen
