// SPDX-License-Identifier: GPL-2.0-only
// The cache-maintenance instructions iocsim models, declared once.
//
// Everything that names, parses, times or maps one derives from kCacheOps:
// the CPU model declares an issue-cost parameter for every entry that has
// one, the cache applies `invalidates` and `whole_cache`, the `flush` step
// accepts the names of the entries a scenario may use, and `cpu.flush`
// offers the per-line flushes the kernel's helper may use. A new
// instruction is one entry here (docs/hardware-parameters.md says what each
// does and costs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/enum_names.h"

namespace iocsim {

enum class Isa : uint8_t { x86_64, arm64 };

inline constexpr std::string_view kIsaNames[] = {"x86-64", "arm64"};
inline constexpr std::string_view to_string(Isa isa) { return kIsaNames[static_cast<int>(isa)]; }
inline std::optional<Isa> isa_named(std::string_view name) {
  return enum_named<Isa>(kIsaNames, name);
}

enum class CacheOp : uint8_t { clflush, clflushopt, clwb, wbinvd, wbnoinvd, dc_civac, dc_cvac };

struct CacheOpInfo {
  CacheOp op;
  std::string_view name;       // as scenarios and parameters spell it
  Isa isa;                     // the instruction set that has it
  // The line is invalid afterwards (else it stays, clean).
  bool invalidates;
  // Ordered against the previous one of its kind: each waits until the
  // previous line has completed, and none needs a fence (clflush; SDM).
  // The others issue back to back and complete at the next fence.
  bool serialised;
  // No address: every line of every cache, and the core waits (wbinvd).
  bool whole_cache;
  // A per-line flush the kernel's flush helper may be built on (cpu.flush).
  bool kernel_flush;
  // What a scenario's op runs as on an arm64 core (itself if it is arm64's).
  CacheOp on_arm64;
  // The parameter holding its issue cost, that cost's meaning, its default
  // and where the default comes from; none for wbinvd, whose cost is the walk
  // of the caches (llc.wbinvd_line).
  std::string_view issue_param;
  std::string_view issue_meaning;
  std::string_view issue_default;
  std::string_view issue_source;
};

// The streaming cost of a line that is clean or absent (docs/hardware-parameters.md 8).
inline constexpr std::string_view kX86IssueSource =
    "~1 ns per line for clean or absent lines when streaming, from the Intel Optimization "
    "Reference Manual's comparison of CLFLUSHOPT and CLFLUSH (docs/hardware-parameters.md 1.1, 8)";
inline constexpr std::string_view kArmIssueSource =
    "no per-line cost of DC CIVAC or DC CVAC is published; binary translators map CLFLUSHOPT to "
    "DC CIVAC and CLWB to DC CVAC, so the x86 streaming cost is used (unverified; "
    "docs/hardware-parameters.md 1.2, 9)";

inline constexpr CacheOpInfo kCacheOps[] = {
    {CacheOp::clflush, "clflush", Isa::x86_64, true, true, false, true, CacheOp::dc_civac,
     "cpu.clflush_issue", "issue cost of one clflush (it then waits for the line)", "1ns",
     "the same issue cost as CLFLUSHOPT; CLFLUSH then waits for each line to complete, which "
     "the model adds (docs/hardware-parameters.md 1.1, 8)"},
    {CacheOp::clflushopt, "clflushopt", Isa::x86_64, true, false, false, true, CacheOp::dc_civac,
     "cpu.clflushopt_issue", "issue cost of one clflushopt (completes asynchronously)", "1ns",
     kX86IssueSource},
    {CacheOp::clwb, "clwb", Isa::x86_64, false, false, false, false, CacheOp::dc_cvac,
     "cpu.clwb_issue", "issue cost of one clwb (completes asynchronously)", "1ns",
     kX86IssueSource},
    {CacheOp::wbinvd, "wbinvd", Isa::x86_64, true, true, true, false, CacheOp::wbinvd, "", "", "",
     ""},
    // WBNOINVD (Ice Lake server, Zen 2 and later): WBINVD's write-back, keeping the lines.
    {CacheOp::wbnoinvd, "wbnoinvd", Isa::x86_64, false, true, true, false, CacheOp::wbnoinvd, "",
     "", "", ""},
    {CacheOp::dc_civac, "dc-civac", Isa::arm64, true, false, false, true, CacheOp::dc_civac,
     "cpu.dc_civac_issue", "issue cost of one DC CIVAC on arm64 (completes at the DSB)", "1ns",
     kArmIssueSource},
    {CacheOp::dc_cvac, "dc-cvac", Isa::arm64, false, false, false, false, CacheOp::dc_cvac,
     "cpu.dc_cvac_issue", "issue cost of one DC CVAC on arm64 (completes at the DSB)", "1ns",
     kArmIssueSource},
};
inline constexpr size_t kCacheOpCount = std::size(kCacheOps);

// The table is indexed by the enum (the CPU model asks per line it flushes).
inline constexpr bool cache_ops_in_enum_order() {
  for (size_t i = 0; i < kCacheOpCount; ++i)
    if (static_cast<size_t>(kCacheOps[i].op) != i) return false;
  return true;
}
static_assert(cache_ops_in_enum_order(), "kCacheOps follows the CacheOp enum");

inline constexpr const CacheOpInfo& info(CacheOp op) { return kCacheOps[static_cast<size_t>(op)]; }
inline constexpr std::string_view to_string(CacheOp op) { return info(op).name; }
std::optional<CacheOp> cache_op_named(std::string_view name);

// The ops a scenario's `flush` step may name: x86's, which run as their
// arm64 counterparts on an arm64 platform.
std::vector<std::string> scenario_cache_op_names();
// The per-line flushes `cpu.flush` offers, on every ISA.
std::vector<std::string> kernel_flush_names();
// ... and those of one ISA.
std::vector<std::string> kernel_flush_names(Isa isa);

}  // namespace iocsim
