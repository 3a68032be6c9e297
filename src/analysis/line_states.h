// SPDX-License-Identifier: GPL-2.0-only
// What the oracle knows of every line it has seen: the newest value ever
// written and the value DRAM holds. Kept by page; a page whose 64 lines are
// all in the same state (a zeroed page once written back, a page one DMA
// wrote) is kept as that one state, and takes per-line storage only while its
// lines differ. Lines never seen read as the default state (nothing written,
// DRAM holding nothing), which is also what a fresh page starts as.
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

  // (Inline, as find(): every event the oracle sees reads a line's state.)
  LineState get(uint64_t pa) const {
    const Page* p = find(pa >> models::kPageShift);
    if (!p) return {};
    return p->lines ? (*p->lines)[(pa >> models::kLineShift) % models::kLinesPerPage] : p->uniform;
  }
  void set(uint64_t pa, const LineState& state);
  // The state every line of page number `page` is in, or nullopt while its
  // lines differ.
  std::optional<LineState> whole_page(uint64_t page) const;

  // Pages seen, and of those the ones whose lines differ (for tests and
  // memory accounting).
  uint64_t pages() const { return pages_.size(); }
  uint64_t split_pages() const { return split_; }

 private:
  using Lines = std::array<LineState, models::kLinesPerPage>;
  struct Page {
    LineState uniform;             // every line's state, while `lines` is empty
    std::unique_ptr<Lines> lines;  // per line, while they differ
  };

  Page* find(uint64_t page) const { return memo_.find_in(page, pages_); }
  Page& at(uint64_t page);

  std::unordered_map<uint64_t, Page> pages_;  // by physical page number
  // Element pointers of an unordered_map survive rehashing, and pages never leave.
  mutable models::PageMemo<Page> memo_;
  std::unique_ptr<Lines> spare_;  // a page's storage, kept for the next page that splits
  uint64_t split_ = 0;
};

}  // namespace iocsim::analysis
