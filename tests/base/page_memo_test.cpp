// SPDX-License-Identifier: GPL-2.0-only
#include <catch2/catch.hpp>

#include <unordered_map>

#include "base/page_memo.h"

using iocsim::PageMemo;

TEST_CASE("a page memo remembers the two pages last asked about, absence included") {
  PageMemo<int> memo;
  int a = 1, b = 2, c = 3;
  int* got = nullptr;
  CHECK_FALSE(memo.find(7, got));
  memo.remember(7, &a);
  memo.remember(8, nullptr);  // known to have no record
  REQUIRE(memo.find(7, got));
  CHECK(got == &a);
  REQUIRE(memo.find(8, got));
  CHECK(got == nullptr);
  memo.remember(8, &b);  // the record made: no second entry for page 8
  REQUIRE(memo.find(7, got));
  CHECK(got == &a);
  // 7 was asked last, so a third page displaces 8.
  memo.remember(9, &c);
  CHECK_FALSE(memo.find(8, got));
  REQUIRE(memo.find(9, got));
  CHECK(got == &c);
  REQUIRE(memo.find(7, got));
  CHECK(got == &a);
}

TEST_CASE("a page memo looks a page up in its map only when it does not remember it") {
  std::unordered_map<uint64_t, int> map{{3, 30}};
  PageMemo<int> memo;
  CHECK(memo.find_in(4, map) == nullptr);
  int* three = memo.find_in(3, map);
  REQUIRE(three == &map.at(3));
  // Remembered: the map is not asked again, so a record added behind the
  // memo's back stays unseen until the owner tells it.
  map[4] = 40;
  CHECK(memo.find_in(4, map) == nullptr);
  memo.remember(4, &map.at(4));
  CHECK(memo.find_in(4, map) == &map.at(4));
  CHECK(memo.find_in(3, map) == three);
}

TEST_CASE("a page memo adds a record a page lacks, and remembers it") {
  std::unordered_map<uint64_t, int> map{{3, 30}};
  PageMemo<int> memo;
  CHECK(memo.find_or_add(3, map) == &map.at(3));
  CHECK(map.size() == 1);
  int* five = memo.find_or_add(5, map);  // known absent or not, it is made
  REQUIRE(five == &map.at(5));
  CHECK(*five == 0);
  int* got = nullptr;
  REQUIRE(memo.find(5, got));
  CHECK(got == five);
}
