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

  uint64_t first_, end_;
  std::map<uint64_t, uint64_t> free_;  // start -> count, coalesced
  uint64_t free_count_ = 0;
  // Freed runs, most recent last. May be stale (reallocated since): every use
  // is checked against free_.
  std::vector<FrameRun> recent_;
};

}  // namespace iocsim::host
