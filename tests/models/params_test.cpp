// SPDX-License-Identifier: GPL-2.0-only
#include <catch2/catch.hpp>

#include "models/common/params.h"
#include "base/spelling.h"

using namespace iocsim;
using params::Spec;

namespace {

params::Catalog sample() {
  params::Catalog c;
  c.declare(Spec::frequency("cpu.freq", "clock"));
  c.declare(Spec::size("llc.size", "capacity", 64));
  c.declare(Spec::count("llc.ways", "ways", 1, 1024));
  c.declare(Spec::duration("llc.hit_latency", "hit"));
  c.declare(Spec::choice("cpu.flush", "flush", {"clflushopt", "clflush"}));
  c.declare(Spec::flag("sim.trace", "trace"));
  return c;
}

}  // namespace

TEST_CASE("parameters are typed, bounded, and cycles follow the clock") {
  const params::Catalog c = sample();
  params::Set set(c, "cpu.freq");
  REQUIRE_FALSE(set.set("cpu.freq", "3GHz"));
  REQUIRE_FALSE(set.set("llc.size", "12MiB"));
  REQUIRE_FALSE(set.set("llc.ways", "12"));
  REQUIRE_FALSE(set.set("llc.hit_latency", "42cycles"));
  REQUIRE_FALSE(set.set("cpu.flush", "clflush"));
  CHECK(set.size("llc.size") == 12u << 20);
  CHECK(set.count("llc.ways") == 12);
  CHECK(set.picos("llc.hit_latency") == 14'000);
  CHECK(set.choice("cpu.flush") == "clflush");
  CHECK(set.missing() == std::vector<std::string>{"sim.trace"});

  REQUIRE_FALSE(set.set("cpu.freq", "2GHz"));
  CHECK(set.picos("llc.hit_latency") == 21'000);  // cycles re-read at the new clock
}

TEST_CASE("bad parameter values and names say what is wrong") {
  const params::Catalog c = sample();
  params::Set set(c, "cpu.freq");
  CHECK(set.set("llc.sise", "8MiB")->find("did you mean 'llc.size'") != std::string::npos);
  CHECK(set.set("llc.ways", "0")->find("out of range") != std::string::npos);
  CHECK(set.set("llc.size", "8M")->find("ambiguous") != std::string::npos);
  CHECK(set.set("cpu.flush", "clflushop")->find("did you mean 'clflushopt'") != std::string::npos);
  CHECK(set.set("sim.trace", "yes")->find("true or false") != std::string::npos);
}

TEST_CASE("a parameter is declared once") {
  params::Catalog c = sample();
  CHECK_THROWS_AS(c.declare(Spec::size("llc.size", "again")), std::logic_error);
}

TEST_CASE("did-you-mean proposes only plausible typos") {
  const std::vector<std::string> words{"flags", "fill", "size", "iova"};
  CHECK(closest_match("flag", words) == "flags");
  CHECK(closest_match("szie", words) == "size");
  CHECK(closest_match("completely-different", words).empty());
}
