// SPDX-License-Identifier: GPL-2.0-only
// Runs one scenario under one policy in a child process (SystemC allows one
// simulation per process) and brings back its JSON report. A child that
// throws or dies is an internal error, never a crash of iocsim.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "scenario/driver.h"

namespace iocsim::app {

struct ChildOutcome {
  int exit_code = 0;       // kExitOk, kExitFailed or kExitInternal
  nlohmann::json report;   // when the run completed
  std::string error;       // when it did not
};

ChildOutcome run_in_child(const scenario::Scenario& scenario, const scenario::RunOptions& options);

}  // namespace iocsim::app
