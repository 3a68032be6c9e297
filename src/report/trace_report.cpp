// SPDX-License-Identifier: GPL-2.0-only
#include "report/trace_report.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "base/units.h"
#include "vfio/errno_names.h"

namespace iocsim::report {
namespace {

using nlohmann::json;

constexpr int kCpuPid = 1, kDmaPid = 2, kExposurePid = 3;
constexpr uint64_t kPageMask = ~uint64_t{0xfff};

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

std::string device_name(const scenario::Scenario& s, uint32_t stream_id) {
  return stream_id ? s.devices[stream_id - 1].name : std::string("CPU");
}

void add_cpu(const scenario::RunResult& r, json& events) {
  events.push_back(metadata("process_name", kCpuPid, 0, "CPU"));
  events.push_back(metadata("thread_name", kCpuPid, 1, "core 0"));
  for (const scenario::StepRecord& st : r.steps) {
    const std::string name = st.name.empty() ? st.op : fmt::format("{} {}", st.op, st.name);
    json args{{"index", st.index}, {"result", st.error ? vfio::errno_name(st.error) : "ok"}};
    for (const auto& [k, v] : st.values) args[k] = v;
    events.push_back(slice(name, kCpuPid, 1, st.start, st.end, std::move(args)));
  }
  for (const vfio::FlushCall& c : r.flush.calls()) {
    events.push_back(slice(fmt::format("flush at {}", vfio::to_string(c.site)), kCpuPid, 1,
                           c.done.start_picos, c.done.end_picos,
                           {{"phys", c.phys ? units::format_hex(c.phys) : "whole cache"},
                            {"bytes", c.bytes},
                            {"lines", c.done.lines},
                            {"lines_written_back", c.done.lines_written_back}}));
  }
}

void add_dma(const scenario::RunResult& r, json& events) {
  const scenario::Scenario& s = *r.scenario;
  events.push_back(metadata("process_name", kDmaPid, 0, "DMA"));
  // Track ids: 1000 per device; engine e is tid base + 1 + e, faults base + 999.
  std::map<uint64_t, std::string> tracks;
  auto engine_tid = [&](uint32_t stream, uint32_t engine) {
    const uint64_t tid = uint64_t{stream} * 1000 + 1 + engine;
    if (!tracks.count(tid))
      tracks[tid] = engine ? fmt::format("{}: {}", device_name(s, stream),
                                         r.actor_names.at(engine - 1))
                           : fmt::format("{}: steps", device_name(s, stream));
    return tid;
  };
  for (const analysis::ActivityBurst& b : r.bursts) {
    const std::string name =
        std::string(b.write ? "write" : "read") + (b.faulted ? " (faulted)" : "");
    events.push_back(slice(name, kDmaPid,
                           engine_tid(b.stream_id, b.engine), b.start, b.end,
                           {{"requests", b.requests}, {"bytes", b.bytes}, {"faulted", b.faulted}}));
  }
  for (const analysis::FaultBurst& f : r.fault_bursts) {
    const uint64_t tid = uint64_t{f.stream_id} * 1000 + 999;
    tracks[tid] = fmt::format("{}: IOMMU faults", device_name(s, f.stream_id));
    // The burst as a slice, its first fault as an instant.
    events.push_back(slice(fmt::format("{} fault{}", f.count, f.count == 1 ? "" : "s"), kDmaPid,
                           tid, f.first, f.last, {{"count", f.count}}));
    events.push_back(instant("fault", kDmaPid, tid, f.first,
                             {{"iova", units::format_hex(f.first_iova)}}));
  }
  for (const auto& [tid, name] : tracks)
    events.push_back(metadata("thread_name", kDmaPid, tid, name));
}

// Windows of one page and kind may overlap (different lines or devices);
// each goes to the first lane of its track free at its start, so slices on
// one track never overlap.
void add_exposure(const scenario::RunResult& r, json& events) {
  const scenario::Scenario& s = *r.scenario;
  events.push_back(metadata("process_name", kExposurePid, 0, "exposure"));
  std::vector<const analysis::Window*> windows;
  for (const analysis::Window& w : r.windows) windows.push_back(&w);
  std::stable_sort(windows.begin(), windows.end(), [](const auto* a, const auto* b) {
    return std::make_tuple(a->pa & kPageMask, a->kind, a->start) <
           std::make_tuple(b->pa & kPageMask, b->kind, b->start);
  });
  using Track = std::pair<uint64_t, analysis::HazardKind>;
  std::map<Track, std::vector<Picos>> lane_ends;
  uint64_t next_tid = 1;
  std::map<std::tuple<uint64_t, analysis::HazardKind, size_t>, uint64_t> tids;
  for (const analysis::Window* w : windows) {
    const Track track{w->pa & kPageMask, w->kind};
    std::vector<Picos>& ends = lane_ends[track];
    size_t lane = 0;
    while (lane < ends.size() && ends[lane] > w->start) ++lane;
    if (lane == ends.size()) ends.push_back(0);
    ends[lane] = w->end;
    auto [it, added] = tids.try_emplace({track.first, track.second, lane}, next_tid);
    if (added) {
      ++next_tid;
      events.push_back(metadata(
          "thread_name", kExposurePid, it->second,
          fmt::format("page {} {}{}", units::format_hex(track.first),
                      analysis::to_string(track.second),
                      lane ? fmt::format(" ({})", lane + 1) : std::string())));
    }
    const std::string device = device_name(s, w->stream_id);
    json args{{"pa", units::format_hex(w->pa)},
              {"size", w->size},
              {"iova", units::format_hex(w->iova)},
              {"device", device},
              {"owner", w->owner == kNobody ? "nobody"
                                                    : s.principals[w->owner - 1].name},
              {"hits", w->hits},
              {"open_at_end", w->open_at_end}};
    events.push_back(slice(fmt::format("{} ({})", analysis::to_string(w->kind), device),
                           kExposurePid, it->second, w->start, w->end, args));
    if (w->realized)
      events.push_back(instant("first hit", kExposurePid, it->second, w->first_hit,
                               {{"pa", units::format_hex(w->pa)}, {"hits", w->hits}}));
  }
}

}  // namespace

json to_trace(const scenario::RunResult& r) {
  json events = json::array();
  add_cpu(r, events);
  add_dma(r, events);
  add_exposure(r, events);
  return {{"displayTimeUnit", "ns"},
          {"otherData",
           {{"scenario", r.scenario->name}, {"policy", r.policy}, {"seed", r.seed}}},
          {"traceEvents", std::move(events)}};
}

}  // namespace iocsim::report
