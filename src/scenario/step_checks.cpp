// SPDX-License-Identifier: GPL-2.0-only
// Checking what a step expects against what it did and the kernel state it
// left. A step without an errno expectation expects success; a dma step
// without a fault expectation expects none.
#include <fmt/format.h>

#include "scenario/run_state.h"
#include "vfio/errno_names.h"

namespace iocsim::scenario::detail {
namespace {

std::string describe_owners(const OwnerTally& seen,
                            const std::vector<Principal>& principals) {
  const std::map<OwnerId, uint64_t>& by_owner = seen.by_owner();
  auto name = [&](OwnerId id) {
    return id == kNobody ? std::string("nobody") : principals[id - 1].name;
  };
  if (by_owner.size() == 1) return name(by_owner.begin()->first);
  std::string out;
  for (const auto& [id, n] : by_owner)
    out += fmt::format("{}{}: {} lines", out.empty() ? "" : ", ", name(id), n);
  return out.empty() ? "no data" : out;
}

}  // namespace

void Run::check(const Step& step, const StepOutcome& outcome, unsigned warnings_before) {
  auto record = [&](std::string what, std::string actual, bool passed) {
    result.expectations.push_back({step.index, std::move(what), std::move(actual), passed});
  };
  auto value = [&](const std::string& key) -> std::optional<uint64_t> {
    if (outcome.error) return std::nullopt;
    for (const auto& [k, v] : outcome.values)
      if (k == key) return v;
    return std::nullopt;
  };
  // The kernel state of the step's container (state_values.cpp), read once.
  std::optional<std::vector<std::pair<std::string, uint64_t>>> state;
  auto number = [&](const std::string& key) -> std::optional<uint64_t> {
    for (const char* k : {"unmapped", "value", "pinned", "pgsizes", "dma_avail", "argsz", "flags",
                          "cap_offset"})
      if (key == k) return value(key);
    if (!state) state = state_values(step);
    for (const auto& [k, v] : *state)
      if (k == key) return v;
    throw std::logic_error("unknown step expectation " + key);
  };

  bool error_expected = false, fault_expected = false;
  for (const StepExpectation& e : step.expect) {
    switch (e.kind) {
      case StepExpectation::Kind::error: {
        error_expected = true;
        const std::string actual = outcome.error ? vfio::errno_name(outcome.error) : "ok";
        if (e.text == "ok") record("ok", actual, outcome.error == 0);
        else record("errno == " + e.text, actual, actual == e.text);
        break;
      }
      case StepExpectation::Kind::number: {
        const auto actual = number(e.key);
        record(fmt::format("{} {}", e.key, e.number.describe()),
               actual ? format_quantity(*actual, e.number.quantity) : "none (the step failed)",
               actual && e.number.holds(*actual));
        break;
      }
      case StepExpectation::Kind::flag: {
        if (e.key == "fault") fault_expected = true;
        const bool actual =
            e.key == "fault" ? outcome.faults != 0 : log.warnings() > warnings_before;
        record(fmt::format("{} == {}", e.key, e.flag), actual ? "true" : "false",
               actual == e.flag);
        break;
      }
      case StepExpectation::Kind::sees: {
        if (outcome.error) {
          record("sees " + e.text, "none (the step failed)", false);
        } else if (e.text == "latest") {
          record("sees latest",
                 outcome.stale ? fmt::format("stale data in {} of {} lines", outcome.stale,
                                             outcome.seen.lines)
                               : "latest",
                 outcome.stale == 0 && outcome.seen.lines != 0);
        } else {
          OwnerId want = kNobody;
          for (const auto& p : s.principals)
            if (p.name == e.text) want = p.id;
          const auto& owners = outcome.seen.by_owner();
          const bool all = owners.size() == 1 && owners.begin()->first == want;
          record("sees " + e.text, describe_owners(outcome.seen, s.principals), all);
        }
        break;
      }
      case StepExpectation::Kind::bits: {
        auto show = [](const std::vector<uint64_t>& bits) {
          std::string out = "[";
          for (uint64_t b : bits) out += fmt::format("{}{}", out.size() > 1 ? ", " : "", b);
          return out + "]";
        };
        record("bitmap == " + show(e.bits),
               outcome.bits ? show(*outcome.bits) : "none (the step failed)",
               outcome.bits && *outcome.bits == e.bits);
        break;
      }
      case StepExpectation::Kind::caps: {
        const bool have = outcome.info && !outcome.info->caps.empty();
        std::string mismatch;
        if (!have) {
          mismatch = outcome.error ? "none (the step failed)" : "no chain (argsz too small?)";
        } else if (outcome.info->caps.size() != e.caps.size()) {
          mismatch = fmt::format("{} capabilities", outcome.info->caps.size());
        } else {
          for (size_t i = 0; i < e.caps.size() && mismatch.empty(); ++i) {
            const auto& want = e.caps[i];
            const auto& got = outcome.info->caps[i];
            const std::string id = got.id == vfio::VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION ? "migration"
                                   : got.id == vfio::VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL ? "dma_avail"
                                                                                     : "iova_range";
            if (id != want.id) mismatch = fmt::format("capability {} is {}", i, id);
            else if (want.pgsize_bitmap && *want.pgsize_bitmap != got.pgsize_bitmap)
              mismatch = fmt::format("migration pgsize_bitmap {:#x}", got.pgsize_bitmap);
            else if (want.max_dirty_bitmap_size && *want.max_dirty_bitmap_size != got.max_dirty_bitmap_size)
              mismatch = fmt::format("max_dirty_bitmap_size {}", got.max_dirty_bitmap_size);
            else if (want.avail && *want.avail != got.avail)
              mismatch = fmt::format("avail {}", got.avail);
            else if (want.ranges && *want.ranges != got.ranges)
              mismatch = fmt::format("iova_range with {} ranges", got.ranges.size());
          }
        }
        record(fmt::format("caps match {} capabilities", e.caps.size()),
               mismatch.empty() ? "as expected" : mismatch, mismatch.empty());
        break;
      }
      case StepExpectation::Kind::ranges: {
        std::vector<std::pair<uint64_t, uint64_t>> actual;
        if (e.key == "iova_ranges") {
          auto show = [](const std::vector<std::pair<uint64_t, uint64_t>>& list) {
            std::string out = "[";
            for (const auto& [a, b] : list)
              out += fmt::format("{}[{:#x}, {:#x}]", out.size() > 1 ? ", " : "", a, b);
            return out + "]";
          };
          std::optional<std::vector<std::pair<uint64_t, uint64_t>>> got;
          if (outcome.info)
            for (const auto& cap : outcome.info->caps)
              if (cap.id == vfio::VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) got = cap.ranges;
          record("iova_ranges == " + show(e.ranges), got ? show(*got) : "none",
                 got && *got == e.ranges);
          break;
        }
        actual = state_dmas(step);
        auto show = [](const std::vector<std::pair<uint64_t, uint64_t>>& list) {
          std::string out = "[";
          for (const auto& [iova, size] : list)
            out += fmt::format("{}[{:#x}, {}]", out.size() > 1 ? ", " : "", iova,
                               units::format_size(size));
          return out + "]";
        };
        record("dmas == " + show(e.ranges), show(actual), actual == e.ranges);
        break;
      }
    }
  }
  if (!error_expected && outcome.error) record("ok", vfio::errno_name(outcome.error), false);
  if (!fault_expected && outcome.faults)
    record("fault == false", fmt::format("{} requests faulted", outcome.faults), false);
  if (std::holds_alternative<StateStep>(step.args)) restart_state_counts(step);
}

}  // namespace iocsim::scenario::detail
