// SPDX-License-Identifier: GPL-2.0-only
#include "models/memory/dram_timing.h"

#include <algorithm>
#include <stdexcept>

#include "models/common/line_value.h"

namespace iocsim::models {

DramTiming::DramTiming(const DramGeometry& geometry, const DramTimings& timings)
    : g_(geometry), t_(timings) {
  if (g_.channels == 0 || g_.bank_groups == 0 || g_.banks_per_group == 0)
    throw std::invalid_argument("DRAM needs at least one channel, bank group and bank");
  if (g_.row_bytes < kLineBytes || g_.row_bytes % kLineBytes != 0)
    throw std::invalid_argument("a DRAM row is a whole number of 64-byte lines");
  lines_per_row_ = g_.row_bytes / kLineBytes;
  banks_per_channel_ = g_.bank_groups * g_.banks_per_group;
  banks_.resize(g_.channels * banks_per_channel_);
  bus_free_.resize(g_.channels);
  auto pow2 = [](uint64_t v) { return (v & (v - 1)) == 0; };
  auto bits = [](uint64_t v) { return static_cast<unsigned>(__builtin_ctzll(v)); };
  shifts_ = pow2(g_.channels) && pow2(lines_per_row_) && pow2(g_.bank_groups) &&
            pow2(g_.banks_per_group);
  if (shifts_) {
    row_index_shift_ = bits(g_.channels) + bits(lines_per_row_);
    group_bits_ = bits(g_.bank_groups);
    in_group_bits_ = bits(g_.banks_per_group);
    bank_bits_ = group_bits_ + in_group_bits_;
    channel_mask_ = g_.channels - 1;
    bank_mask_ = banks_per_channel_ - 1;
    group_mask_ = g_.bank_groups - 1;
  }
}

Picos DramTiming::access(uint64_t pa, Picos arrive) {
  const DramLocation at = locate(pa);
  Bank& b = banks_[at.channel * banks_per_channel_ + at.bank];
  Picos column;
  if (b.open && b.row == at.row) {
    ++stats_.row_hits;
    column = std::max(arrive, b.next_column);
  } else {
    Picos activate;
    if (!b.open) {
      ++stats_.row_misses;
      activate = std::max(arrive, b.next_column);
    } else {
      ++stats_.row_conflicts;
      const Picos precharge = std::max({arrive, b.next_column, b.activated + t_.tRAS});
      activate = precharge + t_.tRP;
    }
    b.open = true;
    b.row = at.row;
    b.activated = activate;
    column = activate + t_.tRCD;
  }
  b.next_column = column + t_.burst;
  Picos& bus = bus_free_[at.channel];
  const Picos data = std::max(column + t_.tCL, bus);
  bus = data + t_.burst;
  stats_.bus_busy += t_.burst;
  return bus;
}

}  // namespace iocsim::models
