// SPDX-License-Identifier: GPL-2.0-only
// A Value Change Dump (IEEE 1364 §18) writer. One-bit wires are given as
// intervals: a wire is 1 while at least one of its intervals covers the time,
// so overlapping intervals (two windows of one device) stay correct.
// Registers (integers), reals and strings hold values set at given times
// (unknown until set); events mark instants. Strings are GTKWave's extension
// of the format (`$var string`, changes `sVALUE`); everything else is IEEE 1364.
#pragma once

#include <cstdint>
#include <ostream>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace iocsim::report {

class VcdWriter {
 public:
  // `scope` is a dotted path ("dma.gpu"); names are made VCD-safe. Within a
  // scope a name is declared once: a second signal of the same name gets a
  // suffix (_2, _3...).
  size_t add_wire(const std::string& scope, const std::string& name);
  // High over [start, end) picoseconds; an empty interval is a 1 ps pulse.
  void add_interval(size_t wire, uint64_t start, uint64_t end);
  size_t add_register(const std::string& scope, const std::string& name, unsigned width);
  size_t add_real(const std::string& scope, const std::string& name);
  size_t add_string(const std::string& scope, const std::string& name);
  // The register, real or string holds `value` from `at` on (a string's
  // whitespace becomes '_').
  void set(size_t reg, uint64_t at, uint64_t value);
  void set_real(size_t real, uint64_t at, double value);
  void set_string(size_t string, uint64_t at, const std::string& value);
  size_t add_event(const std::string& scope, const std::string& name);
  void trigger(size_t event, uint64_t at);
  // Timescale 1 ps; every wire starts at 0.
  void write(std::ostream& out, const std::string& comment) const;

 private:
  enum class Kind { wire, reg, real, string, event };
  using Value = std::variant<uint64_t, double, std::string>;
  struct Signal {
    std::vector<std::string> scope;
    std::string name;
    Kind kind = Kind::wire;
    unsigned width = 1;
    std::vector<std::pair<uint64_t, uint64_t>> intervals;  // of a wire
    std::vector<std::pair<uint64_t, Value>> values;        // of a reg, real or string
    std::vector<uint64_t> triggers;                        // of an event
  };
  size_t add(const std::string& scope, const std::string& name, Kind kind, unsigned width);
  void set_value(size_t signal, uint64_t at, Value value);

  std::vector<Signal> signals_;
  std::set<std::pair<std::vector<std::string>, std::string>> declared_;  // (scope, name)
};

}  // namespace iocsim::report
