// SPDX-License-Identifier: GPL-2.0-only
// A step's `expect:` block: which keys the step's operation allows and what
// each one asks for.
#include <algorithm>

#include <fmt/format.h>

#include "base/spelling.h"
#include "scenario/loader_context.h"
#include "vfio/errno_names.h"
#include "vfio/flush_sites.h"
#include "vfio/uapi.h"

namespace iocsim::scenario::detail {

void LoaderContext::load_step_expect(const YAML::Node& node, Step& step) {
  const std::string what = fmt::format("expect of step '{}'", step.op);
  if (!r.expect_map(node, what)) return;

  std::vector<std::string> allowed{"ok", "errno", "warns"};
  // Kernel state is that of the step's container; an mdev's pins act on the
  // container its group is in.
  if (step.has_kernel_state())
    allowed.insert(allowed.end(), {"locked_vm", "dmas", "domains", "noncoherent_domains",
                                   "pinned_pages", "flush", "iommu_calls", "vaddr_invalid"});
  for (std::string& key : step.expect_keys()) allowed.push_back(std::move(key));
  r.check_keys(node, allowed, what);

  auto number = [&](const std::string& key, const YAML::Node& value, Quantity q) {
    auto text = r.string(value, key);
    if (!text) return;
    auto cmp = parse_comparison(*text, q);
    if (!cmp) {
      r.error(value, fmt::format("{}: {}", key, cmp.error()));
      return;
    }
    StepExpectation e;
    e.key = key;
    e.kind = StepExpectation::Kind::number;
    e.number = *cmp;
    step.expect.push_back(e);
  };

  // pgsizes: [4KiB, 2MiB] -> a bitmap of powers of two.
  auto page_sizes = [&](const YAML::Node& list) -> std::optional<uint64_t> {
    uint64_t bitmap = 0;
    for (const auto& item : list) {
      auto size = r.size(item, "page size");
      if (!size) return std::nullopt;
      if (*size == 0 || (*size & (*size - 1))) {
        r.error(item, fmt::format("page size {} is not a power of two", *size));
        return std::nullopt;
      }
      bitmap |= *size;
    }
    return bitmap;
  };
  auto inclusive_ranges = [&](const YAML::Node& list, const char* what)
      -> std::optional<std::vector<std::pair<uint64_t, uint64_t>>> {
    if (!list.IsSequence()) {
      r.error(list, fmt::format("{} must be a list of [START, END]", what));
      return std::nullopt;
    }
    std::vector<std::pair<uint64_t, uint64_t>> out;
    for (const auto& item : list) {
      auto range = r.range(item, what);
      if (!range) return std::nullopt;
      out.push_back(*range);
    }
    return out;
  };
  auto capabilities = [&](const YAML::Node& list) -> std::optional<std::vector<CapExpectation>> {
    if (!list.IsSequence()) {
      r.error(list, "caps must be a list of capabilities, e.g. [{id: dma_avail, avail: 65534}]");
      return std::nullopt;
    }
    std::vector<CapExpectation> out;
    for (const auto& item : list) {
      if (!r.expect_map(item, "a capability")) return std::nullopt;
      if (!item["id"]) {
        r.error(item, "a capability needs 'id'");
        return std::nullopt;
      }
      auto id = r.choice(item["id"], "capability id", {"migration", "dma_avail", "iova_range"});
      if (!id) return std::nullopt;
      CapExpectation cap;
      cap.id = *id;
      const std::vector<std::string> fields =
          *id == "migration"   ? std::vector<std::string>{"id", "pgsize_bitmap", "max_dirty_bitmap_size"}
          : *id == "dma_avail" ? std::vector<std::string>{"id", "avail"}
                               : std::vector<std::string>{"id", "ranges"};
      r.check_keys(item, fields, fmt::format("capability '{}'", *id));
      if (item["pgsize_bitmap"]) {
        cap.pgsize_bitmap = item["pgsize_bitmap"].IsSequence() ? page_sizes(item["pgsize_bitmap"])
                                                               : r.size(item["pgsize_bitmap"], "pgsize_bitmap");
        if (!cap.pgsize_bitmap) return std::nullopt;
      }
      if (item["max_dirty_bitmap_size"]) {
        cap.max_dirty_bitmap_size = r.size(item["max_dirty_bitmap_size"], "max_dirty_bitmap_size");
        if (!cap.max_dirty_bitmap_size) return std::nullopt;
      }
      if (item["avail"]) {
        cap.avail = r.integer(item["avail"], "avail");
        if (!cap.avail) return std::nullopt;
      }
      if (item["ranges"]) {
        cap.ranges = inclusive_ranges(item["ranges"], "ranges");
        if (!cap.ranges) return std::nullopt;
      }
      out.push_back(cap);
    }
    return out;
  };

  if (node["ok"] && node["errno"]) r.error(node["errno"], "expect either ok or errno, not both");
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) continue;
    const std::string key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) continue;
    const YAML::Node& v = kv.second;
    StepExpectation e;
    e.key = key;
    if (key == "ok") {
      auto b = r.boolean(v, "ok");
      if (b && !*b) r.error(v, "to expect a failure, write errno: NAME");
      if (b && *b) {
        e.kind = StepExpectation::Kind::error;
        e.text = "ok";
        step.expect.push_back(e);
      }
    } else if (key == "errno") {
      auto name = r.choice(v, "errno", vfio::errno_names());
      if (name) {
        e.kind = StepExpectation::Kind::error;
        e.text = *name;
        step.expect.push_back(e);
      }
    } else if (key == "warns" || key == "fault") {
      if (auto b = r.boolean(v, key)) {
        e.kind = StepExpectation::Kind::flag;
        e.flag = *b;
        step.expect.push_back(e);
      }
    } else if (key == "sees") {
      auto who = r.string(v, "sees");
      if (!who) continue;
      bool known = *who == "latest" || *who == "nobody";
      for (const auto& p : s.principals) known = known || p.name == *who;
      if (!known) {
        std::vector<std::string> names{"latest", "nobody"};
        for (const auto& p : s.principals) names.push_back(p.name);
        r.error(v, fmt::format("sees must be latest, nobody or a principal, got '{}'{}", *who,
                               did_you_mean(*who, names)));
        continue;
      }
      e.kind = StepExpectation::Kind::sees;
      e.text = *who;
      step.expect.push_back(e);
    } else if (key == "dmas") {
      if (!v.IsSequence()) {
        r.error(v, "dmas must be a list of [IOVA, SIZE]");
        continue;
      }
      e.kind = StepExpectation::Kind::ranges;
      bool good = true;
      for (const auto& item : v) {
        if (!item.IsSequence() || item.size() != 2) {
          r.error(item, "each entry of dmas is [IOVA, SIZE]");
          good = false;
          continue;
        }
        auto iova = address(item[0], "iova");
        auto size = r.size(item[1], "size");
        if (iova && size) e.ranges.emplace_back(*iova, *size);
        else good = false;
      }
      if (good) step.expect.push_back(e);
    } else if (key == "flush" || key == "iommu_calls") {
      const bool flush = key == "flush";
      if (!r.expect_map(v, key)) continue;
      const std::vector<std::string> fields =
          flush ? vfio::flush_site_names() : std::vector<std::string>{"map", "unmap"};
      r.check_keys(v, fields, key);
      for (const auto& f : v) {
        if (!f.first.IsScalar()) continue;
        const std::string field = f.first.Scalar();
        if (std::find(fields.begin(), fields.end(), field) == fields.end()) continue;
        number(key + "." + field, f.second, flush ? Quantity::bytes : Quantity::count);
      }
    } else if (key == "unmapped") {
      number(key, v, Quantity::bytes);
    } else if (key == "pgsizes" && v.IsSequence()) {
      auto bitmap = page_sizes(v);
      if (!bitmap) continue;
      e.kind = StepExpectation::Kind::number;
      e.number.value = *bitmap;
      step.expect.push_back(e);
    } else if (key == "flags" && v.IsSequence()) {
      uint64_t bits = 0;
      bool good = true;
      for (const auto& item : v) {
        auto name = r.choice(item, "info flag", {"pgsizes", "caps"});
        good = good && name;
        if (name) bits |= *name == "pgsizes" ? vfio::VFIO_IOMMU_INFO_PGSIZES : vfio::VFIO_IOMMU_INFO_CAPS;
      }
      if (!good) continue;
      e.kind = StepExpectation::Kind::number;
      e.number.value = bits;
      step.expect.push_back(e);
    } else if (key == "iova_ranges") {
      auto windows = inclusive_ranges(v, "iova_ranges");
      if (!windows) continue;
      e.kind = StepExpectation::Kind::ranges;
      e.ranges = *windows;
      step.expect.push_back(e);
    } else if (key == "bitmap") {
      if (!v.IsSequence()) {
        r.error(v, "bitmap is a list of the indexes of the set bits");
        continue;
      }
      e.kind = StepExpectation::Kind::bits;
      bool good = true;
      for (const auto& item : v) {
        auto bit = r.integer(item, "bit");
        good = good && bit;
        if (bit) e.bits.push_back(*bit);
      }
      if (good) step.expect.push_back(e);
    } else if (key == "caps") {
      if (auto caps = capabilities(v)) {
        e.kind = StepExpectation::Kind::caps;
        e.caps = *caps;
        step.expect.push_back(e);
      }
    } else {
      // value, locked_vm, domains, noncoherent_domains, pinned_pages, vaddr_invalid
      number(key, v, Quantity::count);
    }
  }
}

}  // namespace iocsim::scenario::detail
