// SPDX-License-Identifier: GPL-2.0-only
#include "analysis/bucketed_series.h"

#include <algorithm>
#include <stdexcept>

namespace iocsim::analysis {

BucketedSeries::BucketedSeries(Picos initial_width) : width_(initial_width) {
  if (width_ == 0) throw std::invalid_argument("BucketedSeries: the bucket width must not be 0");
}

void BucketedSeries::widen() {
  std::vector<Bucket> merged((buckets_.size() + 1) / 2);
  for (size_t i = 0; i < buckets_.size(); ++i) {
    Bucket& into = merged[i / 2];
    const Bucket& b = buckets_[i];
    into.sum += b.sum;
    if (b.set) {
      into.peak = into.set ? std::max(into.peak, b.peak) : b.peak;
      into.first_set = into.set ? std::min(into.first_set, b.first_set) : b.first_set;
      into.last = b.last;
      into.set = true;
    }
  }
  buckets_ = std::move(merged);
  width_ *= 2;
}

BucketedSeries::Bucket& BucketedSeries::bucket_at(Picos at) {
  while (at / width_ >= kMaxBuckets) widen();
  const size_t index = static_cast<size_t>(at / width_);
  if (index >= buckets_.size()) buckets_.resize(index + 1);
  return buckets_[index];
}

void BucketedSeries::add(Picos start, Picos end, double amount) {
  if (end <= start) {
    bucket_at(start).sum += amount;
    return;
  }
  bucket_at(end);  // widens first, so every bucket below is final
  const double per_ps = amount / static_cast<double>(end - start);
  for (size_t i = static_cast<size_t>(start / width_); i <= end / width_; ++i) {
    const Picos from = std::max(start, Picos{i * width_});
    const Picos to = std::min(end, Picos{(i + 1) * width_});
    if (to > from) buckets_[i].sum += per_ps * static_cast<double>(to - from);
  }
}

void BucketedSeries::set(Picos at, double value) {
  Bucket& b = bucket_at(at);
  b.peak = b.set ? std::max(b.peak, value) : value;
  b.first_set = b.set ? std::min(b.first_set, at) : at;
  b.last = value;
  b.set = true;
}

std::vector<double> BucketedSeries::per_ns() const {
  std::vector<double> out;
  out.reserve(buckets_.size());
  for (const Bucket& b : buckets_) out.push_back(b.sum / picos_to_ns(width_));
  return out;
}

std::vector<double> BucketedSeries::peaks() const {
  std::vector<double> out;
  out.reserve(buckets_.size());
  double carried = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    const Bucket& b = buckets_[i];
    const bool set_at_start = b.set && b.first_set == i * width_;
    out.push_back(!b.set ? carried : set_at_start ? b.peak : std::max(carried, b.peak));
    if (b.set) carried = b.last;
  }
  return out;
}

}  // namespace iocsim::analysis
