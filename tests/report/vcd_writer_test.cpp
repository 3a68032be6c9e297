// SPDX-License-Identifier: GPL-2.0-only
// The VCD writer: exact output for overlapping intervals and registers.
#include <catch2/catch.hpp>

#include <sstream>

#include "report/vcd_writer.h"

using iocsim::report::VcdWriter;

TEST_CASE("overlapping intervals keep a wire high until the last one ends") {
  VcdWriter vcd;
  const size_t a = vcd.add_wire("top.sub", "a");
  const size_t b = vcd.add_wire("top", "b w");
  vcd.add_interval(a, 10, 30);
  vcd.add_interval(a, 20, 40);
  vcd.add_interval(b, 0, 10);
  vcd.add_interval(b, 50, 50);  // an instant shows as a 1 ps pulse
  std::ostringstream out;
  vcd.write(out, "test");
  CHECK(out.str() ==
        "$comment test $end\n$timescale 1ps $end\n"
        "$scope module top $end\n"
        "$var wire 1 \" b_w $end\n"
        "$scope module sub $end\n"
        "$var wire 1 ! a $end\n"
        "$upscope $end\n$upscope $end\n"
        "$enddefinitions $end\n"
        "#0\n$dumpvars\n0!\n1\"\n$end\n"
        "#10\n1!\n0\"\n"
        "#40\n0!\n"
        "#50\n1\"\n"
        "#51\n0\"\n");
}

TEST_CASE("a register is unknown until set and changes only when its value does") {
  VcdWriter vcd;
  const size_t r = vcd.add_register("cpu", "step", 8);
  vcd.set(r, 5, 2);
  vcd.set(r, 7, 2);
  vcd.set(r, 9, 5);
  std::ostringstream out;
  vcd.write(out, "test");
  const std::string text = out.str();
  CHECK(text.find("$var reg 8 ! step $end\n") != std::string::npos);
  CHECK(text.find("$dumpvars\nbx !\n$end\n#5\nb10 !\n#9\nb101 !\n") != std::string::npos);
  CHECK(text.find("#7") == std::string::npos);
}

TEST_CASE("strings, reals and events: GTKWave's string type, IEEE reals and events") {
  VcdWriter vcd;
  const size_t step = vcd.add_string("cpu", "core0_step");
  const size_t rate = vcd.add_real("counters", "rate");
  const size_t hit = vcd.add_event("exposure", "hit");
  vcd.set_string(step, 0, "3:map dma");
  vcd.set_string(step, 10, "-");
  vcd.set_real(rate, 5, 1.5);
  vcd.trigger(hit, 0);
  vcd.trigger(hit, 10);
  std::ostringstream out;
  vcd.write(out, "test");
  const std::string text = out.str();
  CHECK(text.find("$var string 1 ! core0_step $end\n") != std::string::npos);
  CHECK(text.find("$var real 64 \" rate $end\n") != std::string::npos);
  CHECK(text.find("$var event 1 # hit $end\n") != std::string::npos);
  // The string is one token; an event at 0 follows the dump.
  CHECK(text.find("#0\n$dumpvars\ns3:map_dma !\n$end\n1#\n#5\nr1.5 \"\n#10\n") !=
        std::string::npos);
  CHECK(text.find("#10\ns- !\n1#\n") != std::string::npos);
}

TEST_CASE("a name declared twice in a scope gets a suffix") {
  VcdWriter vcd;
  vcd.add_wire("dma", "gpu steps");
  vcd.add_wire("dma", "gpu_steps");
  vcd.add_wire("other", "gpu_steps");
  std::ostringstream out;
  vcd.write(out, "test");
  const std::string text = out.str();
  CHECK(text.find("! gpu_steps $end") != std::string::npos);
  CHECK(text.find("\" gpu_steps_2 $end") != std::string::npos);
  CHECK(text.find("# gpu_steps $end") != std::string::npos);
}
