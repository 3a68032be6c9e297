// SPDX-License-Identifier: GPL-2.0-only
// The host OS model: processes, their memory, page frames, and the GUP and
// locked-memory interfaces the VFIO port calls.
//
// Memory is demand-faulted: touching a page allocates a frame (most recently
// freed first) and zeroes it with CPU stores, as clear_page() does, so the
// zeroes sit dirty in the CPU cache while DRAM may still hold the frame's
// previous owner's data. Frames are reference counted by mappings and pins
// and return to the allocator when both drop to zero.
// Each fault costs the CPU the handler's software time (sw.page_fault) on top
// of the zeroing stores.
// A device BAR mapped into a process (mmio) is a VM_PFNMAP area of reserved,
// uncached frames that GUP cannot pin (follow_pfnmap finds them).
// Not modelled (yet): the shared zero page, swap, KSM, huge-folio splitting.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "host/cpu_port.h"
#include "host/frame_allocator.h"
#include "host/frame_refs.h"
#include "host/process.h"
#include "base/owner_tally.h"

namespace iocsim::host {

struct HostConfig {
  uint64_t first_pfn = 0;        // allocatable RAM: [first_pfn, end_pfn)
  uint64_t end_pfn = 0;
  // GUP work per PTE-mapped page, or per PMD-mapped folio (one walk, one grab).
  uint64_t pin_page_picos = 0;
  uint64_t pin_folio_page_picos = 0;  // GUP work per further page of a PMD-mapped folio
  uint64_t unpin_page_picos = 0;      // dropping the pins of one page, or of one folio's range
  uint64_t unpin_dirty_picos = 0;     // marking a folio dirty at its first writable unpin
  // Handling one page fault (a 4 KiB page or a 2 MiB folio), besides zeroing it.
  uint64_t page_fault_picos = 0;
  // Consecutive 4 KiB faults land on consecutive frames for this many frames
  // (host.fault_run); 0 for no limit.
  uint64_t fault_run_frames = 0;
};

struct Fill {
  OwnerId owner = kNobody;
  TagId tag = kNoTag;
};

struct ReadResult {
  int error = 0;              // 0 or -errno
  OwnerTally values;  // whose data the lines read held
};

class Host {
 public:
  Host(CpuPort& cpu, const HostConfig& config);

  Process& add_process(std::string name, OwnerId id, uint64_t memlock_bytes, bool cap_ipc_lock);
  Process* process(OwnerId id);
  const std::deque<Process>& processes() const { return processes_; }
  CpuPort& cpu() { return *cpu_; }

  // --- what a process does to its memory; each returns 0 or -errno ---
  // mmap(MAP_FIXED_NOREPLACE) of anonymous memory; nothing is faulted in.
  int mmap(Process& p, uint64_t va, uint64_t size, bool writable, bool huge);
  // Fault pages in (zeroing them), creating the mapping if needed; optionally
  // place them at physical address `pa`, and store `fill` over them.
  int touch(Process& p, uint64_t va, uint64_t size, bool writable, bool huge,
            std::optional<uint64_t> pa, std::optional<Fill> fill);
  // Stores or loads whole 64-byte lines, faulting in the pages that hold them.
  int write(Process& p, uint64_t va, uint64_t size, const Fill& fill);
  ReadResult read(Process& p, uint64_t va, uint64_t size);
  int munmap(Process& p, uint64_t va, uint64_t size);
  // mmap() of a device BAR at physical address `bar` (VM_PFNMAP, uncached).
  int mmio(Process& p, uint64_t va, uint64_t size, uint64_t bar);
  // Cache maintenance over the present pages of [va, va + size).
  int flush(Process& p, uint64_t va, uint64_t size, CacheOp op, FlushOutcome& outcome);

