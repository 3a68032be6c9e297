// SPDX-License-Identifier: GPL-2.0-only
#include "models/iommu/io_page_table.h"

#include <cerrno>

namespace iocsim::models {

std::map<uint64_t, IoPte>::iterator IoPageTable::containing(uint64_t iova) {
  auto it = entries_.upper_bound(iova);
  if (it == entries_.begin()) return entries_.end();
  --it;
  return iova - it->second.iova < it->second.size ? it : entries_.end();
}

std::optional<IoPte> IoPageTable::lookup(uint64_t iova) const {
  auto it = const_cast<IoPageTable*>(this)->containing(iova);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void IoPageTable::insert(const IoPte& pte) {
  entries_.emplace(pte.iova, pte);
  digest_.add(pte.iova, pte.pa, pte.size, permissions(pte));
}

std::map<uint64_t, IoPte>::iterator IoPageTable::erase(std::map<uint64_t, IoPte>::iterator it) {
  const IoPte& pte = it->second;
  digest_.remove(pte.iova, pte.pa, pte.size, permissions(pte));
  return entries_.erase(it);
}

int IoPageTable::map_pages(uint64_t iova, uint64_t pa, uint64_t pgsize, uint64_t count,
                           bool read, bool write, std::vector<IoPte>& added) {
  const uint64_t last = iova + (pgsize * count - 1);
  // Any existing entry overlapping [iova, last] makes this a double map.
  auto it = entries_.upper_bound(last);
  if (it != entries_.begin()) {
    --it;
    if (it->second.iova + (it->second.size - 1) >= iova) return -EEXIST;
  }
  for (uint64_t i = 0; i < count; ++i) {
    IoPte pte{iova + i * pgsize, pa + i * pgsize, pgsize, read, write};
    insert(pte);
    added.push_back(pte);
  }
  return 0;
}

void IoPageTable::split(std::map<uint64_t, IoPte>::iterator it, uint64_t cut_first,
                        uint64_t cut_last) {
  const IoPte whole = it->second;
  const uint64_t whole_last = whole.iova + (whole.size - 1);
  erase(it);
  // Largest supported, aligned pages over [first, last]; inclusive bounds so a
  // page ending at 2^64-1 never wraps.
  auto refill = [&](uint64_t first, uint64_t last) {
    while (first <= last) {
      uint64_t size = whole.size;
      while (size > 1 &&
             (!(pgsize_bitmap_ & size) || first % size != 0 || size - 1 > last - first))
        size >>= 1;
      insert({first, whole.pa + (first - whole.iova), size, whole.read, whole.write});
      if (first + (size - 1) == last) break;
      first += size;
    }
  };
  if (cut_first > whole.iova) refill(whole.iova, cut_first - 1);
  if (cut_last < whole_last) refill(cut_last + 1, whole_last);
}

uint64_t IoPageTable::unmap_pages(uint64_t iova, uint64_t pgsize, uint64_t count,
                                  std::vector<IoPte>& removed) {
  const uint64_t request = pgsize * count;
  const uint64_t last = iova + (request - 1);
  auto it = containing(iova);
  if (it == entries_.end()) return 0;
  uint64_t reach = request;
  while (it != entries_.end() && it->second.iova <= last) {
    const IoPte pte = it->second;
    const uint64_t pte_last = pte.iova + (pte.size - 1);
    const bool partial = pte.iova < iova || pte_last > last;
    if (partial && split_on_unmap_) {
      const uint64_t cut_first = pte.iova < iova ? iova : pte.iova;
      const uint64_t cut_last = pte_last > last ? last : pte_last;
      split(it, cut_first, cut_last);
      removed.push_back({cut_first, pte.pa + (cut_first - pte.iova), cut_last - cut_first + 1,
                         pte.read, pte.write});
      if (cut_last == UINT64_MAX) break;
      it = entries_.lower_bound(cut_last + 1);
      continue;
    }
    removed.push_back(pte);
    it = erase(it);
    // A page removed whole may reach past the request: report through its end.
    if (pte_last - iova >= reach) reach = pte_last - iova + 1;
  }
  return reach;
}

}  // namespace iocsim::models
