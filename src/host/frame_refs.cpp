// SPDX-License-Identifier: GPL-2.0-only
#include "host/frame_refs.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace iocsim::host {

std::optional<FrameRef> FrameRefs::find(uint64_t pfn) const {
  const Block* b = memo_.find_in(pfn >> kBlockShift, blocks_);
  const uint64_t i = pfn % kBlockFrames;
  if (!b || !b->has(i)) return std::nullopt;
  return b->at(i);
}

FrameRefs::Block& FrameRefs::tracked_block(uint64_t pfn) {
  Block* b = memo_.find_in(pfn >> kBlockShift, blocks_);
  if (!b || !b->has(pfn % kBlockFrames))
    throw std::logic_error("frame " + std::to_string(pfn) + " is not tracked");
  return *b;
}

void FrameRefs::spread(Block& b) {
  b.refs = spare_ ? std::move(spare_) : std::make_unique<Counts>();
  b.refs->fill(b.common);
  b.differing = 0;
}

void FrameRefs::changing(uint64_t number, Block& b) {
  if (b.summed) {
    pins_ -= b.pins;
    b.summed = false;
  }
  if (!b.pending) {
    b.pending = true;
    changed_.push_back(number);
  }
}

SetDigest FrameRefs::pin_digest() const {
  for (uint64_t number : changed_) {
    auto it = blocks_.find(number);
    if (it == blocks_.end() || !it->second.pending) continue;  // gone, or listed twice
    const Block& b = it->second;
    b.pins = {};
    for (uint64_t i = 0; i < kBlockFrames; ++i)
      if (b.has(i) && b.at(i).pincount) b.pins.add((number << kBlockShift) + i, b.at(i).pincount);
    pins_ += b.pins;
    b.summed = true;
    b.pending = false;
  }
  changed_.clear();
  return pins_;
}

void FrameRefs::add(uint64_t pfn, FrameRef counts) {
  Block& b = *memo_.find_or_add(pfn >> kBlockShift, blocks_);
  changing(pfn >> kBlockShift, b);
  const uint64_t i = pfn % kBlockFrames;
  if (b.has(i)) throw std::logic_error("frame " + std::to_string(pfn) + " is already tracked");
  b.tracked[i / 64] |= uint64_t{1} << (i % 64);
  if (b.count++ == 0) {
    b.common = counts;
    return;
  }
  if (!b.refs && counts == b.common) return;
  if (!b.refs) spread(b);
  (*b.refs)[i] = counts;
  if (counts != b.common) ++b.differing;
  settle(b, i);
}

void FrameRefs::add_run(uint64_t pfn, uint64_t count, FrameRef counts) {
  for (uint64_t at = pfn, end = pfn + count; at < end;) {
    Block& b = *memo_.find_or_add(at >> kBlockShift, blocks_);
    changing(at >> kBlockShift, b);
    const uint64_t from = at % kBlockFrames, to = std::min(kBlockFrames, from + (end - at));
    for (uint64_t i = from; i < to; ++i)
      if (b.has(i))
        throw std::logic_error("frame " + std::to_string(at + (i - from)) + " is already tracked");
    for (uint64_t i = from; i < to; ++i) b.tracked[i / 64] |= uint64_t{1} << (i % 64);
    const bool first = b.count == 0;
    b.count += static_cast<uint32_t>(to - from);
    if (first) {
      b.common = counts;
    } else if (b.refs || counts != b.common) {
      if (!b.refs) spread(b);
      for (uint64_t i = from; i < to; ++i) (*b.refs)[i] = counts;
      if (counts != b.common) b.differing += static_cast<uint32_t>(to - from);
      settle(b, to - 1);
    }
    at += to - from;
  }
}

void FrameRefs::set(uint64_t pfn, FrameRef counts) {
  Block& b = tracked_block(pfn);
  changing(pfn >> kBlockShift, b);
  const uint64_t i = pfn % kBlockFrames;
  if (!b.refs) {
    if (counts == b.common) return;
    if (b.count == 1) {
      b.common = counts;
      return;
    }
    spread(b);
  }
  if ((*b.refs)[i] != b.common) --b.differing;
  (*b.refs)[i] = counts;
  if (counts != b.common) ++b.differing;
  settle(b, i);
}

void FrameRefs::pin_run(uint64_t pfn, uint64_t count) {
  for (uint64_t at = pfn, end = pfn + count; at < end;) {
    Block& b = tracked_block(at);
    changing(at >> kBlockShift, b);
    const uint64_t from = at % kBlockFrames, to = std::min(kBlockFrames, from + (end - at));
    for (uint64_t i = from; i < to; ++i)
      if (!b.has(i))
        throw std::logic_error("frame " + std::to_string(at + (i - from)) + " is not tracked");
    if (!b.refs && b.count == to - from) {
      ++b.common.pincount;  // the run holds every frame of the block
    } else {
      if (!b.refs) spread(b);
      for (uint64_t i = from; i < to; ++i) {
        FrameRef& r = (*b.refs)[i];
        if (r != b.common) --b.differing;
        ++r.pincount;
        if (r != b.common) ++b.differing;
      }
      settle(b, to - 1);
    }
    at += to - from;
  }
}

void FrameRefs::settle(Block& b, uint64_t changed) {
  if (b.differing == b.count) {
    // Every frame moved away from `common` (a block pinned page by page):
    // they may now all agree with the one that changed; if not, count from
    // its counts, which at least one frame has.
    const FrameRef counts = (*b.refs)[changed];
    b.common = counts;
    b.differing = 0;
    for (uint64_t i = 0; i < kBlockFrames; ++i) b.differing += b.has(i) && (*b.refs)[i] != counts;
  }
  if (b.differing == 0) spare_ = std::move(b.refs);
}

void FrameRefs::erase(uint64_t pfn) {
  Block& b = tracked_block(pfn);
  const uint64_t number = pfn >> kBlockShift, i = pfn % kBlockFrames;
  changing(number, b);
  b.tracked[i / 64] &= ~(uint64_t{1} << (i % 64));
  if (--b.count == 0) {
    blocks_.erase(number);
    memo_.remember(number, nullptr);
    return;
  }
  if (!b.refs) return;
  if ((*b.refs)[i] != b.common) --b.differing;
  uint64_t remaining = 0;  // a frame still tracked
  while (!b.has(remaining)) ++remaining;
  settle(b, remaining);
}

uint64_t FrameRefs::blocks_by_frame() const {
  uint64_t n = 0;
  for (const auto& [number, block] : blocks_) n += block.refs != nullptr;
  return n;
}

}  // namespace iocsim::host
