// SPDX-License-Identifier: GPL-2.0-only
// A set summarised by its size and an order-independent digest: the sum of a
// well-mixed hash of each member, so members can be added and taken away in
// any order and a part's digest subtracted from the whole. What keeps a set
// (pinned frames, a page table's entries) can keep its digest as it changes,
// and a check that compares two states reads it without walking the set.
#pragma once

#include <cstdint>

namespace iocsim {

struct SetDigest {
  uint64_t count = 0;
  uint64_t sum = 0;

  // The member (a, b, c, d).
  void add(uint64_t a, uint64_t b, uint64_t c = 0, uint64_t d = 0) {
    ++count;
    sum += hash(a, b, c, d);
  }
  void remove(uint64_t a, uint64_t b, uint64_t c = 0, uint64_t d = 0) {
    --count;
    sum -= hash(a, b, c, d);
  }
  SetDigest& operator+=(const SetDigest& o) {
    count += o.count;
    sum += o.sum;
    return *this;
  }
  SetDigest& operator-=(const SetDigest& o) {
    count -= o.count;
    sum -= o.sum;
    return *this;
  }
  friend bool operator==(const SetDigest& x, const SetDigest& y) {
    return x.count == y.count && x.sum == y.sum;
  }

 private:
  // splitmix64's finaliser: a well-mixed 64-bit hash of a 64-bit value.
  static uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
  }
  static uint64_t hash(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
    return mix(a ^ mix(b ^ mix(c ^ mix(d))));
  }
};

}  // namespace iocsim
