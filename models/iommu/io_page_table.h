// SPDX-License-Identifier: GPL-2.0-only
// The I/O page table of one IOMMU domain, at the level an IOMMU driver's
// map_pages/unmap_pages/iova_to_phys callbacks work on it.
//
// Entries are pages of the sizes in the unit's page-size bitmap (4 KiB, 2 MiB,
// 1 GiB, or any power of two), each translating one naturally aligned IOVA
// range to a physical range with read/write permission.
//
// Unmap follows the VT-d/AMD convention the kernel's iommu_unmap() relies on:
// the request starts at a mapped IOVA; a page that is only partly covered is
// removed whole (and the size reported grows to its end) unless the table was
// built with `split_on_unmap`, in which case the page is split and only the
// requested part goes. A request whose first page is not mapped unmaps nothing.
// It keeps the leaf entries only: where each level's table pages sit is
// TablePlacement's, and the unit's walker reads one entry per level there.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "base/set_digest.h"

namespace iocsim::models {

struct IoPte {
  uint64_t iova = 0;
  uint64_t pa = 0;
  uint64_t size = 0;
  bool read = false;
  bool write = false;
};

class IoPageTable {
 public:
  IoPageTable(uint64_t pgsize_bitmap, bool split_on_unmap)
      : pgsize_bitmap_(pgsize_bitmap), split_on_unmap_(split_on_unmap) {}

  // Maps `count` pages of `pgsize` (which must be in the bitmap, and both
  // addresses aligned to it). Returns 0, or -EEXIST if any page is already
  // mapped (nothing is changed then). `added` receives the new entries.
  int map_pages(uint64_t iova, uint64_t pa, uint64_t pgsize, uint64_t count, bool read,
                bool write, std::vector<IoPte>& added);

  // Unmaps `pgsize * count` bytes at `iova`; returns the bytes unmapped (see
  // the header comment) and appends the removed entries to `removed`.
  uint64_t unmap_pages(uint64_t iova, uint64_t pgsize, uint64_t count,
                       std::vector<IoPte>& removed);

  // The entry translating `iova`, if any.
  std::optional<IoPte> lookup(uint64_t iova) const;

  bool empty() const { return entries_.empty(); }
  uint64_t entry_count() const { return entries_.size(); }
  const std::map<uint64_t, IoPte>& entries() const { return entries_; }
  // The entries as a set (iova, pa, size, permissions), kept as they change.
  const SetDigest& digest() const { return digest_; }

 private:
  static uint64_t permissions(const IoPte& pte) {
    return (pte.read ? 1 : 0) | (pte.write ? 2 : 0);
  }
  // Every change of entries_ goes through these two, which keep digest_.
  void insert(const IoPte& pte);
  std::map<uint64_t, IoPte>::iterator erase(std::map<uint64_t, IoPte>::iterator it);
  std::map<uint64_t, IoPte>::iterator containing(uint64_t iova);
  // Replaces entry `it` by aligned pages covering what lies outside
  // [cut_first, cut_last] (inclusive).
  void split(std::map<uint64_t, IoPte>::iterator it, uint64_t cut_first, uint64_t cut_last);

  uint64_t pgsize_bitmap_;
  bool split_on_unmap_;
  std::map<uint64_t, IoPte> entries_;  // keyed by entry iova
  SetDigest digest_;
};

}  // namespace iocsim::models
