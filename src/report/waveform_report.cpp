// SPDX-License-Identifier: GPL-2.0-only
#include "report/waveform_report.h"

#include <map>

#include <fmt/format.h>

#include "report/vcd_writer.h"

namespace iocsim::report {

void write_waveform(const scenario::RunResult& r, std::ostream& out) {
  const scenario::Scenario& s = *r.scenario;
  VcdWriter vcd;

  const size_t step = vcd.add_register("cpu", "step", 32);
  for (const scenario::StepRecord& st : r.steps) vcd.set(step, st.start, st.index);
  const size_t flushing = vcd.add_wire("cpu", "flushing");
  for (const vfio::FlushCall& c : r.flush.calls())
    vcd.add_interval(flushing, c.done.start_picos, c.done.end_picos);

  std::map<std::pair<uint32_t, uint32_t>, size_t> engines;
  for (const analysis::ActivityBurst& b : r.bursts) {
    auto [it, added] = engines.try_emplace({b.stream_id, b.engine}, 0);
    if (added)
      it->second = vcd.add_wire("dma." + s.devices[b.stream_id - 1].name,
                                b.engine ? r.actor_names.at(b.engine - 1) : "steps");
    vcd.add_interval(it->second, b.start, b.end);
  }
  std::map<uint32_t, size_t> faulting;
  for (const analysis::FaultBurst& f : r.fault_bursts) {
    auto [it, added] = faulting.try_emplace(f.stream_id, 0);
    if (added) it->second = vcd.add_wire("dma." + s.devices[f.stream_id - 1].name, "faulting");
    vcd.add_interval(it->second, f.first, f.last);
  }

  // Page wires declared in address order, whatever order the windows closed in.
  auto page_of = [](const analysis::Window& w) { return w.pa & ~uint64_t{0xfff}; };
  std::map<std::pair<analysis::HazardKind, uint64_t>, size_t> pages;
  for (const analysis::Window& w : r.windows) pages.try_emplace({w.kind, page_of(w)}, 0);
  for (auto& [key, wire] : pages)
    wire = vcd.add_wire(fmt::format("exposure.{}", analysis::to_string(key.first)),
                        fmt::format("page_{:#x}", key.second));
  for (const analysis::Window& w : r.windows)
    vcd.add_interval(pages.at({w.kind, page_of(w)}), w.start, w.end);

  vcd.write(out, fmt::format("iocsim {}: {} under {}, seed {}", IOCSIM_VERSION, s.name,
                             r.policy, r.seed));
}

}  // namespace iocsim::report
