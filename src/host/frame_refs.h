// SPDX-License-Identifier: GPL-2.0-only
// The reference counts of allocated page frames: how many page-table entries
// map each (its mapcount) and how many long-term pins hold it.
//
// Kept per block of 512 frames, as an array: 8 bytes a frame, where a hash
// node per frame took about 50. Frames are allocated in runs (a fault takes
// the next free frame, a folio 512 aligned ones), so a block fills up.
#pragma once

#include <array>
#include <cstdint>
#include <unordered_map>

#include "models/common/page_memo.h"

namespace iocsim::host {

struct FrameRef {
  uint32_t mapcount = 0;
  uint32_t pincount = 0;
};

class FrameRefs {
 public:
  // The counts of an allocated frame, or nullptr if it is not tracked.
  FrameRef* find(uint64_t pfn);
  const FrameRef* find(uint64_t pfn) const { return const_cast<FrameRefs*>(this)->find(pfn); }
  // Starts tracking `pfn` (its counts zero); it must not be tracked.
  FrameRef& add(uint64_t pfn);
  // Stops tracking `pfn`, which must be tracked.
  void erase(uint64_t pfn);
  // fn(pfn, counts) for every tracked frame, in no particular order.
  template <typename Fn>
  void for_each(Fn fn) const;

 private:
  static constexpr uint64_t kBlockShift = 9;
  static constexpr uint64_t kBlockFrames = uint64_t{1} << kBlockShift;
  struct Block {
    std::array<FrameRef, kBlockFrames> refs{};
    std::array<uint64_t, kBlockFrames / 64> tracked{};  // one bit per frame
    uint32_t count = 0;                                 // bits set

    bool has(uint64_t i) const { return tracked[i / 64] >> (i % 64) & 1; }
  };

  std::unordered_map<uint64_t, Block> blocks_;  // by pfn >> kBlockShift; none empty
  // Keyed by block number. Blocks leave blocks_ only in erase(), which updates it.
  mutable models::PageMemo<Block> memo_;
};

template <typename Fn>
void FrameRefs::for_each(Fn fn) const {
  for (const auto& [number, block] : blocks_)
    for (uint64_t i = 0; i < kBlockFrames; ++i)
      if (block.has(i)) fn((number << kBlockShift) + i, block.refs[i]);
}

}  // namespace iocsim::host