  // --- kernel interfaces (mm/gup.c, mm/util.c) ---
  // pin_user_pages_remote(mm, vaddr, npages, FOLL_LONGTERM | (write ? FOLL_WRITE : 0)):
  // number of pages pinned (pfns appended), or -errno if none could be.
  long pin_user_pages_remote(Process& mm, uint64_t vaddr, uint64_t npages, bool write,
                             std::vector<uint64_t>& pfns);
  // follow_pfnmap_start() for a VM_PFNMAP vma: the pfn behind `vaddr`, or
  // nullopt if the vma is not PFNMAP (the caller keeps its GUP error); -EFAULT
  // in `error` for a write to a read-only mapping.
  std::optional<uint64_t> follow_pfnmap(Process& mm, uint64_t vaddr, bool write, int* error);
  // unpin_user_pages_dirty_lock() of one page. Unpinning a frame that holds
  // no pin is what a refcount underflow is in the kernel (VM_BUG_ON with
  // DEBUG_VM, a use-after-free without): the simulated kernel's bug, so it is
  // recorded for the invariants rather than thrown as iocsim's.
  void unpin_user_page(uint64_t pfn, bool dirty);
  // unpin_user_page_range_dirty_lock(): the pins of `npages` frames from
  // `pfn`, a folio at a time (one reference drop and dirty marking per folio).
  void unpin_user_page_range(uint64_t pfn, uint64_t npages, bool dirty);
  // !pfn_valid(pfn) || PageReserved(pfn)
  bool is_invalid_reserved_pfn(uint64_t pfn) const;
  // How many of the `count` frames from `pfn` are not invalid or reserved.
  uint64_t valid_pfns(uint64_t pfn, uint64_t count) const;
  // pfn_valid(pfn): the frame is RAM (reserved or not), not MMIO.
  bool pfn_valid(uint64_t pfn) const { return pfn < config_.end_pfn; }
  // __account_locked_vm(mm, pages, inc, task, bypass_rlim): 0 or -ENOMEM.
  // `warned` is set if the kernel would WARN (uncharging more than charged).
  int account_locked_vm(Process& mm, uint64_t pages, bool inc, const Process& task,
                        bool bypass_rlim, bool* warned = nullptr);

  // alloc_pages(GFP_KERNEL | __GFP_ZERO, order) for the kernel itself: 2^order
  // contiguous frames, zeroed through the CPU; nullopt when memory is short.
  std::optional<uint64_t> alloc_pages_zeroed(unsigned order);
  void free_pages(uint64_t pfn, unsigned order);

  // --- for checks and reports ---
  uint64_t pin_count(uint64_t pfn) const;
  // Every pinned frame and its pins, as a set of (pfn, pins): a check
  // compares two without walking the frames (FrameRefs::pin_digest).
  SetDigest pin_digest() const { return frame_refs_.pin_digest(); }
  uint64_t pinned_frames() const;  // frames with at least one pin
  // Frames unpinned while holding no pin, in order.
  const std::vector<uint64_t>& pin_underflows() const { return pin_underflows_; }
  uint64_t total_pins() const;
  uint64_t free_frames() const { return frames_.free_frames(); }
  const HostConfig& config() const { return config_; }

 private:
  // -ENOMEM if faulting in the missing pages of [va, va + size) would need
  // more frames than are free: what the OOM killer would end, failed before
  // any work (so an absurd size costs nothing).
  int check_free_memory(const Process& p, uint64_t va, uint64_t size) const;
  // Ensures the page holding `va` is present; 0 or -errno.
  int fault_in(Process& p, uint64_t va, bool write);
  // fault_in() of every page of [va, va + size), in order, up to the first
  // error: a VMA at a time, and only the pages that are not present.
  int fault_range(Process& p, uint64_t va, uint64_t size, bool write);
  // Allocates and zeroes frames for [va, va + size) at consecutive pfns from
  // `pfn`, as 2 MiB folios if `huge`.
  void map_new(Process& p, uint64_t va, uint64_t size, uint64_t pfn, bool huge);
  // The first frame of the 2 MiB folio `pfn` belongs to, if it is in one.
  std::optional<uint64_t> huge_folio_of(uint64_t pfn) const;
  // Drops one pin of `pfn` (recording an underflow if it holds none).
  void put_pin(uint64_t pfn);
  // The counts of an allocated frame (a logic_error if it is not).
  FrameRef frame(uint64_t pfn) const;
  // Stores a frame's new counts; at zero the frame goes back to the allocator.
  void put_frame(uint64_t pfn, FrameRef counts);
  // One mapping of the frame is gone (a PTE, or the kernel's own reference).
  void drop_mapping(uint64_t pfn);
  // Applies `fn(pa, bytes)` to the physically contiguous pieces of the lines
  // [va, va + size) of present pages; -EFAULT if a page is missing and
  // `need_present`.
  template <typename Fn>
  int for_each_present(Process& p, uint64_t va, uint64_t size, bool need_present, Fn fn);

  CpuPort* cpu_;
  HostConfig config_;
  FrameAllocator frames_;
  std::deque<Process> processes_;
  FrameRefs frame_refs_;  // allocated frames only
  std::vector<uint64_t> pin_underflows_;
  std::set<uint64_t> huge_folios_;  // first frames of the 2 MiB folios allocated
};

}  // namespace iocsim::host
