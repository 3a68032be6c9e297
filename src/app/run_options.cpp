// SPDX-License-Identifier: GPL-2.0-only
// The options `run` and `check` share (RunSelection, commands.h).
#include <fmt/format.h>

#include "app/commands.h"

#include "base/spelling.h"
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

}  // namespace iocsim::app
