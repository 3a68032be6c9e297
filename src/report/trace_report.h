// SPDX-License-Identifier: GPL-2.0-only
// `--trace`: the run as a Chrome trace-event JSON timeline (opens in Perfetto
// and chrome://tracing). Four processes:
//   CPU       one track per core: every step that ran on it, with the flush
//             calls it made inside;
//   DMA       one track per device engine (the device's own steps, then each
//             spawned actor) with bursts of back-to-back requests, and one
//             track of IOMMU faults per device;
//   exposure  one track per device and hazard kind: its windows merged into
//             runs while they overlap (window_runs.h), with an instant at a
//             run's first hit and a flow arrow to it from the device burst
//             (or, for the CPU-side kinds, the step) that made the hit;
//   counters  open runs of windows per kind, dirty lines, DRAM read and write
//             bandwidth, and IOTLB lookups and hit rate per device, in at
//             most 1024 buckets each (analysis/bucketed_series.h); when the
//             run recorded them (RunOptions::record_counters).
// Timestamps are microseconds with picosecond resolution.
#pragma once

#include <nlohmann/json.hpp>

#include "scenario/driver.h"

namespace iocsim::report {

nlohmann::json to_trace(const scenario::RunResult& result);

}  // namespace iocsim::report
