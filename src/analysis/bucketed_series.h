// SPDX-License-Identifier: GPL-2.0-only
// A quantity over simulated time, kept in at most kMaxBuckets equal buckets
// from time 0, for the counter tracks of traces and waveforms. The bucket
// width starts at `initial_width` and doubles, neighbouring buckets merging,
// whenever a sample lands past the last bucket: a run of any length costs the
// same memory and draws the same number of points.
//
// Two kinds of sample: an amount (bytes moved, lookups made) spread evenly
// over the interval it took, summed per bucket; and a level (dirty lines,
// open windows) that holds from a time on, kept per bucket as the highest it
// reached there, so a merge never hides a peak.
#pragma once

#include <cstddef>
#include <vector>

#include "base/picos.h"

namespace iocsim::analysis {

class BucketedSeries {
 public:
  static constexpr size_t kMaxBuckets = 1024;

  explicit BucketedSeries(Picos initial_width = 1000);

  // `amount` spread evenly over [start, end] (all of it at `start` if the
  // interval is empty).
  void add(Picos start, Picos end, double amount);
  // The level is `value` from `at` on. Levels set out of time order (models
  // run ahead of each other within a quantum) count towards their bucket's
  // peak; the level a bucket carries to the next is the last one set in it.
  void set(Picos at, double value);

  Picos width() const { return width_; }
  // Buckets up to the last one a sample landed in.
  size_t size() const { return buckets_.size(); }
  bool empty() const { return buckets_.empty(); }
  // The amount added within bucket i.
  double sum(size_t i) const { return buckets_.at(i).sum; }
  // Per bucket, its amount per nanosecond (bytes per ns are GB/s).
  std::vector<double> per_ns() const;
  // The highest level of bucket i: any set within it, and the level carried
  // in from the buckets before it unless a set came at its very start; 0
  // before the first set.
  std::vector<double> peaks() const;

 private:
  struct Bucket {
    double sum = 0;
    double peak = 0;
    double last = 0;
    bool set = false;     // a level was set within it
    Picos first_set = 0;  // the earliest time one was
  };
  // The bucket `at` falls in, after widening the buckets until it fits.
  Bucket& bucket_at(Picos at);
  void widen();

  Picos width_;
  std::vector<Bucket> buckets_;
};

}  // namespace iocsim::analysis
