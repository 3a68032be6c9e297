// SPDX-License-Identifier: GPL-2.0-only
// Steps on a process's memory, through the host model and the CPU caches:
// alloc, touch, write, read, free, flush and mmio (step_kind.h says how a
// kind of step is declared).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/cache_op.h"
#include "base/line_value.h"
#include "scenario/step_kind.h"

namespace iocsim::scenario {

struct AllocStep {
  size_t as = 0;
  uint64_t va = 0, size = 0;
  bool huge = false, writable = true;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct TouchStep {
  size_t as = 0;
  uint64_t va = 0, size = 0;
  std::optional<TagId> fill;
  bool huge = false, writable = true;
  std::optional<uint64_t> pa;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct WriteStep {
  size_t as = 0;
  uint64_t va = 0, size = 0;
  TagId fill = kNoTag;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct ReadStep {
  size_t as = 0;
  uint64_t va = 0, size = 0;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct FreeStep {
  size_t as = 0;
  uint64_t va = 0, size = 0;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct FlushStep {
  size_t as = 0;
  uint64_t va = 0, size = 0;
  CacheOp op = CacheOp::clflushopt;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct MmioStep {
  size_t as = 0;
  uint64_t va = 0, size = 0;
  size_t device = 0;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

using MemorySteps =
    StepList<AllocStep, TouchStep, WriteStep, ReadStep, FreeStep, FlushStep, MmioStep>;

}  // namespace iocsim::scenario
