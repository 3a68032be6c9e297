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

void FlushLedger::record(vfio::FlushSite site, uint64_t phys, uint64_t bytes,
                         uint64_t start_picos, const host::FlushOutcome& outcome) {
  calls_.push_back({site, phys, bytes, outcome.lines, outcome.lines_written_back, start_picos,
                    start_picos + outcome.cpu_picos});
  FlushCost& c = by_site_[static_cast<size_t>(site)];
  c.calls += 1;
  c.bytes += bytes;
  c.lines += outcome.lines;
  c.lines_written_back += outcome.lines_written_back;
  c.cpu_picos += outcome.cpu_picos;
}

FlushCost FlushLedger::total() const {
  FlushCost sum;
  for (const FlushCost& c : by_site_) sum += c;
  return sum;
}

}  // namespace iocsim::analysis
