// SPDX-License-Identifier: GPL-2.0-only
// Setting up a run, the SystemC thread that drives it, and the end-of-run
// results: windows, flush costs, invariants, end-of-run expectations.
#include "scenario/driver.h"

#include <algorithm>
#include <exception>
#include <iostream>
#include <stdexcept>

#include <fmt/format.h>
#include <systemc>

#include "analysis/invariants.h"
#include "models/common/time.h"
#include "scenario/run_state.h"
#include "iommufd/vfio_compat.h"
#include "vfio/type1/type1_driver.h"

namespace iocsim::scenario {
namespace detail {
namespace {

// SystemC reports: errors become exceptions (an internal error of the run),
// warnings go to stderr, information is dropped (stdout may carry JSON).
void report_handler(const sc_core::sc_report& report, const sc_core::sc_actions&) {
  switch (report.get_severity()) {
    case sc_core::SC_INFO: return;
    case sc_core::SC_WARNING:
      std::cerr << "iocsim: SystemC warning: " << report.get_msg() << "\n";
      return;
    default:
      throw std::runtime_error(std::string("SystemC: ") + report.get_msg_type() + ": " +
                               report.get_msg());
  }
}

class StepDriver : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(StepDriver);
  StepDriver(sc_core::sc_module_name name, Run& run) : sc_module(name), run_(run) {
    SC_THREAD(main);
  }
  std::exception_ptr failure;

 private:
  void main() {
    try {
      run_.execute_all();
    } catch (...) {
      failure = std::current_exception();
    }
    sc_core::sc_stop();
  }
  Run& run_;
};

const vfio::FlushPolicy& policy_named(const std::string& name) {
  const vfio::FlushPolicy* p = vfio::find_policy(name);
  if (!p) throw std::invalid_argument("unknown policy " + name);
  return *p;
}

uint64_t run_value(const RunResult& r, const std::string& key) {
  for (const analysis::CounterInfo& c : analysis::kCounters)
    if (key == c.key) return r.counts.*c.field;
  if (key == "max_window_ns") return r.max_window;
  if (key == "sim_time_ns") return r.sim_time;
  // flush.FIELD, or flush.by_site.SITE.FIELD
  std::string_view rest = key;
  if (rest.substr(0, 6) != "flush.") throw std::logic_error("unknown run key " + key);
  rest.remove_prefix(6);
  analysis::FlushCost cost = r.flush.total();
  if (rest.substr(0, 8) == "by_site.") {
    rest.remove_prefix(8);
    const std::string_view site = rest.substr(0, rest.find('.'));
    const vfio::FlushSiteInfo* found = nullptr;
    for (const vfio::FlushSiteInfo& s : vfio::kFlushSites)
      if (s.name == site) found = &s;
    if (!found) throw std::logic_error("unknown run key " + key);
    cost = r.flush.site(found->site);
    rest.remove_prefix(site.size() + 1);
  }
  for (const analysis::FlushField& f : analysis::kFlushFields)
    if (rest == f.name) return cost.*f.field;
  throw std::logic_error("unknown run key " + key);
}

// What a report calls the run's backend: --backend's, or the one the open
// steps name ("mixed" if they differ; the default if there are none).
std::string backend_of(const Scenario& s, const std::string& chosen) {
  if (!chosen.empty()) return chosen;
  std::string found;
  for (const Step& step : s.steps) {
    const auto* open = std::get_if<OpenStep>(&step.args);
    if (!open) continue;
    if (found.empty())
      found = open->backend;
    else if (found != open->backend)
      return "mixed";
  }
  return found.empty() ? std::string(kDefaultBackend) : found;
}

}  // namespace

Run::Run(const Scenario& scenario, const RunOptions& options)
    : s(scenario),
      policy(policy_named(options.policy)),
      backend_override(options.backend),
      base(options.base.value_or(scenario.kernel.base)) {
  observers.add(oracle);
  observers.add(timeline);
  if (options.record_counters) observers.add(counters);
  for (const platform::DeviceSpec& d : s.platform.devices)
    oracle.register_device(d.stream_id, d.owner);
  machine = std::make_unique<platform::Platform>(s.platform, observers);
  const params::Set& p = s.platform.params;
  host::HostConfig config;
  config.first_pfn = p.size("host.reserved_below") >> kPageShift;
  config.end_pfn = p.size("memory.size") >> kPageShift;
  config.pin_page_picos = p.picos("sw.pin_page");
  config.pin_folio_page_picos = p.picos("sw.pin_folio_page");
  config.unpin_page_picos = p.picos("sw.unpin_page");
  config.unpin_dirty_picos = p.picos("sw.unpin_dirty");
  config.page_fault_picos = p.picos("sw.page_fault");
  config.fault_run_frames = p.size("host.fault_run") >> kPageShift;
  host = std::make_unique<host::Host>(machine->cpu_port(), config);
  for (const Principal& pr : s.principals)
    host->add_process(pr.name, pr.id, pr.memlock, pr.cap_ipc_lock);
  vfio::KernelConfig kc;
  kc.base = base;
  kc.dma_entry_limit = s.kernel.dma_entry_limit;
  kc.policy = &policy;
  kc.syscall_picos = p.picos("sw.syscall");
  kc.bookkeeping_picos = p.picos("sw.vfio_bookkeeping");
  kernel = std::make_unique<vfio::Kernel>(*host, machine->iommu_core(), machine->arch_flush(),
                                         log, kc);
  kernel->flushes = &ledger;
  vfio = std::make_unique<vfio::VfioCore>(*kernel);
  vfio->register_iommu_driver(std::make_unique<vfio::Type1Driver>(*kernel));
  vfio->register_iommu_driver(std::make_unique<iommufd::IommufdDriver>(*kernel));
  for (const Device& d : s.devices)
    vfio->add_device({d.name, d.group, d.emulated, d.emulated ? nullptr : &machine->pci_function(d.name)});
  result.scenario = &s;
  result.policy = options.policy;
  result.backend = backend_of(scenario, options.backend);
  result.base = base;
  result.seed = options.seed;
  invariants_every_step = options.invariants_every_step;
}

}  // namespace detail

