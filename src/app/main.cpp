// SPDX-License-Identifier: GPL-2.0-only
// The iocsim executable: the command line (CLI11 lives in this one file).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "base/spelling.h"
#include "iocsim_build_info.h"

namespace iocsim::app {
namespace {

// Column where each argv element starts in "iocsim ARG ARG ...".
std::vector<int> argument_columns(int argc, char* argv[]) {
  std::vector<int> columns(static_cast<size_t>(argc));
  int column = 1;
  for (int i = 0; i < argc; ++i) {
    columns[static_cast<size_t>(i)] = column;
    column += static_cast<int>(i == 0 ? std::strlen("iocsim") : std::strlen(argv[i])) + 1;
  }
  return columns;
}

// The column of the value given to `option` (as "--opt VALUE" or
// "--opt=VALUE"), for the n-th time it appears.
int value_column(int argc, char* argv[], const std::vector<int>& columns,
                 const std::string& option, size_t nth) {
  size_t seen = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto col = columns[static_cast<size_t>(i)];
    if (arg == option && i + 1 < argc) {
      if (seen++ == nth) return columns[static_cast<size_t>(i + 1)];
    } else if (arg.rfind(option + "=", 0) == 0) {
      if (seen++ == nth) return col + static_cast<int>(option.size()) + 1;
    }
  }
  return 1;
}

// The options of a RunSelection, on `cmd`; --set's values go to `sets`,
// --var's to `vars`.
void add_selection_options(CLI::App* cmd, RunSelection& selection, std::vector<std::string>& sets,
                           std::vector<std::string>& vars) {
  cmd->add_option("--policy", selection.policy.text,
                  "flush policy (none, posted-v1, review-v2, map-only, eager-unmap, wbinvd, "
                  "nosnoop-off), or 'all' for every policy");
  cmd->add_option("--kernel", selection.kernel.text, "kernel base: v6.9 (default) or v6.18");
  cmd->add_option("--backend", selection.backend.text,
                  "VFIO backend of every container: type1 or iommufd (the type1 uAPI on "
                  "/dev/iommu), or 'all' for both; default: each open step's own");
  cmd->add_option("--platform", selection.platform.text, "platform preset name or a YAML file");
  cmd->add_option("--set", sets, "override a parameter, KEY=VALUE (repeatable)");
  cmd->add_option("--var", vars, "set a variable of the scenario's vars, NAME=VALUE (repeatable)");
  cmd->add_option("--seed", selection.seed, "seed of every random choice (default 1)");
}

// Where the values of a RunSelection's options are on the command line.
void locate_selection(int argc, char* argv[], const std::vector<int>& columns,
                      const std::vector<std::string>& sets, const std::vector<std::string>& vars,
                      RunSelection& selection) {
  selection.policy.column = value_column(argc, argv, columns, "--policy", 0);
  selection.kernel.column = value_column(argc, argv, columns, "--kernel", 0);
  selection.backend.column = value_column(argc, argv, columns, "--backend", 0);
  selection.platform.column = value_column(argc, argv, columns, "--platform", 0);
  for (size_t i = 0; i < sets.size(); ++i)
    selection.sets.push_back({sets[i], value_column(argc, argv, columns, "--set", i)});
  for (size_t i = 0; i < vars.size(); ++i)
    selection.vars.push_back({vars[i], value_column(argc, argv, columns, "--var", i)});
}

int main_impl(int argc, char* argv[]) {
  // The SystemC banner goes to stderr; it helps nobody reading a report.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  const std::vector<int> columns = argument_columns(argc, argv);

  CLI::App app{
      "iocsim: a cycle-approximate IOMMU and cache-coherency simulator of VFIO type1 and the "
      "2024 non-coherent DMA flush series."};
  app.set_version_flag("--version",
                       fmt::format("iocsim {} (commit {})", IOCSIM_VERSION, IOCSIM_COMMIT));
  app.require_subcommand(1);

  RunArgs run;
  std::vector<std::string> sets, vars;
  bool quiet = false;
  int verbose = 0;
  auto* run_cmd = app.add_subcommand("run", "Run one scenario, print the report, check its expectations");
  run_cmd->add_option("scenario", run.scenario, "scenario file (YAML)")->required();
  add_selection_options(run_cmd, run.selection, sets, vars);
  run_cmd->add_option("--json", run.json.text, "write the JSON report to FILE ('-' for stdout)");
  run_cmd->add_option("--trace", run.trace.text,
                      "write a Chrome trace-event timeline to FILE (open in ui.perfetto.dev); under --policy all one file per policy, FILE.POLICY.json");
  run_cmd->add_option("--vcd", run.vcd.text,
                      "write a VCD waveform to FILE (open in GTKWave); under --policy all one file per policy");
  run_cmd->add_flag("-q,--quiet", quiet, "print nothing unless something failed");
  run_cmd->add_flag("-v,--verbose", verbose, "more detail (repeat for statistics)");
  run_cmd->footer(
      "Example: iocsim run scenarios/seed/leak-on-noncoherent-map.yaml --policy all");

  CheckArgs check;
  bool check_quiet = false;
  auto* check_cmd = app.add_subcommand(
      "check", "Run every *.yaml under the paths under every policy its expect block names");
  check_cmd->add_option("paths", check.paths, "scenario files or directories")->required();
  std::vector<std::string> check_sets, check_vars;
  add_selection_options(check_cmd, check.selection, check_sets, check_vars);
  check_cmd->add_flag("-q,--quiet", check_quiet, "print only failures and the summary");
  check_cmd->add_option("--junit", check.junit.text, "write the results as JUnit XML to FILE");
  check.jobs = std::max(1u, std::thread::hardware_concurrency());
  check_cmd->add_option("-j,--jobs", check.jobs, "scenarios run at a time (default: the number of cores)")
      ->check(CLI::Range(1, 1024));
  check_cmd->footer(
      "Without --policy, each scenario runs under every policy its expect block names (its own "
      "policy when it names none).\n"
      "Example: iocsim check scenarios/ -j 2 --junit results.xml --kernel v6.18 --platform server");

  SweepArgs sweep;
  std::string shard;
  bool sweep_quiet = false;
  sweep.jobs = check.jobs;
  auto* sweep_cmd = app.add_subcommand(
      "sweep", "Run a what-if study: every point of its grid, results.csv and plots");
  sweep_cmd->add_option("study", sweep.study, "study file (YAML)");
  sweep_cmd->add_option("--out", sweep.out, "output directory (default sweeps/STUDY-NAME)");
  sweep_cmd->add_option("--backend", sweep.backend.text,
                        "VFIO backend of every point: type1, iommufd or all (replaces the "
                        "study's backends)");
  sweep_cmd->add_option("-j,--jobs", sweep.jobs, "points run at a time (default: the number of cores)")
      ->check(CLI::Range(1, 1024));
  sweep_cmd->add_option("--shard", shard, "run only the I-th of N slices of the grid, I/N with 1 <= I <= N");
  sweep_cmd->add_option("--merge", sweep.merge, "merge the output directories of shards into --out")
      ->expected(1, -1);
  sweep_cmd->add_option("--plot-only", sweep.plot_only, "redraw the plots of an output directory");
  sweep_cmd->add_flag("-q,--quiet", sweep_quiet, "no progress bar");
  sweep_cmd->footer("Example: iocsim sweep scenarios/studies/flush-cost-vs-guest-size.yaml -j 2");

  PlatformArgs platform;
  auto* platform_cmd = app.add_subcommand(
      "platform", "Print a platform preset: components, links, idle paths, parameters");
  platform_cmd->add_option("preset", platform.preset.text, "preset name or YAML file (default: default)");
  platform_cmd->add_option("--dot", platform.dot.text, "write the topology as Graphviz DOT ('-': stdout)");
  platform_cmd->footer("Example: iocsim platform default --dot default.dot");

  auto* params_cmd = app.add_subcommand("params", "List every model parameter: name, unit, default, meaning");
  params_cmd->footer("Example: iocsim params");

  DiffArgs diff;
  auto* diff_cmd = app.add_subcommand(
      "diff", "Compare two JSON reports: inputs, counters, windows by kind, flush cost by site");
  diff_cmd->add_option("a", diff.a, "a report (iocsim run --json)")->required();
  diff_cmd->add_option("b", diff.b, "the report to compare it with")->required();
  diff_cmd->add_flag("-v,--verbose", diff.every_row, "list the values that agree too");
  diff_cmd->footer(
      "Exits 0 when the reports agree, 1 when something differs, 2 when a file is not a report.\n"
      "Example: iocsim run scenarios/seed/leak-on-noncoherent-map.yaml --json a.json; "
      "iocsim run scenarios/seed/leak-on-noncoherent-map.yaml --policy posted-v1 --json b.json; "
      "iocsim diff a.json b.json");

  // CLI11 would take an unknown command for a stray argument and say only
  // that a subcommand is required.
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      command_line_error(columns[1], fmt::format("unknown command '{}'{}; the commands are {}",
                                                 argv[1], did_you_mean(argv[1], names),
                                                 fmt::join(names, ", ")));
      return kExitBadInput;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << fmt::format("iocsim: error: {}\n", e.what());
    return kExitBadInput;
  }

