// SPDX-License-Identifier: GPL-2.0-only
#include "models/iommu/walk_cache.h"

#include <algorithm>

#include "base/line_value.h"

namespace iocsim::models {

uint64_t WalkCache::tag_of(unsigned level, uint64_t iova) {
  // A level-L entry covers 4 KiB << 9 * (L - 1) of IOVA space.
  return iova >> (kPageShift + 9 * (level - 1));
}

WalkCache::Entry* WalkCache::find(uint32_t domain, unsigned level, uint64_t iova) {
  const uint64_t tag = tag_of(level, iova);
  for (Entry& e : entries_)
    if (e.domain == domain && e.level == level && e.tag == tag) return &e;
  return nullptr;
}

unsigned WalkCache::deepest(uint32_t domain, uint64_t iova, unsigned leaf, unsigned top) {
  if (capacity_ == 0) return top + 1;
  for (unsigned level = leaf + 1; level <= top; ++level) {
    if (Entry* e = find(domain, level, iova)) {
      e->lru = ++clock_;
      ++stats_.hits;
      return level;
    }
  }
  ++stats_.misses;
  return top + 1;
}

void WalkCache::fill(uint32_t domain, unsigned level, uint64_t iova) {
  if (capacity_ == 0) return;
  if (Entry* e = find(domain, level, iova)) {
    e->lru = ++clock_;
    return;
  }
  const Entry fresh{domain, level, tag_of(level, iova), ++clock_};
  if (entries_.size() < capacity_) {
    entries_.push_back(fresh);
    return;
  }
  *std::min_element(entries_.begin(), entries_.end(),
                    [](const Entry& a, const Entry& b) { return a.lru < b.lru; }) = fresh;
}

void WalkCache::invalidate(uint32_t domain) {
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [&](const Entry& e) { return e.domain == domain; }),
                 entries_.end());
}

}  // namespace iocsim::models
