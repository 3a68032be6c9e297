// SPDX-License-Identifier: GPL-2.0-only
// Steps of devices and of time: a DMA transfer, a background DMA actor, and
// letting time pass (step_kind.h says how a kind of step is declared).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "base/line_value.h"
#include "base/units.h"
#include "models/dma/dma_pattern.h"
#include "scenario/step_kind.h"

namespace iocsim::scenario {

struct DmaStep {
  size_t device = 0;
  bool write = false;
  uint64_t iova = 0, size = 0;
  std::optional<bool> no_snoop;  // none: the device's own setting
  TagId fill = kNoTag;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
  // A write cannot expect what it saw.
  std::vector<std::string> expect_keys() const;
};

// A background DMA actor (models/dma/dma_actor.h), named by the step's name.
struct SpawnStep {
  size_t device = 0;
  models::DmaPattern pattern = models::DmaPattern::probe;
  uint64_t iova = 0, size = 0;
  units::Duration every;
  // Runs until this time, until the named later step has finished, or (both
  // empty) until the run ends.
  std::optional<units::Duration> until_time;
  std::optional<std::string> until_step;
  bool write = false;
  std::optional<bool> no_snoop;
  TagId fill = kNoTag;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct WaitStep {
  units::Duration time;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

using DeviceSteps = StepList<DmaStep, SpawnStep, WaitStep>;

}  // namespace iocsim::scenario
