// SPDX-License-Identifier: GPL-2.0-only
// The CPU cache hierarchy: per core, optional private L1D and L2; one shared
// last-level cache (LLC), inclusive or not; MESI among the cores, kept by a
// directory of which cores hold each line (the LLC's core-valid bits, or the
// snoop filter of a non-inclusive LLC). Every level is set-associative,
// write-back, write-allocate, with LRU replacement, and holds line values.
//
// Ports:
//  - cpu_side:   one binding per core, in core order: loads and stores
//                (writes with data, or LineFills of one value), and
//                cache maintenance (TLM_IGNORE_COMMAND with a CacheMaintenance
//                extension: clflush, clflushopt, clwb, wbinvd; DC CIVAC/CVAC);
//  - snoop_side: coherent device requests: reads return the newest cached
//                copy (a core's Modified line, else the LLC's, else any
//                core's) without allocating; writes invalidate every copy and
//                go to memory (a device's run of reads or writes of lines no
//                level holds, at once); with `ddio_ways` (Intel DDIO), writes instead
//                update the LLC's copy or allocate into the first `ddio_ways`
//                ways of its set, dirty, and memory is written on eviction;
//  - mem_side:   line fills and write-backs (runs of them as LineFills).
//
// Coherence:
//  - A core's private levels are inclusive of one another (L1D within L2)
//    and hold one MESI state per line; a store needs Exclusive or Modified
//    and invalidates every other core's copy (the RFO is posted with the
//    store, so it costs no extra time); a load that finds another core's
//    Exclusive or Modified copy downgrades it to Shared (a Modified line's
//    data goes to the LLC) and pays `core_snoop` on top of the LLC lookup.
//  - Inclusive LLC: fills allocate in the LLC too, and an LLC eviction
//    back-invalidates every core's copy (writing a Modified one back).
//  - Non-inclusive LLC (Intel server since Skylake-SP): fills from memory
//    bypass the LLC; lines a core evicts from its outermost private level go
//    into the LLC (a victim cache); a store takes the line out of the LLC.
//  - Cache maintenance acts on every level of every core: the newest dirty
//    copy is written back once; wbinvd does so for the whole hierarchy, as
//    wbinvd_on_all_cpus() does (the cores walk their private caches in
//    parallel, then the LLC is walked).
// The observer sees the hierarchy as one cache: a line is filled when it
// enters from memory and dropped when no level of any core holds it.
//
// Long streams of stores of lines no level holds (zeroing a guest) are
// applied by arithmetic once they have filled a core's caches and the LLC,
// with the same outcome as line by line (cache_stream.cpp).
//
// Timing: a load costs the hit latency of each level it looks up, plus a
// memory read if none holds the line. The loads of one request issue a
// `load_line` apart and overlap (load_overlap.h): a load that misses the
// L1D holds one of the core's `fill_buffers` until its data arrive, one that
// misses the L2 also an entry of the L2's queue, and the L2 streamer
// prefetches along runs of adjacent lines into the L2, each prefetch taking a
// queue entry; a load of a line a prefetch has not yet brought waits for it.
// (A core with no private level does not overlap its loads.) The request's
// time is when its last load issued; its LoadCompletion, when the data of
// every load arrived (without one, the time is that). Stores are whole-line
// and posted: they cost `store_line` and allocate without fetching (as
// fast-string stores do); dirty victims are written back posted. A load or store request
// completes no sooner than memory's write queue took the last write-back it
// caused (its stores go on at `store_line` until then: within one request
// the core does not stall line by line). Maintenance ops cost the CPU
// nothing here (the CPU agent charges issue costs); the LLC lookup is their
// lookup time, and the response says when their write-back reaches memory.
// Does not model: partial-line accesses, the L1D's own prefetchers,
// bandwidth between the levels, the L1D/L2 traffic of a victim, or per-core
// timelines for wbinvd (other cores are not stalled).
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include <boost/icl/interval_set.hpp>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/cache/cache_array.h"
#include "models/cache/load_overlap.h"
#include "models/cache/store_stream.h"
#include "models/common/attributes.h"
#include "models/common/blocking_path.h"
#include "models/common/blocking_target.h"
#include "models/common/observer.h"
#include "base/page_memo.h"
#include "base/params.h"
#include "base/stats.h"
#include "models/common/residency.h"
#include "models/common/time.h"

