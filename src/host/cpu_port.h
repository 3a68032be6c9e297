// SPDX-License-Identifier: GPL-2.0-only
// What the host OS needs from a CPU: stores and loads of physical memory,
// cache maintenance, and time spent computing. The platform implements it on
// the CPU agent model; tests implement it with a plain array.
#pragma once

#include <cstdint>
#include <vector>

#include "base/cache_op.h"
#include "base/line_value.h"

namespace iocsim::host {

struct FlushOutcome {
  uint64_t lines = 0;               // lines the cache held
  uint64_t lines_written_back = 0;  // of which dirty
  uint64_t cpu_picos = 0;           // CPU time the flush took
};

class CpuPort {
 public:
  virtual ~CpuPort() = default;
  // New data over whole lines, owned by `owner` (kNobody for zeroes).
  virtual void store(uint64_t pa, uint64_t bytes, OwnerId owner, TagId tag) = 0;
  virtual std::vector<LineValue> load(uint64_t pa, uint64_t bytes) = 0;
  // `op` on every line of [pa, pa + bytes), then a fence: what
  // clflush_cache_range() does (wbinvd ignores the range).
  virtual FlushOutcome flush(uint64_t pa, uint64_t bytes, CacheOp op) = 0;
  virtual void compute(uint64_t picos) = 0;
  // compute(picos), n times over.
  virtual void compute_times(uint64_t n, uint64_t picos) = 0;
  // How many compute(picos) calls from now other simulated activity sees
  // only the end of (the last of them lets it run, the others do not): work
  // done between them is seen as done at once. UINT64_MAX if it sees none.
  virtual uint64_t computes_unseen(uint64_t picos) const = 0;
};

}  // namespace iocsim::host
