// SPDX-License-Identifier: GPL-2.0-only
#include "step_generator.h"

#include <random>

#include <fmt/format.h>

#include "base/cache_op.h"

namespace iocsim::stress {
namespace {

constexpr uint64_t kKiB = 1024, kMiB = 1024 * kKiB;

class Dice {
 public:
  explicit Dice(uint64_t seed) : rng_(seed) {}
  uint64_t below(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }
  uint64_t any() { return rng_(); }

 private:
  std::mt19937_64 rng_;
};

// Process memory: a few regions per principal, used whole or in part.
struct Region {
  const char* as;
  uint64_t va, size;
};
const std::vector<Region> kRegions{{"vm-a", 0x7f0000000000, 2 * kMiB},
                                   {"vm-a", 0x7f0000400000, 64 * kKiB},
                                   {"vm-b", 0x7f1000000000, 2 * kMiB},
                                   {"vm-b", 0x7f1000400000, 256 * kKiB},
                                   {"vm-b", 0x7f1000600000, 16 * kKiB}};

// A page-aligned part of a region (or all of it).
std::pair<uint64_t, uint64_t> part_of(Dice& d, const Region& r) {
  if (d.chance(50)) return {r.va, r.size};
  const uint64_t pages = r.size / (4 * kKiB);
  const uint64_t first = d.below(pages), count = 1 + d.below(pages - first);
  return {r.va + first * 4 * kKiB, count * 4 * kKiB};
}

// IOVAs and sizes from the boundaries the kernel checks, or anything.
uint64_t iova(Dice& d) {
  static const std::vector<uint64_t> kBoundary{
      0,          4 * kKiB,           2 * kMiB - 4 * kKiB, 2 * kMiB, 1ull << 30,
      0xfee00000, 0xfeeff000,         (1ull << 39) - 4 * kKiB, (1ull << 48) - 4 * kKiB,
      1ull << 48, ~0ull - 4 * kKiB + 1, ~0ull - 2 * kMiB + 1,  0x1000 + 1};
  switch (d.below(4)) {
    case 0: return d.pick(kBoundary);
    case 1: return d.below(64) * 4 * kKiB;
    case 2: return d.below(8) * 2 * kMiB;
    default: return d.any() & ~0xfffull;
  }
}

uint64_t size(Dice& d) {
  static const std::vector<uint64_t> kBoundary{0,        4 * kKiB, 8 * kKiB,  64 * kKiB,
                                               2 * kMiB, 4 * kMiB, 1ull << 63, ~0ull & ~0xfffull,
                                               100,      4 * kKiB + 1};
  switch (d.below(3)) {
    case 0: return d.pick(kBoundary);
    case 1: return (1 + d.below(64)) * 4 * kKiB;
    default: return (1 + d.below(4)) * 2 * kMiB;
  }
}

std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }

std::string flags(Dice& d, const std::vector<std::string>& names, unsigned raw_bits) {
  if (d.chance(15)) return std::to_string(d.below(1u << raw_bits));
  std::string list;
  for (const std::string& n : names)
    if (d.chance(40)) list += (list.empty() ? "" : ", ") + n;
  return "[" + list + "]";
}

const std::vector<std::string> kContainers{"c0", "c1"};

// `late`: the last tenth of a sequence, where containers may be released
// (earlier, a release would turn the rest into EBADF).
std::string step(Dice& d, bool late) {
  const Region& r = d.pick(kRegions);
  const std::string c = d.pick(kContainers);
  switch (d.below(22)) {
    case 0: case 1: {
      auto [va, len] = part_of(d, r);
      return fmt::format("touch: {{as: {}, va: {}, size: {}{}}}", r.as, hex(va), len,
                         d.chance(30) ? ", fill: secret" : "");
    }
    case 2: {
      auto [va, len] = part_of(d, r);
      return fmt::format("free: {{as: {}, va: {}, size: {}}}", r.as, hex(va), len);
    }
    case 3: {
      auto [va, len] = part_of(d, r);
      return fmt::format("{}: {{as: {}, va: {}, size: {}}}", d.chance(50) ? "read" : "write",
                         r.as, hex(va), len);
    }
    case 4: {
      auto [va, len] = part_of(d, r);
      static const std::vector<std::string> kOps = scenario_cache_op_names();
      return fmt::format("flush: {{as: {}, va: {}, size: {}, op: {}}}", r.as, hex(va), len,
                         d.pick(kOps));
    }
    case 5: case 6:
      return fmt::format("attach: {{container: {}, group: {}}}", c,
                         d.pick(std::vector<int>{5, 7, 7, 11}));
    case 7:
      return fmt::format("detach: {{container: {}, group: {}}}", c,
                         d.pick(std::vector<int>{5, 7, 11}));
    case 8: case 9: case 10: {
      auto [va, len] = part_of(d, r);
      const uint64_t map_size = d.chance(70) ? len : size(d);
      const uint64_t map_va = d.chance(85) ? va : va + d.below(3) * 4 * kKiB + d.below(2);
      const uint64_t at = d.chance(50) ? d.below(256) * 4 * kKiB : iova(d);
      return fmt::format("map: {{container: {}, as: {}, va: {}, iova: {}, size: {}, flags: {}}}",
                         c, r.as, hex(map_va), hex(at), map_size,
                         flags(d, {"read", "write", "read", "vaddr"}, 4));
    }
    case 11: case 12: {
      std::string f = flags(d, {"all", "vaddr"}, 3);
      if (d.chance(15))
        return fmt::format("unmap: {{container: {}, iova: {}, size: {}, flags: [dirty], "
                           "bitmap: {{pgsize: {}, size: {}}}}}",
                           c, hex(iova(d)), size(d), d.pick(std::vector<int>{4096, 8192, 0}),
                           d.pick(std::vector<uint64_t>{8, 64, 0, 4096}));
      return fmt::format("unmap: {{container: {}, iova: {}, size: {}, flags: {}}}", c,
                         hex(iova(d)), size(d), f);
    }
    case 13:
      return d.chance(50) ? fmt::format("info: {{container: {}}}", c)
                          : fmt::format("info: {{container: {}, argsz: {}}}", c, d.below(200));
    case 14: {
      static const std::vector<std::string> kExt{"type1", "type1v2", "unmap_all", "update_vaddr",
                                                 "dma_cc_iommu", "0", "42"};
      return d.chance(30) ? fmt::format("extension: {{ext: {}}}", d.pick(kExt))
                          : fmt::format("extension: {{container: {}, ext: {}}}", c, d.pick(kExt));
    }
    case 15: {
      static const std::vector<std::string> kOps{"start", "stop", "get", "[start, stop]", "7"};
      const std::string op = d.pick(kOps);
      if (op == "start" || op == "stop")
        return fmt::format("dirty: {{container: {}, op: {}}}", c, op);
      return fmt::format("dirty: {{container: {}, op: {}, iova: {}, size: {}, pgsize: {}}}", c,
                         op, hex(iova(d)), size(d), d.pick(std::vector<int>{4096, 8192, 0}));
    }
    case 16:
      return fmt::format("{}: {{device: vgpu0, iova: {}, npages: {}}}",
                         d.chance(60) ? "pin_pages" : "unpin_pages", hex(iova(d)),
                         d.pick(std::vector<int>{0, 1, 2, 16, 513}));
    case 17: {
      // Not iommu_unmap: the kernel treats an iommu_unmap that unmaps nothing
      // as impossible (WARN_ON in vfio_unmap_unpin) and then leaks pins, or in
      // the replay unwind unpins a run twice; the invariants rightly flag
      // both, so such runs say nothing about the port.
      static const std::vector<std::string> kKinds{"iommu_map", "pin", "alloc"};
      const std::string kind = d.pick(kKinds);
      const std::string err = kind == "alloc" ? ", errno: ENOMEM"
                                              : d.pick(std::vector<std::string>{
                                                    ", errno: ENOMEM", ", errno: EFAULT",
                                                    ", errno: EBUSY"});
      return fmt::format("inject: {{fault: {}, call: {}{}}}", kind, 1 + d.below(4), err);
    }
    case 18: case 19: {
      const uint64_t at = d.chance(60) ? d.below(64) * 4 * kKiB : iova(d) & ~63ull;
      const uint64_t len = 64 * (1 + d.below(128));
      return fmt::format("dma: {{device: {}, {}: {{iova: {}, size: {}}}}}",
                         d.pick(std::vector<std::string>{"gpu0", "nic0"}),
                         d.chance(60) ? "read" : "write", hex(at), len);
    }
    case 20:
      return fmt::format("state: {{container: {}}}", c);
    default:
      return late && d.chance(20) ? fmt::format("release: {{container: {}}}", c)
                                  : std::string("wait: 1us");
  }
}

}  // namespace

