// SPDX-License-Identifier: GPL-2.0-only
// `--vcd`: the run's main signals as a VCD waveform (GTKWave):
//   cpu.step                 the index of the step running (from its start)
//   cpu.flushing             inside a call of the flush helper
//   dma.DEVICE.ENGINE        bursts of requests (ENGINE: steps, or an actor)
//   dma.DEVICE.faulting      from the first to the last fault of a burst
//   exposure.KIND.page_PA    a window of that kind open on the page
#pragma once

#include <ostream>

#include "scenario/driver.h"

namespace iocsim::report {

void write_waveform(const scenario::RunResult& result, std::ostream& out);

}  // namespace iocsim::report
