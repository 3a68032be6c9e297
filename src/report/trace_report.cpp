// SPDX-License-Identifier: GPL-2.0-only
#include "report/trace_report.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "base/units.h"
#include "report/window_runs.h"
#include "vfio/errno_names.h"

namespace iocsim::report {
namespace {

using nlohmann::json;

constexpr int kCpuPid = 1, kDmaPid = 2, kExposurePid = 3, kCounterPid = 4;

double us(Picos ps) { return static_cast<double>(ps) / 1e6; }

json metadata(const char* what, int pid, uint64_t tid, const std::string& name) {
  json e{{"ph", "M"}, {"name", what}, {"pid", pid}, {"args", {{"name", name}}}};
  if (tid) e["tid"] = tid;
  return e;
}

json slice(const std::string& name, int pid, uint64_t tid, Picos start,
           Picos end, json args) {
  return {{"ph", "X"}, {"name", name},       {"pid", pid},  {"tid", tid},
          {"ts", us(start)}, {"dur", us(end - start)}, {"args", std::move(args)}};
}

json instant(const std::string& name, int pid, uint64_t tid, Picos at, json args) {
  return {{"ph", "i"}, {"s", "t"},       {"name", name},          {"pid", pid},
          {"tid", tid}, {"ts", us(at)}, {"args", std::move(args)}};
}

uint64_t core_tid(uint64_t core) { return core + 1; }
// DMA track ids: 1000 per device; engine e is base + 1 + e, faults base + 999.
uint64_t engine_tid(uint32_t stream, uint32_t engine) {
  return uint64_t{stream} * 1000 + 1 + engine;
}
uint64_t faults_tid(uint32_t stream) { return uint64_t{stream} * 1000 + 999; }

void add_cpu(const scenario::RunResult& r, json& events) {
  events.push_back(metadata("process_name", kCpuPid, 0, "CPU"));
  std::set<uint64_t> cores{0};
  for (const scenario::StepRecord& st : r.steps) {
    cores.insert(st.core);
    const std::string name = st.name.empty() ? st.op : fmt::format("{} {}", st.op, st.name);
    json args{{"index", st.index},
              {"core", st.core},
              {"result", st.error ? vfio::errno_name(st.error) : "ok"}};
    for (const auto& [k, v] : st.values) args[k] = v;
    events.push_back(slice(name, kCpuPid, core_tid(st.core), st.start, st.end, std::move(args)));
  }
  for (uint64_t core : cores)
    events.push_back(metadata("thread_name", kCpuPid, core_tid(core), fmt::format("core {}", core)));
  // The kernel flushes on the core of the step that called it.
  for (const vfio::FlushCall& c : r.flush.calls()) {
    const scenario::StepRecord* st = r.step_at(c.done.start_picos);
    events.push_back(slice(fmt::format("flush at {}", vfio::to_string(c.site)), kCpuPid,
                           core_tid(st ? st->core : 0), c.done.start_picos, c.done.end_picos,
                           {{"phys", c.phys ? units::format_hex(c.phys) : "whole cache"},
                            {"bytes", c.bytes},
                            {"lines", c.done.lines},
                            {"lines_written_back", c.done.lines_written_back}}));
  }
}

void add_dma(const scenario::RunResult& r, json& events) {
  events.push_back(metadata("process_name", kDmaPid, 0, "DMA"));
  std::map<uint64_t, std::string> tracks;
  for (const analysis::ActivityBurst& b : r.bursts) {
    const uint64_t tid = engine_tid(b.stream_id, b.engine);
    if (!tracks.count(tid))
      tracks[tid] = b.engine ? fmt::format("{}: {}", r.device_name(b.stream_id),
                                           r.actor_names.at(b.engine - 1))
                             : fmt::format("{}: steps", r.device_name(b.stream_id));
    const std::string name =
        std::string(b.write ? "write" : "read") + (b.faulted ? " (faulted)" : "");
    events.push_back(slice(name, kDmaPid, tid, b.start, b.end,
                           {{"requests", b.requests}, {"bytes", b.bytes}, {"faulted", b.faulted}}));
  }
  for (const analysis::FaultBurst& f : r.fault_bursts) {
    const uint64_t tid = faults_tid(f.stream_id);
    tracks[tid] = fmt::format("{}: IOMMU faults", r.device_name(f.stream_id));
    // The burst as a slice, its first fault as an instant.
    events.push_back(slice(fmt::format("{} fault{}", f.count, f.count == 1 ? "" : "s"), kDmaPid,
                           tid, f.first, f.last, {{"count", f.count}}));
    events.push_back(instant("fault", kDmaPid, tid, f.first,
                             {{"iova", units::format_hex(f.first_iova)}}));
  }
  for (const auto& [tid, name] : tracks)
    events.push_back(metadata("thread_name", kDmaPid, tid, name));
}

// Where the access that first hit `run` came from: the burst of its device
// under way at the hit, or for a CPU-side kind the step running then.
struct Track {
  int pid = 0;
  uint64_t tid = 0;
};
std::optional<Track> hit_source(const scenario::RunResult& r, const WindowRun& run) {
  const Picos at = *run.first_hit;
  if (analysis::kHazardKinds[static_cast<size_t>(run.kind)].cpu_side) {
    const scenario::StepRecord* st = r.step_at(at);
    if (!st || at > st->end) return std::nullopt;
    return Track{kCpuPid, core_tid(st->core)};
  }
  for (const analysis::ActivityBurst& b : r.bursts)
    if (b.stream_id == run.stream_id && b.start <= at && at <= b.end)
      return Track{kDmaPid, engine_tid(b.stream_id, b.engine)};
  return std::nullopt;
}

void add_exposure(const scenario::RunResult& r, json& events) {
  const scenario::Scenario& s = *r.scenario;
  events.push_back(metadata("process_name", kExposurePid, 0, "exposure"));
  std::map<std::pair<uint32_t, analysis::HazardKind>, uint64_t> tids;
  uint64_t next_flow = 1;
  for (const WindowRun& run : window_runs(r.windows)) {
    const std::string device = r.device_name(run.stream_id);
    auto [it, added] = tids.try_emplace({run.stream_id, run.kind}, tids.size() + 1);
    const uint64_t tid = it->second;
    if (added)
      events.push_back(metadata("thread_name", kExposurePid, tid,
                                fmt::format("{}: {}", device, analysis::to_string(run.kind))));
    json owners = json::array();
    for (OwnerId o : run.owners)
      owners.push_back(o == kNobody ? "nobody" : s.principals[o - 1].name);
    events.push_back(slice(std::string(analysis::to_string(run.kind)), kExposurePid, tid,
                           run.start, run.end,
                           {{"device", device},
                            {"windows", run.windows},
                            {"lines", run.lines},
                            {"first_line", units::format_hex(run.lowest_pa)},
                            {"last_line", units::format_hex(run.highest_pa)},
                            {"owners", std::move(owners)},
                            {"realized_windows", run.realized},
                            {"hits", run.hits},
                            {"open_at_end", run.open_at_end}}));
    if (!run.first_hit) continue;
    events.push_back(instant("first hit", kExposurePid, tid, *run.first_hit,
                             {{"realized_windows", run.realized}, {"hits", run.hits}}));
    if (const std::optional<Track> from = hit_source(r, run)) {
      const json flow{{"name", "hit"}, {"cat", "exposure"}, {"id", next_flow++}};
      json start = flow, finish = flow;
      start.update({{"ph", "s"}, {"pid", from->pid}, {"tid", from->tid},
                    {"ts", us(*run.first_hit)}});
      // A device runs ahead of global time within its quantum, so an access
      // through a stale IOTLB entry can carry a time past the invalidation
      // that closed the window; the arrow still ends on the run it hit.
      finish.update({{"ph", "f"}, {"bp", "e"}, {"pid", kExposurePid}, {"tid", tid},
                     {"ts", us(std::clamp(*run.first_hit, run.start, run.end))}});
      events.push_back(std::move(start));
      events.push_back(std::move(finish));
    }
  }
}

// A counter track: one point per bucket, from time 0.
void add_counter(json& events, const std::string& name, const std::vector<double>& values,
                 Picos width) {
  for (size_t i = 0; i < values.size(); ++i)
    events.push_back({{"ph", "C"}, {"name", name}, {"pid", kCounterPid},
                      {"ts", us(i * width)}, {"args", {{"value", values[i]}}}});
}

// An amount per bucket as a rate per nanosecond (bytes/ns is GB/s), with a
// last point of 0 where the last bucket ends.
std::vector<double> per_ns(const analysis::BucketedSeries& series) {
  std::vector<double> rates = series.per_ns();
  rates.push_back(0);
  return rates;
}

void add_counters(const scenario::RunResult& r, json& events) {
  events.push_back(metadata("process_name", kCounterPid, 0, "counters"));
  // Open runs of windows per kind (a run holds the windows of its lines).
  std::map<analysis::HazardKind, std::vector<const analysis::Window*>> by_kind;
  for (const analysis::Window& w : r.windows) by_kind[w.kind].push_back(&w);
  for (const auto& [kind, windows] : by_kind) {
    analysis::BucketedSeries open;
    for (const auto& [at, count] : open_counts(windows)) open.set(at, static_cast<double>(count));
    add_counter(events, fmt::format("open runs: {}", analysis::to_string(kind)), open.peaks(),
                open.width());
  }
  if (!r.counters) return;
  const analysis::CounterSeries& c = *r.counters;
  if (!c.dirty_lines.empty())
    add_counter(events, "dirty lines", c.dirty_lines.peaks(), c.dirty_lines.width());
  if (!c.dram_read_bytes.empty())
    add_counter(events, "DRAM read (GB/s)", per_ns(c.dram_read_bytes), c.dram_read_bytes.width());
  if (!c.dram_write_bytes.empty())
    add_counter(events, "DRAM write (GB/s)", per_ns(c.dram_write_bytes),
                c.dram_write_bytes.width());
  for (const auto& [stream, iotlb] : c.iotlb) {
    const std::string device = r.device_name(stream);
    std::vector<double> lookups = per_ns(iotlb.lookups);
    for (double& rate : lookups) rate *= 1000;  // per microsecond
    add_counter(events, fmt::format("IOTLB lookups per us: {}", device), lookups,
                iotlb.lookups.width());
    // The hit rate where there were lookups; it holds over buckets without.
    for (size_t i = 0; i < iotlb.lookups.size(); ++i)
      if (const std::optional<double> percent = iotlb.hit_percent(i))
        events.push_back({{"ph", "C"}, {"name", fmt::format("IOTLB hit rate (%): {}", device)},
                          {"pid", kCounterPid}, {"ts", us(i * iotlb.lookups.width())},
                          {"args", {{"value", *percent}}}});
  }
}

}  // namespace

json to_trace(const scenario::RunResult& r) {
  json events = json::array();
  add_cpu(r, events);
  add_dma(r, events);
  add_exposure(r, events);
  add_counters(r, events);
  return {{"displayTimeUnit", "ns"},
          {"otherData",
           {{"scenario", r.scenario->name}, {"policy", r.policy}, {"seed", r.seed}}},
          {"traceEvents", std::move(events)}};
}

}  // namespace iocsim::report
