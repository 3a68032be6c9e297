// SPDX-License-Identifier: GPL-2.0-only
#include "models/cache/cache_array.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace iocsim::models {

CacheArray::CacheArray(const std::string& level, uint64_t size, uint64_t ways) {
  if (size == 0) return;
  const uint64_t lines = size / kLineBytes;
  if (ways == 0 || size % kLineBytes != 0 || lines % ways != 0)
    throw std::invalid_argument(level + ": size must be a whole number of lines per way");
  if (ways > std::numeric_limits<WayIndex>::max())
    throw std::invalid_argument(level + ": at most 65535 ways");
  assoc_ = ways;
  sets_ = lines / ways;
  if ((sets_ & (sets_ - 1)) == 0) set_mask_ = sets_ - 1;
}

CacheWay* CacheArray::find(uint64_t line) {
  if (ways_.empty()) return nullptr;
  const size_t first = set_of(line) * assoc_;
  const uint64_t* set = &tags_[first];
  for (uint64_t w = 0; w < assoc_; ++w)
    if (set[w] == line + 1) return &ways_[first + w];
  return nullptr;
}

const CacheWay* CacheArray::find(uint64_t line) const {
  return const_cast<CacheArray*>(this)->find(line);
}

void CacheArray::allocate() {
  tags_.resize(capacity());
  ways_.resize(capacity());
  newer_.resize(capacity());
  older_.resize(capacity());
  recency_.resize(sets_);
  // Never used: way 0 the oldest, the last way the newest.
  for (size_t set = 0; set < sets_; ++set) {
    const size_t first = set * assoc_;
    for (uint64_t w = 0; w < assoc_; ++w) {
      newer_[first + w] = static_cast<WayIndex>(w + 1);
      older_[first + w] = static_cast<WayIndex>(w == 0 ? 0 : w - 1);
    }
    recency_[set].oldest = 0;
    recency_[set].newest = static_cast<WayIndex>(assoc_ - 1);
  }
}

CacheWay& CacheArray::victim(uint64_t line, uint64_t ways) {
  if (ways_.empty()) allocate();
  const size_t set = set_of(line), first = set * assoc_;
  const Recency& r = recency_[set];
  const uint64_t candidates = ways == 0 ? assoc_ : std::min(ways, assoc_);
  if (r.valid < assoc_) {
    const uint64_t* tags = &tags_[first];
    for (uint64_t w = 0; w < candidates; ++w)
      if (tags[w] == kInvalid) return ways_[first + w];
  }
  WayIndex w = r.oldest;
  while (w >= candidates) w = newer_[first + w];
  return ways_[first + w];
}

void CacheArray::touch(CacheWay& way) {
  const size_t i = index(way);
  // A valid way's set comes from its line, sparing a division by the ways.
  const size_t set = tags_[i] != kInvalid ? set_of(way.line) : i / assoc_;
  const size_t first = set * assoc_;
  const auto w = static_cast<WayIndex>(i - first);
  Recency& r = recency_[set];
  if (r.newest == w) return;
  const WayIndex newer = newer_[i];
  if (r.oldest == w) {
    r.oldest = newer;
  } else {
    const WayIndex older = older_[i];
    newer_[first + older] = newer;
    older_[first + newer] = older;
  }
  older_[i] = r.newest;
  newer_[first + r.newest] = w;
  r.newest = w;
}

}  // namespace iocsim::models
