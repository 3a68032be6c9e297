// SPDX-License-Identifier: GPL-2.0-only
#include "report/waveform_report.h"

#include <map>
#include <optional>

#include <fmt/format.h>

#include "report/vcd_writer.h"
#include "report/window_runs.h"

namespace iocsim::report {
namespace {

void add_cpu(const scenario::RunResult& r, VcdWriter& vcd) {
  std::map<uint64_t, std::pair<size_t, size_t>> cores;  // core -> (step, flushing)
  auto signals = [&](uint64_t core) {
    auto [it, added] = cores.try_emplace(core);
    if (added)
      it->second = {vcd.add_string("cpu", fmt::format("core{}_step", core)),
                    vcd.add_wire("cpu", fmt::format("core{}_flushing", core))};
    return it->second;
  };
  signals(0);
  for (const scenario::StepRecord& st : r.steps) {
    const size_t step = signals(st.core).first;
    vcd.set_string(step, st.start, fmt::format("{}:{}{}", st.index, st.op,
                                        st.name.empty() ? "" : ":" + st.name));
    vcd.set_string(step, st.end, "-");
  }
  // The kernel flushes on the core of the step that called it.
  for (const vfio::FlushCall& c : r.flush.calls()) {
    const scenario::StepRecord* st = r.step_at(c.done.start_picos);
    const uint64_t core = st ? st->core : 0;
    vcd.add_interval(signals(core).second, c.done.start_picos, c.done.end_picos);
  }
}

void add_dma(const scenario::RunResult& r, VcdWriter& vcd) {
  std::map<std::pair<uint32_t, uint32_t>, size_t> engines;
  for (const analysis::ActivityBurst& b : r.bursts) {
    auto [it, added] = engines.try_emplace({b.stream_id, b.engine}, 0);
    if (added)
      it->second = vcd.add_wire("dma", fmt::format("{}_{}", r.device_name(b.stream_id),
                                                   b.engine ? r.actor_names.at(b.engine - 1)
                                                            : "steps"));
    vcd.add_interval(it->second, b.start, b.end);
  }
  std::map<uint32_t, size_t> faulting;
  for (const analysis::FaultBurst& f : r.fault_bursts) {
    auto [it, added] = faulting.try_emplace(f.stream_id, 0);
    if (added)
      it->second = vcd.add_wire("dma", fmt::format("{}_faulting", r.device_name(f.stream_id)));
    vcd.add_interval(it->second, f.first, f.last);
  }
}

void add_exposure(const scenario::RunResult& r, VcdWriter& vcd) {
  struct Signals {
    size_t open_wire, open_count, hit;
    std::vector<const analysis::Window*> windows;
  };
  std::map<std::pair<uint32_t, analysis::HazardKind>, Signals> by_track;
  for (const analysis::Window& w : r.windows) {
    auto [it, added] = by_track.try_emplace({w.stream_id, w.kind});
    if (added) {
      const std::string name = fmt::format("{}_{}", r.device_name(w.stream_id),
                                           analysis::to_string(w.kind));
      it->second.open_wire = vcd.add_wire("exposure", name);
      it->second.open_count = vcd.add_register("exposure", name + "_open", 32);
      it->second.hit = vcd.add_event("exposure", name + "_hit");
    }
    Signals& sig = it->second;
    vcd.add_interval(sig.open_wire, w.start, w.end);
    sig.windows.push_back(&w);
    if (w.realized()) vcd.trigger(sig.hit, w.first_hit);
  }
  for (const auto& [track, sig] : by_track) {
    vcd.set(sig.open_count, 0, uint64_t{0});
    for (const auto& [at, count] : open_counts(sig.windows)) vcd.set(sig.open_count, at, count);
  }
}

void add_counters(const scenario::RunResult& r, VcdWriter& vcd) {
  if (!r.counters) return;
  const analysis::CounterSeries& c = *r.counters;
  if (!c.dirty_lines.empty()) {
    const size_t dirty = vcd.add_register("counters", "dirty_lines", 64);
    const std::vector<double> peaks = c.dirty_lines.peaks();
    for (size_t i = 0; i < peaks.size(); ++i)
      vcd.set(dirty, i * c.dirty_lines.width(), static_cast<uint64_t>(peaks[i]));
  }
  // Bytes per nanosecond are GB/s; 0 where the last bucket ends.
  auto bandwidth = [&](const analysis::BucketedSeries& bytes, const char* name) {
    if (bytes.empty()) return;
    const size_t signal = vcd.add_real("counters", name);
    const std::vector<double> rates = bytes.per_ns();
    for (size_t i = 0; i < rates.size(); ++i) vcd.set_real(signal, i * bytes.width(), rates[i]);
    vcd.set_real(signal, bytes.size() * bytes.width(), 0.0);
  };
  bandwidth(c.dram_read_bytes, "dram_read_GBps");
  bandwidth(c.dram_write_bytes, "dram_write_GBps");
  for (const auto& [stream, iotlb] : c.iotlb) {
    const size_t rate = vcd.add_real(
        "counters", fmt::format("{}_iotlb_hit_pct", r.device_name(stream)));
    for (size_t i = 0; i < iotlb.lookups.size(); ++i)
      if (const std::optional<double> percent = iotlb.hit_percent(i))
        vcd.set_real(rate, i * iotlb.lookups.width(), *percent);
  }
}

}  // namespace

void write_waveform(const scenario::RunResult& r, std::ostream& out) {
  VcdWriter vcd;
  add_cpu(r, vcd);
  add_dma(r, vcd);
  add_exposure(r, vcd);
  add_counters(r, vcd);
  vcd.write(out, fmt::format("iocsim {}: {} under {}, seed {}", IOCSIM_VERSION,
                             r.scenario->name, r.policy, r.seed));
}

}  // namespace iocsim::report
