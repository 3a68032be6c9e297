// SPDX-License-Identifier: GPL-2.0-only
// Physical page-frame allocator.
//
// Like the kernel's page allocator in the respect that matters here, the most
// recently freed frames are handed out first: a page an old owner just freed
// is what the next allocation gets, which is how a previous owner's data ends
// up under someone else's freshly zeroed page. Within a freed run, frames are
// handed out in ascending order, as the buddy allocator hands out a merged block.
// Frames never freed are handed out lowest first. Requests may also name a
// fixed frame, or ask for naturally aligned blocks (2 MiB folios).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace iocsim::host {

struct FrameRun {
  uint64_t pfn = 0;
  uint64_t count = 0;
};

class FrameAllocator {
 public:
  // Manages frames [first_pfn, end_pfn).
  FrameAllocator(uint64_t first_pfn, uint64_t end_pfn);

  // `count` frames, most recently freed first; nullopt (nothing taken) if
  // there are not enough.
  std::optional<std::vector<FrameRun>> allocate(uint64_t count);
  // One frame for a 4 KiB fault on a machine whose free memory comes in runs
  // of `run` frames (a power of two below kPageblockFrames): recently freed
  // frames first, as allocate(1); otherwise frames of a fragmented region,
  // so that consecutive calls get consecutive frames only within a run.
  // With `run` 0 or at least kPageblockFrames, exactly allocate(1).
  //
  // The layout of a fragmented machine's free memory is random; this is a
  // deterministic stand-in. A region is kRegionPageblocks free pageblocks;
  // its j-th run lies in pageblock 2(j + 1) mod kRegionPageblocks at offset
  // (j * run) mod kPageblockFrames. The count of pageblocks being odd, the
  // runs cover the region once (Chinese remainder theorem); the next run
  // always starts a whole number of pageblocks after the previous one ends,
  // which sets no cache line apart from a contiguous layout, and never in the
  // pageblock just above (steps of +2 or -5); and the last run ends in the
  // region's first pageblock, away from the next region.
  std::optional<uint64_t> allocate_in_runs(uint64_t run);
  static constexpr uint64_t kPageblockFrames = 512;  // pageblock_order 9 on x86-64
  static constexpr uint64_t kRegionPageblocks = 7;
  // `count` contiguous frames starting at a multiple of `count` (a power of two).
  std::optional<uint64_t> allocate_aligned(uint64_t count);
  // Exactly [pfn, pfn + count); false (nothing taken) unless all are free.
  bool allocate_at(uint64_t pfn, uint64_t count);
  void free(uint64_t pfn, uint64_t count);

  bool manages(uint64_t pfn) const { return pfn >= first_ && pfn < end_; }
  uint64_t first() const { return first_; }
  uint64_t end() const { return end_; }
  bool is_free(uint64_t pfn) const;
  uint64_t free_frames() const { return free_count_; }

 private:
  // Takes up to `want` free frames from [pfn, pfn + count), lowest first,
  // appended to `out` (merged with its last run where they meet).
  uint64_t take_from(uint64_t pfn, uint64_t count, uint64_t want, std::vector<FrameRun>& out);
  void remove_free(uint64_t pfn, uint64_t count);
  // Whether a recently freed frame is still free (stale runs are dropped).
  bool recently_freed_left();
  // The lowest pageblock-aligned start of a free region of kRegionPageblocks.
  std::optional<uint64_t> free_region() const;

  uint64_t first_, end_;
  std::map<uint64_t, uint64_t> free_;  // start -> count, coalesced
  uint64_t free_count_ = 0;
  // Freed runs, most recent last. May be stale (reallocated since): every use
  // is checked against free_.
  std::vector<FrameRun> recent_;
  // The fragmented region allocate_in_runs() takes from, and how many of its
  // frames it has gone through.
  std::optional<uint64_t> region_;
  uint64_t region_taken_ = 0;
};

}  // namespace iocsim::host
