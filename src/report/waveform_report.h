// SPDX-License-Identifier: GPL-2.0-only
// `--vcd`: the run's main signals as a VCD waveform (GTKWave). Every leaf
// name is unique, so a flat signal list still says what each one is:
//   cpu.coreN_step                 the step running on core N: "INDEX:OP:NAME",
//                                  "-" between steps (a GTKWave string)
//   cpu.coreN_flushing             inside a call of the flush helper
//   dma.DEVICE_ENGINE              bursts of requests (ENGINE: steps, or an actor)
//   dma.DEVICE_faulting            from the first to the last fault of a burst
//   exposure.DEVICE_KIND           a window of that kind open for the device
//   exposure.DEVICE_KIND_open      how many are open
//   exposure.DEVICE_KIND_hit       an event at each window's first hit
//   counters.dirty_lines           lines the CPU caches hold dirty (peak per bucket)
//   counters.dram_read_GBps, counters.dram_write_GBps
//   counters.DEVICE_iotlb_hit_pct  where the device looked translations up
// The counters come in at most 1024 buckets (analysis/bucketed_series.h).
#pragma once

#include <ostream>

#include "scenario/driver.h"

namespace iocsim::report {

void write_waveform(const scenario::RunResult& result, std::ostream& out);

}  // namespace iocsim::report
