// SPDX-License-Identifier: GPL-2.0-only
#include "vfio/fault_injection.h"

namespace iocsim::vfio {

std::optional<FaultKind> fault_kind_named(std::string_view name) {
  for (const FaultKindInfo& k : kFaultKinds)
    if (k.name == name) return k.kind;
  return std::nullopt;
}

void FaultInjector::arm(FaultKind kind, unsigned call, int err, Scope scope) {
  armed_.push_back({kind, call, err, std::move(scope)});
}

int FaultInjector::fire(FaultKind kind, std::optional<DomainHandle> domain) {
  int err = 0;
  for (auto it = armed_.begin(); it != armed_.end();) {
    const bool counts = it->kind == kind && (!it->scope || (domain && it->scope(*domain)));
    if (counts && --it->remaining == 0) {
      if (!err) err = it->err;
      it = armed_.erase(it);
      continue;
    }
    ++it;
  }
  return err;
}

}  // namespace iocsim::vfio
