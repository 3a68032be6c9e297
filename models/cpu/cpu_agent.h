// SPDX-License-Identifier: GPL-2.0-only
// A CPU core as the host and kernel software sees it: it stores, loads,
// flushes cache lines, fences and spends time computing, all on one timeline
// kept by a TLM quantum keeper. Called from a SystemC thread.
//
// Cache maintenance timing follows the SDM's ordering rules: clflushopt and
// clwb are issued back to back (each costs its issue time) and complete
// asynchronously; an mfence waits until every earlier one has completed.
// clflush is ordered against other clflushes, so each waits for the previous
// one to complete. wbinvd is serialising: the core waits until the whole
// hierarchy has been written back.
// A platform has one agent per core, each bound to the cache hierarchy in
// core order. The loads of one load() overlap as the cache allows (fill
// buffers, the L2 streamer: models/cache/load_overlap.h), and load() returns
// once the data of them all have arrived; loads of separate calls do not
// overlap, so dependent accesses stay serial. Not modelled (yet): the store
// buffer, IPIs.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/common/attributes.h"
#include "models/common/blocking_path.h"
#include "models/common/line_token.h"
#include "models/common/quantum_keeper.h"
#include "base/params.h"
#include "models/common/residency.h"
#include "models/common/time.h"

namespace iocsim::models {

struct CpuConfig {
  uint64_t hz = 0;
  Isa isa = Isa::x86_64;
  CacheOp flush_op = CacheOp::clflushopt;  // the per-line flush the kernel's helpers use
  // Issue cost of each op of base/cache_op.h, by CacheOp (0 for wbinvd).
  std::array<Picos, kCacheOpCount> issue{};
  Picos mfence = 0;  // the fence that completes asynchronous flushes (MFENCE; DSB on arm64)

  static void declare(params::Catalog& catalog);
  static CpuConfig from(const params::Set& set);
};

struct FlushCounts {
  uint64_t lines_resident = 0;      // lines the cache held (now invalid or clean)
  uint64_t lines_written_back = 0;  // dirty lines written to memory

  FlushCounts& operator+=(const FlushCounts& o) {
    lines_resident += o.lines_resident;
    lines_written_back += o.lines_written_back;
    return *this;
  }
};

class CpuAgent : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<CpuAgent> socket;

  CpuAgent(sc_core::sc_module_name name, const CpuConfig& config, VersionClock& versions);

  // Stores new data owned by `owner` (kNobody for zeroes) over whole lines:
  // one value, sent as LineFills of the pages between two quantum syncs
  // (the syncs of storing a page at a time).
  void store(uint64_t pa, uint64_t bytes, OwnerId owner, TagId tag);
  std::vector<LineValue> load(uint64_t pa, uint64_t bytes);
  // One cache-maintenance instruction on the line holding `pa`; on arm64 an
  // x86 op runs as its counterpart (clflush and clflushopt as DC CIVAC, clwb
  // as DC CVAC).
  FlushCounts flush_line(uint64_t pa, CacheOp op);
  // flush_line over every line of [pa, pa + bytes) (whole lines): the same
  // simulated time, counts and statistics, but a page the cache holds
  // nothing of costs no transactions (see ResidencyIndex).
  FlushCounts flush_range(uint64_t pa, uint64_t bytes, CacheOp op);
  // What a kernel helper that cleans memory a page at a time does over the
  // pages of [pa, pa + bytes) (page-aligned): for each page, `per_page` of
  // software time, a fence, flush_range of the page, a fence. The same
  // simulated time, counts and statistics, but runs of pages the cache
  // holds nothing of, as many as pass before the quantum keeper would sync,
  // cost arithmetic.
  FlushCounts clean_pages(uint64_t pa, uint64_t bytes, CacheOp op, Picos per_page);
  // The cache flush_range may ask; without one, every line is a transaction.
  void set_residency(ResidencyIndex* index) { residency_ = index; }
  // MFENCE, or DSB on arm64.
  void mfence();
  // A whole-cache op (`whole_cache` in base/cache_op.h: WBINVD). On arm64,
  // which has no whole-cache clean by address, it stands for cleaning and
  // invalidating by set/way (DC CISW) over the whole cache, which Linux uses
  // only around power-down: a what-if for the wbinvd policy on that platform.
  FlushCounts whole_cache(CacheOp op);
  // The instruction that performs `op` on this core's instruction set.
  CacheOp native(CacheOp op) const;
  // Software work that takes `t` of CPU time.
  void compute(Picos t);
  // compute(t), n times over.
  void compute_times(uint64_t n, Picos t) { advance_by(n, t); }
  // How many compute(t) calls from now end without a sync, plus the one
  // that syncs: the work that can be done between two syncs, unseen by
  // other processes (UINT64_MAX if a compute(t) never syncs: t == 0).
  uint64_t computes_to_sync(Picos t) const;

  // The core's current time: global time plus what it has run ahead.
  Picos now() const;
  // Let global time catch up with the core.
  void sync();
  // Total CPU time spent in operations so far.
  Picos busy() const { return busy_; }
  const CpuConfig& config() const { return config_; }

 private:
  void transport(tlm::tlm_generic_payload& trans);
  void advance_to(Picos t);
  // advance_to(now() + step), n times over.
  void advance_by(uint64_t n, Picos step);
  // `lines` flush_line calls on lines the cache does not hold, by arithmetic.
  void flush_absent(uint64_t lines, CacheOp op);
  Picos issue_cost(CacheOp op) const;
  // Sends `op` on `line` (wbinvd: any) to the cache; what it found and did.
  const CacheMaintenance& maintain(CacheOp op, uint64_t line);

  BlockingPath out_{socket};
  CpuConfig config_;
  VersionClock* versions_;
  QuantumKeeper qk_;
  Picos busy_ = 0;
  Picos flushes_complete_at_ = 0;  // completion of the latest unfenced clflushopt/clwb
  std::vector<unsigned char> buffer_;
  // Every store goes out in one payload, with its value in the LineFill the
  // payload owns, every load in another, with its LoadCompletion, and every
  // maintenance operation in a third: no allocation per operation.
  tlm::tlm_generic_payload store_trans_;
  LineFill* store_fill_ = new LineFill;
  tlm::tlm_generic_payload load_trans_;
  LoadCompletion* load_completion_ = new LoadCompletion;
  tlm::tlm_generic_payload maintenance_trans_;
  CacheMaintenance* maintenance_ = new CacheMaintenance;
  ResidencyIndex* residency_ = nullptr;
  uint64_t syncs_ = 0;  // times the quantum keeper synced (other processes may have run)
};

}  // namespace iocsim::models
