// SPDX-License-Identifier: GPL-2.0-only
// What the oracle knows of every line it has seen: the newest value ever
// written and the value DRAM holds. Lines never seen read as the default state
// (nothing written, DRAM holding nothing).
//
// Kept by block of 512 pages (2 MiB), and within a block by page:
//  - a block whose lines are all in one state (a folio once zeroed, or once
//    written back) is kept as that one state;
//  - otherwise as a state per page (32 bytes a page), while each page's lines
//    agree (a zeroed page once written back, a page one DMA wrote);
//  - a page whose lines differ keeps a state per line, apart, only while they
//    differ (a page being zeroed or written back: a handful at a time).
// A hash node per page, as before, took about 70 bytes a page.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>

#include "models/common/line_value.h"
#include "models/common/page_memo.h"

namespace iocsim::analysis {

struct LineState {
  models::LineValue newest;
  models::LineValue memory;

  bool operator==(const LineState& o) const { return newest == o.newest && memory == o.memory; }
  bool operator!=(const LineState& o) const { return !(*this == o); }
};

class LineStates {
 public:
  LineStates() = default;
  LineStates(const LineStates&) = delete;
  LineStates& operator=(const LineStates&) = delete;
  LineStates(LineStates&&) = default;
  LineStates& operator=(LineStates&&) = default;

  // (Inline, and two loads on a remembered page: every event the oracle
  // sees reads a line's state.)
  LineState get(uint64_t pa) const {
    const uint64_t page = pa >> models::kPageShift;
    View v;
    if (!views_.find(page, v)) v = view(page);
    return v.base[(pa >> models::kLineShift) & v.mask];
  }
  void set(uint64_t pa, const LineState& state);
  // The state every line of page number `page` is in, or nullopt while its
  // lines differ.
  std::optional<LineState> whole_page(uint64_t page) const;

  // Blocks seen, those kept a state per page, and the pages whose lines
  // differ (for tests and memory accounting).
  uint64_t blocks() const { return blocks_.size(); }
  uint64_t blocks_by_page() const;
  uint64_t split_pages() const { return split_.size(); }

 private:
  static constexpr uint64_t kBlockShift = 9;
  static constexpr uint64_t kBlockPages = uint64_t{1} << kBlockShift;
  using Lines = std::array<LineState, models::kLinesPerPage>;
  using Pages = std::array<LineState, kBlockPages>;
  struct Block {
    LineState whole;                                 // every line's state, while `pages` is empty
    std::unique_ptr<Pages> pages;                    // per page, while the block's pages differ
    std::array<uint64_t, kBlockPages / 64> split{};  // pages whose lines differ

    bool is_split(uint64_t i) const { return split[i / 64] >> (i % 64) & 1; }
  };
  using SplitPages = std::unordered_map<uint64_t, Lines>;  // by page number

  // Where a page's line states are: line i's is base[i & mask] (mask 0 for a
  // page whose lines agree).
  struct View {
    const LineState* base = nullptr;
    uint64_t mask = 0;
  };

  // Looks the page up, and remembers it in views_.
  View view(uint64_t page) const;
  // Gives page `page`, whose lines agree, a state per line, `line` in `state`.
  void split_page(uint64_t page, uint64_t line, const LineState& state);
  // Makes the block one state again if all its pages are in `state`.
  void join_block(Block& b, const LineState& state);

  std::unordered_map<uint64_t, Block> blocks_;  // by block number; blocks never leave
  SplitPages split_;
  // Element pointers of an unordered_map survive rehashing.
  mutable models::PageMemo<Block> block_memo_;  // keyed by block number
  // Views of the pages last read or written. set() forgets them whenever a
  // page or block changes how it is kept (states change in place otherwise).
  mutable models::PageMemo<const LineState, View> views_;
  // Storage kept for reuse: the node of the page last joined, for the next
  // page that splits (a zeroing splits and joins one page after another), and
  // the page states of the block last joined.
  SplitPages::node_type spare_split_;
  std::unique_ptr<Pages> spare_pages_;
};

}  // namespace iocsim::analysis
