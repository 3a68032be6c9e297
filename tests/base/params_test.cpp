// SPDX-License-Identifier: GPL-2.0-only
#include <catch2/catch.hpp>

#include "base/params.h"
#include "base/spelling.h"

using namespace iocsim;
using params::Spec;

namespace {

params::Catalog sample() {
  params::Catalog c;
  c.declare(Spec::frequency("cpu.freq", "clock").by_default("1GHz", "a round clock"));
  c.declare(Spec::size("llc.size", "capacity", 64).by_default("4MiB", "a small LLC"));
  c.declare(Spec::count("llc.ways", "ways", 1, 1024).by_default("8", "a common associativity"));
  c.declare(Spec::duration("llc.hit_latency", "hit").by_default("30cycles", "a round latency"));
  c.declare(Spec::choice("cpu.flush", "flush", {"clflushopt", "clflush"})
                .by_default("clflushopt", "the faster one"));
  c.declare(Spec::flag("sim.trace", "trace").by_default("false", "off unless asked"));
  return c;
}

}  // namespace

TEST_CASE("a set starts at the declared defaults, and cycles follow the clock") {
  const params::Catalog c = sample();
  params::Set set(c, "cpu.freq");
  CHECK(set.size("llc.size") == 4u << 20);
  CHECK(set.text("llc.size") == "4MiB");
  CHECK(set.count("llc.ways") == 8);
  CHECK(set.picos("llc.hit_latency") == 30'000);
  CHECK(set.choice("cpu.flush") == "clflushopt");
  CHECK_FALSE(set.flag("sim.trace"));
  REQUIRE_FALSE(set.set("cpu.freq", "3GHz"));
  CHECK(set.picos("llc.hit_latency") == 10'000);  // the default's cycles, at the new clock
}

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

TEST_CASE("a parameter is declared once, with a default that parses and its source") {
  params::Catalog c = sample();
  CHECK_THROWS_AS(c.declare(Spec::size("llc.size", "again").by_default("1MiB", "x")),
                  std::logic_error);
  CHECK_THROWS_AS(c.declare(Spec::size("l2.size", "no default")), std::logic_error);
  CHECK_THROWS_AS(c.declare(Spec::size("l2.size", "no source").by_default("1MiB", "")),
                  std::logic_error);
  CHECK_THROWS_AS(c.declare(Spec::size("l2.size", "bad").by_default("1M", "ambiguous")),
                  std::logic_error);
  CHECK_THROWS_AS(c.declare(Spec::count("l2.ways", "out of range", 1, 64).by_default("65", "x")),
                  std::logic_error);
  c.declare(Spec::size("l2.size", "fine").by_default("1MiB", "x"));
  CHECK(c.find("l2.size")->default_text == "1MiB");
}

TEST_CASE("did-you-mean proposes only plausible typos") {
  const std::vector<std::string> words{"flags", "fill", "size", "iova"};
  CHECK(closest_match("flag", words) == "flags");
  CHECK(closest_match("szie", words) == "size");
  CHECK(closest_match("completely-different", words).empty());
  CHECK(closest_match("6", {"1", "2"}).empty());  // nothing in common: no hint
}
