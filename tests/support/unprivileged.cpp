#include "support/unprivileged.h"

#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

namespace s5j::testing {

std::string run_unprivileged(const std::function<std::string()>& fn) {
  if (::geteuid() != 0) return fn();
  int fds[2];
  if (::pipe(fds) != 0) return "run_unprivileged: pipe failed";
  const pid_t pid = ::fork();
  if (pid < 0) return "run_unprivileged: fork failed";
  if (pid == 0) {
    ::close(fds[0]);
    const gid_t nobody_group = 65534;
    std::string out;
    if (::setgroups(1, &nobody_group) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)
      out = "run_unprivileged: cannot drop to uid 65534";
    else
      out = fn();
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string result;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) result.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return result;
}

}  // namespace s5j::testing
