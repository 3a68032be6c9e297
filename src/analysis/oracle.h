// SPDX-License-Identifier: GPL-2.0-only
// The oracle: watches everything the models do and finds stale-data hazards.
//
// For every line it knows the newest value ever written (by a CPU store or a
// device write), the value DRAM holds and the CPU caches' copy. A device
// reaches a line when the line's page is mapped readable in a domain the
// device is attached to. It can read stale data two ways: with No-Snoop in a
// domain that does not enforce coherency it reads DRAM, which may be older
// than a dirty cached line; with a snooped read (in any domain) it gets the
// cached copy if there is one, which may be older than what a No-Snoop device
// write put in DRAM. The potential window for a (line, device) pair is open
// while a read the device can issue would return data older than the newest;
// it is a leak window when those data belong to a principal other than the
// device's owner (zeroes belong to nobody). A device read that returns data older than the
// newest is a realized stale read (a leak if the data are someone else's), and
// marks its window realized. A device that can read another principal's newest
// data (through a stale IOTLB entry, say) has a disclosure window; every
// device read of another principal's data, stale or newest, is a disclosure.
//
// On the CPU side, a line's stale_cpu_read window is open while the cached copy
// is older than the newest value (a device wrote DRAM past it), and its
// lost_write window while that copy is also dirty, so its write-back would
// overwrite the device's data.
//
// The oracle only observes: it never changes what the models do.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <memory_resource>
#include <set>
#include <unordered_map>
#include <vector>

#include "analysis/cached_page.h"
#include "analysis/exposures.h"
#include "analysis/hazards.h"
#include "analysis/line_states.h"
#include "analysis/merged_windows.h"
#include "analysis/streamed_copies.h"
#include "models/common/observer.h"
#include "base/page_memo.h"
#include "base/paged_lines.h"

namespace iocsim::analysis {

class Oracle : public models::CoherenceObserver {
 public:
  Oracle() = default;
  // It keeps pointers to elements of its own maps: a copy's would point into
  // the original's, while a move carries the elements along. Not move
  // assignment: the open windows' pool would go before the windows in it.
  Oracle(const Oracle&) = delete;
  Oracle& operator=(const Oracle&) = delete;
  Oracle(Oracle&&) = default;
  Oracle& operator=(Oracle&&) = delete;

  // Who owns the data a device writes, and whose reads are leaks.
  void register_device(uint32_t stream_id, OwnerId owner);

  // --- CoherenceObserver ---
  // Line order matters once something is mapped or a CPU-side window is
  // open; before (a guest being faulted in), no event can open or close a
  // window, and events on different lines commute.
  bool needs_line_order() const override { return !exposed_.empty() || !cpu_open_.empty(); }
  void stores_streamed(const models::StreamedStores& run) override;
  void cpu_store(uint64_t pa, const LineValue& value, Picos at) override;
  void device_write_cached(uint64_t pa, const LineValue& value, Picos at) override;
  void cpu_load(uint64_t pa, const LineValue& value, Picos at) override;
  void cache_line_filled(uint64_t pa, const LineValue& value, Picos at) override;
  void cache_line_dropped(uint64_t pa, Picos at) override;
  void memory_write(uint64_t pa, const LineValue& value, models::MemoryWriter who,
                    Picos at) override;
  void memory_filled(uint64_t pa, uint64_t lines, const LineValue& value,
                     models::MemoryWriter who, Picos at) override;
  void device_access(const models::DeviceAccess& access) override;
  uint64_t takes_device_write_run(const models::DeviceWriteRun& run) const override;
  void device_write_run(const models::DeviceWriteRun& run, Picos at) override;
  // (The reads it takes would change nothing: device_read_run has nothing to do.)
  uint64_t takes_device_read_run(const models::DeviceReadRun& run) const override;
  void device_nosnoop_capability(uint32_t stream_id, bool capable, Picos at) override;
  void translation_fault(uint32_t stream_id, uint64_t iova, bool write, Picos at) override;
  void domain_created(uint32_t domain) override;
  void coherency_enforced(uint32_t domain, Picos at) override;
  void domain_destroyed(uint32_t domain, Picos at) override;
  void device_attached(uint32_t domain, uint32_t stream_id, Picos at) override;
  void device_detached(uint32_t domain, uint32_t stream_id, Picos at) override;
  void translation_mapped(uint32_t domain, uint64_t iova, uint64_t pa, uint64_t size,
                          bool readable, bool writable, Picos at) override;
  void translation_unmapped(uint32_t domain, uint64_t iova, uint64_t pa, uint64_t size,
                            Picos at) override;
  void iotlb_entry_stale(uint32_t domain, uint64_t iova, uint64_t pa, uint64_t size,
                         bool readable, Picos at) override;
  void iotlb_entry_dropped(uint32_t domain, uint64_t iova, Picos at) override;

  // Closes the windows still open at the end of the run.
  void finish(Picos at);

  const Counts& counts() const { return counts_; }
  // Closed windows, merged into runs (MergedWindows).
  const std::vector<Window>& windows() const { return windows_.runs(); }
  Picos max_window() const;
  // Realized events that no potential window covered: must be 0.
  uint64_t realized_outside_windows() const { return realized_outside_; }

  // The newest value of a line, and what DRAM holds (for tests and `sees`).
  LineValue newest(uint64_t pa) const;
  LineValue in_memory(uint64_t pa) const;

 private:
  struct Domain {
    bool coherent = false;
    std::set<uint32_t> devices;
  };

