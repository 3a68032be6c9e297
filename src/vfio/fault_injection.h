// SPDX-License-Identifier: GPL-2.0-only
// Making chosen later calls fail (contract section 6): the N-th call of a
// kind after the injection fails, counted over every path that makes such a
// call, optionally only on the domains of one IOMMU unit.
//
// What failure means depends on the kind, as in the kernel:
//   alloc        an allocation returns NULL; the caller decides (mostly -ENOMEM,
//                sometimes a fallback);
//   pin          pin_user_pages_remote() returns the errno;
//   iommu_map    iommu_map() returns the errno;
//   iommu_unmap  iommu_unmap() unmaps nothing (it returns a size, not an errno).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "vfio/iommu_core.h"

namespace iocsim::vfio {

enum class FaultKind : uint8_t { alloc, pin, iommu_map, iommu_unmap };

const char* to_string(FaultKind kind);

class FaultInjector {
 public:
  using Scope = std::function<bool(DomainHandle)>;

  // The `call`-th later call of `kind` (1 = the next) fails with `err`; with a
  // scope, only calls on domains it accepts count.
  void arm(FaultKind kind, unsigned call, int err, Scope scope = {});

  // At every call of `kind` (on `domain` when it has one): the errno this
  // call fails with, or 0.
  int fire(FaultKind kind, std::optional<DomainHandle> domain = std::nullopt);

  // Injections armed but not fired yet.
  size_t pending() const { return armed_.size(); }

 private:
  struct Armed {
    FaultKind kind;
    unsigned remaining;
    int err;
    Scope scope;
  };
  std::vector<Armed> armed_;
};

}  // namespace iocsim::vfio
