// SPDX-License-Identifier: GPL-2.0-only
// A minimal Value Change Dump (IEEE 1364 §18) writer. One-bit wires are given
// as intervals: a wire is 1 while at least one of its intervals covers the
// time, so overlapping intervals (two windows of one page) stay correct.
// Registers are multi-bit values set at given times (unknown until set).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace iocsim::report {

class VcdWriter {
 public:
  // `scope` is a dotted path ("dma.gpu"); names are made VCD-safe.
  size_t add_wire(const std::string& scope, const std::string& name);
  // High over [start, end) picoseconds; an empty interval is a 1 ps pulse.
  void add_interval(size_t wire, uint64_t start, uint64_t end);
  size_t add_register(const std::string& scope, const std::string& name, unsigned width);
  // The register holds `value` from `at` on.
  void set(size_t reg, uint64_t at, uint64_t value);
  // Timescale 1 ps; every wire starts at 0.
  void write(std::ostream& out, const std::string& comment) const;

 private:
  struct Wire {
    std::vector<std::string> scope;
    std::string name;
    unsigned width = 1;
    std::vector<std::pair<uint64_t, uint64_t>> intervals;  // of a wire
    std::vector<std::pair<uint64_t, uint64_t>> values;     // of a register: (time, value)
  };
  std::vector<Wire> wires_;
};

}  // namespace iocsim::report