namespace iocsim::models {

struct PrivateLevelConfig {
  uint64_t size = 0;  // bytes per core; 0: the level does not exist
  uint64_t ways = 0;
  Picos hit_latency = 0;
};

struct CacheConfig {
  uint64_t size = 0;       // LLC bytes
  uint64_t ways = 0;
  Picos hit_latency = 0;   // LLC load-to-use on a hit; also the lookup time of maintenance ops
  Picos store_line = 0;    // CPU store throughput: time per 64-byte line stored
  Picos wbinvd_line = 0;   // wbinvd walk time per line of capacity
  uint64_t ddio_ways = 0;  // ways coherent device writes may allocate into (0: none)
  uint64_t cores = 1;
  PrivateLevelConfig l1d{}, l2{};  // per core; size 0: no such level
  bool inclusive = true;
  Picos core_snoop = 0;  // added when a request needs another core's copy
  // Loads that overlap (load_overlap.h), per core: the time between the
  // issue of two lines' loads; L1D misses in flight (0: loads do not
  // overlap, each waits for the one before); L2 misses and prefetches in
  // flight (0: no limit); how far the L2 streamer runs ahead (0: no
  // prefetcher) and how many streams it keeps.
  Picos load_line = 0;
  uint64_t fill_buffers = 0;
  uint64_t l2_queue = 0;
  uint64_t prefetch_distance = 0;
  uint64_t prefetch_streams = 0;
  // Apply long streams of stores by arithmetic (see Cache::store_stream),
  // which changes nothing but the simulator's speed; the equivalence tests
  // turn it off to compare.
  bool stream_stores = true;

