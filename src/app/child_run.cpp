// SPDX-License-Identifier: GPL-2.0-only
#include "app/child_run.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "app/exit_codes.h"
#include "report/json_report.h"
#include "report/trace_report.h"
#include "report/waveform_report.h"

namespace iocsim::app {
namespace {

using Clock = std::chrono::steady_clock;

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

void write_outputs(const scenario::RunResult& result, const RunOutputs& outputs) {
  if (!outputs.trace.empty()) {
    std::ofstream out(outputs.trace);
    out << report::to_trace(result).dump() << "\n";
    if (!out) throw std::runtime_error("cannot write the trace to " + outputs.trace);
  }
  if (!outputs.vcd.empty()) {
    std::ofstream out(outputs.vcd);
    report::write_waveform(result, out);
    if (!out) throw std::runtime_error("cannot write the waveform to " + outputs.vcd);
  }
}

// The report crosses the pipe as MessagePack: the same JSON value, without
// printing and parsing every number as text (a run with thousands of windows
// spent more time on that than on simulating).
[[noreturn]] void child(int fd, const ChildJob& job) {
  int code = kExitInternal;
  std::string payload;
  try {
    const scenario::RunResult result = scenario::run_scenario(*job.scenario, job.options);
    write_outputs(result, job.outputs);
    nlohmann::json::to_msgpack(report::to_json(result), payload);
    code = result.passed() ? kExitOk : kExitFailed;
  } catch (const std::exception& e) {
    nlohmann::json::to_msgpack(nlohmann::json{{"internal_error", e.what()}}, payload);
  } catch (...) {
    nlohmann::json::to_msgpack(nlohmann::json{{"internal_error", "unknown exception"}}, payload);
  }
  write_all(fd, payload);
  ::close(fd);
  std::fflush(nullptr);
  ::_exit(code);
}

struct Running {
  size_t job = 0;
  pid_t pid = -1;
  int fd = -1;
  std::string payload;
  Clock::time_point start;
};

// Forks the child of `job`; on failure the outcome is returned at once.
bool start(const ChildJob& job, size_t index, Running& running, ChildOutcome& failed) {
  int fds[2];
  if (::pipe(fds) != 0) {
    failed.exit_code = kExitInternal;
    failed.error = fmt::format("pipe: {}", std::strerror(errno));
    return false;
  }
  std::fflush(nullptr);  // nothing buffered may be written twice
  const pid_t pid = ::fork();
  if (pid < 0) {
    failed.exit_code = kExitInternal;
    failed.error = fmt::format("fork: {}", std::strerror(errno));
    ::close(fds[0]);
    ::close(fds[1]);
    return false;
  }
  if (pid == 0) {
    ::close(fds[0]);
    child(fds[1], job);
  }
  ::close(fds[1]);
  running = {index, pid, fds[0], {}, Clock::now()};
  return true;
}

// One read, after poll() said the pipe is readable; true once the child
// closed its end.
bool drain(Running& running) {
  char buffer[65536];
  ssize_t n;
  do n = ::read(running.fd, buffer, sizeof buffer);
  while (n < 0 && errno == EINTR);
  if (n <= 0) return true;
  running.payload.append(buffer, static_cast<size_t>(n));
  return false;
}

ChildOutcome finish(Running& running) {
  ::close(running.fd);
  ChildOutcome outcome;
  int status = 0;
  while (::waitpid(running.pid, &status, 0) < 0 && errno == EINTR) {
  }
  outcome.seconds = std::chrono::duration<double>(Clock::now() - running.start).count();
  if (WIFSIGNALED(status)) {
    outcome.exit_code = kExitInternal;
    outcome.error = fmt::format("the simulation died with signal {} ({})", WTERMSIG(status),
                                strsignal(WTERMSIG(status)));
    return outcome;
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : kExitInternal;
  nlohmann::json parsed = nlohmann::json::from_msgpack(running.payload, true, false);
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

}  // namespace

void run_in_children(const std::vector<ChildJob>& jobs, size_t parallel,
                     const std::function<void(size_t, ChildOutcome&&)>& done,
                     Report order) {
  parallel = std::max<size_t>(parallel, 1);
  std::vector<Running> running;
  std::map<size_t, ChildOutcome> finished;  // waiting for an earlier job
  size_t next = 0, reported = 0;
  auto report_ready = [&] {
    if (order == Report::as_finished) {
      for (auto& [job, outcome] : finished) {
        done(job, std::move(outcome));
        ++reported;
      }
      finished.clear();
      return;
    }
    for (auto it = finished.find(reported); it != finished.end(); it = finished.find(reported)) {
      done(reported++, std::move(it->second));
      finished.erase(it);
    }
  };
  while (reported < jobs.size()) {
    while (next < jobs.size() && running.size() < parallel) {
      Running r;
      ChildOutcome failed;
      if (start(jobs[next], next, r, failed))
        running.push_back(std::move(r));
      else
        finished.emplace(next, std::move(failed));
      ++next;
    }
    if (!running.empty()) {
      std::vector<pollfd> fds;
      for (const Running& r : running) fds.push_back({r.fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR)
        throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
      for (size_t i = running.size(); i-- > 0;) {
        if (!fds[i].revents) continue;
        if (!drain(running[i])) continue;
        finished.emplace(running[i].job, finish(running[i]));
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
    report_ready();
  }
}

ChildOutcome run_in_child(const ChildJob& job) {
  ChildOutcome outcome;
  run_in_children({job}, 1, [&](size_t, ChildOutcome&& o) { outcome = std::move(o); });
  return outcome;
}

}  // namespace iocsim::app