  struct OpenWindow {
    HazardKind kind;
    OwnerId owner;
    uint32_t stream;
    uint64_t iova;
    Picos start;
    uint64_t hits = 0;
    Picos first_hit = 0;

    void hit(Picos at);
    // The closed window over [pa, pa + size), ending at `at`.
    Window closed(uint64_t pa, uint64_t size, Picos at, bool open_at_end) const;
  };
  // Device-side windows by (stream, line); CPU-side ones by (kind, line).
  // Their nodes come from a pool: a window opens and closes per line.
  using OpenWindows = std::pmr::map<std::pair<uint32_t, uint64_t>, OpenWindow>;

  // An IOTLB entry whose mapping is gone: its page stays exposed until it is.
  struct StaleEntry {
    OpenWindow window;
    uint64_t pa, size;
  };
  // The latest device write to a line: its device (0: none yet) and its IOVA
  // as an offset from the line's address, which the lines of a page (and of
  // a contiguous mapping) share: PagedLines keeps a page a device wrote as
  // one value. (A hash node per line took 1 GB for a 1 GiB device write.)
  struct DeviceWrite {
    uint32_t stream = 0;
    uint64_t iova_offset = 0;  // IOVA - PA, modulo 2^64
    bool operator==(const DeviceWrite& o) const {
      return stream == o.stream && iova_offset == o.iova_offset;
    }
    bool operator!=(const DeviceWrite& o) const { return !(*this == o); }
  };

  // The cached copy of a line, or nullptr; `dirty` says whether it is dirty.
  const LineValue* cached(uint64_t pa, bool* dirty = nullptr) const;
  CachedPage* cached_page(uint64_t page) const;
  // cached_page() of a page whose lines streamed_ does not hold.
  CachedPage* lookup_cached(uint64_t page) const;
  // The page's record, made if it has none (from the node last dropped);
  // streamed_ must not hold its lines.
  CachedPage& cached_page_or_add(uint64_t page);
  // Moves the copies streamed_ holds into cached_ (every look at the caches
  // but a stream's own runs comes here first).
  void settle_streamed();
  void set_cached(uint64_t pa, const LineValue& value, bool dirty);
  void drop_cached(uint64_t pa);
  // drop_cached() of the lines of `page` (whose cached copies are `p`) in `mask`.
  void drop_cached_lines(uint64_t page, CachedPage& p, uint64_t mask);

  // Re-decides whether (line, stream) has an open window, as of `at`.
  // `hint`: where in open_ the line's window is or would go, if the caller
  // can tell (checked; a page's lines are evaluated in order). Returns the
  // window after the line's: the next line's hint.
  OpenWindows::iterator evaluate(uint64_t line_pa, uint32_t stream, Picos at,
                                 OpenWindows::iterator hint);
  void evaluate(uint64_t line_pa, uint32_t stream, Picos at) {
    evaluate(line_pa, stream, at, open_.end());
  }
  // Re-decides the CPU-side windows of a line.
  void evaluate_cpu(uint64_t line_pa, Picos at);
  void set_cpu_window(uint64_t line_pa, HazardKind kind, bool open, OwnerId owner, Picos at);
  void evaluate_line(uint64_t line_pa, Picos at);
  void evaluate_exposed_line(uint64_t line_pa, Picos at);  // evaluate_line once something is mapped
  void evaluate_page(uint64_t page, uint32_t stream, Picos at);
  // Every page of [pa, pa + size) for every device of `d`.
  void evaluate_range(const Domain& d, uint64_t pa, uint64_t size, Picos at);
  void evaluate_domain(uint32_t domain, Picos at);
  // Closes the window at `it`; the iterator after it.
  OpenWindows::iterator close(OpenWindows& from, OpenWindows::iterator it, Picos at,
                              bool open_at_end);
  // Closes every window of `from`, in order, as open at the end.
  void close_all(OpenWindows& from, Picos at);
  void close_stale_entry(std::map<std::pair<uint32_t, uint64_t>, StaleEntry>::iterator it,
                         Picos at, bool open_at_end);
  OwnerId owner_of(uint32_t stream) const;
  // Whether data `data_owner` owns are another principal's to `stream`'s device.
  bool discloses(OwnerId data_owner, uint32_t stream) const;

  LineStates lines_;
  Exposures exposed_;
  std::map<uint32_t, Domain> domains_;
  std::map<uint32_t, OwnerId> device_owner_;
  std::set<uint32_t> no_nosnoop_;  // devices that cannot issue No-Snoop
  std::unordered_map<uint64_t, CachedPage> cached_;    // by physical page (with a line cached)
  // Pages leave cached_ only through drop_cached_lines(), which updates the
  // memo and keeps the node for the next page to enter: pages pass through
  // the caches one after another.
  mutable PageMemo<CachedPage> cached_memo_;
  std::unordered_map<uint64_t, CachedPage>::node_type spare_cached_;
  // Copies a stream's runs put in the caches, while nothing else looks:
  // none of their lines is in cached_.
  StreamedCopies streamed_;
  PagedLines<DeviceWrite> device_writes_;
  // (Held by pointer so that the oracle stays movable.)
  std::unique_ptr<std::pmr::unsynchronized_pool_resource> window_nodes_ =
      std::make_unique<std::pmr::unsynchronized_pool_resource>();
  OpenWindows open_{window_nodes_.get()};
  OpenWindows cpu_open_{window_nodes_.get()};
  std::map<std::pair<uint32_t, uint64_t>, StaleEntry> stale_entries_;  // by (domain, iova)
  MergedWindows windows_;
  Counts counts_;
  uint64_t realized_outside_ = 0;
};

}  // namespace iocsim::analysis
