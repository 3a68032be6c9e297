// SPDX-License-Identifier: GPL-2.0-only
#include "analysis/flush_ledger.h"

namespace iocsim::analysis {

FlushCost& FlushCost::operator+=(const FlushCost& o) {
  calls += o.calls;
  bytes += o.bytes;
  lines += o.lines;
  lines_written_back += o.lines_written_back;
  cpu_picos += o.cpu_picos;
  return *this;
}

void FlushLedger::flushed(const vfio::FlushCall& call) {
  calls_.push_back(call);
  const FlushCost cost{1, call.bytes, call.done.lines, call.done.lines_written_back,
                       call.done.end_picos - call.done.start_picos};
  const size_t site = static_cast<size_t>(call.site);
  by_site_[site] += cost;
  by_container_[call.container][site] += cost;
}

FlushCost FlushLedger::total() const {
  FlushCost sum;
  for (const FlushCost& c : by_site_) sum += c;
  return sum;
}

const SiteCosts& FlushLedger::container(vfio::ContainerId id) const {
  static const SiteCosts kNone{};
  auto it = by_container_.find(id);
  return it == by_container_.end() ? kNone : it->second;
}

}  // namespace iocsim::analysis
