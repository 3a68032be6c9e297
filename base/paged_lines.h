// SPDX-License-Identifier: GPL-2.0-only
// A value per line of physical memory (T: equality-comparable; T{} is what a
// line never set holds), for memories as large as a TiB guest.
//
// Kept by block of 512 pages (2 MiB), and within a block by page:
//  - a block whose lines all hold one value (a folio once zeroed, or once
//    written back) is kept as that one value;
//  - otherwise as a value per page, while each page's lines agree (a zeroed
//    page once written back, a page one DMA wrote);
//  - a page whose lines differ keeps a value per line, apart, only while they
//    differ (a page being zeroed or written back: a handful at a time).
// The oracle's hash node per page took 67 bytes of heap a page (massif, a
// 1 GiB guest); replacing the backing store's tree node per page by 16 bytes
// cut 65 bytes of RSS a page.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

#include "base/line_value.h"
#include "base/page_memo.h"

namespace iocsim {

template <typename T>
class PagedLines {
 public:
  PagedLines() = default;
  PagedLines(const PagedLines&) = delete;
  PagedLines& operator=(const PagedLines&) = delete;
  PagedLines(PagedLines&&) = default;
  PagedLines& operator=(PagedLines&&) = default;

  // (Inline, and two loads on a remembered page: the oracle reads a line's
  // state on every event, memory on every access.)
  T get(uint64_t pa) const {
    const uint64_t page = pa >> kPageShift;
    View v;
    if (!views_.find(page, v)) v = view(page);
    return v.base[(pa >> kLineShift) & v.mask];
  }
  void set(uint64_t pa, const T& value);
  // set() on every line of page number `page`, at once.
  void set_page(uint64_t page, const T& value);
  // set() on each of `lines` lines from `pa` (line-aligned): a whole block at
  // once, whole pages a page at a time, lines one by one only at the ends.
  void set_range(uint64_t pa, uint64_t lines, const T& value);
  // Calls fn(pa, lines, value) for consecutive pieces of [pa, pa + lines *
  // 64) whose lines hold one value, in order: a block, a page, or lines of a
  // page whose lines differ, at a time.
  template <typename Fn>
  void for_each_piece(uint64_t pa, uint64_t lines, Fn fn) const;
  // Sets every line of the range to update(its value): a piece at a time.
  template <typename Update>
  void update_range(uint64_t pa, uint64_t lines, Update update);
  // The value every line of page number `page` holds, or nullopt while its
  // lines differ.
  std::optional<T> whole_page(uint64_t page) const;
  // Pages with a line that holds something other than T{}. O(blocks).
  uint64_t pages_set() const;

  // Blocks seen, those kept a value per page, and the pages whose lines
  // differ (for tests and memory accounting).
  uint64_t blocks() const { return blocks_.size(); }
  uint64_t blocks_by_page() const;
  uint64_t split_pages() const { return split_.size(); }

 private:
  static constexpr uint64_t kBlockShift = 9;
  static constexpr uint64_t kBlockPages = uint64_t{1} << kBlockShift;
  static constexpr uint64_t kBlockLines = kBlockPages * kLinesPerPage;
  using Lines = std::array<T, kLinesPerPage>;
  using Pages = std::array<T, kBlockPages>;
  struct Block {
    T whole{};                                       // every line's value, while `pages` is empty
    std::unique_ptr<Pages> pages;                    // per page, while the block's pages differ
    std::array<uint64_t, kBlockPages / 64> split{};  // pages whose lines differ

    bool is_split(uint64_t i) const { return split[i / 64] >> (i % 64) & 1; }
  };
  using SplitPages = std::unordered_map<uint64_t, Lines>;  // by page number

  // Where a page's line values are: line i's is base[i & mask] (mask 0 for a
  // page whose lines agree).
  struct View {
    const T* base = nullptr;
    uint64_t mask = 0;
  };

  // Looks the page up, and remembers it in views_.
  View view(uint64_t page) const;
  // The piece of at most `lines` lines from `pa` that hold one value: its
  // length in lines, and the value.
  std::pair<uint64_t, T> piece(uint64_t pa, uint64_t lines) const;
  // set_range() over the whole of block number `block`.
  void set_block(uint64_t block, const T& value);
  // set_page() on `count` pages from `page`, all in one block.
  void set_pages(uint64_t page, uint64_t count, const T& value);
  // Gives page `page`, whose lines agree, a value per line, `line` holding `value`.
  void split_page(uint64_t page, uint64_t line, const T& value);
  // Makes the block one value again if all its pages hold `value`.
  void join_block(Block& b, const T& value);

