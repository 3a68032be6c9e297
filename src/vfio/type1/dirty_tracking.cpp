// SPDX-License-Identifier: GPL-2.0-only
// Dirty page tracking: per-dma bitmaps at the smallest page size, and
// VFIO_IOMMU_DIRTY_PAGES (start, stop, get bitmap).
#include <cerrno>

#include "vfio/type1/vfio_iommu.h"

namespace iocsim::vfio {
namespace {

int verify_bitmap_size(uint64_t npages, uint64_t bitmap_size) {
  if (!npages || !bitmap_size || bitmap_size > kDirtyBitmapSizeMax ||
      bitmap_size < dirty_bitmap_bytes(npages))
    return -EINVAL;
  return 0;
}

}  // namespace

std::vector<uint64_t> DirtyBitmap::set_bits() const {
  std::vector<uint64_t> bits;
  for (size_t w = 0; w < words.size(); ++w)
    for (unsigned b = 0; b < 64; ++b)
      if (words[w] >> b & 1) bits.push_back(w * 64 + b);
  return bits;
}

int VfioIommu::vfio_dma_bitmap_alloc(VfioDma* dma, uint64_t pgsize) {
  const uint64_t npages = dma->size / pgsize;
  if (npages > kDirtyBitmapPagesMax) return -EINVAL;
  if (alloc_fails()) return -ENOMEM;
  dma_digest_.changing(dma);
  dma->bitmap.assign(npages, false);
  return 0;
}

// Pages pinned through the external interface are dirty from the start.
void VfioIommu::vfio_dma_populate_bitmap(VfioDma* dma, uint64_t pgsize) {
  const unsigned pgshift = ffs64(pgsize);
  for (const auto& entry : dma->pfn_list)
    dma->bitmap[(entry.second.iova - dma->iova) >> pgshift] = true;
}

void VfioIommu::vfio_iommu_populate_bitmap_full() {
  for (auto& entry : dma_list_) entry.second->bitmap.assign(entry.second->bitmap.size(), true);
}

int VfioIommu::vfio_dma_bitmap_alloc_all(uint64_t pgsize) {
  for (auto n = dma_list_.begin(); n != dma_list_.end(); ++n) {
    if (int ret = vfio_dma_bitmap_alloc(n->second.get(), pgsize)) {
      for (auto p = dma_list_.begin(); p != n; ++p) {
        dma_digest_.changing(p->second.get());
        p->second->bitmap.clear();
      }
      return ret;
    }
    vfio_dma_populate_bitmap(n->second.get(), pgsize);
  }
  return 0;
}

void VfioIommu::vfio_dma_bitmap_free_all() {
  for (auto& entry : dma_list_) {
    dma_digest_.changing(entry.second.get());
    entry.second->bitmap.clear();
  }
}

// Copies a dma's bits into the user's bitmap at its offset from base_iova,
// word by word as the kernel does: the bits below the dma's first bit in the
// first word are kept, the rest of each word written is the dma's.
int VfioIommu::update_user_bitmap(DirtyBitmap& user, VfioDma* dma, dma_addr_t base_iova,
                                  uint64_t pgsize) {
  const unsigned pgshift = ffs64(pgsize);
  const uint64_t nbits = dma->size >> pgshift;
  const uint64_t bit_offset = (dma->iova - base_iova) >> pgshift;
  const uint64_t copy_offset = bit_offset / 64;
  const uint64_t shift = bit_offset % 64;

  // Every page is dirty if some IOMMU-backed group cannot report its dirtying.
  if (num_non_pinned_groups_ && dma->iommu_mapped) dma->bitmap.assign(nbits, true);

  const uint64_t words = dirty_bitmap_bytes(nbits + shift) / 8;
  if (user.words.size() < copy_offset + words) user.words.resize(copy_offset + words, 0);
  std::vector<uint64_t> out(words, 0);
  for (uint64_t i = 0; i < nbits; ++i)
    if (dma->bitmap[i]) out[(i + shift) / 64] |= uint64_t{1} << ((i + shift) % 64);
  if (shift) out[0] |= user.words[copy_offset] & ((uint64_t{1} << shift) - 1);
  for (uint64_t w = 0; w < words; ++w) user.words[copy_offset + w] = out[w];
  return 0;
}

int VfioIommu::vfio_iova_dirty_bitmap(DirtyBitmap& bitmap, dma_addr_t iova, uint64_t size,
                                      uint64_t pgsize) {
  // The range must fully cover the dmas it touches.
  VfioDma* dma = vfio_find_dma(iova, 1);
  if (dma && dma->iova != iova) return -EINVAL;
  dma = vfio_find_dma(iova + size - 1, 0);
  if (dma && dma->iova + (dma->size - 1) != iova + (size - 1)) return -EINVAL;

  for (auto& entry : dma_list_) {
    VfioDma* d = entry.second.get();
    if (d->iova < iova) continue;
    if (d->iova > iova + size - 1) break;
    if (int ret = update_user_bitmap(bitmap, d, iova, pgsize)) return ret;
    // Start again from the pages still pinned externally.
    d->bitmap.assign(d->bitmap.size(), false);
    vfio_dma_populate_bitmap(d, pgsize);
  }
  return 0;
}

int VfioIommu::dirty_pages(DirtyPagesArgs& a) {
  const uint32_t mask = VFIO_IOMMU_DIRTY_PAGES_FLAG_START | VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP |
                        VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
  if (!v2_) return -EACCES;
  if (a.argsz < kDirtyMinsz || a.flags & ~mask) return -EINVAL;
  // Only one flag at a time.
  if (!a.flags || ffs64(a.flags) != fls64(a.flags)) return -EINVAL;

  if (a.flags & VFIO_IOMMU_DIRTY_PAGES_FLAG_START) {
    int ret = 0;
    const uint64_t pgsize = uint64_t{1} << ffs64(pgsize_bitmap_);
    if (!dirty_page_tracking_) {
      ret = vfio_dma_bitmap_alloc_all(pgsize);
      if (!ret) dirty_page_tracking_ = true;
    }
    return ret;
  }
  if (a.flags & VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP) {
    if (dirty_page_tracking_) {
      dirty_page_tracking_ = false;
      vfio_dma_bitmap_free_all();
    }
    return 0;
  }

  // GET_BITMAP
  const uint64_t data_size = a.argsz - kDirtyMinsz;
  if (!data_size || data_size < kDirtyRangeSize) return -EINVAL;
  if (kernel_.config.base == KernelBase::v6_18) {
    if (a.size && a.iova + a.size - 1 < a.iova) return -EOVERFLOW;
  } else if (a.iova + a.size < a.iova) {
    return -EINVAL;
  }
  // __ffs(0) is undefined in the kernel; a zero page size cannot describe a bitmap.
  if (!a.bitmap.pgsize) return -EINVAL;
  if (int ret = verify_bitmap_size(a.size >> ffs64(a.bitmap.pgsize), a.bitmap.size)) return ret;

  const uint64_t iommu_pgsize = uint64_t{1} << ffs64(pgsize_bitmap_);
  // Only the smallest supported page size.
  if (a.bitmap.pgsize != iommu_pgsize) return -EINVAL;
  if (a.iova & (iommu_pgsize - 1)) return -EINVAL;
  if (!a.size || a.size & (iommu_pgsize - 1)) return -EINVAL;
  if (!dirty_page_tracking_) return -EINVAL;
  return vfio_iova_dirty_bitmap(a.bitmap, a.iova, a.size, a.bitmap.pgsize);
}

}  // namespace iocsim::vfio
