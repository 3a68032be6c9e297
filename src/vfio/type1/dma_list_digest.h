// SPDX-License-Identifier: GPL-2.0-only
// The digest of a container's vfio_dma entries that the unwind check compares
// (analysis/kernel_state.h): each entry's iova, size, vaddr, prot,
// iommu_mapped, vaddr_invalid, whether it has a dirty bitmap, and its
// external pins' reference counts, summed; kept as entries change, so that
// reading it costs what changed since it was last read, not a walk of the
// list (a container with tens of thousands of single-page mappings took time
// in the square of their number).
//
// The port tells it of each entry it is about to change (changing()), links
// (linked()) or unlinks (unlinking()); an entry's state before its first
// change since the last read comes out of the digest and its state at the
// read goes in. Debug builds (the sanitizer suite) check every read against
// the digest computed from the list.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>

#include "base/set_digest.h"
#include "vfio/uapi.h"

namespace iocsim::vfio {

struct VfioDma;

class DmaListDigest {
 public:
  // Before the port changes a field the digest covers in `dma`.
  void changing(const VfioDma* dma);
  // After `dma` joined the list.
  void linked(const VfioDma* dma);
  // Before `dma` leaves the list (and is freed).
  void unlinking(const VfioDma* dma);
  // The digest of `list`, which must be the list the port told it about.
  SetDigest read(const std::map<dma_addr_t, std::unique_ptr<VfioDma>>& list) const;

 private:
  struct Change {
    bool was_listed = false;  // `before` holds its state at its first change
    uint64_t before[4] = {};
    bool gone = false;  // unlinked (and freed): nothing of it goes back in
  };
  static void key(const VfioDma& dma, uint64_t out[4]);

  mutable SetDigest digest_;
  // Entries changed since the last read, by address: a new entry can take
  // an unlinked one's address, and then both are this one record.
  mutable std::unordered_map<const VfioDma*, Change> changed_;
};

}  // namespace iocsim::vfio