  static constexpr uint64_t kMaxCores = 64;
  static void declare(params::Catalog& catalog);
  static CacheConfig from(const params::Set& set);
};

struct LevelStats {
  uint64_t load_hits = 0, load_misses = 0;
};

struct CacheStats {
  uint64_t load_hits = 0, load_misses = 0;    // LLC lookups of loads
  uint64_t store_hits = 0, store_misses = 0;  // did the storing core's caches hold the line?
  uint64_t evictions = 0, writebacks = 0;     // LLC evictions; write-backs to memory
  uint64_t snoop_hits = 0, snoop_misses = 0, snoop_invalidations = 0;
  uint64_t maintenance_ops = 0, wbinvds = 0;
  uint64_t ddio_updates = 0, ddio_allocations = 0;  // device writes kept in the cache
  LevelStats l1d, l2;                               // summed over the cores
  uint64_t core_snoops = 0;          // loads that needed another core's copy
  uint64_t core_invalidations = 0;   // copies other cores lost to a store or device write
  uint64_t back_invalidations = 0;   // core copies an inclusive LLC's eviction removed
  uint64_t prefetches = 0;           // lines the L2 streamer fetched
};

class Cache : public sc_core::sc_module,
              public ResidencyIndex,
              public stats::Provider,
              private BlockingTarget {
 public:
  // One binding per core, in core order.
  tlm_utils::multi_passthrough_target_socket<Cache, 32, tlm::tlm_base_protocol_types, 0,
                                             sc_core::SC_ONE_OR_MORE_BOUND>
      cpu_side;
  // One binding per IOMMU unit; a platform may have none.
  FanInTargetSocket snoop_side;
  tlm_utils::simple_initiator_socket<Cache> mem_side;

  Cache(sc_core::sc_module_name name, const CacheConfig& config, CoherenceObserver* observer);

  const CacheStats& stats() const { return stats_; }
  static constexpr const char* kStatsSection = "cache";
  const stats::Group& statistics() const override { return statistics_; }
  // Stores store_stream applied by arithmetic (for tests and benchmarks; the
  // statistics count them as store() would).
  uint64_t streamed_lines() const { return streamed_lines_; }
  // For tests and invariants: does any level of any core hold the line, and
  // is the newest copy dirty? resident() asks the residency index;
  // held_in_arrays() looks the line up in every level, which resident() must agree with.
  bool resident(uint64_t pa) const;
  bool held_in_arrays(uint64_t pa) const;
  bool dirty(uint64_t pa) const;
  // The MESI state of the line in `core`'s private caches: 'M', 'E', 'S' or 'I'.
  char core_state(uint64_t core, uint64_t pa) const;
  bool in_llc(uint64_t pa) const;

  // --- ResidencyIndex ---
  uint64_t lines_in_page(uint64_t page_pa) const override;
  std::vector<uint64_t> held_pages(uint64_t pa, uint64_t end) const override;
  uint64_t lines_entered() const override {
    settle();
    return lines_entered_;
  }
  Picos lookup_latency() const override { return config_.hit_latency; }
  void count_absent_maintenance(uint64_t ops) override { stats_.maintenance_ops += ops; }

 private:
  struct Core {
    std::vector<CacheArray> levels;  // the private levels that exist, innermost first
    std::vector<Picos> latency;      // each level's lookup time
    std::vector<LevelStats*> stats;  // each level's counters
    MissSlots fill_buffers{0};       // the innermost level's misses in flight
    MissSlots queue{0};              // the outermost level's misses and prefetches in flight
    StreamPrefetcher prefetcher{0, 0};
    CacheArray& outer() { return levels.back(); }
  };
  // Where the newest copy of a line is, and whether memory lacks it.
  struct Newest {
    LineValue value;
    bool dirty = false;
    bool from_core = false;  // the copy is a core's, not the LLC's
  };

  void cpu_transport(int core, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  // A device request, from snoop_side.
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) override;
  // The loads of the read `trans` by `core`, the first issued at `issue`,
  // filling its data; moves `issue` to when the last has issued (and its
  // data arrived, if loads do not overlap); returns when every load's data
  // arrived.
  Picos loads(uint64_t core, tlm::tlm_generic_payload& trans, Picos& issue);
  // One load issued at `issue`, which moves on to when the load could take
  // a fill buffer; returns when its data arrive.
  Picos load(uint64_t core, uint64_t pa, LineValue& out, Picos& issue);
  // A load of `line` reached `core`'s outermost level at `at`: the streamer's
  // prefetches, each into that level as its queue allows.
  void prefetch(uint64_t core, uint64_t line, Picos at);
  Picos store(uint64_t core, uint64_t pa, const LineValue& value, Picos t);
  Picos llc_only_load(uint64_t pa, LineValue& out, Picos t);
  void llc_only_store(uint64_t pa, const LineValue& value, Picos t);
  // A load that missed `core`'s private levels: the LLC, other cores, memory.
  // Sets `exclusive` when no other core holds the line afterwards.
  Picos shared_read(uint64_t core, uint64_t line, LineValue& out, bool& exclusive, Picos t);
  // A device's read of the lines of `trans`, each from when the last ends;
  // returns when the last ends.
  Picos snoop_reads(tlm::tlm_generic_payload& trans, Picos t);
  Picos snoop_write(uint64_t pa, const LineValue& value, Picos t, const RequestAttributes& attrs);
  // A device's run of writes (LineFill::device_run): without DDIO, what
  // snoop_write would do to each line no level holds comes down to memory's
  // write: the lines up to the first held one go to memory as a run.
  Picos snoop_write_run(tlm::tlm_generic_payload& trans, LineFill& run, Picos t);
  // A device's run of reads (PacedReads): what snoop_reads does to each line
  // no level holds comes down to memory's read a lookup later: the lines up
  // to the first held one go to memory as a run.
  Picos snoop_read_run(tlm::tlm_generic_payload& trans, PacedReads& run, Picos t);
  // Sends a device run's lines up to the first a level holds on to memory at
  // `at`; returns when memory answered, `t` if no line went.
  Picos unheld_to_memory(tlm::tlm_generic_payload& trans, Picos t, Picos at);
  void maintain(CacheMaintenance& op, uint64_t pa, Picos at);
  void wbinvd(CacheMaintenance& op, Picos at);

  // --- directory and movement between levels (cache_coherence.cpp) ---
  bool held(uint64_t line) const;  // by any level of any core, or the LLC: looked up
  // The same answer from the residency index (page_lines_), without a lookup
  // in any level: the index changes exactly when a line enters or leaves.
  bool indexed(uint64_t line) const;
  uint64_t holders(uint64_t line) const;
  CacheWay* core_copy(uint64_t core, uint64_t line);
  const CacheWay* core_copy(uint64_t core, uint64_t line) const;
  Newest newest(uint64_t line);
  // Puts the line in `core`'s private levels, evicting as needed.
  CacheWay& core_install(uint64_t core, uint64_t line, const LineValue& value, bool dirty,
                         bool exclusive, Picos at);
  // Puts `value` for the line into `core`'s innermost `levels` levels
  // (`absent`: the caller knows they do not hold it, so none is looked up).
  void fill_inner(uint64_t core, uint64_t line, const LineValue& value, size_t levels,
                  bool absent = false);
  // Removes the line from every private level of `core`, without write-back
  // (`outer`: its way in the outermost level, when the caller has it).
  void core_drop(uint64_t core, uint64_t line, CacheWay* outer = nullptr);
  // Records that `core` holds the line.
  void add_holder(uint64_t line, uint64_t core);
  // The copies of the cores in `mask`, dropped without write-back; returns how many.
  uint64_t drop_cores(uint64_t mask, uint64_t line);
  void evict_core_way(uint64_t core, CacheWay& way, Picos at);
  CacheWay& llc_allocate(uint64_t line, Picos at, uint64_t ways = 0);
  void evict_llc_way(CacheWay& way, Picos at);
  // Gives the LLC the line (a victim of a core, or a Modified line a snoop
  // downgraded): updates its copy or allocates one.
  void llc_put(uint64_t line, const LineValue& value, bool dirty, Picos at);
  // Writes back the newest copy if dirty, then drops or cleans every copy.
  // Returns when the write-back lands (`at` when none).
  Picos flush_everywhere(uint64_t line, bool invalidate, Picos at, CacheMaintenance& op);
  // Bookkeeping when a line enters or leaves the hierarchy as a whole.
  void entered(uint64_t line);
  void left_if_gone(uint64_t line, Picos at);
  void left(uint64_t line, Picos at);  // the line is no longer held anywhere
  void unindex(uint64_t line);         // left()'s update of the residency index
  Picos write_back(uint64_t line, const LineValue& value, Picos at);
  // One line to/from memory at `at` on behalf of `attrs`; returns completion.
  Picos memory(tlm::tlm_command cmd, uint64_t pa, LineValue& value, Picos at,
               const RequestAttributes& attrs);
  // Sends `trans` (of one line) to memory at `at`; returns completion. A
  // memory error is a broken platform, not a device's fault: it throws.
  Picos to_memory(tlm::tlm_generic_payload& trans, Picos at);
  static bool whole_lines(tlm::tlm_generic_payload& trans);
  // Starts gathering when memory's write queue takes write-backs, from `t`.
  void gather_postings(Picos t);
  // When the queue took the last write-back since gather_postings(): a CPU
  // request completes no sooner, as its core cannot go on while the queue
  // has no room for the lines it evicted.
  Picos posted() const { return std::max(mem_posting_->posted, fill_posting_->posted); }

  // --- long streams of stores (cache_stream.cpp) ---
  // The stream tracker, for a hierarchy whose geometry store_stream handles.
  std::optional<StoreStream> stream_for_geometry() const;
  // A write by `core` (`fill`: a LineFill, else with data): its runs of
  // lines of one value, each by store_stream if it can, else line by line.
  Picos write(uint64_t core, tlm::tlm_generic_payload& trans, const LineFill* fill, Picos t);
  // Whether `lines` lines from `first`, stored by `core`, continue a stream
  // of stores that has filled the core's caches and the LLC, every line of
  // them one no level holds: store_stream can then apply them.
  bool streamable(uint64_t core, uint64_t first, uint64_t lines);
  // The first of `lines` lines from `first` the residency index holds
  // (first + lines: none), looked up per 2 MiB block it has nothing of,
  // else per page.
  uint64_t first_held(uint64_t first, uint64_t lines) const;
  // The stores of `value` to those lines, by arithmetic.
  Picos store_stream(uint64_t core, uint64_t first, uint64_t lines, const LineValue& value,
                     Picos t);
  // Write-backs of `count` lines from `line`, all holding `value`, posted
  // one `step` after another from `at` (one LineFill to memory).
  void write_back_lines(uint64_t line, uint64_t count, const LineValue& value, Picos at,
                        Picos step);
  // entered() and unindex() of each of `count` lines from `first`.
  void index_lines(uint64_t first, uint64_t count);
  void unindex_lines(uint64_t first, uint64_t count);
  // The residency index's mask of `page`, made (empty) if it has none.
  uint64_t& index_page(uint64_t page);
  // Removes `page`, whose mask is now empty, from the residency index.
  void unindex_page(uint64_t page);
  // A store by `core` of the line, which no level held if `fresh`.
  void track_store(uint64_t core, uint64_t line, const LineValue& value, bool fresh);
  // Brings the arrays and the directory up to date with what store_stream
  // applied by arithmetic; every access but a streamable write and every
  // look at the arrays comes here first. Logically const: only how the
  // state is kept changes.
  void settle();
  void settle() const { const_cast<Cache*>(this)->settle(); }
  // Something other than a store reached the hierarchy: the stream is over.
  // (Inline: every device request asks, and there is most often no stream.)
  void interrupt_stream() {
    if (!stream_ || stream_->length() == 0) return;
    settle();
    stream_->end();
  }

  CacheConfig config_;
  CoherenceObserver* observer_;
  BlockingPath memory_path_{mem_side};
  CacheArray llc_;
  std::vector<Core> cores_;
  std::unordered_map<uint64_t, uint64_t> holders_;  // line -> bit mask of cores holding it
  // The node of the line last erased from holders_, reused for the next line
  // a core takes: a stream of stores drops one line and takes another per
  // line, which would otherwise free and allocate a node each.
  std::unordered_map<uint64_t, uint64_t>::node_type spare_holder_;
  // The residency index: by page number, one bit per line of the page some
  // level holds; pages with none have no entry.
  std::unordered_map<uint64_t, uint64_t> page_lines_;
  // How many pages page_lines_ has of each 2 MiB block (blocks with none
  // have no entry): whether a long run of lines is one the index holds
  // nothing of takes a lookup per block, not per page.
  static constexpr uint64_t kIndexBlockLines = 512 * kLinesPerPage;
  std::unordered_map<uint64_t, uint32_t> block_pages_;
  uint64_t lines_entered_ = 0;  // lines the index has taken in
  // Pages leave page_lines_ only in left(), which updates the memo.
  mutable PageMemo<uint64_t> page_memo_;
  CacheStats stats_;
  stats::Group statistics_{kStatsSection};
  // The stream of stores, in a hierarchy whose geometry lets store_stream
  // apply one (see cache_stream.cpp).
  std::optional<StoreStream> stream_;
  // While the arrays lag behind the stream: where the stream's lines were
  // when the arrays stopped following it.
  std::optional<StoreStream::Snapshot> lag_;
  // The residency index lags too: it does not follow the lines the stream
  // stores and drops while lag_ is set, and settle() brings it up to date.
  // While it lags: the stream's length when it began, and the lines stored
  // since (as ranges: frames zeroed in a scattered order leave gaps between
  // them that later stores of the stream may fill).
  uint64_t lag_start_ = 0;
  boost::icl::interval_set<uint64_t> lag_lines_;
  uint64_t streamed_lines_ = 0;
  // A run's dropped lines, for an observer that takes them at once (reused:
  // no allocation per run).
  std::vector<LineSpan> run_dropped_;
  // The lines a prefetch() fetches (reused: no allocation per load).
  std::vector<uint64_t> prefetch_lines_;

  // Reused for every memory access (no allocation on the request path). The
  // payload owns its extensions and frees them when it is destroyed.
  tlm::tlm_generic_payload mem_trans_;
  unsigned char mem_data_[kLineBytes] = {};
  RequestAttributes* mem_attrs_;
  // Reused for runs of write-backs, which owns its LineFill.
  tlm::tlm_generic_payload fill_trans_;
  LineFill* fill_run_;
  // When memory's write queue took the write-backs of the CPU request in
  // progress (see gather_postings), one per payload that carries write-backs.
  WritePosting* mem_posting_;
  WritePosting* fill_posting_;
  // The attributes of the cache's own traffic (fills, write-backs) and of a
  // request that carries none: referred to, not built per request.
  const RequestAttributes unattributed_;
};

}  // namespace iocsim::models
