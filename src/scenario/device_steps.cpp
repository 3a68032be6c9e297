// SPDX-License-Identifier: GPL-2.0-only
// dma, spawn and wait: what each step reads from the scenario and what it
// does through the DMA masters and SystemC time.
#include "scenario/device_steps.h"

#include <fmt/format.h>

#include <systemc>

#include "base/spelling.h"
#include "models/common/time.h"
#include "scenario/run_state.h"
#include "scenario/step_args_reader.h"

namespace iocsim::scenario {

using detail::Run;
using detail::StepArgsReader;
using detail::StepOutcome;

namespace {

bool whole_lines(uint64_t iova, uint64_t size) {
  return size != 0 && size % kLineBytes == 0 && iova % kLineBytes == 0;
}

constexpr const char* kWholeLines =
    "device transfers are whole 64-byte lines: iova and size must be multiples of 64 and size "
    "non-zero";

}  // namespace

const StepKind& DmaStep::kind() {
  static const StepKind k{"dma", {"device", "read", "write", "no_snoop", "fill"}, {"fault", "sees"}};
  return k;
}

std::vector<std::string> DmaStep::expect_keys() const {
  if (write) return {"fault"};
  return kind().expect;
}

void DmaStep::parse(StepArgsReader& a, const Step&) {
  detail::LoaderContext& c = a.context();
  device = a.device(StepArgsReader::DeviceKind::dma);
  const YAML::Node rd = a["read"], wr = a["write"];
  if (bool(rd) == bool(wr)) {
    c.r.error(a.node(), "a dma step has exactly one of 'read' or 'write'");
    a.ok = false;
  } else {
    write = bool(wr);
    const YAML::Node range = write ? wr : rd;
    const std::string rw = write ? "dma write" : "dma read";
    if (c.r.expect_map(range, rw)) {
      c.r.check_keys(range, {"iova", "size"}, rw);
      for (const char* key : {"iova", "size"}) {
        if (!range[key]) {
          c.r.error(range, fmt::format("{} needs '{}'", rw, key));
          a.ok = false;
        }
      }
      if (range["iova"] && range["size"]) {
        auto at = c.address(range["iova"], "iova");
        auto bytes = c.r.size(range["size"], "size");
        a.ok = a.ok && at && bytes;
        iova = at.value_or(0);
        size = bytes.value_or(0);
        if (bytes && !whole_lines(iova, *bytes)) {
          c.r.error(range, kWholeLines);
          a.ok = false;
        }
      }
    } else {
      a.ok = false;
    }
  }
  no_snoop = a.opt_flag("no_snoop");
  fill = a.device_fill(write, "only a dma write stores data ('fill')");
}

StepOutcome DmaStep::run(Run& r, const Step&) const {
  StepOutcome out;
  const Device& d = r.s.devices[device];
  models::DmaMaster& master = r.machine->dma(d.name);
  const bool ns = no_snoop.value_or(d.no_snoop);
  const uint64_t stale = r.oracle.counts().stale_device_reads;
  models::DmaResult result = write ? master.write(iova, size, ns, fill) : master.read(iova, size, ns);
  out.faults = result.faults;
  out.seen = std::move(result.values);
  out.stale = r.oracle.counts().stale_device_reads - stale;
  out.values = {{"lines", result.lines}, {"faults", result.faults}};
  if (!write) out.values.push_back({"stale_lines", out.stale});
  return out;
}

const StepKind& SpawnStep::kind() {
  static const StepKind k{
      "spawn",
      {"device", "pattern", "iova", "size", "every", "until", "write", "no_snoop", "fill"},
      {}};
  return k;
}

void SpawnStep::parse(StepArgsReader& a, const Step& step) {
  detail::LoaderContext& c = a.context();
  if (step.name.empty()) {
    c.r.error(a.node(), "a spawn step needs 'name': it names the actor");
    a.ok = false;
  }
  device = a.device(StepArgsReader::DeviceKind::dma);
  if (const YAML::Node p = a.need("pattern")) {
    auto name = c.r.choice(p, "pattern", enum_names(models::kDmaPatternNames));
    a.ok = a.ok && name;
    if (name) pattern = *models::dma_pattern_named(*name);
  }
  iova = a.address("iova");
  size = a.size("size");
  if (a["iova"] && a["size"] && a.ok && !whole_lines(iova, size)) {
    c.r.error(a.node(), kWholeLines);
    a.ok = false;
  }
  if (a["every"]) {
    auto time = c.r.duration(a["every"], "every");
    a.ok = a.ok && time;
    every = time.value_or(units::Duration{});
  }
  if (const YAML::Node u = a["until"]) {
    // A time, `end`, or the name of a later step (checked once all are loaded).
    if (u.IsScalar() && u.Scalar() != "end") {
      if (auto time = units::parse_duration(u.Scalar())) {
        until_time = *time;
      } else {
        auto name = c.r.string(u, "until");
        a.ok = a.ok && name;
        until_step = name;
        c.actor_runs_until(step.index, u);
      }
    } else if (!u.IsScalar()) {
      c.r.error(u, "until is a time, a step name or end");
      a.ok = false;
    }
  }
  write = a.opt_bool("write", false);
  no_snoop = a.opt_flag("no_snoop");
  fill = a.device_fill(write, "only an actor that writes stores data ('fill')");
}

// Starts the actor in a SystemC thread of its own.
StepOutcome SpawnStep::run(Run& r, const Step& step) const {
  const Device& d = r.s.devices[device];
  const uint64_t hz = r.machine->cpu().config().hz;
  models::DmaActorConfig config;
  config.pattern = pattern;
  config.iova = iova;
  config.size = size;
  config.every = units::to_picos(every, hz);
  config.write = write;
  config.no_snoop = no_snoop.value_or(d.no_snoop);
  config.tag = fill;
  config.seed = r.result.seed * 1000003 + r.actors.size();  // distinct per actor, fixed per seed
  config.engine = static_cast<uint32_t>(r.actors.size() + 1);
  r.actors.push_back(
      {step.name, std::make_unique<models::DmaActor>(step.name, r.machine->dma(d.name), config)});
  models::DmaActor* actor = r.actors.back().engine.get();

  std::optional<Picos> until;
  if (until_time) {
    until = units::to_picos(*until_time, hz);
    r.actors_until = std::max(r.actors_until, *until);
  }
  const std::optional<std::string> after = until_step;
  const std::set<std::string>* finished = &r.finished_steps;
  sc_core::sc_spawn(
      [actor, until, after, finished] {
        actor->run([&](Picos now) {
          return (until && now >= *until) || (after && finished->count(*after));
        });
      },
      sc_core::sc_gen_unique_name(("actor_" + step.name).c_str()));
  return {};
}

const StepKind& WaitStep::kind() {
  static const StepKind k{"wait", {}, {}, StepScope::none, true};
  return k;
}

void WaitStep::parse(StepArgsReader& a, const Step&) {
  auto duration = a.context().r.duration(a.node(), "wait");
  a.ok = a.ok && duration;
  time = duration.value_or(units::Duration{});
}

StepOutcome WaitStep::run(Run& r, const Step&) const {
  sc_core::wait(models::from_picos(units::to_picos(time, r.machine->cpu().config().hz)));
  return {};
}

}  // namespace iocsim::scenario
