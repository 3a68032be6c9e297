// SPDX-License-Identifier: GPL-2.0-only
// alloc, touch, write, read, free, flush and mmio: what each step reads from
// the scenario and what it does through the host model.
#include "scenario/memory_steps.h"

#include <algorithm>

#include <fmt/format.h>

#include "scenario/run_state.h"
#include "scenario/step_args_reader.h"

namespace iocsim::scenario {

using detail::Run;
using detail::StepArgsReader;
using detail::StepOutcome;
using host::kHugePageSize;
using host::kPageSize;

namespace {

// Why a step's range is whole units of what it is.
constexpr const char* kWholeLines = "a CPU step covers whole 64-byte lines";
constexpr const char* kWholePages = "memory is mapped in whole 4KiB pages";
constexpr const char* kWholeFolios = "a huge mapping is whole 2MiB folios";

// The range of a step that maps memory: whole pages, or folios when `huge`.
StepArgsReader::Range mapped_range(StepArgsReader& a, bool huge) {
  return huge ? a.whole(kHugePageSize, kWholeFolios) : a.whole(kPageSize, kWholePages);
}

}  // namespace


const StepKind& AllocStep::kind() {
  static const StepKind k{"alloc", {"as", "va", "size", "huge", "prot"}, {}};
  return k;
}

void AllocStep::parse(StepArgsReader& a, const Step&) {
  as = a.principal();
  huge = a.opt_bool("huge", false);
  const StepArgsReader::Range range = mapped_range(a, huge);
  va = range.va;
  size = range.size;
  writable = a.writable();
}

StepOutcome AllocStep::run(Run& r, const Step&) const {
  StepOutcome out;
  out.error = r.host->mmap(r.principal(as), va, size, writable, huge);
  return out;
}

const StepKind& TouchStep::kind() {
  static const StepKind k{"touch", {"as", "va", "size", "fill", "huge", "pa", "prot"}, {}};
  return k;
}

void TouchStep::parse(StepArgsReader& a, const Step&) {
  as = a.principal();
  huge = a.opt_bool("huge", false);
  const StepArgsReader::Range range = mapped_range(a, huge);
  va = range.va;
  size = range.size;
  fill = a.fill();
  writable = a.writable();
  if (a["pa"]) {
    pa = a.context().address(a["pa"], "pa");
    a.ok = a.ok && pa;
    if (pa && *pa % kPageSize != 0) {
      a.context().r.error(a["pa"], fmt::format("pa must be a multiple of 4KiB (a frame's "
                                               "address), got {:#x}", *pa));
      a.ok = false;
    }
  }
}

StepOutcome TouchStep::run(Run& r, const Step&) const {
  StepOutcome out;
  host::Process& p = r.principal(as);
  std::optional<host::Fill> data;
  if (fill) data = host::Fill{p.id(), *fill};
  out.error = r.host->touch(p, va, size, writable, huge, pa, data);
  return out;
}

const StepKind& WriteStep::kind() {
  static const StepKind k{"write", {"as", "va", "size", "fill"}, {}};
  return k;
}

void WriteStep::parse(StepArgsReader& a, const Step&) {
  as = a.principal();
  const StepArgsReader::Range range = a.whole(kLineBytes, kWholeLines);
  va = range.va;
  size = range.size;
  fill = a.fill().value_or(kNoTag);
}

StepOutcome WriteStep::run(Run& r, const Step&) const {
  StepOutcome out;
  host::Process& p = r.principal(as);
  out.error = r.host->write(p, va, size, {p.id(), fill});
  return out;
}

const StepKind& ReadStep::kind() {
  static const StepKind k{"read", {"as", "va", "size"}, {"sees"}};
  return k;
}

void ReadStep::parse(StepArgsReader& a, const Step&) {
  as = a.principal();
  const StepArgsReader::Range range = a.whole(kLineBytes, kWholeLines);
  va = range.va;
  size = range.size;
}

StepOutcome ReadStep::run(Run& r, const Step&) const {
  StepOutcome out;
  const uint64_t stale = r.oracle.counts().stale_cpu_reads;
  host::ReadResult read = r.host->read(r.principal(as), va, size);
  out.error = read.error;
  out.seen = std::move(read.values);
  out.stale = r.oracle.counts().stale_cpu_reads - stale;
  out.values = {{"lines", out.seen.lines}, {"stale_lines", out.stale}};
  return out;
}

const StepKind& FreeStep::kind() {
  static const StepKind k{"free", {"as", "va", "size"}, {}};
  return k;
}

void FreeStep::parse(StepArgsReader& a, const Step&) {
  as = a.principal();
  const StepArgsReader::Range range = a.whole(kPageSize, kWholePages);
  va = range.va;
  size = range.size;
}

StepOutcome FreeStep::run(Run& r, const Step&) const {
  StepOutcome out;
  out.error = r.host->munmap(r.principal(as), va, size);
  return out;
}

const StepKind& FlushStep::kind() {
  static const StepKind k{"flush", {"as", "va", "size", "op"}, {}};
  return k;
}

void FlushStep::parse(StepArgsReader& a, const Step&) {
  as = a.principal();
  auto name = a["op"] ? a.context().r.choice(a["op"], "flush op", scenario_cache_op_names())
                      : std::optional<std::string>();
  if (!a["op"]) a.need("op");
  a.ok = a.ok && name;
  if (!name) return;
  op = *cache_op_named(*name);
  // wbinvd flushes everything: a range is optional.
  if (!info(op).whole_cache || a["va"] || a["size"]) {
    const StepArgsReader::Range range = a.whole(kLineBytes, kWholeLines);
    va = range.va;
    size = range.size;
  }
}

StepOutcome FlushStep::run(Run& r, const Step&) const {
  StepOutcome out;
  host::FlushOutcome f;
  out.error = r.host->flush(r.principal(as), va, size, op, f);
  out.values = {{"lines", f.lines}, {"lines_written_back", f.lines_written_back}};
  return out;
}

const StepKind& MmioStep::kind() {
  static const StepKind k{"mmio", {"as", "va", "size", "device"}, {}};
  return k;
}

void MmioStep::parse(StepArgsReader& a, const Step&) {
  as = a.principal();
  const StepArgsReader::Range range = a.whole(kPageSize, kWholePages);
  va = range.va;
  size = range.size;
  device = a.device(StepArgsReader::DeviceKind::any);
}

StepOutcome MmioStep::run(Run& r, const Step&) const {
  StepOutcome out;
  // BARs are naturally aligned powers of two, placed above RAM and 4 GiB.
  uint64_t bar_size = kPageBytes;
  while (bar_size < size) bar_size <<= 1;
  if (!r.next_bar)
    r.next_bar = std::max(r.s.platform.params.size("memory.size"), uint64_t{4} << 30);
  r.next_bar = (r.next_bar + bar_size - 1) & ~(bar_size - 1);
  out.error = r.host->mmio(r.principal(as), va, size, r.next_bar);
  if (!out.error) {
    out.values = {{"bar", r.next_bar}};
    r.next_bar += bar_size;
  }
  return out;
}

}  // namespace iocsim::scenario
