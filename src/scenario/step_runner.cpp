// SPDX-License-Identifier: GPL-2.0-only
// Running the steps one after another in simulated time, each on its core,
// with what every step needs around it: its start time, the check that a
// failed kernel operation left the kernel as it found it, its record, and its
// expectations. What a step does is its kind's (memory_steps.cpp,
// vfio_steps.cpp, device_steps.cpp).
#include <fmt/format.h>

#include <systemc>

#include "analysis/invariants.h"
#include "models/common/time.h"
#include "scenario/run_state.h"
#include "vfio/errno_names.h"

namespace iocsim::scenario::detail {

std::optional<int> Run::container_of(const Step& step) const {
  if (step.kind().scope == StepScope::device_container)
    return vfio->container_of_device(s.devices[*step.device()].name);
  if (auto name = step.container()) return fd(*name);
  return std::nullopt;
}

analysis::KernelState Run::kernel_state() const {
  std::map<std::string, const vfio::IommuData*> view;
  for (const auto& [name, named] : containers)
    if (const vfio::IommuData* c = vfio->container(named.fd)) view[name] = c;
  return analysis::capture(view, *host, machine->translation_digests());
}

void Run::check_invariants(size_t after_step) {
  for (const analysis::Invariant& i : analysis::kernel_invariants(
           vfio->containers(), *host, machine->hardware_domains())) {
    if (i.held) continue;
    first_broken_after_step = fmt::format("after step {}: {}: {}", after_step, i.name, i.detail);
    return;
  }
}

void Run::execute_all() {
  for (const Step& step : s.steps) {
    // The previous step's core has caught up with global time; this one starts there.
    machine->activate_core(step.cpu);
    models::CpuAgent& cpu = machine->cpu();
    cpu.sync();
    if (step.at) {
      const Picos target = units::to_picos(*step.at, cpu.config().hz);
      const Picos now = models::to_picos(sc_core::sc_time_stamp());
      if (target > now) sc_core::wait(models::from_picos(target - now));
    }
    StepRecord record;
    record.index = step.index;
    record.op = step.op;
    record.name = step.name;
    record.core = step.cpu;
    record.start = models::to_picos(sc_core::sc_time_stamp());
    const Picos busy = cpu.busy();
    const unsigned warnings = log.warnings();

    // A failed operation must leave the kernel as it found it.
    const bool kernel_step = step.has_kernel_state();
    analysis::KernelState before;
    if (kernel_step) before = kernel_state();

    StepOutcome outcome =
        std::visit([&](const auto& args) { return args.run(*this, step); }, step.args);

    if (kernel_step && outcome.error) {
      for (const std::string& change : analysis::differences(before, kernel_state()))
        unrestored.push_back(fmt::format("step {} ({} failed with {}): {}", step.index, step.op,
                                         vfio::errno_name(outcome.error), change));
    }

    cpu.sync();
    record.end = models::to_picos(sc_core::sc_time_stamp());
    record.cpu = cpu.busy() - busy;
    record.error = outcome.error;
    record.warned = log.warnings() > warnings;
    if (!outcome.error) {
      record.values = outcome.values;
      record.dmas = outcome.dmas;
    }
    result.steps.push_back(record);
    if (!step.name.empty()) finished_steps.insert(step.name);
    check(step, outcome, warnings);
    if (invariants_every_step && first_broken_after_step.empty()) check_invariants(step.index);
  }
  // The run lasts until the last actor told to run until a time has.
  const Picos now = models::to_picos(sc_core::sc_time_stamp());
  if (actors_until > now) sc_core::wait(models::from_picos(actors_until - now));
}

}  // namespace iocsim::scenario::detail
