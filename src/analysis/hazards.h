// SPDX-License-Identifier: GPL-2.0-only
// The hazards the oracle reports (docs/format.md 5) and their records.
#pragma once

#include <cstdint>

#include "base/line_value.h"
#include "base/picos.h"

namespace iocsim::analysis {

enum class HazardKind : uint8_t {
  stale_device_read,  // a device can read (or read) data older than the newest
  leak,               // ... and that data belongs to another principal
  stale_cpu_read,
  lost_write,
  stale_iotlb_access,
};

const char* to_string(HazardKind kind);

// One exposure window: lines [pa, pa + size) of one page over [start, end).
// Device-side windows (stale_device_read, leak): the lines are mapped at
// `iova` for device `stream_id` and DRAM holds data owned by `owner`.
// CPU-side windows (stale_cpu_read, lost_write): the CPU cache holds an older
// copy than what device `stream_id` wrote at `iova`; `owner` owns the device's
// data, which a CPU read would not see or a write-back would destroy.
// stale_iotlb_access windows: an IOTLB entry of a domain device `stream_id` is
// attached to still translated `iova` to [pa, pa + size) after the mapping
// was removed, until the entry was invalidated or evicted; `owner` owned the
// data there when the window opened.
// `realized` if at least one access hit it (`hits` of them, the first at
// `first_hit`); `open_at_end` if the run ended with the window still open
// (then `end` is the end of the run).
struct Window {
  HazardKind kind = HazardKind::stale_device_read;
  uint64_t pa = 0;
  uint64_t size = 0;
  uint64_t iova = 0;
  uint32_t stream_id = 0;
  OwnerId owner = kNobody;
  Picos start = 0;
  Picos end = 0;
  bool realized = false;
  Picos first_hit = 0;
  uint64_t hits = 0;
  bool open_at_end = false;

  Picos duration() const { return end - start; }
};

// Realized events, one per access.
struct Counts {
  uint64_t leaks = 0;
  uint64_t stale_device_reads = 0;
  uint64_t stale_cpu_reads = 0;
  uint64_t lost_writes = 0;
  uint64_t stale_iotlb_accesses = 0;
  uint64_t iommu_faults = 0;
};

}  // namespace iocsim::analysis
