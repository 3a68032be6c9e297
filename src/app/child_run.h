// SPDX-License-Identifier: GPL-2.0-only
// Runs scenarios in child processes (SystemC allows one simulation per
// process), several at a time if asked, and brings back their JSON reports.
// A child that throws or dies is an internal error, never a crash of iocsim.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/driver.h"

namespace iocsim::app {

// Files the child writes from its run (empty: none). The parent checks they
// are writable before it starts anything.
struct RunOutputs {
  std::string trace;
  std::string vcd;
};

struct ChildJob {
  const scenario::Scenario* scenario = nullptr;
  scenario::RunOptions options;
  RunOutputs outputs;
};

struct ChildOutcome {
  int exit_code = 0;       // kExitOk, kExitFailed or kExitInternal
  nlohmann::json report;   // when the run completed
  std::string error;       // when it did not
  double seconds = 0;      // wall time of the child
};

enum class Report { in_job_order, as_finished };

// Runs every job with at most `parallel` children alive, and calls `done`
// once per job: in job order (a finished job waits for the ones before it,
// so output does not depend on `parallel`), or as soon as each finishes.
// `done` may keep the outcome (its report can be megabytes): it is not used
// again.
void run_in_children(const std::vector<ChildJob>& jobs, size_t parallel,
                     const std::function<void(size_t, ChildOutcome&&)>& done,
                     Report order = Report::in_job_order);

ChildOutcome run_in_child(const ChildJob& job);

}  // namespace iocsim::app
