// SPDX-License-Identifier: GPL-2.0-only
// Every kind of step, from the families' lists, and a step as loaded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/units.h"
#include "scenario/device_steps.h"
#include "scenario/expectations.h"
#include "scenario/memory_steps.h"
#include "scenario/vfio_steps.h"

namespace iocsim::scenario {

using StepArgs = JoinSteps<MemorySteps, VfioSteps, DeviceSteps>::variant;

struct Step {
  size_t index = 0;
  std::string op;
  std::string name;
  int line = 0;  // where the step starts in the file
  std::optional<units::Duration> at;
  uint64_t cpu = 0;  // the core the step runs on
  StepArgs args;
  std::vector<StepExpectation> expect;

  const StepKind& kind() const;
  // The container the step names, if it names one.
  std::optional<std::string> container() const;
  // The device and the principal (`as`) the step names, if it names them
  // (indexes into the scenario's).
  std::optional<size_t> device() const;
  std::optional<size_t> principal() const;
  // Its own expectation keys (its kind's, or fewer for some arguments).
  std::vector<std::string> expect_keys() const;
  // Whether kernel-state expectations apply: it acts on a container it names
  // or on the one its device's group sits in.
  bool has_kernel_state() const;
};

// The kind of step named `op`, or null.
const StepKind* find_step_kind(std::string_view op);
// Every step kind's name, in declaration order.
std::vector<std::string> step_kind_names();

}  // namespace iocsim::scenario
