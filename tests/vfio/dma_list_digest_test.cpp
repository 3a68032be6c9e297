// SPDX-License-Identifier: GPL-2.0-only
// The vfio_dma digest kept as entries change equals the digest of the list as
// it is, and every field the unwind check compares moves it.
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include <catch2/catch.hpp>

#include "vfio/type1/dma_list_digest.h"
#include "vfio/type1/vfio_iommu.h"

using namespace iocsim;
using vfio::DmaListDigest;
using vfio::VfioDma;
using DmaList = std::map<vfio::dma_addr_t, std::unique_ptr<VfioDma>>;

namespace {

VfioDma* add(DmaList& list, DmaListDigest& digest, vfio::dma_addr_t iova, uint64_t size) {
  auto dma = std::make_unique<VfioDma>();
  dma->iova = iova;
  dma->size = size;
  dma->vaddr = 0x7f0000000000 + iova;
  dma->prot = 3;
  VfioDma* raw = dma.get();
  list.emplace(iova, std::move(dma));
  digest.linked(raw);
  return raw;
}

// The digest of `list` read by a digest told of every entry at once.
SetDigest fresh(const DmaList& list) {
  DmaListDigest digest;
  for (const auto& [iova, dma] : list) digest.linked(dma.get());
  return digest.read(list);
}

}  // namespace

TEST_CASE("the digest follows links, changes and unlinks as a fresh one would see the list") {
  DmaList list;
  DmaListDigest digest;
  add(list, digest, 0, 4096);
  VfioDma* b = add(list, digest, 0x10000, 8192);
  CHECK(digest.read(list) == fresh(list));
  CHECK(digest.read(list).count == 2);

  digest.changing(b);
  b->size += 4096;
  b->iommu_mapped = true;
  digest.changing(b);  // a second change before a read
  b->size += 4096;
  add(list, digest, 0x20000, 4096);
  CHECK(digest.read(list) == fresh(list));

  digest.unlinking(b);
  list.erase(0x10000);
  CHECK(digest.read(list) == fresh(list));
  CHECK(digest.read(list).count == 2);
}

TEST_CASE("an entry linked where an unlinked one was, before a read, replaces it") {
  DmaList list;
  DmaListDigest digest;
  VfioDma* a = add(list, digest, 0, 4096);
  CHECK(digest.read(list).count == 1);
  // The same object stands for a new entry at the freed one's address.
  digest.unlinking(a);
  auto taken = std::move(list.at(0));
  list.erase(0);
  taken->iova = 0x40000;
  taken->size = 8192;
  list.emplace(taken->iova, std::move(taken));
  digest.linked(a);
  CHECK(digest.read(list) == fresh(list));
}

TEST_CASE("every field the unwind check compares moves the digest, and restored it is as before") {
  DmaList list;
  DmaListDigest digest;
  VfioDma* dma = add(list, digest, 0x100000, 0x4000);
  const SetDigest before = digest.read(list);
  const std::vector<std::function<void(VfioDma&)>> changes = {
      [](VfioDma& d) { d.iova += 0x1000; },
      [](VfioDma& d) { d.size += 0x1000; },
      [](VfioDma& d) { d.vaddr += 0x1000; },
      [](VfioDma& d) { d.prot = 1; },
      [](VfioDma& d) { d.iommu_mapped = !d.iommu_mapped; },
      [](VfioDma& d) { d.vaddr_invalid = !d.vaddr_invalid; },
      [](VfioDma& d) { d.bitmap.assign(4, false); },
      [](VfioDma& d) { d.pfn_list[d.iova] = vfio::VfioPfn{d.iova, 0x1234, 1}; },
  };
  for (const auto& change : changes) {
    const VfioDma saved = *dma;
    digest.changing(dma);
    change(*dma);
    CHECK_FALSE(digest.read(list) == before);
    digest.changing(dma);
    *dma = saved;
    CHECK(digest.read(list) == before);
  }
}
