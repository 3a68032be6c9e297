// SPDX-License-Identifier: GPL-2.0-only
#include "host/page_table.h"

#include <algorithm>

namespace iocsim::host {

uint64_t PageTable::Block::next_present(uint64_t i) const {
  while (i < kBlockPages) {
    const uint64_t bits = present[i / 64] >> (i % 64);
    if (bits) return i + static_cast<uint64_t>(__builtin_ctzll(bits));
    i = (i / 64 + 1) * 64;
  }
  return kBlockPages;
}

uint64_t PageTable::Block::run_end(uint64_t i, uint64_t to) const {
  uint64_t j = i + 1;
  if (frames) {
    while (j < to && has(j) && (*frames)[j] == (*frames)[j - 1] + 1) ++j;
    return j;
  }
  // Consecutive pages are at consecutive frames: the run ends at the first absent page.
  while (j < to) {
    const uint64_t absent = ~present[j / 64] >> (j % 64);
    if (absent) return std::min(to, j + static_cast<uint64_t>(__builtin_ctzll(absent)));
    j = (j / 64 + 1) * 64;
  }
  return to;
}

std::optional<uint64_t> PageTable::find(uint64_t vpn) const {
  const Block* b = memo_.find_in(vpn >> kBlockShift, blocks_);
  const uint64_t i = vpn % kBlockPages;
  if (!b || !b->has(i)) return std::nullopt;
  return b->pfn(i);
}

void PageTable::set(uint64_t vpn, uint64_t pfn) {
  Block& b = *memo_.find_or_add(vpn >> kBlockShift, blocks_);
  const uint64_t i = vpn % kBlockPages;
  if (b.count == 0) b.base = pfn - i;
  if (!b.frames && pfn != b.base + i) {
    b.frames = std::make_unique<std::array<uint64_t, kBlockPages>>();
    for (uint64_t j = 0; j < kBlockPages; ++j) (*b.frames)[j] = b.base + j;
  }
  if (b.frames) (*b.frames)[i] = pfn;
  if (!b.has(i)) {
    b.present[i / 64] |= uint64_t{1} << (i % 64);
    ++b.count;
  }
}

void PageTable::set_run(uint64_t vpn, uint64_t pfn, uint64_t count) {
  for (uint64_t done = 0; done < count;) {
    const uint64_t v = vpn + done, f = pfn + done;
    Block& b = *memo_.find_or_add(v >> kBlockShift, blocks_);
    const uint64_t from = v % kBlockPages, to = std::min(kBlockPages, from + (count - done));
    if (b.count == 0) b.base = f - from;
    // The run keeps the block's pattern if its first page does.
    if (!b.frames && f != b.base + from) {
      b.frames = std::make_unique<std::array<uint64_t, kBlockPages>>();
      for (uint64_t j = 0; j < kBlockPages; ++j) (*b.frames)[j] = b.base + j;
    }
    if (b.frames)
      for (uint64_t i = from; i < to; ++i) (*b.frames)[i] = f + (i - from);
    for (uint64_t i = from; i < to;) {
      const uint64_t word_end = std::min(to, (i / 64 + 1) * 64);
      const uint64_t n = word_end - i;
      const uint64_t mask = (n == 64 ? ~uint64_t{0} : ((uint64_t{1} << n) - 1)) << (i % 64);
      b.count += static_cast<uint32_t>(__builtin_popcountll(mask & ~b.present[i / 64]));
      b.present[i / 64] |= mask;
      i = word_end;
    }
    done += to - from;
  }
}

void PageTable::erase(uint64_t vpn) {
  const uint64_t number = vpn >> kBlockShift, i = vpn % kBlockPages;
  Block* b = memo_.find_in(number, blocks_);
  if (!b || !b->has(i)) return;
  b->present[i / 64] &= ~(uint64_t{1} << (i % 64));
  if (--b->count == 0) {
    blocks_.erase(number);
    memo_.remember(number, nullptr);
  }
}

std::pair<uint64_t, uint64_t> PageTable::run_at(uint64_t vpn, uint64_t end) const {
  const Block* b = memo_.find_in(vpn >> kBlockShift, blocks_);
  const uint64_t i = vpn % kBlockPages;
  if (vpn >= end || !b || !b->has(i)) return {0, 0};
  const uint64_t to = std::min(kBlockPages, i + (end - vpn));
  return {b->pfn(i), b->run_end(i, to) - i};
}

uint64_t PageTable::next_absent(uint64_t first, uint64_t end) const {
  for (uint64_t vpn = first; vpn < end;) {
    const uint64_t block_vpn = vpn & ~(kBlockPages - 1);
    const Block* b = memo_.find_in(vpn >> kBlockShift, blocks_);
    if (!b) return vpn;
    for (uint64_t i = vpn - block_vpn; b->count < kBlockPages && i < kBlockPages;) {
      const uint64_t absent = ~b->present[i / 64] >> (i % 64);
      if (absent) return std::min(end, block_vpn + i + static_cast<uint64_t>(__builtin_ctzll(absent)));
      i = (i / 64 + 1) * 64;
    }
    vpn = block_vpn + kBlockPages;
  }
  return end;
}

uint64_t PageTable::count(uint64_t first, uint64_t end) const {
  uint64_t n = 0;
  for_each_block(first, end, [&](uint64_t, const Block& b, uint64_t from, uint64_t to) {
    if (from == 0 && to == kBlockPages) {
      n += b.count;
      return;
    }
    for (uint64_t i = from; i < to; ++i) n += b.has(i);
  });
  return n;
}

}  // namespace iocsim::host
