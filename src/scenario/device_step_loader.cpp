// SPDX-License-Identifier: GPL-2.0-only
// Arguments of the device steps: dma (one transfer) and spawn (a background
// actor).
#include <fmt/format.h>

#include "base/spelling.h"
#include "scenario/step_args_reader.h"

namespace iocsim::scenario::detail {
namespace {

bool whole_lines(uint64_t iova, uint64_t size) {
  return size != 0 && size % kLineBytes == 0 && iova % kLineBytes == 0;
}

constexpr const char* kWholeLines =
    "device transfers are whole 64-byte lines: iova and size must be multiples of 64 and size "
    "non-zero";

}  // namespace

// The required `device`: one that does DMA (not an emulated one).
size_t LoaderContext::dma_device(StepArgsReader& a) {
  const YAML::Node d = a.need("device");
  if (!d) return 0;
  auto index = device(d);
  a.ok = a.ok && index;
  if (index && s.devices[*index].emulated) {
    r.error(d, fmt::format("device '{}' is emulated: it reaches memory through pin_pages, not DMA",
                           s.devices[*index].name));
    a.ok = false;
  }
  return index.value_or(0);
}

bool LoaderContext::load_device_args(const std::string& op, StepArgsReader& a, Step& step) {
  if (op == "spawn") {
    load_spawn_args(a, step);
    return true;
  }
  if (op == "dma") {
    DmaStep x{0, false, 0, 0, std::nullopt, kNoTag};
    x.device = dma_device(a);
    const YAML::Node rd = a["read"], wr = a["write"];
    if (bool(rd) == bool(wr)) {
      r.error(a.node(), "a dma step has exactly one of 'read' or 'write'");
      a.ok = false;
    } else {
      x.write = bool(wr);
      const YAML::Node range = x.write ? wr : rd;
      const std::string rw = x.write ? "dma write" : "dma read";
      if (r.expect_map(range, rw)) {
        r.check_keys(range, {"iova", "size"}, rw);
        for (const char* key : {"iova", "size"}) {
          if (!range[key]) {
            r.error(range, fmt::format("{} needs '{}'", rw, key));
            a.ok = false;
          }
        }
        if (range["iova"] && range["size"]) {
          auto iova = address(range["iova"], "iova");
          auto size = r.size(range["size"], "size");
          a.ok = a.ok && iova && size;
          x.iova = iova.value_or(0);
          x.size = size.value_or(0);
          if (size && !whole_lines(x.iova, *size)) {
            r.error(range, kWholeLines);
            a.ok = false;
          }
        }
      } else {
        a.ok = false;
      }
    }
    x.no_snoop = a.opt_flag("no_snoop");
    x.fill = a.device_fill(x.write, "only a dma write stores data ('fill')");
    step.args = x;
  } else {
    return false;
  }
  return true;
}

void LoaderContext::load_spawn_args(StepArgsReader& a, Step& step) {
  SpawnStep x{0, models::DmaPattern::probe, 0, 0, {}, std::nullopt, std::nullopt, false,
              std::nullopt, kNoTag};
  if (step.name.empty()) {
    r.error(a.node(), "a spawn step needs 'name': it names the actor");
    a.ok = false;
  }
  x.device = dma_device(a);
  if (const YAML::Node p = a.need("pattern")) {
    auto pattern = r.choice(p, "pattern", {"probe", "stream", "random"});
    a.ok = a.ok && pattern;
    if (pattern)
      x.pattern = *pattern == "probe"    ? models::DmaPattern::probe
                  : *pattern == "stream" ? models::DmaPattern::stream
                                         : models::DmaPattern::random;
  }
  x.iova = a.address("iova");
  x.size = a.size("size");
  if (a["iova"] && a["size"] && a.ok && !whole_lines(x.iova, x.size)) {
    r.error(a.node(), kWholeLines);
    a.ok = false;
  }
  if (a["every"]) {
    auto every = r.duration(a["every"], "every");
    a.ok = a.ok && every;
    x.every = every.value_or(units::Duration{});
  }
  if (const YAML::Node u = a["until"]) {
    // A time, `end`, or the name of a later step (checked once all are loaded).
    if (u.IsScalar() && u.Scalar() != "end") {
      if (auto time = units::parse_duration(u.Scalar())) {
        x.until_time = *time;
      } else {
        auto name = r.string(u, "until");
        a.ok = a.ok && name;
        x.until_step = name;
        spawn_until_.emplace_back(step.index, u);
      }
    } else if (!u.IsScalar()) {
      r.error(u, "until is a time, a step name or end");
      a.ok = false;
    }
  }
  x.write = a.opt_bool("write", false);
  x.no_snoop = a.opt_flag("no_snoop");
  x.fill = a.device_fill(x.write, "only an actor that writes stores data ('fill')");
  step.args = x;
}

void LoaderContext::check_spawn_limits() {
  for (const auto& [index, node] : spawn_until_) {
    const std::string name = node.Scalar();
    bool later = false;
    std::vector<std::string> names;
    for (const Step& step : s.steps) {
      if (step.index <= index || step.name.empty()) continue;
      later = later || step.name == name;
      names.push_back(step.name);
    }
    if (!later)
      r.error(node, fmt::format("until: no later step is named '{}'{} (a time, a later step's "
                                "name, or end)",
                                name, did_you_mean(name, names)));
  }
}

}  // namespace iocsim::scenario::detail