  std::unordered_map<uint64_t, Block> blocks_;  // by block number; blocks never leave
  SplitPages split_;
  // Element pointers of an unordered_map survive rehashing.
  mutable PageMemo<Block> block_memo_;  // keyed by block number
  // Views of the pages last read or written. set() forgets them whenever a
  // page or block changes how it is kept (values change in place otherwise).
  mutable PageMemo<const T, View> views_;
  // Storage kept for reuse: the node of the page last joined, for the next
  // page that splits (a zeroing splits and joins one page after another), and
  // the page values of the block last joined.
  typename SplitPages::node_type spare_split_;
  std::unique_ptr<Pages> spare_pages_;
};

template <typename T>
std::optional<T> PagedLines<T>::whole_page(uint64_t page) const {
  const Block* b = block_memo_.find_in(page >> kBlockShift, blocks_);
  if (!b) return T{};
  if (!b->pages) return b->whole;
  const uint64_t i = page % kBlockPages;
  if (b->is_split(i)) return std::nullopt;
  return (*b->pages)[i];
}

template <typename T>
typename PagedLines<T>::View PagedLines<T>::view(uint64_t page) const {
  static const T kUnseen{};  // what a line never set holds; never written to
  View v{&kUnseen, 0};
  if (const Block* b = block_memo_.find_in(page >> kBlockShift, blocks_)) {
    const uint64_t i = page % kBlockPages;
    if (!b->pages)
      v.base = &b->whole;
    else if (!b->is_split(i))
      v.base = &(*b->pages)[i];
    else
      v = {split_.find(page)->second.data(), kLinesPerPage - 1};
  }
  views_.remember(page, v);
  return v;
}

template <typename T>
uint64_t PagedLines<T>::pages_set() const {
  const T unset{};
  uint64_t n = 0;
  for (const auto& [number, b] : blocks_) {
    if (!b.pages) {
      n += b.whole == unset ? 0 : kBlockPages;
      continue;
    }
    // A split page has lines that differ, so one of them is set.
    for (uint64_t i = 0; i < kBlockPages; ++i) n += b.is_split(i) || !((*b.pages)[i] == unset);
  }
  return n;
}

template <typename T>
uint64_t PagedLines<T>::blocks_by_page() const {
  uint64_t n = 0;
  for (const auto& [number, block] : blocks_) n += block.pages != nullptr;
  return n;
}

template <typename T>
void PagedLines<T>::set(uint64_t pa, const T& value) {
  const uint64_t page = pa >> kPageShift, line = (pa >> kLineShift) % kLinesPerPage;
  // The line has nearly always just been read, so the page's view is
  // remembered and says where its value is kept.
  View v;
  if (!views_.find(page, v)) v = view(page);
  if (v.mask == 0) {
    if (!(*v.base == value)) split_page(page, line, value);
    return;
  }
  // The page's own lines (a view points into this object's storage).
  T* lines = const_cast<T*>(v.base);
  lines[line] = value;
  // The page is whole again when every line holds this value; the first and
  // last lines rule most cases out without a scan.
  if (!(lines[0] == value) || !(lines[kLinesPerPage - 1] == value)) return;
  if (!std::all_of(lines, lines + kLinesPerPage, [&](const T& s) { return s == value; })) return;
  Block& b = *block_memo_.find_in(page >> kBlockShift, blocks_);
  const uint64_t i = page % kBlockPages;
  (*b.pages)[i] = value;
  b.split[i / 64] &= ~(uint64_t{1} << (i % 64));
  spare_split_ = split_.extract(page);
  views_.forget();
  join_block(b, value);
}

template <typename T>
void PagedLines<T>::set_page(uint64_t page, const T& value) {
  Block* found = block_memo_.find_in(page >> kBlockShift, blocks_);
  if (!found && value == T{}) return;  // as it reads already
  Block& b = found ? *found : *block_memo_.find_or_add(page >> kBlockShift, blocks_);
  const uint64_t i = page % kBlockPages;
  if (!b.pages) {
    if (b.whole == value) return;
    b.pages = spare_pages_ ? std::move(spare_pages_) : std::make_unique<Pages>();
    b.pages->fill(b.whole);
  } else if (b.is_split(i)) {
    spare_split_ = split_.extract(page);
    b.split[i / 64] &= ~(uint64_t{1} << (i % 64));
  } else if ((*b.pages)[i] == value) {
    return;
  }
  (*b.pages)[i] = value;
  views_.forget();
  join_block(b, value);
}

template <typename T>
void PagedLines<T>::split_page(uint64_t page, uint64_t line, const T& value) {
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
  (*lines)[line] = value;
  b.split[i / 64] |= uint64_t{1} << (i % 64);
  views_.forget();
}

template <typename T>
void PagedLines<T>::join_block(Block& b, const T& value) {
  for (uint64_t word : b.split)
    if (word) return;
  const Pages& pages = *b.pages;
  if (!(pages.front() == value) || !(pages.back() == value)) return;
  if (!std::all_of(pages.begin(), pages.end(), [&](const T& s) { return s == value; })) return;
  b.whole = value;
  spare_pages_ = std::move(b.pages);
}

template <typename T>
std::pair<uint64_t, T> PagedLines<T>::piece(uint64_t pa, uint64_t lines) const {
  const uint64_t line = pa >> kLineShift, page = pa >> kPageShift;
  const Block* b = block_memo_.find_in(page >> kBlockShift, blocks_);
  if (!b || !b->pages)
    return {std::min(lines, kBlockLines - line % kBlockLines), b ? b->whole : T{}};
  const uint64_t in_page = std::min(lines, kLinesPerPage - line % kLinesPerPage);
  const uint64_t i = page % kBlockPages;
  if (!b->is_split(i)) {
    // This page, and the whole pages after it in the block that hold its value.
    const T& value = (*b->pages)[i];
    uint64_t n = in_page, j = i + 1;
    while (n == (j - i) * kLinesPerPage - line % kLinesPerPage && j < kBlockPages &&
           lines - n >= kLinesPerPage && !b->is_split(j) && (*b->pages)[j] == value) {
      n += kLinesPerPage;
      ++j;
    }
    return {n, value};
  }
  const Lines& values = split_.find(page)->second;
  const uint64_t from = line % kLinesPerPage;
  uint64_t n = 1;
  while (n < in_page && values[from + n] == values[from]) ++n;
  return {n, values[from]};
}

template <typename T>
template <typename Fn>
void PagedLines<T>::for_each_piece(uint64_t pa, uint64_t lines, Fn fn) const {
  while (lines > 0) {
    const auto [n, value] = piece(pa, lines);
    fn(pa, n, value);
    pa += n << kLineShift;
    lines -= n;
  }
}

template <typename T>
template <typename Update>
void PagedLines<T>::update_range(uint64_t pa, uint64_t lines, Update update) {
  // Each piece is read just before it is written, so what an earlier piece's
  // write changed in how the memory is kept does not matter.
  while (lines > 0) {
    const auto [n, value] = piece(pa, lines);
    set_range(pa, n, update(value));
    pa += n << kLineShift;
    lines -= n;
  }
}

template <typename T>
void PagedLines<T>::set_range(uint64_t pa, uint64_t lines, const T& value) {
  uint64_t line = pa >> kLineShift;
  const uint64_t end = line + lines;
  while (line < end) {
    if (line % kBlockLines == 0 && end - line >= kBlockLines) {
      set_block(line / kBlockLines, value);
      line += kBlockLines;
    } else if (line % kLinesPerPage == 0 && end - line >= kLinesPerPage) {
      // The whole pages from here to the range's or the block's end.
      const uint64_t page = line / kLinesPerPage;
      const uint64_t pages =
          std::min((end - line) / kLinesPerPage, kBlockPages - page % kBlockPages);
      set_pages(page, pages, value);
      line += pages * kLinesPerPage;
    } else {
      set(line << kLineShift, value);
      ++line;
    }
  }
}

template <typename T>
void PagedLines<T>::set_pages(uint64_t page, uint64_t count, const T& value) {
  if (count == kBlockPages) {
    set_block(page >> kBlockShift, value);
    return;
  }
  if (count == 1) {
    set_page(page, value);
    return;
  }
  Block* found = block_memo_.find_in(page >> kBlockShift, blocks_);
  if (!found && value == T{}) return;  // as it reads already
  Block& b = found ? *found : *block_memo_.find_or_add(page >> kBlockShift, blocks_);
  if (!b.pages) {
    if (b.whole == value) return;
    b.pages = spare_pages_ ? std::move(spare_pages_) : std::make_unique<Pages>();
    b.pages->fill(b.whole);
  }
  const uint64_t from = page % kBlockPages;
  for (uint64_t i = from; i < from + count; ++i) {
    if (b.is_split(i)) {
      spare_split_ = split_.extract(page + (i - from));
      b.split[i / 64] &= ~(uint64_t{1} << (i % 64));
    }
    (*b.pages)[i] = value;
  }
  views_.forget();
  join_block(b, value);
}

template <typename T>
void PagedLines<T>::set_block(uint64_t block, const T& value) {
  Block* found = block_memo_.find_in(block, blocks_);
  if (!found && value == T{}) return;  // as it reads already
  Block& b = found ? *found : *block_memo_.find_or_add(block, blocks_);
  if (b.pages) {
    for (uint64_t w = 0; w < b.split.size(); ++w) {
      for (uint64_t bits = b.split[w]; bits; bits &= bits - 1)
        spare_split_ = split_.extract(block * kBlockPages + w * 64 + __builtin_ctzll(bits));
      b.split[w] = 0;
    }
    spare_pages_ = std::move(b.pages);
  }
  b.whole = value;
  views_.forget();
}

}  // namespace iocsim