std::string scenario_text(uint64_t seed, const std::vector<std::string>& steps) {
  std::string text = fmt::format(
      "# iocsim-stress, seed {}\n"
      "scenario: stress\n"
      "principals:\n"
      "  vm-a: {{memlock: 4MiB}}\n"
      "  vm-b: {{}}\n"
      "devices:\n"
      "  nic0: {{owner: vm-a, group: 5, iommu: dmar0}}\n"
      "  gpu0: {{owner: vm-b, group: 7, iommu: dmar-gfx, no_snoop: true}}\n"
      "  vgpu0: {{owner: vm-b, group: 11, emulated: true}}\n"
      "steps:\n"
      "  - open: {{container: c0, type: v2, as: vm-b}}\n"
      "  - open: {{container: c1, type: v1, as: vm-a}}\n",
      seed);
  for (const std::string& s : steps) text += "  - " + s + "\n";
  return text;
}

std::vector<std::string> random_steps(uint64_t seed, size_t count) {
  Dice d(seed);
  std::vector<std::string> steps;
  steps.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    std::string s = step(d, i >= count - count / 10);
    // Half the steps run on another of the default preset's 4 cores, so lines
    // move between the cores' caches.
    if (s.back() == '}' && d.chance(50)) s.insert(s.size() - 1, fmt::format(", cpu: {}", d.below(4)));
    steps.push_back(std::move(s));
  }
  return steps;
}

}  // namespace iocsim::stress
