// SPDX-License-Identifier: GPL-2.0-only
#include "app/child_run.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>

#include <fmt/format.h>

#include "app/exit_codes.h"
#include "report/json_report.h"

namespace iocsim::app {
namespace {

void write_all(int fd, const std::string& text) {
  const char* p = text.data();
  size_t left = text.size();
  while (left) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

std::string read_all(int fd) {
  std::string out;
  char buffer[65536];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

[[noreturn]] void child(int fd, const scenario::Scenario& scenario,
                        const scenario::RunOptions& options) {
  int code = kExitInternal;
  std::string payload;
  try {
    const scenario::RunResult result = scenario::run_scenario(scenario, options);
    payload = report::to_json(result).dump();
    code = result.passed() ? kExitOk : kExitFailed;
  } catch (const std::exception& e) {
    payload = nlohmann::json{{"internal_error", e.what()}}.dump();
  } catch (...) {
    payload = nlohmann::json{{"internal_error", "unknown exception"}}.dump();
  }
  write_all(fd, payload);
  ::close(fd);
  std::fflush(nullptr);
  ::_exit(code);
}

}  // namespace

ChildOutcome run_in_child(const scenario::Scenario& scenario,
                          const scenario::RunOptions& options) {
  ChildOutcome outcome;
  int fds[2];
  if (::pipe(fds) != 0) {
    outcome.exit_code = kExitInternal;
    outcome.error = fmt::format("pipe: {}", std::strerror(errno));
    return outcome;
  }
  std::fflush(nullptr);  // nothing buffered may be written twice
  const pid_t pid = ::fork();
  if (pid < 0) {
    outcome.exit_code = kExitInternal;
    outcome.error = fmt::format("fork: {}", std::strerror(errno));
    ::close(fds[0]);
    ::close(fds[1]);
    return outcome;
  }
  if (pid == 0) {
    ::close(fds[0]);
    child(fds[1], scenario, options);
  }
  ::close(fds[1]);
  const std::string payload = read_all(fds[0]);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    outcome.exit_code = kExitInternal;
    outcome.error = fmt::format("the simulation died with signal {} ({})", WTERMSIG(status),
                                strsignal(WTERMSIG(status)));
    return outcome;
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : kExitInternal;
  nlohmann::json parsed = nlohmann::json::parse(payload, nullptr, false);
  if (parsed.is_discarded()) {
    outcome.exit_code = kExitInternal;
    outcome.error = fmt::format("the simulation exited with {} and no report", code);
  } else if (parsed.contains("internal_error")) {
    outcome.exit_code = kExitInternal;
    outcome.error = parsed["internal_error"].get<std::string>();
  } else {
    outcome.exit_code = code == kExitOk ? kExitOk : kExitFailed;
    outcome.report = std::move(parsed);
  }
  return outcome;
}

}  // namespace iocsim::app
