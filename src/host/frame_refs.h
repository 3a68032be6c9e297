// SPDX-License-Identifier: GPL-2.0-only
// The reference counts of allocated page frames: how many page-table entries
// map each (its mapcount) and how many long-term pins hold it.
//
// Kept per block of 512 frames. Frames are allocated in runs (a fault takes
// the next free frame, a folio 512 aligned ones) and a run is mapped, then
// pinned, page after page, so the frames of a block mostly have the same
// counts: a block keeps one pair of counts for all its frames while they
// agree, and an array (8 bytes a frame) only while they differ. A hash node
// per frame took 35 bytes of heap (massif, a 1 GiB guest) before the
// allocator's own overhead.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "base/page_memo.h"
#include "base/set_digest.h"

namespace iocsim::host {

struct FrameRef {
  uint32_t mapcount = 0;
  uint32_t pincount = 0;

  bool operator==(const FrameRef& o) const {
    return mapcount == o.mapcount && pincount == o.pincount;
  }
  bool operator!=(const FrameRef& o) const { return !(*this == o); }
};

class FrameRefs {
 public:
  // The counts of an allocated frame, or nullopt if it is not tracked.
  std::optional<FrameRef> find(uint64_t pfn) const;
  // Starts tracking `pfn` with `counts`; it must not be tracked.
  void add(uint64_t pfn, FrameRef counts);
  // add() of the `count` frames from `pfn`, in one pass per block.
  void add_run(uint64_t pfn, uint64_t count, FrameRef counts);
  // Changes the counts of `pfn`, which must be tracked.
  void set(uint64_t pfn, FrameRef counts);
  // Takes a pin on each of the `count` frames from `pfn`, which must all be
  // tracked: set() with one more pin, frame by frame, in one pass per block.
  void pin_run(uint64_t pfn, uint64_t count);
  // Stops tracking `pfn`, which must be tracked.
  void erase(uint64_t pfn);
  // fn(pfn, counts) for every tracked frame, in no particular order.
  template <typename Fn>
  void for_each(Fn fn) const;

  // Blocks keeping counts per frame (for tests and memory accounting).
  uint64_t blocks_by_frame() const;

  // The pinned frames as a set of (pfn, pincount). Kept per block and summed:
  // a block's part is worked out again only after its counts changed, so
  // reading it costs what changed since the last read, not the frames held.
  SetDigest pin_digest() const;

 private:
  static constexpr uint64_t kBlockShift = 9;
  static constexpr uint64_t kBlockFrames = uint64_t{1} << kBlockShift;
  using Counts = std::array<FrameRef, kBlockFrames>;
  struct Block {
    FrameRef common;               // every tracked frame's counts, while `refs` is empty
    std::unique_ptr<Counts> refs;  // per frame, while they differ
    // While `refs` is kept: how many tracked frames' counts differ from `common`.
    uint32_t differing = 0;
    std::array<uint64_t, kBlockFrames / 64> tracked{};  // one bit per frame
    uint32_t count = 0;                                 // bits set
    // The block's part of pin_digest(), while `summed`; `pending` while its
    // number waits in changed_ to be worked out again.
    mutable SetDigest pins;
    mutable bool summed = false, pending = false;

    bool has(uint64_t i) const { return tracked[i / 64] >> (i % 64) & 1; }
    FrameRef at(uint64_t i) const { return refs ? (*refs)[i] : common; }
  };

  Block& tracked_block(uint64_t pfn);
  // Called before a block's counts change: its part of the pin digest is out of date.
  void changing(uint64_t number, Block& b);
  // Gives `b` an array of counts, every frame at `common`.
  void spread(Block& b);
  // After a change to `b`'s counts per frame (`changed`: a tracked frame,
  // the one changed if any): keeps one pair of counts for the block again
  // once its frames agree.
  void settle(Block& b, uint64_t changed);

  std::unordered_map<uint64_t, Block> blocks_;  // by pfn >> kBlockShift; none empty
  // Keyed by block number. Blocks leave blocks_ only in erase(), which updates it.
  mutable PageMemo<Block> memo_;
  std::unique_ptr<Counts> spare_;  // the array of the block that last settled
  mutable SetDigest pins_;                     // of the blocks `summed`
  mutable std::vector<uint64_t> changed_;      // blocks `pending`, by number
};

template <typename Fn>
void FrameRefs::for_each(Fn fn) const {
  for (const auto& [number, block] : blocks_)
    for (uint64_t i = 0; i < kBlockFrames; ++i)
      if (block.has(i)) fn((number << kBlockShift) + i, block.at(i));
}

}  // namespace iocsim::host
