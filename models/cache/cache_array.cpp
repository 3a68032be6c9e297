// SPDX-License-Identifier: GPL-2.0-only
#include "models/cache/cache_array.h"

#include <algorithm>
#include <stdexcept>

namespace iocsim::models {

CacheArray::CacheArray(const std::string& level, uint64_t size, uint64_t ways) {
  if (size == 0) return;
  const uint64_t lines = size / kLineBytes;
  if (ways == 0 || size % kLineBytes != 0 || lines % ways != 0)
    throw std::invalid_argument(level + ": size must be a whole number of lines per way");
  assoc_ = ways;
  sets_ = lines / ways;
  if ((sets_ & (sets_ - 1)) == 0) set_mask_ = sets_ - 1;
}

CacheWay* CacheArray::find(uint64_t line) {
  if (ways_.empty()) return nullptr;
  const size_t first = set_of(line);
  const Tag* set = &tags_[first];
  for (uint64_t w = 0; w < assoc_; ++w)
    if (set[w].tag == line + 1) return &ways_[first + w];
  return nullptr;
}

const CacheWay* CacheArray::find(uint64_t line) const {
  return const_cast<CacheArray*>(this)->find(line);
}

CacheWay& CacheArray::victim(uint64_t line, uint64_t ways) {
  if (ways_.empty()) {
    tags_.resize(capacity());
    ways_.resize(capacity());
  }
  const size_t first = set_of(line);
  const Tag* set = &tags_[first];
  // The oldest age so far stays in a register: reading it back through the
  // chosen way made each way's compare wait for the last one's load.
  uint64_t victim = 0;
  uint64_t oldest = set[0].lru;
  const uint64_t candidates = ways == 0 ? assoc_ : std::min(ways, assoc_);
  for (uint64_t w = 0; w < candidates; ++w) {
    if (set[w].tag == kInvalid) return ways_[first + w];
    if (set[w].lru < oldest) {
      oldest = set[w].lru;
      victim = w;
    }
  }
  return ways_[first + victim];
}

}  // namespace iocsim::models
