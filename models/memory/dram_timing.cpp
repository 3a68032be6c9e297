// SPDX-License-Identifier: GPL-2.0-only
#include "models/memory/dram_timing.h"

#include <algorithm>
#include <stdexcept>

#include "base/line_value.h"

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

Picos DramTiming::first_column(Bank& b, uint64_t row, Picos arrive) {
  if (b.open && b.row == row) {
    ++stats_.row_hits;
    return std::max(arrive, b.next_column);
  }
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
  b.row = row;
  b.activated = activate;
  return activate + t_.tRCD;
}

Picos DramTiming::access(uint64_t pa, Picos arrive) {
  const DramLocation at = locate(pa);
  Bank& b = banks_[at.channel * banks_per_channel_ + at.bank];
  const Picos column = first_column(b, at.row, arrive);
  b.next_column = column + t_.burst;
  Picos& bus = bus_free_[at.channel];
  const Picos data = std::max(column + t_.tCL, bus);
  bus = data + t_.burst;
  stats_.bus_busy += t_.burst;
  return bus;
}

Picos DramTiming::access_run(uint64_t pa, uint64_t lines, Picos arrive, Picos step,
                             uint64_t shown,
                             const std::function<void(const DramRowRun&)>& each_row) {
  // Channels are independent, so each takes its share of the run on its own:
  // every C-th line (C channels), arriving C * step apart, a row's worth of
  // consecutive lines per bank. Within one row of one bank, line k's column
  // command is c_k = max(arrive_k, c_{k-1} + burst), which unrolls to
  //   c_k = max(c_0 + k * burst, a + k * s)
  // (a: the row's first arrival, s: the spacing; c_0 >= a), and the bus,
  // free at bus_k = max(c_k + tCL, bus_{k-1}) + burst, unrolls to
  //   bus_k = max(bus_-1 + (k+1) * burst, c_0 + tCL + (k+1) * burst, a + k * s + tCL + burst).
  const uint64_t first = pa / kLineBytes, channels = g_.channels;
  const Picos spacing = channels * step;
  Picos done = arrive;
  for (uint64_t channel = 0; channel < channels; ++channel) {
    const uint64_t offset = (channel + channels - first % channels) % channels;
    if (offset >= lines) continue;
    uint64_t left = (lines - offset + channels - 1) / channels;
    uint64_t in_channel = (first + offset) / channels;  // the channel's own line index
    Picos a = arrive + offset * step;
    Picos& bus = bus_free_[channel];
    uint64_t unshown = 0;
    while (left > 0) {
      const uint64_t count = std::min(left, lines_per_row_ - in_channel % lines_per_row_);
      uint64_t bank, row;
      place(in_channel / lines_per_row_, bank, row);
      Bank& b = banks_[channel * banks_per_channel_ + bank];
      const Picos c0 = first_column(b, row, a), k = count - 1;
      b.next_column = std::max(c0 + k * t_.burst, a + k * spacing) + t_.burst;
      // The unrolling below holds for every line of the row, not only its
      // last: line j's data take the bus at max(bus_-1, c_0 + tCL) + j * burst
      // or a + j * s + tCL, whichever is later.
      if (each_row && left - count < shown) {
        each_row({channel, count, unshown, a, spacing, std::max(bus, c0 + t_.tCL)});
        unshown = 0;
      } else {
        unshown += count;
      }
      bus = std::max({bus + count * t_.burst, c0 + t_.tCL + count * t_.burst,
                      a + k * spacing + t_.tCL + t_.burst});
      stats_.row_hits += k;
      stats_.bus_busy += count * t_.burst;
      in_channel += count;
      left -= count;
      a += count * spacing;
    }
    done = std::max(done, bus);
  }
  return done;
}

}  // namespace iocsim::models
