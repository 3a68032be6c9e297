// SPDX-License-Identifier: GPL-2.0-only
// A CPU for host and port tests: memory is a map of line values, every
// store is recorded, and time is just a counter of what was charged.
#pragma once

#include <functional>
#include <map>
#include <vector>

#include "host/cpu_port.h"

namespace iocsim::test {

class FakeCpu : public host::CpuPort {
 public:
  struct Store {
    uint64_t pa, bytes;
    OwnerId owner;
    TagId tag;
  };

  void store(uint64_t pa, uint64_t bytes, OwnerId owner, TagId tag) override {
    stores.push_back({pa, bytes, owner, tag});
    const LineValue v{++version, owner, tag};
    for (uint64_t off = 0; off < bytes; off += kLineBytes) lines[pa + off] = v;
  }
  std::vector<LineValue> load(uint64_t pa, uint64_t bytes) override {
    std::vector<LineValue> out;
    for (uint64_t off = 0; off < bytes; off += kLineBytes) out.push_back(lines[pa + off]);
    return out;
  }
  host::FlushOutcome flush(uint64_t pa, uint64_t bytes, CacheOp) override {
    flushes.push_back({pa, bytes, 0, 0});
    return {bytes / kLineBytes, 0, 0};
  }
  void compute(uint64_t picos) override {
    const uint64_t before = computed;
    computed += picos;
    if (quantum && on_sync && computed / quantum > before / quantum) on_sync();
  }
  void compute_times(uint64_t n, uint64_t picos) override {
    for (uint64_t i = 0; i < n; ++i) compute(picos);
  }
  uint64_t computes_unseen(uint64_t picos) const override {
    if (!quantum || !picos) return UINT64_MAX;
    const uint64_t next_sync = (computed / quantum + 1) * quantum;
    return (next_sync - computed + picos - 1) / picos;
  }

  std::vector<Store> stores;
  std::vector<Store> flushes;
  std::map<uint64_t, LineValue> lines;
  uint64_t version = 0;
  uint64_t computed = 0;
  // With a quantum, compute time that reaches a multiple of it syncs: other
  // processes run, and on_sync (if set) sees what the host has done so far.
  uint64_t quantum = 0;
  std::function<void()> on_sync;
};

}  // namespace iocsim::test
