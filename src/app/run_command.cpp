// SPDX-License-Identifier: GPL-2.0-only
// `iocsim run SCENARIO`: one policy, or every policy side by side.
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "app/child_run.h"
#include "app/commands.h"
#include "app/exit_codes.h"
#include "models/common/spelling.h"
#include "report/json_report.h"
#include "report/text_report.h"
#include "vfio/flush_policy.h"

namespace iocsim::app {
namespace {

// Checks --policy; empty text means "the scenario's".
bool valid_policy(const Arg& policy) {
  if (policy.text.empty() || policy.text == "all" || vfio::find_policy(policy.text)) return true;
  command_line_error(policy.column, fmt::format("--policy: unknown policy '{}'{}", policy.text,
                                                did_you_mean(policy.text, vfio::policy_names())));
  return false;
}

bool write_json(const std::string& path, const nlohmann::json& report) {
  if (path == "-") {
    std::cout << report.dump(2) << "\n";
    return true;
  }
  std::ofstream out(path);
  out << report.dump(2) << "\n";
  if (!out) {
    std::cerr << fmt::format("iocsim: error: cannot write {}\n", path);
    return false;
  }
  return true;
}

}  // namespace

void command_line_error(int column, const std::string& message) {
  std::cerr << fmt::format("<command-line>:1:{}: error: {}\n", column, message);
}

int run_command(const RunArgs& args) {
  bool ok = valid_policy(args.policy);
  std::optional<vfio::KernelBase> base;
  if (!args.kernel.text.empty()) {
    if (args.kernel.text == "v6.9") base = vfio::KernelBase::v6_9;
    else if (args.kernel.text == "v6.18") base = vfio::KernelBase::v6_18;
    else {
      command_line_error(args.kernel.column,
                         fmt::format("--kernel: unknown kernel base '{}' (v6.9 or v6.18)",
                                     args.kernel.text));
      ok = false;
    }
  }

  scenario::LoadOptions options;
  if (!args.platform.empty()) options.platform = args.platform;
  options.sets = args.sets;
  yaml::Diagnostics diags;
  auto loaded = scenario::load_scenario(args.scenario, options, diags);
  for (const auto& d : diags.list()) std::cerr << d.format() << "\n";
  if (!loaded || !ok) return kExitBadInput;

  std::vector<std::string> policies;
  if (args.policy.text == "all")
    policies = vfio::policy_names();
  else
    policies.push_back(args.policy.text.empty() ? loaded->kernel.policy : args.policy.text);

  std::vector<nlohmann::json> reports;
  int worst = kExitOk;
  for (const std::string& policy : policies) {
    const ChildOutcome outcome = run_in_child(*loaded, {policy, base, args.seed});
    if (outcome.exit_code == kExitInternal) {
      std::cerr << fmt::format("iocsim: internal error in {} under {}: {}\n", args.scenario,
                               policy, outcome.error);
      return kExitInternal;
    }
    worst = std::max(worst, outcome.exit_code);
    reports.push_back(outcome.report);
  }

  const bool all = policies.size() > 1;
  const nlohmann::json report = all ? report::combine(reports) : reports.front();
  if (!args.json.empty() && !write_json(args.json, report)) return kExitInternal;
  const bool text_to_stdout = args.json != "-";
  if (text_to_stdout && (args.verbosity >= 0 || worst != kExitOk)) {
    std::cout << (all ? report::render_comparison(report, std::max(args.verbosity, 0))
                      : report::render_text(report, std::max(args.verbosity, 0)));
  }
  return worst;
}

}  // namespace iocsim::app
