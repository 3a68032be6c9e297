// SPDX-License-Identifier: GPL-2.0-only
// Running a scenario: builds the platform, the host and the kernel, executes
// the steps one after another in simulated time from a SystemC thread, checks
// every expectation and invariant, and returns what happened.
//
// One simulation per process: call run_scenario() at most once per process
// (SystemC cannot elaborate twice).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/counter_tracks.h"
#include "analysis/flush_ledger.h"
#include "analysis/invariants.h"
#include "analysis/timeline.h"
#include "base/stats.h"
#include "scenario/scenario.h"

namespace iocsim::scenario {

struct RunOptions {
  std::string policy;                     // a registered policy name
  std::optional<vfio::KernelBase> base;   // overrides the scenario's kernel.base
  uint64_t seed = 1;
  // Check the kernel invariants after every step, not only at the end (the
  // random-sequence stress test does; it costs a walk of every container).
  bool invariants_every_step = false;
  // Record counters over time for a trace or waveform (RunResult::counters).
  bool record_counters = false;
  // The backend every container is opened on (a name of kBackendNames);
  // empty: each `open` step's own.
  std::string backend;
};

struct StepRecord {
  size_t index = 0;
  std::string op;
  std::string name;
  int error = 0;  // 0 or -errno
  uint64_t core = 0;  // the core it ran on (the step's `cpu`)
  Picos start = 0, end = 0, cpu = 0;
  std::vector<std::pair<std::string, uint64_t>> values;  // only when the step succeeded
  std::optional<std::vector<std::pair<uint64_t, uint64_t>>> dmas;  // state: [iova, size]
  bool warned = false;
};

struct ExpectationRecord {
  std::optional<size_t> step;  // none for end-of-run expectations
  std::string what;
  std::string actual;
  bool passed = false;
};

struct RunResult {
  const Scenario* scenario = nullptr;
  std::string policy;
  std::string backend;  // what RunOptions::backend chose, or the default
  vfio::KernelBase base = vfio::KernelBase::v6_9;
  uint64_t seed = 1;
  Picos sim_time = 0;
  analysis::Counts counts;
  std::vector<std::string> kernel_log;
  std::vector<analysis::Window> windows;
  Picos max_window = 0;
  analysis::FlushLedger flush;  // with every call, for timelines
  std::vector<analysis::ActivityBurst> bursts;
  std::vector<analysis::FaultBurst> fault_bursts;
  std::optional<analysis::CounterSeries> counters;  // if RunOptions::record_counters
  std::vector<std::string> actor_names;  // engine i (from 1) is actor_names[i - 1]
  std::vector<StepRecord> steps;
  std::vector<ExpectationRecord> expectations;
  std::vector<analysis::Invariant> invariants;
  std::vector<stats::Section> stats;
  size_t unfired_injections = 0;  // inject steps whose call never came

  bool passed() const;
  // The device of a stream id, or "CPU" for 0 (a window's stream id).
  std::string device_name(uint32_t stream_id) const;
  // The step running at `at` (steps run one after another; the last to
  // start by then), or null before the first: whose core a flush call or a
  // CPU access at `at` ran on.
  const StepRecord* step_at(Picos at) const;
};

RunResult run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace iocsim::scenario
