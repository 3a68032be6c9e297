// SPDX-License-Identifier: GPL-2.0-only
#include "analysis/exposures.h"

#include <iterator>

namespace iocsim::analysis {

const Exposures::Segment* Exposures::segment_of(uint64_t page, uint64_t* first) const {
  auto it = segments_.upper_bound(page);
  if (it == segments_.begin()) return nullptr;
  --it;
  if (it->second.end <= page) return nullptr;
  *first = it->first;
  return &it->second;
}

void Exposures::split_at(uint64_t page) {
  auto it = segments_.upper_bound(page);
  if (it == segments_.begin()) return;
  --it;
  if (it->first == page || it->second.end <= page) return;
  Segment tail{it->second.end, it->second.entries};
  it->second.end = page;
  segments_.emplace_hint(std::next(it), page, std::move(tail));
}

void Exposures::join_within(uint64_t first, uint64_t end) {
  auto it = segments_.lower_bound(first);
  if (it != segments_.begin()) --it;
  if (it == segments_.end()) return;
  for (auto next = std::next(it); next != segments_.end() && next->first <= end;) {
    if (it->second.end == next->first && it->second.entries == next->second.entries) {
      it->second.end = next->second.end;
      next = segments_.erase(next);
    } else {
      it = next++;
    }
  }
}

void Exposures::add(uint32_t domain, uint64_t iova, uint64_t pa, uint64_t size, bool readable) {
  const uint64_t first = pa >> kPageShift, end = (pa + size) >> kPageShift;
  if (first >= end) return;
  const Entry entry{domain, iova - pa, readable};
  split_at(first);
  split_at(end);
  auto it = segments_.lower_bound(first);
  for (uint64_t at = first; at < end;) {
    if (it != segments_.end() && it->first == at) {
      it->second.entries.push_back(entry);
      at = it->second.end;
      ++it;
      continue;
    }
    const uint64_t gap_end = it != segments_.end() && it->first < end ? it->first : end;
    it = std::next(segments_.emplace_hint(it, at, Segment{gap_end, {entry}}));
    at = gap_end;
  }
  join_within(first, end);
}

void Exposures::remove(uint32_t domain, uint64_t iova, uint64_t pa, uint64_t size) {
  const uint64_t first = pa >> kPageShift, end = (pa + size) >> kPageShift;
  if (first >= end) return;
  const uint64_t offset = iova - pa;
  split_at(first);
  split_at(end);
  for (auto it = segments_.lower_bound(first); it != segments_.end() && it->first < end;) {
    auto& entries = it->second.entries;
    for (auto e = entries.begin(); e != entries.end(); ++e) {
      if (e->domain == domain && e->offset == offset) {
        entries.erase(e);
        break;
      }
    }
    it = entries.empty() ? segments_.erase(it) : std::next(it);
  }
  join_within(first, end);
}

}  // namespace iocsim::analysis
