// SPDX-License-Identifier: GPL-2.0-only
#include "models/memory/write_queue.h"

#include <algorithm>
#include <iterator>

namespace iocsim::models {

WriteQueue::WriteQueue(uint64_t channels, uint64_t entries)
    : entries_(entries), channels_(channels) {}

Picos WriteQueue::leaves(const Channel& c, uint64_t index) const {
  // The last run that begins at or before `index` (runs are held in order;
  // single writes, a device's, hold about entries() of them).
  auto after = std::upper_bound(c.held.begin(), c.held.end(), index,
                                [](uint64_t i, const Held& h) { return i < h.first; });
  if (after != c.held.begin()) {
    const Held& h = *std::prev(after);
    return h.run.leaves(index - h.first);
  }
  // Before every run held: a write of a long run's lines that were not shown
  // (take()'s `unseen`). Only a row of that run asks, and its own last posting
  // is below the run's last, which the rows shown answer exactly: at arrival.
  return 0;
}

Picos WriteQueue::take(uint64_t channel, const WriteRun& run, uint64_t unseen) {
  const Picos last_arrives = run.arrival(run.count - 1);
  if (entries_ == 0) return last_arrives;
  Channel& c = channels_[channel];
  if (unseen > 0) {
    c.held.clear();
    c.taken += unseen;
  }
  c.held.push_back({c.taken, run});
  c.taken += run.count;
  // The last write waits for the one `entries_` before it on the channel.
  const uint64_t last = c.taken - 1;
  const Picos posted =
      last < entries_ ? last_arrives : std::max(last_arrives, leaves(c, last - entries_));
  // The next write waits for write `taken - entries_`: runs wholly before it go.
  while (c.held.size() > 1 && c.taken >= entries_ &&
         c.held.front().first + c.held.front().run.count <= c.taken - entries_)
    c.held.pop_front();
  return posted;
}

}  // namespace iocsim::models
