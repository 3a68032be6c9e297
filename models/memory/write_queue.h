// SPDX-License-Identifier: GPL-2.0-only
// A memory controller's write pending queue (WPQ), one per channel, of a
// fixed number of entries. As Intel's uncore manual describes the iMC's
// (docs/hardware-parameters.md 5): a write is posted, complete from the
// point of view of the rest of the system, as soon as it holds an entry, and
// its entry is freed once its column command has been issued to DRAM. A
// write that finds every entry taken is posted when the oldest write leaves
// the queue (entries are freed in the order they were taken: the controller
// serves a channel's writes in arrival order).
//
// A write's column command is taken to issue tCL before its data take the
// channel's bus, as a scheduler times it for its bus slot, so a queue
// drains at the bus's pace even when the banks could take commands faster.
// The queue bounds how far writers run ahead of DRAM; it does not delay the
// DRAM's own timing of a write, which serves each bank in arrival order anyway.
//
// Writes come in runs: `count` writes on one channel, the j-th arriving at
// arrive + j * arrive_step and leaving the queue at
// max(leave + j * leave_step, arrive + j * arrive_step), the form
// DramTiming's closed form gives a row's worth of a run of write-backs.
// The queue keeps runs, not writes, so a run costs the same whatever its length.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "base/picos.h"

namespace iocsim::models {

struct WriteRun {
  uint64_t count = 1;
  Picos arrive = 0, arrive_step = 0;
  Picos leave = 0, leave_step = 0;

  Picos arrival(uint64_t j) const { return arrive + j * arrive_step; }
  Picos leaves(uint64_t j) const {
    const Picos behind = leave + j * leave_step;
    return behind > arrival(j) ? behind : arrival(j);
  }
};

class WriteQueue {
 public:
  // `entries` per channel; 0: no limit (every write is posted on arrival).
  WriteQueue(uint64_t channels, uint64_t entries);

  uint64_t entries() const { return entries_; }
  // Takes the writes of `run` on `channel` in order; returns when the last
  // of them was posted (the latest posting: a channel's only grow).
  // `unseen` writes came before them on the channel that no one asks about
  // (a long run's lines that are out of the queue by its end); `run` must
  // then hold at least entries() + 1 writes, or end the run that had them.
  Picos take(uint64_t channel, const WriteRun& run, uint64_t unseen = 0);

 private:
  struct Held {
    uint64_t first = 0;  // the channel's index of the run's first write
    WriteRun run;
  };
  struct Channel {
    uint64_t taken = 0;      // writes the channel has taken
    std::deque<Held> held;   // the runs whose writes may still be in the queue
  };
  // When the channel's write `index` leaves the queue.
  Picos leaves(const Channel& c, uint64_t index) const;

  uint64_t entries_;
  std::vector<Channel> channels_;
};

}  // namespace iocsim::models
