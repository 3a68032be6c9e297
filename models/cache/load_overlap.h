// SPDX-License-Identifier: GPL-2.0-only
// What lets a core's loads overlap (docs/hardware-parameters.md section 3.1):
//  - MissSlots: a bounded pool of requests in flight, as the L1D's line fill
//    buffers (one per L1D miss until its data arrive) and the L2's queue of
//    misses to the LLC and memory (demand misses and prefetches) are. A
//    request that finds every slot taken waits for the earliest to free.
//  - StreamPrefetcher: the L2 streamer of Intel cores (Intel 64 and IA-32
//    Architectures Optimization Reference Manual, "Data Prefetching": it
//    watches the L1D's requests to the L2 for ascending or descending runs
//    of lines within a 4 KiB page, keeps up to 32 such streams, and runs up
//    to 20 lines ahead of the loads; it does not cross a 4 KiB boundary).
#pragma once

#include <cstdint>
#include <vector>

#include "base/line_value.h"
#include "base/picos.h"

namespace iocsim::models {

class MissSlots {
 public:
  // `slots` requests at most in flight; 0 for no limit.
  explicit MissSlots(uint64_t slots) : slots_(slots) {}
  // When a request that is ready at `t` gets a slot: `t`, or the earliest
  // time a request in flight completes if every slot is taken then. The
  // caller then hold()s the slot until its request completes.
  Picos claim(Picos t);
  void hold(Picos completes);

 private:
  uint64_t slots_;
  std::vector<Picos> completions_;  // a min-heap of the requests in flight
};

class StreamPrefetcher {
 public:
  // Prefetches up to `distance` lines ahead (0: never) of up to `streams` streams.
  StreamPrefetcher(uint64_t distance, uint64_t streams) : distance_(distance), streams_(streams) {}
  // A load of `line` reached the L2 (it missed the L1D). Appends to `out`
  // the lines to prefetch now, nearest first: once two requests to adjacent
  // lines of a page have set a stream's direction, every further request
  // along it extends the prefetched run to `distance` lines past it, within
  // the page. A request that breaks the run restarts the page's stream.
  void request(uint64_t line, std::vector<uint64_t>& out);

 private:
  struct Stream {
    uint64_t page = 0;
    uint64_t last = 0;   // the latest line requested
    int direction = 0;   // +1 or -1 once set, 0 before
    uint64_t ahead = 0;  // the furthest line prefetched (`last` if none)
  };
  uint64_t distance_, streams_;
  std::vector<Stream> table_;  // most recently requested first
};

}  // namespace iocsim::models
