// SPDX-License-Identifier: GPL-2.0-only
#include "analysis/line_states.h"

#include <algorithm>

namespace iocsim::analysis {

using models::kLineShift;
using models::kLinesPerPage;
using models::kPageShift;

std::optional<LineState> LineStates::whole_page(uint64_t page) const {
  const Block* b = block_memo_.find_in(page >> kBlockShift, blocks_);
  if (!b) return LineState{};
  if (!b->pages) return b->whole;
  const uint64_t i = page % kBlockPages;
  if (b->is_split(i)) return std::nullopt;
  return (*b->pages)[i];
}

LineStates::View LineStates::view(uint64_t page) const {
  // Lines never seen: the default state, which nothing writes to.
  static const LineState kUnseen{};
  View v{&kUnseen, 0};
  if (const Block* b = block_memo_.find_in(page >> kBlockShift, blocks_)) {
    const uint64_t i = page % kBlockPages;
    if (!b->pages)
      v.base = &b->whole;
    else if (!b->is_split(i))
      v.base = &(*b->pages)[i];
    else
      v = {split_.find(page)->second.data(), models::kLinesPerPage - 1};
  }
  views_.remember(page, v);
  return v;
}

uint64_t LineStates::blocks_by_page() const {
  uint64_t n = 0;
  for (const auto& [number, block] : blocks_) n += block.pages != nullptr;
  return n;
}

void LineStates::set(uint64_t pa, const LineState& state) {
  const uint64_t page = pa >> kPageShift, line = (pa >> kLineShift) % kLinesPerPage;
  // The oracle has nearly always just read the line, so the page's view is
  // remembered and says where its state is kept.
  View v;
  if (!views_.find(page, v)) v = view(page);
  if (v.mask == 0) {
    if (*v.base != state) split_page(page, line, state);
    return;
  }
  // The page's own lines (a view points into this object's storage).
  LineState* lines = const_cast<LineState*>(v.base);
  lines[line] = state;
  // The page is whole again when every line is in this state; the first and
  // last lines rule most cases out without a scan.
  if (state != lines[0] || state != lines[kLinesPerPage - 1]) return;
  if (!std::all_of(lines, lines + kLinesPerPage, [&](const LineState& s) { return s == state; }))
    return;
  Block& b = *block_memo_.find_in(page >> kBlockShift, blocks_);
  const uint64_t i = page % kBlockPages;
  (*b.pages)[i] = state;
  b.split[i / 64] &= ~(uint64_t{1} << (i % 64));
  spare_split_ = split_.extract(page);
  views_.forget();
  join_block(b, state);
}

void LineStates::split_page(uint64_t page, uint64_t line, const LineState& state) {
  Block& b = *block_memo_.find_or_add(page >> kBlockShift, blocks_);
  if (!b.pages) {
    b.pages = spare_pages_ ? std::move(spare_pages_) : std::make_unique<Pages>();
    b.pages->fill(b.whole);
  }
  const uint64_t i = page % kBlockPages;
  Lines* lines;
  if (spare_split_.empty()) {
    lines = &split_.emplace(page, Lines{}).first->second;
  } else {
    spare_split_.key() = page;
    lines = &split_.insert(std::move(spare_split_)).position->second;
  }
  lines->fill((*b.pages)[i]);
  (*lines)[line] = state;
  b.split[i / 64] |= uint64_t{1} << (i % 64);
  views_.forget();
}

void LineStates::join_block(Block& b, const LineState& state) {
  for (uint64_t word : b.split)
    if (word) return;
  const Pages& pages = *b.pages;
  if (state != pages.front() || state != pages.back()) return;
  if (!std::all_of(pages.begin(), pages.end(), [&](const LineState& s) { return s == state; }))
    return;
  b.whole = state;
  spare_pages_ = std::move(b.pages);
}

}  // namespace iocsim::analysis
