// SPDX-License-Identifier: GPL-2.0-only
// Exposure windows merged into runs as they close (hazards.h, Window): a
// window joins a run of the same kind, device, owner and open_at_end whose
// lines it continues on either side, in PA and in IOVA, if the two overlap in
// time. Lines close out of address order (a device with several requests in
// flight completes them out of order), so a window can extend the run that
// ends where it starts, the run that starts where it ends, or join the two.
// Memory and report size then grow with the runs, not with the lines: 8 MiB
// that a No-Snoop device writes a line at a time open 131,072 windows of each
// CPU-side kind and make one run of each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "analysis/hazards.h"

namespace iocsim::analysis {

class MergedWindows {
 public:
  // Adds a closed window, merged into the runs it continues.
  void add(const Window& w);
  // Puts the runs in order of their start (then kind, device, address) and
  // drops the index that merging needs: nothing is added afterwards.
  void finish();
  // The runs; in order once finish() has been called.
  const std::vector<Window>& runs() const { return runs_; }

 private:
  // What two runs must share to merge, and an address where one begins or ends.
  struct Edge {
    uint32_t stream;
    OwnerId owner;
    HazardKind kind;
    bool open_at_end;
    uint64_t pa;
    bool operator==(const Edge& o) const {
      return stream == o.stream && owner == o.owner && kind == o.kind &&
             open_at_end == o.open_at_end && pa == o.pa;
    }
  };
  struct EdgeHash {
    size_t operator()(const Edge& e) const;
  };
  using Index = std::unordered_map<Edge, size_t, EdgeHash>;

  static Edge edge(const Window& w, uint64_t pa) {
    return Edge{w.stream_id, w.owner, w.kind, w.open_at_end, pa};
  }
  static Edge start_of(const Window& w) { return edge(w, w.pa); }
  static Edge end_of(const Window& w) { return edge(w, w.pa + w.size); }
  // Whether `next` holds the lines right after `run`'s (in PA and IOVA) and
  // the two overlap in time; the caller has matched their edges.
  static bool continues(const Window& run, const Window& next);
  // Merges `w` into `run`, whose lines it continues on one side or the other.
  static void absorb(Window& run, const Window& w);
  // Points `index`'s entry at `edge` to run `to` if it points to run `from`;
  // erases it if `to` is npos.
  static void repoint(Index& index, const Edge& edge, size_t from, size_t to);
  // Removes run `i` (merged into another), moving the last run into its place.
  void remove(size_t i);
  // Merges into `run` the run that starts where `w`, now part of `run`,
  // ends, if `w` overlaps it in time.
  void join_next(size_t run, const Window& w);
  // Makes `run` the growing run: its end leaves by_end_, the previous one's
  // goes back in.
  void set_growing(size_t run);

  static constexpr size_t kNone = static_cast<size_t>(-1);
  std::vector<Window> runs_;
  // Runs by where their lines begin and end. Two runs of one class can end
  // at the same address (a line exposed twice): the index keeps the later,
  // and the earlier grows no more.
  Index by_start_, by_end_;
  // The run the last window went into. Windows mostly close in address
  // order (a page zeroed or written back, a transfer a line at a time), so
  // the next one extends it: by_end_ leaves its end out, and add() tries it
  // first, without a lookup.
  size_t growing_ = kNone;
};

}  // namespace iocsim::analysis
