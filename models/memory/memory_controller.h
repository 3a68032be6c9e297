// SPDX-License-Identifier: GPL-2.0-only
// Memory controller with a sparse backing store.
//
// Models: a fixed access latency at the DRAM and one data bus that carries a
// 64-byte line in `line_transfer` and remembers when it is next free, so that
// concurrent write-backs and device traffic queue behind each other.
// Does not model (yet): channels, banks, row buffers, refresh, read/write
// turnaround, or a bounded write queue (posted writes queue without limit).
//
// Accesses must be line-aligned and a whole number of lines; anything else is
// answered with TLM_BURST_ERROR_RESPONSE. Addresses beyond `size` get
// TLM_ADDRESS_ERROR_RESPONSE.
#pragma once

#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "models/common/observer.h"
#include "models/common/params.h"
#include "models/common/time.h"
#include "models/memory/backing_store.h"

namespace iocsim::models {

struct MemoryConfig {
  uint64_t size = 0;         // bytes of physical memory
  Picos latency = 0;         // DRAM access time once the bus is granted
  Picos line_transfer = 0;   // bus occupancy of one 64-byte line

  static void declare(params::Catalog& catalog);
  static MemoryConfig from(const params::Set& set);
};

struct MemoryStats {
  uint64_t reads = 0;   // lines
  uint64_t writes = 0;  // lines
  Picos bus_busy = 0;
};

class MemoryController : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<MemoryController> socket;

  MemoryController(sc_core::sc_module_name name, const MemoryConfig& config,
                   CoherenceObserver* observer);

  const MemoryStats& stats() const { return stats_; }
  const BackingStore& store() const { return store_; }

 private:
  void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(int id, tlm::tlm_generic_payload& trans);
  bool check(tlm::tlm_generic_payload& trans) const;

  MemoryConfig config_;
  CoherenceObserver* observer_;
  BackingStore store_;
  Picos bus_free_at_ = 0;
  MemoryStats stats_;
};

}  // namespace iocsim::models
