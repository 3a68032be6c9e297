// SPDX-License-Identifier: GPL-2.0-only
// A process's page table: virtual page number -> page frame number, for the
// pages that are present.
//
// Kept per block of 512 virtual pages (what one last-level page-table page
// maps, 2 MiB), in VA order. A block whose present pages map to consecutive
// frames in step with their VAs -- a 2 MiB folio, or 4 KiB pages faulted in
// order from a run of free frames, the usual case -- stores one base frame
// and a presence bitmap (about 130 bytes a block with its map node, a
// quarter of a byte a page); a block that breaks the pattern stores a frame
// per page (8 bytes a page). A map node per page took 48 bytes of heap
// (massif, a 1 GiB guest) before the allocator's overhead, and each lookup
// walked a tree of one node per page.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "base/page_memo.h"

namespace iocsim::host {

class PageTable {
 public:
  std::optional<uint64_t> find(uint64_t vpn) const;
  // Maps `vpn` to `pfn`, replacing what it mapped.
  void set(uint64_t vpn, uint64_t pfn);
  // set() of the `count` pages from `vpn` to the frames from `pfn`, a block at a time.
  void set_run(uint64_t vpn, uint64_t pfn, uint64_t count);
  void erase(uint64_t vpn);
  // Present pages with virtual page numbers in [first, end).
  uint64_t count(uint64_t first, uint64_t end) const;
  // The first page in [first, end) that is not present (`end` if none).
  uint64_t next_absent(uint64_t first, uint64_t end) const;
  // The frame of page `vpn` and how many pages from it, before `end` and in
  // its block, are present at consecutive frames ({0, 0} if `vpn` is absent).
  std::pair<uint64_t, uint64_t> run_at(uint64_t vpn, uint64_t end) const;
  // Calls fn(vpn, pfn, pages) for the present pages in [first, end), in VA
  // order, a run at a time: `pages` consecutive pages at consecutive frames.
  // Runs do not cross a block boundary, so two runs may continue each other.
  template <typename Fn>
  void for_each_run(uint64_t first, uint64_t end, Fn fn) const;

  static constexpr uint64_t kBlockShift = 9;
  static constexpr uint64_t kBlockPages = uint64_t{1} << kBlockShift;

 private:
  struct Block {
    std::array<uint64_t, kBlockPages / 64> present{};  // one bit per page
    uint32_t count = 0;                                // bits set
    // While `frames` is empty, page i of the block maps to base + i (modulo
    // 2^64, so a base "before" frame 0 is fine).
    uint64_t base = 0;
    std::unique_ptr<std::array<uint64_t, kBlockPages>> frames;  // per page, once needed

    bool has(uint64_t i) const { return present[i / 64] >> (i % 64) & 1; }
    uint64_t pfn(uint64_t i) const { return frames ? (*frames)[i] : base + i; }
    // The first present page at or after i (kBlockPages if none).
    uint64_t next_present(uint64_t i) const;
    // Where the run of present pages at consecutive frames that starts at
    // present page i ends, at the latest at `to`.
    uint64_t run_end(uint64_t i, uint64_t to) const;
  };

  // Calls fn(block_vpn, block, from, to) for each block that has pages in
  // [first, end), with [from, to): the part of the block in the range.
  template <typename Fn>
  void for_each_block(uint64_t first, uint64_t end, Fn fn) const;

  std::map<uint64_t, Block> blocks_;  // by vpn >> kBlockShift; blocks with no page go
  // The blocks last looked up (a map's elements stay put until erased, and
  // erase() updates it): faults and pins go through a block page by page.
  mutable PageMemo<Block> memo_;
};

template <typename Fn>
void PageTable::for_each_block(uint64_t first, uint64_t end, Fn fn) const {
  if (first >= end) return;
  for (auto it = blocks_.lower_bound(first >> kBlockShift);
       it != blocks_.end() && (it->first << kBlockShift) < end; ++it) {
    const uint64_t block_vpn = it->first << kBlockShift;
    const uint64_t from = first > block_vpn ? first - block_vpn : 0;
    const uint64_t to = end - block_vpn < kBlockPages ? end - block_vpn : kBlockPages;
    fn(block_vpn, it->second, from, to);
  }
}

template <typename Fn>
void PageTable::for_each_run(uint64_t first, uint64_t end, Fn fn) const {
  for_each_block(first, end, [&](uint64_t block_vpn, const Block& b, uint64_t from, uint64_t to) {
    for (uint64_t i = b.next_present(from); i < to;) {
      const uint64_t j = b.run_end(i, to);
      fn(block_vpn + i, b.pfn(i), j - i);
      i = j < to ? b.next_present(j) : to;
    }
  });
}

}  // namespace iocsim::host