  if (run_cmd->parsed()) {
    locate_selection(argc, argv, columns, sets, vars, run.selection);
    run.json.column = value_column(argc, argv, columns, "--json", 0);
    run.trace.column = value_column(argc, argv, columns, "--trace", 0);
    run.vcd.column = value_column(argc, argv, columns, "--vcd", 0);
    run.verbosity = quiet ? -1 : verbose;
    return run_command(run);
  }
  if (check_cmd->parsed()) {
    locate_selection(argc, argv, columns, check_sets, check_vars, check.selection);
    check.junit.column = value_column(argc, argv, columns, "--junit", 0);
    check.verbosity = check_quiet ? -1 : 0;
    return check_command(check);
  }
  if (sweep_cmd->parsed()) {
    if (!shard.empty()) {
      const size_t slash = shard.find('/');
      size_t i = 0, n = 0;
      try {
        if (slash != std::string::npos) {
          i = std::stoul(shard.substr(0, slash));
          n = std::stoul(shard.substr(slash + 1));
        }
      } catch (const std::exception&) {
        n = 0;
      }
      if (n == 0 || i == 0 || i > n) {
        command_line_error(value_column(argc, argv, columns, "--shard", 0),
                           fmt::format("--shard '{}': expected I/N with 1 <= I <= N", shard));
        return kExitBadInput;
      }
      sweep.shard_index = i;
      sweep.shard_count = n;
    }
    sweep.verbosity = sweep_quiet ? -1 : 0;
    sweep.backend.column = value_column(argc, argv, columns, "--backend", 0);
    return sweep_command(sweep);
  }
  if (platform_cmd->parsed()) {
    platform.preset.column = value_column(argc, argv, columns, "platform", 0);
    platform.dot.column = value_column(argc, argv, columns, "--dot", 0);
    return platform_command(platform);
  }
  if (params_cmd->parsed()) return params_command();
  if (diff_cmd->parsed()) return diff_command(diff);
  return kExitBadInput;
}

}  // namespace
}  // namespace iocsim::app

// libsystemc refers to sc_main, so every program linking it defines one.
extern "C" int sc_main(int argc, char* argv[]) { return iocsim::app::main_impl(argc, argv); }

int main(int argc, char* argv[]) { return sc_main(argc, argv); }
