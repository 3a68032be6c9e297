// SPDX-License-Identifier: GPL-2.0-only
// The options `run` and `check` share (RunSelection, commands.h).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "app/commands.h"

#include "base/spelling.h"
#include "scenario/backends.h"
#include "vfio/flush_policy.h"

namespace iocsim::app {

bool RunSelection::valid() const {
  bool ok = true;
  if (!policy.text.empty() && policy.text != "all" && !vfio::find_policy(policy.text)) {
    command_line_error(policy.column,
                       fmt::format("--policy: unknown policy '{}'{}", policy.text,
                                   did_you_mean(policy.text, vfio::policy_names())));
    ok = false;
  }
  if (!kernel.text.empty() && !vfio::kernel_base_named(kernel.text)) {
    command_line_error(kernel.column,
                       fmt::format("--kernel: unknown kernel base '{}' ({})", kernel.text,
                                   fmt::join(vfio::kernel_base_names(), " or ")));
    ok = false;
  }
  ok &= backend.text.empty() || backend_option_valid(backend);
  for (const Arg& var : vars) {
    const auto eq = var.text.find('=');
    if (eq == std::string::npos || eq == 0) {
      command_line_error(var.column, fmt::format("--var '{}': expected NAME=VALUE", var.text));
      ok = false;
    }
  }
  return ok;
}

std::optional<vfio::KernelBase> RunSelection::kernel_base() const {
  if (kernel.text.empty()) return std::nullopt;
  return vfio::kernel_base_named(kernel.text);
}

scenario::LoadOptions RunSelection::load_options() const {
  scenario::LoadOptions options;
  if (!platform.text.empty()) {
    options.platform = platform.text;
    options.platform_column = platform.column;
  }
  options.sets = sets;
  for (const Arg& var : vars) {
    const auto eq = var.text.find('=');
    if (eq == std::string::npos || eq == 0) continue;  // valid() reported it
    options.vars.push_back({var.text.substr(0, eq), var.text.substr(eq + 1),
                            fmt::format("<command-line>:1:{}", var.column), var.column});
  }
  return options;
}

std::vector<std::string> RunSelection::policies(std::vector<std::string> own) const {
  if (policy.text == "all") return vfio::policy_names();
  if (!policy.text.empty()) return {policy.text};
  return own;
}

std::vector<std::string> RunSelection::backends() const {
  if (backend.text.empty()) return {""};
  return backend_option_values(backend);
}

bool backend_option_valid(const Arg& backend) {
  if (backend.text == "all" || scenario::backend_named(backend.text)) return true;
  const std::vector<std::string> names(std::begin(scenario::kBackendNames),
                                       std::end(scenario::kBackendNames));
  command_line_error(backend.column,
                     fmt::format("--backend: unknown backend '{}' ({}, or all){}", backend.text,
                                 fmt::join(names, " or "), did_you_mean(backend.text, names)));
  return false;
}

std::vector<std::string> backend_option_values(const Arg& backend) {
  if (backend.text == "all")
    return {std::begin(scenario::kBackendNames), std::end(scenario::kBackendNames)};
  return {backend.text};
}

std::vector<scenario::RunOptions> RunSelection::runs(std::vector<std::string> own_policies) const {
  std::vector<scenario::RunOptions> out;
  for (const std::string& b : backends()) {
    for (const std::string& p : policies(own_policies)) {
      scenario::RunOptions options{p, kernel_base(), seed};
      options.backend = b;
      out.push_back(std::move(options));
    }
  }
  return out;
}

}  // namespace iocsim::app
