// SPDX-License-Identifier: GPL-2.0-only
// When each 64-byte line access completes in a DRAM system of independent
// channels, each with bank groups of banks that keep their last row open.
//
// Address mapping (line-interleaved, as controllers do to spread streams):
// consecutive lines go to consecutive channels; within a channel, the lines
// of one row are consecutive, then consecutive rows go to consecutive banks
// (alternating bank groups first), and the row number is what remains. With
// `bank_hash`, the bank index is XORed with the row number's low bits (a
// rotation by the row when the bank count is not a power of two, which no
// DDR4 or DDR5 part has), as controllers permute banks so that two streams a
// multiple of the bank rotation apart (2 MiB folios) do not take turns
// closing each other's rows (docs/hardware-parameters.md 4.3).
//
// Per access, on its bank (open-page policy, JEDEC command timing):
//  - row hit:      READ/WRITE when the bank is free;           data after tCL
//  - row closed:   ACTIVATE, then READ tRCD later;              data after tCL
//  - row conflict: PRECHARGE no sooner than tRAS after the row's ACTIVATE,
//                  ACTIVATE tRP later, READ tRCD after that;    data after tCL
// and the data then occupy the channel's bus for `burst` once it is free. A
// bank takes its next column command `burst` after the last, so two
// accesses to different rows of one bank are at least tRC = tRAS + tRP apart.
// Writes are timed like reads (CWL is taken equal to CL).
// A run of consecutive lines arriving at a fixed spacing (a stream of
// write-backs) is timed a row at a time, in closed form, with the outcome of
// timing its lines one by one (access_run).
// Does not model: refresh, tFAW/tRRD activation limits, tCCD_L within a bank
// group, read/write turnaround, ranks, command-bus contention, or queue
// reordering (requests are served in arrival order per bank).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "base/line_value.h"
#include "base/picos.h"

namespace iocsim::models {

struct DramGeometry {
  uint64_t channels = 1;
  uint64_t bank_groups = 1;
  uint64_t banks_per_group = 1;
  uint64_t row_bytes = 8192;  // one row of one bank across the rank (a DRAM "page")
  bool bank_hash = false;     // permute the banks by the row number
};

struct DramTimings {
  Picos tCL = 0, tRCD = 0, tRP = 0, tRAS = 0;
  Picos burst = 0;  // data-bus time of one 64-byte line on one channel
};

struct DramStats {
  uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
  Picos bus_busy = 0;  // summed over channels
};

// Which channel, bank and row a line lives in.
struct DramLocation {
  uint64_t channel = 0;
  uint64_t bank = 0;  // within the channel: group * banks_per_group + bank in group
  uint64_t row = 0;
};

// Part of a run of accesses (DramTiming::access_run) in one row of one bank:
// `count` lines of `channel`, the j-th arriving at arrive + j * arrive_step,
// its data on the bus from max(data + j * burst, arrive + j * arrive_step + tCL)
// for `burst`, as access() would have timed it.
struct DramRowRun {
  uint64_t channel = 0, count = 0;
  uint64_t unshown = 0;  // lines of the channel's share before this row not shown
  Picos arrive = 0, arrive_step = 0;
  Picos data = 0;
};

class DramTiming {
 public:
  DramTiming(const DramGeometry& geometry, const DramTimings& timings);

  DramLocation locate(uint64_t pa) const;  // inline below: every access calls it
  // The access to the line at `pa` arriving at `arrive`; returns when its data
  // have crossed the bus.
  Picos access(uint64_t pa, Picos arrive);
  // access() on every line of [pa, pa + lines * 64), line i arriving at
  // arrive + i * step, with the same outcome; returns when the last of their
  // data have crossed a bus. O(rows the run touches), not O(lines).
  // `each_row` is shown, a row at a time in order, the rows that hold any of
  // each channel's last `shown` lines of the run (when given).
  Picos access_run(uint64_t pa, uint64_t lines, Picos arrive, Picos step, uint64_t shown = 0,
                   const std::function<void(const DramRowRun&)>& each_row = {});

  const DramStats& stats() const { return stats_; }

 private:
  struct Bank {
    bool open = false;
    uint64_t row = 0;
    Picos activated = 0;    // last ACTIVATE
    Picos next_column = 0;  // earliest next column command
  };

  // The column command of an access to `row` of bank `b` arriving at
  // `arrive`: opens the row if it must, and counts the row hit, miss or conflict.
  // Inline, and defined in dram_timing.cpp, its one user: every access calls it.
  inline Picos first_column(Bank& b, uint64_t row, Picos arrive);
  // The bank (within its channel) and row of a channel's row index.
  void place(uint64_t row_index, uint64_t& bank, uint64_t& row) const;

  DramGeometry g_;
  DramTimings t_;
  uint64_t lines_per_row_;
  uint64_t banks_per_channel_;
  // Every count a power of two (as in every preset): locate() shifts and
  // masks, all worked out here, instead of dividing, which the request path
  // feels.
  bool shifts_ = false;
  unsigned row_index_shift_ = 0;  // a line's row index: line >> (channel + row-offset bits)
  unsigned bank_bits_ = 0, group_bits_ = 0, in_group_bits_ = 0;
  uint64_t channel_mask_ = 0, bank_mask_ = 0, group_mask_ = 0;
  std::vector<Bank> banks_;       // channel-major
  std::vector<Picos> bus_free_;   // per channel
  DramStats stats_;
};

inline DramLocation DramTiming::locate(uint64_t pa) const {
  const uint64_t line = pa / kLineBytes;
  DramLocation at;
  // The same mapping either way, with every division a shift when it can be.
  if (shifts_) {
    at.channel = line & channel_mask_;
    place(line >> row_index_shift_, at.bank, at.row);
  } else {
    at.channel = line % g_.channels;
    place(line / g_.channels / lines_per_row_, at.bank, at.row);  // rows of this channel, in order
  }
  return at;
}

inline void DramTiming::place(uint64_t row_index, uint64_t& bank, uint64_t& row) const {
  if (shifts_) {
    row = row_index >> bank_bits_;
    const uint64_t n = (row_index ^ (g_.bank_hash ? row : 0)) & bank_mask_;
    bank = ((n & group_mask_) << in_group_bits_) | (n >> group_bits_);
    return;
  }
  // Bank n of the rotation: groups alternate fastest (n % groups), so that
  // consecutive rows land in different bank groups.
  const uint64_t banks = banks_per_channel_;
  row = row_index / banks;
  uint64_t n = row_index % banks;
  if (g_.bank_hash) n = (banks & (banks - 1)) == 0 ? n ^ (row % banks) : (n + row) % banks;
  bank = (n % g_.bank_groups) * g_.banks_per_group + n / g_.bank_groups;
}

}  // namespace iocsim::models
