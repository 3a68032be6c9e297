// SPDX-License-Identifier: GPL-2.0-only
// Random but reproducible scenarios for the stress test, in the spirit of
// syzkaller: every VFIO step of docs/format.md 3 with every flag mix, arbitrary
// and boundary arguments (zero, unaligned, page-straddling, wrapping, the top
// of the address space), fault injection, host memory operations and device
// DMA, on a fixed cast of principals, devices and containers. The output is
// scenario YAML, so a failing sequence is a file anyone can run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace iocsim::stress {

// The scenario's fixed part (principals, devices) with `steps` appended.
std::string scenario_text(uint64_t seed, const std::vector<std::string>& steps);

// `count` random steps, each one YAML flow mapping line ("- map: {...}"),
// the same for the same seed.
std::vector<std::string> random_steps(uint64_t seed, size_t count);

}  // namespace iocsim::stress
