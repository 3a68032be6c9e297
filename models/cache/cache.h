// SPDX-License-Identifier: GPL-2.0-only
// One level of write-back, write-allocate, set-associative cache with LRU
// replacement, holding line values.
//
// Ports:
//  - cpu_side:   CPU loads and stores, and cache maintenance (TLM_IGNORE_COMMAND
//                with a CacheMaintenance extension: clflush, clflushopt, clwb,
//                wbinvd);
//  - snoop_side: coherent device requests: reads return the cached copy if there
//                is one (without allocating), writes invalidate it and go to memory;
//                with `ddio_ways` (Intel DDIO), writes instead update a cached
//                copy in place or allocate into the first `ddio_ways` ways of
//                their set, dirty, and memory is written only when it is evicted;
//  - mem_side:   line fills and write-backs.
//
// Timing: a load costs `hit_latency`, plus a memory read on a miss. Stores are
// whole-line and posted: they cost `store_line` (store throughput) and allocate
// without fetching (as fast-string stores do); dirty victims are written back
// posted, so they occupy the memory bus but do not stall the CPU. Maintenance
// ops cost the CPU nothing here (the CPU agent charges issue costs); the
// response says when the operation's write-back, if any, reaches memory.
// Does not model: multiple levels, coherence among several caches, partial-line
// accesses, or MSHR limits.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/common/attributes.h"
#include "models/common/observer.h"
#include "models/common/params.h"
#include "models/common/residency.h"
#include "models/common/time.h"

namespace iocsim::models {

struct CacheConfig {
  uint64_t size = 0;       // bytes
  uint64_t ways = 0;
  Picos hit_latency = 0;   // load-to-use on a hit; also the lookup time of maintenance ops
  Picos store_line = 0;    // CPU store throughput: time per 64-byte line stored
  Picos wbinvd_line = 0;   // wbinvd walk time per line of capacity
  uint64_t ddio_ways = 0;  // ways coherent device writes may allocate into (0: none)

  static void declare(params::Catalog& catalog);
  static CacheConfig from(const params::Set& set);
};

struct CacheStats {
  uint64_t load_hits = 0, load_misses = 0;
  uint64_t store_hits = 0, store_misses = 0;
  uint64_t evictions = 0, writebacks = 0;
  uint64_t snoop_hits = 0, snoop_misses = 0, snoop_invalidations = 0;
  uint64_t maintenance_ops = 0, wbinvds = 0;
  uint64_t ddio_updates = 0, ddio_allocations = 0;  // device writes kept in the cache
};

class Cache : public sc_core::sc_module, public ResidencyIndex {
 public:
  tlm_utils::simple_target_socket<Cache> cpu_side;
  // One binding per IOMMU unit; a platform may have none.
  tlm_utils::multi_passthrough_target_socket<Cache, 32, tlm::tlm_base_protocol_types, 0,
                                             sc_core::SC_ZERO_OR_MORE_BOUND>
      snoop_side;
  tlm_utils::simple_initiator_socket<Cache> mem_side;

  Cache(sc_core::sc_module_name name, const CacheConfig& config, CoherenceObserver* observer);

  const CacheStats& stats() const { return stats_; }
  // For tests and invariants: is the line present, and is it dirty?
  bool resident(uint64_t pa) const;
  bool dirty(uint64_t pa) const;
  uint64_t lines() const { return entries_.size(); }

  // --- ResidencyIndex ---
  uint64_t lines_in_page(uint64_t page_pa) const override;
  Picos lookup_latency() const override { return config_.hit_latency; }
  void count_absent_maintenance(uint64_t ops) override { stats_.maintenance_ops += ops; }

 private:
  struct Entry {
    uint64_t line = 0;
    uint64_t lru = 0;
    LineValue value;
    bool valid = false;
    bool dirty = false;
  };

  void cpu_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void snoop_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void maintain(CacheMaintenance& op, uint64_t pa, Picos at);
  void wbinvd(CacheMaintenance& op, Picos at);

  Entry* find(uint64_t line);
  const Entry* find(uint64_t line) const;
  // A way of the line's set for it, evicting the least recently used of the
  // first `ways` ways (all of them by default).
  Entry& allocate(uint64_t line, Picos at, uint64_t ways = 0);
  // Invalidates the entry (after any write-back) at `at`.
  void drop(Entry& e, Picos at);
  // Writes the entry's value back to memory at `at`; returns when it lands.
  Picos write_back(Entry& e, Picos at);
  // One line to/from memory at `at` on behalf of `attrs`; returns completion.
  Picos memory(tlm::tlm_command cmd, uint64_t pa, LineValue& value, Picos at,
               const RequestAttributes& attrs);
  static bool whole_lines(tlm::tlm_generic_payload& trans);

  CacheConfig config_;
  CoherenceObserver* observer_;
  uint64_t sets_;
  std::vector<Entry> entries_;  // sets_ x ways, set-major
  uint64_t lru_clock_ = 0;
  std::unordered_map<uint64_t, uint32_t> page_lines_;  // valid lines by page number
  CacheStats stats_;

  // Reused for every memory access (no allocation on the request path). The
  // payload owns its extension and frees it when it is destroyed.
  tlm::tlm_generic_payload mem_trans_;
  unsigned char mem_data_[kLineBytes] = {};
  RequestAttributes* mem_attrs_;
};

}  // namespace iocsim::models
