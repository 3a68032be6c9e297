// SPDX-License-Identifier: GPL-2.0-only
// The subcommands. Each returns an exit code (exit_codes.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenario/driver.h"
#include "scenario/loader.h"
#include "vfio/kernel_base.h"

namespace iocsim::app {

// Where a command-line argument starts (1-based column of `iocsim ARGS...`),
// so problems with it are reported like problems in a file.
struct Arg {
  std::string text;
  int column = 1;
};

// The options `run` and `check` share: the policies, kernel base, platform,
// parameters and seed scenarios run under (run_options.cpp).
struct RunSelection {
  Arg policy;  // empty: the scenario's own choice; "all": every policy
  Arg kernel;  // empty: the scenario's
  Arg backend;  // empty: each open step's own; "all": every backend
  Arg platform;
  std::vector<scenario::LoadOptions::Set> sets;
  std::vector<Arg> vars;  // --var NAME=VALUE
  uint64_t seed = 1;

  // Reports a bad --policy, --kernel or --var at its position; false if any is.
  bool valid() const;
  // The kernel base --kernel names, if it names one (call valid() first).
  std::optional<vfio::KernelBase> kernel_base() const;
  // How scenarios are loaded: --platform, --set and --var.
  scenario::LoadOptions load_options() const;
  // The policies to run a scenario under, `own` when --policy does not say.
  std::vector<std::string> policies(std::vector<std::string> own) const;
  // The backends to run it on (RunOptions::backend): "" alone when
  // --backend does not say.
  std::vector<std::string> backends() const;
  // Every run of a scenario: each backend, under each policy.
  std::vector<scenario::RunOptions> runs(std::vector<std::string> own_policies) const;
};

// --backend of run, check and sweep: an unknown name is reported at its
// position (false); the backends a valid one names (`all`: every one).
bool backend_option_valid(const Arg& backend);
std::vector<std::string> backend_option_values(const Arg& backend);

struct RunArgs {
  std::string scenario;
  RunSelection selection;
  Arg json;   // '-' for stdout
  Arg trace;
  Arg vcd;
  int verbosity = 0;  // -1 quiet, 0 normal, 1+ more detail
};

struct CheckArgs {
  std::vector<std::string> paths;
  RunSelection selection;
  Arg junit;
  size_t jobs = 1;  // children at a time
  int verbosity = 0;
};

struct SweepArgs {
  std::string study;
  std::string out;
  size_t jobs = 1;
  size_t shard_index = 1, shard_count = 1;  // --shard I/N, I from 1
  std::vector<std::string> merge;           // --merge DIR...
  std::string plot_only;                    // --plot-only DIR
  Arg backend;                              // --backend: replaces the study's backends
  int verbosity = 0;
};

struct PlatformArgs {
  Arg preset;  // empty: default
  Arg dot;     // Graphviz output, '-' for stdout
};

struct DiffArgs {
  std::string a, b;        // JSON reports
  bool every_row = false;  // list the values that agree too
};

int run_command(const RunArgs& args);
int sweep_command(const SweepArgs& args);
int check_command(const CheckArgs& args);
int params_command();
int platform_command(const PlatformArgs& args);
int diff_command(const DiffArgs& args);

// "<command-line>:1:COL: error: MESSAGE" on stderr.
void command_line_error(int column, const std::string& message);

}  // namespace iocsim::app
