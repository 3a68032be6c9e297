// SPDX-License-Identifier: GPL-2.0-only
// Making chosen later calls fail (docs/format.md 6): the N-th call of a
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

#include <cerrno>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "vfio/iommu_core.h"

namespace iocsim::vfio {

enum class FaultKind : uint8_t { alloc, pin, iommu_map, iommu_unmap };

// What the failed call returns.
enum class FaultErrno : uint8_t {
  enomem,    // NULL, which its callers turn into -ENOMEM (or a fallback)
  given,     // the errno the injection names
  no_errno,  // nothing: iommu_unmap() unmaps nothing and returns a size
};

struct FaultKindInfo {
  FaultKind kind;
  std::string_view name;  // as `inject` steps spell it
  bool per_domain;        // a call on one domain: an injection may count one unit's only
  FaultErrno returns;
};

inline constexpr FaultKindInfo kFaultKinds[] = {
    {FaultKind::alloc, "alloc", false, FaultErrno::enomem},
    {FaultKind::pin, "pin", false, FaultErrno::given},
    {FaultKind::iommu_map, "iommu_map", true, FaultErrno::given},
    {FaultKind::iommu_unmap, "iommu_unmap", true, FaultErrno::no_errno},
};

// What arm() takes as the failure of a kind whose injection names no errno
// (any non-zero value makes a call fail; for no_errno kinds it is not seen).
inline constexpr int kFailsWithoutErrno = -ENOMEM;

inline constexpr const FaultKindInfo& info(FaultKind kind) {
  return kFaultKinds[static_cast<size_t>(kind)];
}
inline constexpr std::string_view to_string(FaultKind kind) { return info(kind).name; }
std::optional<FaultKind> fault_kind_named(std::string_view name);

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
