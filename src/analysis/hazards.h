// SPDX-License-Identifier: GPL-2.0-only
// The hazards the oracle reports (docs/format.md 5), their windows and the
// run's counters, each list declared once: reports, expectations and the
// text tables derive from kHazardKinds and kCounters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

#include "base/line_value.h"
#include "base/picos.h"

namespace iocsim::analysis {

enum class HazardKind : uint8_t {
  stale_device_read,  // a device can read (or read) data older than the newest
  leak,               // ... and that data belongs to another principal
  stale_cpu_read,
  lost_write,
  stale_iotlb_access,
  disclosure,  // a device can read another principal's newest data
};

struct HazardKindInfo {
  HazardKind kind;
  std::string_view name;  // as reports write it
  // The CPU's cache holds an older copy than a device's write (else a device
  // can read older data than the newest, or through a stale translation).
  bool cpu_side;
};

inline constexpr HazardKindInfo kHazardKinds[] = {
    {HazardKind::stale_device_read, "stale_device_read", false},
    {HazardKind::leak, "leak", false},
    {HazardKind::stale_cpu_read, "stale_cpu_read", true},
    {HazardKind::lost_write, "lost_write", true},
    {HazardKind::stale_iotlb_access, "stale_iotlb_access", false},
    {HazardKind::disclosure, "disclosure", false},
};

inline constexpr bool hazard_kinds_in_enum_order() {
  for (size_t i = 0; i < std::size(kHazardKinds); ++i)
    if (static_cast<size_t>(kHazardKinds[i].kind) != i) return false;
  return true;
}
static_assert(hazard_kinds_in_enum_order(), "kHazardKinds follows the HazardKind enum");

inline constexpr std::string_view to_string(HazardKind kind) {
  return kHazardKinds[static_cast<size_t>(kind)].name;
}
// The kind named `name`, or null.
const HazardKindInfo* hazard_kind_named(std::string_view name);

// One exposure window: lines [pa, pa + size) over [start, end).
// Device-side windows (stale_device_read, leak): the lines are mapped at
// `iova` for device `stream_id` and DRAM holds data owned by `owner`.
// CPU-side windows (stale_cpu_read, lost_write): the CPU cache holds an older
// copy than what device `stream_id` wrote at `iova`; `owner` owns the device's
// data, which a CPU read would not see or a write-back would destroy.
// stale_iotlb_access windows: an IOTLB entry of a domain device `stream_id` is
// attached to still translated `iova` to [pa, pa + size) after the mapping
// was removed, until the entry was invalidated or evicted; `owner` owned the
// data the first access through it read (never hit: the data there when the
// window opened).
// disclosure windows: lines mapped at `iova` for device `stream_id` (through
// a mapping or a stale IOTLB entry) whose newest data `owner`, a principal
// other than the device's, owns. With leak windows (another's older data)
// they are where a device read discloses another principal's data; a line
// has one device-side window at a time, a stale read's (stale_device_read or
// leak) taking precedence.
// A window as reported is a run: the windows of adjacent lines (the next
// lines in PA and IOVA) with the same kind, device, owner and `open_at_end`
// that overlap in time, merged (MergedWindows), so a device transfer of
// gigabytes that opens a window per line is one entry. `windows` says how
// many it holds: one per line, a stale IOTLB entry's one for the entry.
// [start, end) spans them all: the first opening to the last close; `longest`
// is the longest of them (each line's own window is what `max_window_ns`
// measures). `realized_windows` of them were hit by an access, `hits`
// accesses in all, the first at `first_hit`; `quickest_hit` is the shortest
// time from one of them opening to its first hit. `open_at_end` if the
// run ended with its windows still open (then `end` is the end of the run).
struct Window {
  HazardKind kind = HazardKind::stale_device_read;
  uint64_t pa = 0;
  uint64_t size = 0;
  uint64_t iova = 0;
  uint32_t stream_id = 0;
  OwnerId owner = kNobody;
  Picos start = 0;
  Picos end = 0;
  Picos longest = 0;
  uint64_t windows = 1;
  uint64_t realized_windows = 0;
  uint64_t hits = 0;
  Picos first_hit = 0;
  Picos quickest_hit = 0;
  bool open_at_end = false;

  bool realized() const { return realized_windows > 0; }
};

// The run's counters: realized events, one per access, and the warnings the
// simulated kernel raised.
struct Counts {
  uint64_t leaks = 0;
  uint64_t disclosures = 0;  // device reads of another principal's data, leaks included
  uint64_t stale_device_reads = 0;
  uint64_t stale_cpu_reads = 0;
  uint64_t lost_writes = 0;
  uint64_t stale_iotlb_accesses = 0;
  uint64_t iommu_faults = 0;
  uint64_t kernel_warnings = 0;
};

struct CounterInfo {
  std::string_view key;    // in the report's `counts` and end-of-run expectations
  std::string_view label;  // in the text report
  // What one count is, as the text report says beside the label: device and
  // CPU accesses are observed one 64-byte line at a time (models/common/
  // observer.h), a faulted DMA request is one request, a warning one warning.
  std::string_view unit;
  uint64_t Counts::*field;
};

// A counter's label with what it counts, as reports and plots name it:
// "leaks (lines)".
std::string counter_label(const CounterInfo& c);

inline constexpr CounterInfo kCounters[] = {
    {"leaks", "leaks", "lines", &Counts::leaks},
    {"disclosures", "disclosures", "lines", &Counts::disclosures},
    {"stale_device_reads", "stale device reads", "lines", &Counts::stale_device_reads},
    {"stale_cpu_reads", "stale CPU reads", "lines", &Counts::stale_cpu_reads},
    {"lost_writes", "lost writes", "lines", &Counts::lost_writes},
    {"stale_iotlb_accesses", "stale IOTLB accesses", "lines", &Counts::stale_iotlb_accesses},
    {"iommu_faults", "IOMMU faults", "requests", &Counts::iommu_faults},
    {"kernel_warnings", "kernel warnings", "", &Counts::kernel_warnings},
};

}  // namespace iocsim::analysis
