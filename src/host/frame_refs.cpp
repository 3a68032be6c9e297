// SPDX-License-Identifier: GPL-2.0-only
#include "host/frame_refs.h"

#include <stdexcept>
#include <string>

namespace iocsim::host {

FrameRef* FrameRefs::find(uint64_t pfn) {
  Block* b = memo_.find_in(pfn >> kBlockShift, blocks_);
  const uint64_t i = pfn % kBlockFrames;
  return b && b->has(i) ? &b->refs[i] : nullptr;
}

FrameRef& FrameRefs::add(uint64_t pfn) {
  Block* b = memo_.find_or_add(pfn >> kBlockShift, blocks_);
  const uint64_t i = pfn % kBlockFrames;
  if (b->has(i)) throw std::logic_error("frame " + std::to_string(pfn) + " is already tracked");
  b->tracked[i / 64] |= uint64_t{1} << (i % 64);
  ++b->count;
  b->refs[i] = {};
  return b->refs[i];
}

void FrameRefs::erase(uint64_t pfn) {
  const uint64_t number = pfn >> kBlockShift;
  Block* b = memo_.find_in(number, blocks_);
  const uint64_t i = pfn % kBlockFrames;
  if (!b || !b->has(i)) throw std::logic_error("frame " + std::to_string(pfn) + " is not tracked");
  b->tracked[i / 64] &= ~(uint64_t{1} << (i % 64));
  if (--b->count == 0) {
    blocks_.erase(number);
    memo_.remember(number, nullptr);
  }
}

}  // namespace iocsim::host
