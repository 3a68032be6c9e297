// SPDX-License-Identifier: GPL-2.0-only
// The table of cache-maintenance instructions: one entry per op, names that
// parse back, and arm64 counterparts that exist on arm64.
#include <catch2/catch.hpp>

#include <set>

#include "base/cache_op.h"

using namespace iocsim;

TEST_CASE("every cache op has one entry whose name parses back to it") {
  std::set<CacheOp> ops;
  std::set<std::string_view> names;
  for (const CacheOpInfo& i : kCacheOps) {
    CHECK(ops.insert(i.op).second);
    CHECK(names.insert(i.name).second);
    CHECK(cache_op_named(i.name) == i.op);
    CHECK(&info(i.op) == &i);
  }
  CHECK(ops.size() == kCacheOpCount);
  CHECK_FALSE(cache_op_named("clflush_opt"));
  CHECK_FALSE(cache_op_named(""));
}

TEST_CASE("an op runs on arm64 as an arm64 op that does what it does") {
  for (const CacheOpInfo& i : kCacheOps) {
    const CacheOpInfo& arm = info(i.on_arm64);
    CHECK((arm.isa == Isa::arm64 || arm.whole_cache));
    CHECK(arm.invalidates == i.invalidates);
    CHECK(arm.whole_cache == i.whole_cache);
  }
}

TEST_CASE("line ops have an issue cost, and wbinvd has its walk instead") {
  for (const CacheOpInfo& i : kCacheOps) {
    CHECK(i.issue_param.empty() == i.whole_cache);
    if (i.kernel_flush) CHECK(i.invalidates);  // the helper writes back and invalidates
  }
  CHECK(kernel_flush_names(Isa::x86_64) == std::vector<std::string>{"clflush", "clflushopt"});
  CHECK(kernel_flush_names(Isa::arm64) == std::vector<std::string>{"dc-civac"});
  CHECK(scenario_cache_op_names() ==
        std::vector<std::string>{"clflush", "clflushopt", "clwb", "wbinvd", "wbnoinvd"});
}
