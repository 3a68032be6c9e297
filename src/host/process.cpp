// SPDX-License-Identifier: GPL-2.0-only
#include "host/process.h"

#include <cstdint>
#include <iterator>

namespace iocsim::host {

const Vma* Process::find_vma(uint64_t va) const {
  auto it = vmas_.upper_bound(va);
  if (it == vmas_.begin()) return nullptr;
  --it;
  return va < it->second.end ? &it->second : nullptr;
}

uint64_t Process::next_vma_start(uint64_t va) const {
  auto it = vmas_.upper_bound(va);
  return it == vmas_.end() ? UINT64_MAX : it->first;
}

bool Process::covered(uint64_t start, uint64_t end, bool allow_pfnmap) const {
  for (uint64_t at = start; at < end;) {
    const Vma* v = find_vma(at);
    if (!v || (v->pfnmap && !allow_pfnmap)) return false;
    at = v->end;
  }
  return true;
}

bool Process::add_vma(const Vma& vma) {
  auto it = vmas_.lower_bound(vma.start);
  if (it != vmas_.end() && it->second.start < vma.end) return false;
  if (it != vmas_.begin() && std::prev(it)->second.end > vma.start) return false;
  vmas_.emplace(vma.start, vma);
  return true;
}

void Process::remove_vmas(uint64_t start, uint64_t end) {
  auto it = vmas_.upper_bound(start);
  if (it != vmas_.begin()) --it;
  while (it != vmas_.end() && it->second.start < end) {
    Vma v = it->second;
    if (v.end <= start) {
      ++it;
      continue;
    }
    it = vmas_.erase(it);
    if (v.start < start) {
      Vma head = v;
      head.end = start;
      vmas_.emplace(v.start, head);
    }
    if (v.end > end) {
      Vma tail = v;
      tail.start = end;
      if (tail.pfnmap) tail.pfnmap_base += (end - v.start) >> kPageShift;
      vmas_.emplace(end, tail);
    }
  }
}

std::optional<uint64_t> Process::pfn_of(uint64_t va) const { return ptes_.find(va >> kPageShift); }

}  // namespace iocsim::host
