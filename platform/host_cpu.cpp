// SPDX-License-Identifier: GPL-2.0-only
#include "platform/host_cpu.h"

namespace iocsim::platform {

void HostCpu::store(uint64_t pa, uint64_t bytes, OwnerId owner, TagId tag) {
  cpu().store(pa, bytes, owner, tag);
}

std::vector<LineValue> HostCpu::load(uint64_t pa, uint64_t bytes) {
  return cpu().load(pa, bytes);
}

host::FlushOutcome HostCpu::flush(uint64_t pa, uint64_t bytes, CacheOp op) {
  const Picos start = cpu().now();
  models::FlushCounts counts;
  if (info(op).whole_cache) {
    counts = cpu().whole_cache(op);
  } else {
    const uint64_t first = line_base(pa);
    const uint64_t end = line_base(pa + bytes + kLineBytes - 1);
    counts = cpu().flush_range(first, end - first, op);
    // clflushopt, clwb and the arm64 DC ops complete only at a fence (MFENCE,
    // DSB); clflush needs none.
    if (!info(cpu().native(op)).serialised) cpu().mfence();
  }
  return {counts.lines_resident, counts.lines_written_back, cpu().now() - start};
}

void HostCpu::compute(uint64_t picos) { cpu().compute(picos); }

void HostCpu::compute_times(uint64_t n, uint64_t picos) { cpu().compute_times(n, picos); }

uint64_t HostCpu::computes_unseen(uint64_t picos) const {
  return cpu().computes_to_sync(picos);
}

}  // namespace iocsim::platform
