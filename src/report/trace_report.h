// SPDX-License-Identifier: GPL-2.0-only
// `--trace`: the run as a Chrome trace-event JSON timeline (opens in Perfetto
// and chrome://tracing). Three processes:
//   CPU       one track per core: every step, with its flush calls inside;
//   DMA       one track per device engine (the device's own steps, then each
//             spawned actor) with bursts of back-to-back requests, and one
//             track of IOMMU faults per device as instant events;
//   exposure  tracks per page and hazard kind with every window, and an
//             instant event at each window's first hit.
// Timestamps are microseconds with picosecond resolution.
#pragma once

#include <nlohmann/json.hpp>

#include "scenario/driver.h"

namespace iocsim::report {

nlohmann::json to_trace(const scenario::RunResult& result);

}  // namespace iocsim::report
