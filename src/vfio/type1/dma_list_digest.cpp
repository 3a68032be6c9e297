// SPDX-License-Identifier: GPL-2.0-only
#include "vfio/type1/dma_list_digest.h"

#include <stdexcept>

#include "vfio/type1/vfio_iommu.h"

namespace iocsim::vfio {

void DmaListDigest::key(const VfioDma& dma, uint64_t out[4]) {
  uint64_t refs = 0;
  for (const auto& [iova, vpfn] : dma.pfn_list) refs += vpfn.ref_count;
  const uint64_t flags = uint64_t{dma.iommu_mapped} | uint64_t{dma.vaddr_invalid} << 1 |
                         uint64_t{!dma.bitmap.empty()} << 2;
  out[0] = dma.iova;
  out[1] = dma.size;
  out[2] = dma.vaddr;
  // prot is READ|WRITE (2 bits); refs count pins, far below 2^48.
  out[3] = static_cast<uint64_t>(static_cast<uint32_t>(dma.prot)) | flags << 8 | refs << 16;
}

void DmaListDigest::changing(const VfioDma* dma) {
  auto [it, added] = changed_.try_emplace(dma);
  if (!added) return;
  it->second.was_listed = true;
  key(*dma, it->second.before);
}

void DmaListDigest::linked(const VfioDma* dma) {
  // (If an entry unlinked since the last read had this address, its record
  // stays: its state comes out, this one's goes in.)
  changed_[dma].gone = false;
}

void DmaListDigest::unlinking(const VfioDma* dma) {
  changing(dma);
  changed_[dma].gone = true;
}

SetDigest DmaListDigest::read(const std::map<dma_addr_t, std::unique_ptr<VfioDma>>& list) const {
  uint64_t k[4];
  for (const auto& [dma, change] : changed_) {
    if (change.was_listed)
      digest_.remove(change.before[0], change.before[1], change.before[2], change.before[3]);
    if (change.gone) continue;
    key(*dma, k);
    digest_.add(k[0], k[1], k[2], k[3]);
  }
  changed_.clear();
#ifndef NDEBUG
  SetDigest walked;
  for (const auto& [iova, dma] : list) {
    key(*dma, k);
    walked.add(k[0], k[1], k[2], k[3]);
  }
  if (!(walked == digest_))
    throw std::logic_error("the vfio_dma digest missed a change: an unmarked change in the port");
#else
  (void)list;
#endif
  return digest_;
}

}  // namespace iocsim::vfio
