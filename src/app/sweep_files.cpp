// SPDX-License-Identifier: GPL-2.0-only
#include "app/sweep_files.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "base/data_dir.h"
#include "base/quantity.h"
#include "base/units.h"
#include "iocsim_build_info.h"
#include "scenario/expectations.h"

namespace iocsim::app {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

// A grid value as a number for the plot's axis, with its unit; null for
// names (a choice such as cpu.flush).
std::pair<nlohmann::json, std::string> as_number(const std::string& text) {
  if (auto n = units::parse_integer(text)) return {*n, ""};
  if (auto n = units::parse_size(text)) return {*n, "bytes"};
  if (auto d = units::parse_duration(text); d && !d->in_cycles)
    return {static_cast<double>(d->amount) / 1000.0, "ns"};
  if (auto f = units::parse_frequency(text)) return {*f, "Hz"};
  return {nullptr, ""};
}

}  // namespace

std::vector<std::string> results_header(const scenario::Study& study) {
  std::vector<std::string> header{"point"};
  for (const auto& axis : study.grid) header.push_back(axis.name);
  // A backend column only when the study names backends: older results
  // files keep their columns.
  if (!study.backends.empty()) header.push_back("backend");
  for (const char* column : {"policy", "seed", "exit_status", "error"}) header.push_back(column);
  header.insert(header.end(), study.metrics.begin(), study.metrics.end());
  return header;
}

std::string point_key(const std::vector<std::string>& header,
                      const std::vector<std::string>& row) {
  std::string key;
  for (size_t i = 1; i < header.size() && header[i] != "exit_status"; ++i)
    key += row[i] + '\x1f';
  return key;
}

nlohmann::json study_description(const scenario::Study& study, const scenario::Scenario& base) {
  nlohmann::json axes = nlohmann::json::array();
  for (const auto& axis : study.grid) {
    nlohmann::json numbers = nlohmann::json::array();
    std::string unit;
    for (const std::string& v : axis.values) {
      auto [number, u] = as_number(v);
      numbers.push_back(number);
      if (!u.empty()) unit = u;
    }
    axes.push_back({{"name", axis.name}, {"values", axis.values}, {"numbers", numbers},
                    {"unit", unit}});
  }
  nlohmann::json plots = nlohmann::json::array();
  for (const auto& p : study.plots) {
    nlohmann::json plot{{"x", p.x}, {"y", p.y}, {"series", p.series}, {"panels", p.panels}};
    plot["log_x"] = p.log_x ? nlohmann::json(*p.log_x) : nlohmann::json(nullptr);
    plot["log_y"] = p.log_y ? nlohmann::json(*p.log_y) : nlohmann::json(nullptr);
    plots.push_back(plot);
  }
  // What a plot's axis says of each metric: its label, and whether it is a
  // count, bytes or a time (in ns), which decides the unit drawn.
  nlohmann::json labels = nlohmann::json::object(), quantities = nlohmann::json::object();
  for (const std::string& metric : study.metrics) {
    labels[metric] = scenario::metric_label(metric);
    const std::optional<Quantity> q = scenario::run_key_quantity(metric);
    const bool time = q == Quantity::picos || metric.rfind("steps.", 0) == 0;
    quantities[metric] = time ? "time" : q == Quantity::bytes ? "bytes" : "count";
  }
  return {{"study", study.name},
          {"scenario", study.scenario},
          {"ran_on",
           {{"preset", base.platform.preset},
            {"kernel_base", vfio::to_string(base.kernel.base)},
            {"seeds", study.seeds},
            {"iocsim_commit", IOCSIM_COMMIT}}},
          {"metric_labels", labels},
          {"metric_quantities", quantities},
          {"columns", results_header(study)},
          {"axes", axes},
          {"policies", study.policies},
          {"backends", study.backends},
          {"metrics", study.metrics},
          {"plots", plots}};
}

bool draw_plots(const std::string& dir, std::string& error) {
  const char* configured = std::getenv("IOCSIM_PLOT_SCRIPT");
  const std::string script = configured ? configured : data_dir() + "/tools/plot-study";
  const pid_t pid = ::fork();
  if (pid < 0) {
    error = fmt::format("fork: {}", std::strerror(errno));
    return false;
  }
  if (pid == 0) {
    // Debian's interpreter, which finds Debian's matplotlib, rather than
    // whatever python3 comes first on PATH.
    ::execl(kPython, kPython, script.c_str(), dir.c_str(), static_cast<char*>(nullptr));
    std::fprintf(stderr, "iocsim: cannot run %s: %s\n", kPython, std::strerror(errno));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  error = fmt::format("{} {} exited with status {}", script, dir,
                      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return false;
}

}  // namespace iocsim::app