bool RunResult::passed() const {
  for (const auto& e : expectations)
    if (!e.passed) return false;
  for (const auto& i : invariants)
    if (!i.held) return false;
  return true;
}

std::string RunResult::device_name(uint32_t stream_id) const {
  return stream_id ? scenario->devices[stream_id - 1].name : std::string("CPU");
}

const StepRecord* RunResult::step_at(Picos at) const {
  auto after = std::upper_bound(steps.begin(), steps.end(), at,
                                [](Picos t, const StepRecord& st) { return t < st.start; });
  return after == steps.begin() ? nullptr : &*std::prev(after);
}

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
  sc_core::sc_report_handler::set_handler(&detail::report_handler);
  detail::Run run(scenario, options);
  detail::StepDriver driver("driver", run);
  sc_core::sc_start();
  if (driver.failure) std::rethrow_exception(driver.failure);

  RunResult& r = run.result;
  r.sim_time = models::to_picos(sc_core::sc_time_stamp());
  run.machine->settle(r.sim_time);
  run.oracle.finish(r.sim_time);
  r.counts = run.oracle.counts();
  r.windows = run.oracle.windows();
  r.max_window = run.oracle.max_window();
  r.flush = run.ledger;
  r.counts.kernel_warnings = run.log.warnings();
  r.kernel_log = run.log.lines();
  r.invariants = analysis::kernel_invariants(run.vfio->containers(), *run.host,
                                             run.machine->hardware_domains());
  for (auto& inv : analysis::model_invariants(run.oracle)) r.invariants.push_back(inv);
  if (run.invariants_every_step)
    r.invariants.push_back({"the kernel invariants held after every step",
                            run.first_broken_after_step.empty(), run.first_broken_after_step});
  {
    analysis::Invariant restored{"every failed operation left the kernel as it found it", true,
                                 ""};
    for (const std::string& change : run.unrestored) {
      restored.held = false;
      restored.detail += (restored.detail.empty() ? "" : "; ") + change;
    }
    r.invariants.push_back(restored);
  }
  r.unfired_injections = run.kernel->faults.pending();

  bool invariants_hold = true;
  std::string broken;
  for (const auto& inv : r.invariants) {
    if (!inv.held) {
      invariants_hold = false;
      broken += (broken.empty() ? "" : "; ") + inv.name;
    }
  }
  for (const std::string& key : {options.policy, std::string("all")}) {
    auto list = scenario.expect.find(key);
    if (list == scenario.expect.end()) continue;
    for (const RunExpectation& e : list->second) {
      if (e.invariants) {
        r.expectations.push_back(
            {std::nullopt, "invariants hold", invariants_hold ? "hold" : "broken: " + broken,
             invariants_hold});
        continue;
      }
      const uint64_t actual = detail::run_value(r, e.key);
      r.expectations.push_back({std::nullopt, fmt::format("{} {}", e.key, e.number.describe()),
                                format_quantity(actual, e.number.quantity),
                                e.number.holds(actual)});
    }
  }
  r.stats = run.machine->stats();
  r.bursts = run.timeline.bursts();
  r.fault_bursts = run.timeline.faults();
  if (options.record_counters) r.counters = run.counters.series();
  std::vector<const stats::Provider*> actors;
  for (const detail::Actor& actor : run.actors) {
    r.actor_names.push_back(actor.name);
    actors.push_back(actor.engine.get());
  }
  for (stats::Section& section : stats::sections(actors)) r.stats.push_back(std::move(section));
  return std::move(run.result);
}

}  // namespace iocsim::scenario
