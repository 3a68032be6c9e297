// SPDX-License-Identifier: GPL-2.0-only
// The state of one scenario run (internal to driver.cpp, step_runner.cpp and
// step_checks.cpp).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "analysis/kernel_state.h"
#include "analysis/oracle.h"
#include "analysis/timeline.h"
#include "host/host.h"
#include "models/common/observer_fanout.h"
#include "platform/platform.h"
#include "scenario/driver.h"
#include "vfio/vfio_iommu.h"

namespace iocsim::scenario::detail {

// The container a step acts on, if any.
std::optional<std::string> step_container(const Step& step);

struct Run;

// An emulated (mdev) device's driver: it remembers the pages it pinned and
// drops those in a range the container is about to unmap.
struct MdevDriver : vfio::EmulatedDevice {
  MdevDriver(Run& r, std::string c) : run(&r), container(std::move(c)) {}
  void dma_unmap(vfio::dma_addr_t iova, uint64_t size) override;

  Run* run;
  std::string container;
  std::map<uint64_t, unsigned> pins;  // iova -> times pinned
};

// What a step did, as far as its expectations need to know.
struct StepOutcome {
  int error = 0;
  std::vector<std::pair<std::string, uint64_t>> values;
  OwnerTally seen;  // read/dma read: whose data came back
  uint64_t stale = 0;                    // of which older than the newest
  uint64_t faults = 0;                   // dma: requests that faulted
  std::optional<vfio::IommuInfo> info;   // info
  std::optional<std::vector<uint64_t>> bits;  // dirty get, unmap with a bitmap
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
  StepOutcome execute(const Step& step);
  void open_mdevs(vfio::GroupId group, const std::string& container);
  void close_mdevs(vfio::GroupId group);
  // Starts an actor in a SystemC thread of its own.
  void spawn(const std::string& name, const SpawnStep& step);
  host::Process& principal(size_t index) { return *host->process(s.principals[index].id); }
  // The container behind a name, or null when not open (or released).
  vfio::VfioIommu* live(const std::string& name);
  analysis::KernelState kernel_state() const;
  // The kernel invariants as of now; the first broken one is kept.
  void check_invariants(size_t after_step);

  // step_checks.cpp
  void check(const Step& step, const StepOutcome& outcome, unsigned warnings_before);

  const Scenario& s;
  const vfio::FlushPolicy& policy;
  vfio::KernelBase base;
  analysis::Oracle oracle;
  analysis::Timeline timeline;
  models::ObserverFanout observers;  // the oracle, then the timeline
  analysis::FlushLedger ledger;
  vfio::KernelLog log;
  std::unique_ptr<platform::Platform> machine;
  std::unique_ptr<host::Host> host;
  std::unique_ptr<vfio::Kernel> kernel;
  std::map<std::string, std::unique_ptr<vfio::VfioIommu>> containers;
  std::map<vfio::GroupId, std::string> group_container;
  std::map<std::string, size_t> container_owner;  // principal index, set by `open`
  std::map<size_t, std::unique_ptr<MdevDriver>> mdevs;  // by device index, while attached
  uint64_t next_bar = 0;  // where the next mmio BAR goes (above RAM and 4 GiB)
  Picos syscall_cost = 0;  // sw.syscall: entering and leaving the kernel
  // `state` deltas are counted from the previous `state` of each container.
  std::map<std::string, vfio::ContainerCounters> baseline;
  std::vector<Actor> actors;
  std::set<std::string> finished_steps;  // names of the steps done so far
  Picos actors_until = 0;        // the latest time an actor was told to run until
  // What failed steps changed although they should not have.
  std::vector<std::string> unrestored;
  bool invariants_every_step = false;
  std::string first_broken_after_step;  // "after step N: INVARIANT: DETAIL"
  RunResult result;
};

}  // namespace iocsim::scenario::detail
