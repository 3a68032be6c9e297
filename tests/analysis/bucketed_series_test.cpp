// SPDX-License-Identifier: GPL-2.0-only
// Bucketed series: amounts spread over buckets, widening that keeps totals
// and peaks, levels carried across empty buckets.
#include "analysis/bucketed_series.h"

#include <catch2/catch.hpp>

using iocsim::analysis::BucketedSeries;

namespace {
double total(const BucketedSeries& s) {
  double sum = 0;
  for (size_t i = 0; i < s.size(); ++i) sum += s.sum(i);
  return sum;
}
}  // namespace

TEST_CASE("an amount is spread over the buckets its interval covers") {
  BucketedSeries s(100);
  s.add(50, 250, 200);  // 1 per ps: 50 in [0,100), 100 in [100,200), 50 in [200,300)
  REQUIRE(s.size() == 3);
  CHECK(s.sum(0) == Approx(50));
  CHECK(s.sum(1) == Approx(100));
  CHECK(s.sum(2) == Approx(50));
  s.add(120, 120, 7);  // an empty interval: all at its start
  CHECK(s.sum(1) == Approx(107));
}

TEST_CASE("a sample past the last bucket widens them, keeping the total") {
  BucketedSeries s(10);
  for (uint64_t t = 0; t < 10'000; t += 10) s.add(t, t + 10, 3);
  const uint64_t far = 10 * BucketedSeries::kMaxBuckets * 8 - 10;  // three doublings fit it
  s.add(far, far, 5);
  CHECK(s.width() == 80);
  CHECK(s.size() <= BucketedSeries::kMaxBuckets);
  CHECK(total(s) == Approx(3 * 1000 + 5));
  CHECK(s.sum(0) == Approx(24));  // eight 10 ps buckets of 3
}

TEST_CASE("levels: a bucket's peak, carried on through buckets without a change") {
  BucketedSeries s(100);
  s.set(10, 4);
  s.set(20, 9);
  s.set(30, 2);    // bucket 0 peaks at 9 and ends at 2
  s.set(450, 6);   // buckets 1-3 carry 2
  s.set(460, 1);
  const std::vector<double> peaks = s.peaks();
  REQUIRE(peaks.size() == 5);
  CHECK(peaks[0] == 9);
  CHECK(peaks[1] == 2);
  CHECK(peaks[3] == 2);
  CHECK(peaks[4] == 6);
}

TEST_CASE("widening keeps a level's peak and the last value it carries") {
  BucketedSeries s(1);
  s.set(0, 100);
  s.set(1, 0);
  s.set(3 * BucketedSeries::kMaxBuckets, 5);  // widen by 4: buckets 0-3 merge
  const std::vector<double> peaks = s.peaks();
  CHECK(s.width() == 4);
  CHECK(peaks[0] == 100);
  CHECK(peaks[1] == 0);  // carries the last value of the merged bucket, 0
}

TEST_CASE("a zero bucket width is an error") {
  CHECK_THROWS_AS(BucketedSeries(0), std::invalid_argument);
}

TEST_CASE("a level set at a bucket's start replaces the one carried in") {
  BucketedSeries s(100);
  s.set(0, 8);
  s.set(100, 3);  // bucket 1 is 3 from its start
  s.set(250, 1);  // bucket 2 is 3 until 250
  const std::vector<double> peaks = s.peaks();
  CHECK(peaks[0] == 8);
  CHECK(peaks[1] == 3);
  CHECK(peaks[2] == 3);
}
