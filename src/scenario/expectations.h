// SPDX-License-Identifier: GPL-2.0-only
// What a scenario expects, at a step or at the end of the run.
//
// A number is expected with equality, or with one comparison written as a
// string: ">0", "<=4KiB", "==0", "<1ms". What the number measures (a count,
// bytes, a time) decides which units it may carry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/quantity.h"
#include "base/units.h"

namespace iocsim::scenario {

struct Comparison {
  enum class Op { eq, ne, lt, le, gt, ge };
  Op op = Op::eq;
  uint64_t value = 0;  // in the quantity's base unit (bytes, picoseconds)
  Quantity quantity = Quantity::count;

  bool holds(uint64_t actual) const;
  // "== 2MiB", "> 0", "< 1ms"
  std::string describe() const;
};

// Parses `text` (a YAML scalar) as a comparison of `quantity`. Time values
// without a unit are nanoseconds (the keys that take times end in _ns).
units::Parsed<Comparison> parse_comparison(std::string_view text, Quantity quantity);

// Formats an actual value of a quantity the way expectations are written.
std::string format_quantity(uint64_t value, Quantity quantity);

// One capability of VFIO_IOMMU_GET_INFO's chain as expected; unset fields
// are not checked.
struct CapExpectation {
  std::string id;  // migration, dma_avail or iova_range
  std::optional<uint64_t> pgsize_bitmap, max_dirty_bitmap_size, avail;
  std::optional<std::vector<std::pair<uint64_t, uint64_t>>> ranges;
};

struct StepExpectation {
  enum class Kind {
    number,   // unmapped, value, locked_vm, domains, flush.SITE, pgsizes, flags, ...
    error,    // errno: NAME, or ok: true (text "ok")
    sees,     // sees: latest | nobody | PRINCIPAL
    flag,     // fault, warns
    ranges,   // dmas: [[iova, size], ...] or iova_ranges: [[start, end], ...]
    bits,     // bitmap: [BIT, ...]
    caps,     // caps: [{id: ..., ...}, ...]
  };
  std::string key;  // "errno", "unmapped", "flush.map", ...
  Kind kind = Kind::number;
  Comparison number;
  std::string text;
  bool flag = false;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  std::vector<uint64_t> bits;
  std::vector<CapExpectation> caps;
};

struct RunExpectation {
  std::string key;  // "leaks", "flush.by_site.map.bytes", "invariants", ...
  Comparison number;
  bool invariants = false;  // `invariants: hold`
};

// The end-of-run keys and what they measure; nullopt for an unknown key.
std::optional<Quantity> run_key_quantity(std::string_view key);
std::vector<std::string> run_keys();

}  // namespace iocsim::scenario
