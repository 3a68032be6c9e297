// SPDX-License-Identifier: GPL-2.0-only
// The state of one scenario run: the platform, the host, the kernel and its
// VFIO core, what observes them, and what the steps so far left behind
// (internal to driver.cpp, step_runner.cpp, step_checks.cpp and the step
// families' files).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "analysis/counter_tracks.h"
#include "analysis/flush_ledger.h"
#include "analysis/kernel_state.h"
#include "analysis/oracle.h"
#include "analysis/timeline.h"
#include "host/host.h"
#include "models/common/observer_fanout.h"
#include "models/dma/dma_actor.h"
#include "platform/platform.h"
#include "scenario/driver.h"
#include "vfio/vfio_core.h"

namespace iocsim::scenario::detail {

// What a step did, as far as its expectations need to know.
struct StepOutcome {
  int error = 0;
  std::vector<std::pair<std::string, uint64_t>> values;
  OwnerTally seen;                       // read/dma read: whose data came back
  uint64_t stale = 0;                    // of which older than the newest
  uint64_t faults = 0;                   // dma: requests that faulted
  std::optional<vfio::IommuInfo> info;   // info
  std::optional<std::vector<uint64_t>> bits;  // dirty get, unmap with a bitmap
  std::optional<std::vector<std::pair<uint64_t, uint64_t>>> dmas;  // state: [iova, size]
};

// A background DMA actor started by a `spawn` step.
struct Actor {
  std::string name;
  std::unique_ptr<models::DmaActor> engine;
};

struct Run {
  Run(const Scenario& scenario, const RunOptions& options);

  // step_runner.cpp
  void execute_all();
  host::Process& principal(size_t index) { return *host->process(s.principals[index].id); }
  // The fd of a container a step names (opened by an earlier step, the
  // loader made sure; -1 if that open failed).
  int fd(const std::string& container) const { return containers.at(container).fd; }
  // The container whose kernel state a step's expectations read, if any.
  std::optional<int> container_of(const Step& step) const;
  analysis::KernelState kernel_state() const;
  // The kernel invariants as of now; the first broken one is kept.
  void check_invariants(size_t after_step);

  // state_values.cpp: the kernel-state keys of a step's container (flush and
  // iommu_calls since its previous `state`), and its vfio_dma entries.
  std::vector<std::pair<std::string, uint64_t>> state_values(const Step& step) const;
  std::vector<std::pair<uint64_t, uint64_t>> state_dmas(const Step& step) const;
  // After a `state` step: its container's counts start again from now.
  void restart_state_counts(const Step& step);

  // step_checks.cpp
  void check(const Step& step, const StepOutcome& outcome, unsigned warnings_before);

  const Scenario& s;
  const vfio::FlushPolicy& policy;
  std::string backend_override;  // RunOptions::backend
  vfio::KernelBase base;
  analysis::Oracle oracle;
  analysis::Timeline timeline;
  analysis::CounterTracks counters;  // observes only if record_counters
  models::ObserverFanout observers;  // the oracle, the timeline, then the counters
  analysis::FlushLedger ledger;
  vfio::KernelLog log;
  std::unique_ptr<platform::Platform> machine;
  std::unique_ptr<host::Host> host;
  std::unique_ptr<vfio::Kernel> kernel;
  std::unique_ptr<vfio::VfioCore> vfio;
  // The containers a scenario names: the fd its `open` got (-1 if it
  // failed), and the principal that opened it (whose locked_vm `state` reads).
  struct Named {
    int fd = -1;
    size_t owner = 0;
  };
  std::map<std::string, Named> containers;
  uint64_t next_bar = 0;  // where the next mmio BAR goes (above RAM and 4 GiB)
  // `state` deltas are counted from the previous `state` of each container.
  struct Baseline {
    analysis::SiteCosts flush{};
    vfio::IommuCalls iommu{};
  };
  std::map<int, Baseline> baseline;
  Baseline state_counts(const Step& step) const;  // as of now (state_values.cpp)
  std::vector<Actor> actors;
  std::set<std::string> finished_steps;  // names of the steps done so far
  Picos actors_until = 0;                // the latest time an actor was told to run until
  // What failed steps changed although they should not have.
  std::vector<std::string> unrestored;
  bool invariants_every_step = false;
  std::string first_broken_after_step;  // "after step N: INVARIANT: DETAIL"
  RunResult result;
};

}  // namespace iocsim::scenario::detail
