// SPDX-License-Identifier: GPL-2.0-only
// `iocsim run SCENARIO`: one policy on one backend, or several side by side.
#include <fstream>
#include <iostream>
#include <utility>

#include <fmt/format.h>

#include "app/child_run.h"
#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/output_files.h"
#include "report/json_report.h"
#include "report/text_report.h"

namespace iocsim::app {
namespace {

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

// What a run's files are named after among several: its policy, and its
// backend when the runs differ in backend ("posted-v1-iommufd").
std::string file_label(const scenario::RunOptions& run, bool by_backend) {
  return by_backend ? run.policy + "-" + run.backend : run.policy;
}

// The trace and waveform files of one run.
RunOutputs outputs_for(const RunArgs& args, const std::string& label, bool several) {
  auto name = [&](const Arg& file) {
    return file.text.empty() || !several ? file.text : with_label(file.text, label);
  };
  return {name(args.trace), name(args.vcd)};
}

bool outputs_writable(const RunArgs& args, const std::vector<std::string>& labels) {
  bool ok = true;
  if (!args.json.text.empty() && args.json.text != "-")
    ok &= output_writable(args.json, "--json");
  // One error per option, not one per run.
  bool trace_ok = true, vcd_ok = true;
  for (const std::string& label : labels) {
    const RunOutputs files = outputs_for(args, label, labels.size() > 1);
    if (trace_ok && !files.trace.empty())
      trace_ok = output_writable({files.trace, args.trace.column}, "--trace");
    if (vcd_ok && !files.vcd.empty())
      vcd_ok = output_writable({files.vcd, args.vcd.column}, "--vcd");
  }
  return ok && trace_ok && vcd_ok;
}

}  // namespace

void command_line_error(int column, const std::string& message) {
  std::cerr << fmt::format("<command-line>:1:{}: error: {}\n", column, message);
}

int run_command(const RunArgs& args) {
  const RunSelection& selection = args.selection;
  const bool ok = selection.valid();
  yaml::Diagnostics diags;
  auto loaded = scenario::load_scenario(args.scenario, selection.load_options(), diags);
  for (const auto& d : diags.list()) std::cerr << d.format() << "\n";
  if (!loaded || !ok) return kExitBadInput;

  const std::vector<scenario::RunOptions> runs = selection.runs({loaded->kernel.policy});
  const bool by_backend = selection.backends().size() > 1;
  std::vector<std::string> labels;
  for (const scenario::RunOptions& run : runs) labels.push_back(file_label(run, by_backend));
  if (!outputs_writable(args, labels)) return kExitBadInput;

  std::vector<ChildJob> jobs;
  for (size_t i = 0; i < runs.size(); ++i) {
    RunOutputs outputs = outputs_for(args, labels[i], runs.size() > 1);
    scenario::RunOptions options = runs[i];
    options.record_counters = !outputs.trace.empty() || !outputs.vcd.empty();
    jobs.push_back({&*loaded, options, std::move(outputs)});
  }
  std::vector<nlohmann::json> reports;
  int worst = kExitOk;
  bool broken = false;
  run_in_children(jobs, 1, [&](size_t i, ChildOutcome&& outcome) {
    if (outcome.exit_code == kExitInternal) {
      std::cerr << fmt::format("iocsim: internal error in {} under {}: {}\n", args.scenario,
                               labels[i], outcome.error);
      broken = true;
      return;
    }
    worst = std::max(worst, outcome.exit_code);
    reports.push_back(std::move(outcome.report));
  });
  if (broken) return kExitInternal;

  const bool all = runs.size() > 1;
  const nlohmann::json report =
      all ? report::combine(std::move(reports)) : std::move(reports.front());
  if (!args.json.text.empty() && !write_json(args.json.text, report)) return kExitInternal;
  const bool text_to_stdout = args.json.text != "-";
  if (text_to_stdout && (args.verbosity >= 0 || worst != kExitOk)) {
    std::cout << (all ? report::render_comparison(report, std::max(args.verbosity, 0))
                      : report::render_text(report, std::max(args.verbosity, 0)));
  }
  return worst;
}

}  // namespace iocsim::app
