// SPDX-License-Identifier: GPL-2.0-only
// The `steps:` list: one operation per step, its arguments, and what the
// step expects.
#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "models/common/spelling.h"
#include "scenario/loader_context.h"
#include "vfio/errno_names.h"
#include "vfio/uapi.h"

namespace iocsim::scenario::detail {
namespace {

struct OpInfo {
  std::string name;
  std::vector<std::string> keys;  // argument keys
  bool container;                 // acts on a container: kernel-state expectations apply
};

const std::vector<OpInfo>& ops() {
  static const std::vector<OpInfo> kOps{
      {"alloc", {"as", "va", "size", "huge", "prot"}, false},
      {"touch", {"as", "va", "size", "fill", "huge", "pa", "prot"}, false},
      {"write", {"as", "va", "size", "fill"}, false},
      {"read", {"as", "va", "size"}, false},
      {"free", {"as", "va", "size"}, false},
      {"flush", {"as", "va", "size", "op"}, false},
      {"open", {"container", "type", "as"}, true},
      {"attach", {"container", "group"}, true},
      {"detach", {"container", "group"}, true},
      {"map", {"container", "as", "va", "iova", "size", "flags", "argsz"}, true},
      {"unmap", {"container", "iova", "size", "flags", "argsz", "bitmap"}, true},
      {"release", {"container"}, true},
      {"state", {"container", "as"}, true},
      {"extension", {"container", "ext"}, true},
      {"dma", {"device", "read", "write", "no_snoop", "fill"}, false},
      {"wait", {}, false},
      {"inject", {"fault", "domain", "call", "errno"}, false},
      {"info", {"container", "argsz"}, true},
      {"dirty", {"container", "op", "iova", "size", "pgsize", "argsz"}, true},
      {"pin_pages", {"device", "iova", "npages", "prot"}, false},
      {"unpin_pages", {"device", "iova", "npages"}, false},
      {"mmio", {"as", "va", "size", "device"}, false},
  };
  return kOps;
}

// Steps of the contract that later work will bring.
const std::vector<std::string> kNotYet{"spawn"};

const std::vector<std::string> kCommon{"name", "at", "expect"};

const OpInfo* find_op(const std::string& name) {
  for (const auto& op : ops())
    if (op.name == name) return &op;
  return nullptr;
}

std::vector<std::string> with_common(std::vector<std::string> keys) {
  keys.insert(keys.end(), kCommon.begin(), kCommon.end());
  return keys;
}

struct FlagName {
  const char* name;
  uint32_t bit;
};

}  // namespace

std::optional<size_t> LoaderContext::principal(const YAML::Node& at, std::string_view what) const {
  auto name = r.string(at, what);
  if (!name) return std::nullopt;
  std::vector<std::string> names;
  for (size_t i = 0; i < s.principals.size(); ++i) {
    if (s.principals[i].name == *name) return i;
    names.push_back(s.principals[i].name);
  }
  r.error(at, fmt::format("unknown principal '{}'{}", *name, did_you_mean(*name, names)));
  return std::nullopt;
}

std::optional<size_t> LoaderContext::device(const YAML::Node& at) const {
  auto name = r.string(at, "device");
  if (!name) return std::nullopt;
  std::vector<std::string> names;
  for (size_t i = 0; i < s.devices.size(); ++i) {
    if (s.devices[i].name == *name) return i;
    names.push_back(s.devices[i].name);
  }
  r.error(at, fmt::format("unknown device '{}'{}", *name, did_you_mean(*name, names)));
  return std::nullopt;
}

TagId LoaderContext::tag(const std::string& label) {
  for (size_t i = 0; i < s.tags.size(); ++i)
    if (s.tags[i] == label) return static_cast<TagId>(i + 1);
  s.tags.push_back(label);
  return static_cast<TagId>(s.tags.size());
}

std::optional<std::string> LoaderContext::container(const YAML::Node& node, bool must_exist) {
  auto name = r.name(node, "container name");
  if (!name) return std::nullopt;
  if (must_exist && !containers_.count(*name)) {
    r.error(node, fmt::format("container '{}' is not opened by an earlier step{}", *name,
                              did_you_mean(*name, {containers_.begin(), containers_.end()})));
    return std::nullopt;
  }
  return name;
}

std::optional<uint64_t> LoaderContext::address(const YAML::Node& node,
                                               std::string_view what) const {
  return r.size(node, what);
}

void LoaderContext::load_steps(const YAML::Node& steps) {
  if (!steps.IsSequence()) {
    r.error(steps, "steps must be a list");
    return;
  }
  size_t index = 0;
  for (const auto& node : steps) {
    if (auto step = load_step(node, index)) s.steps.push_back(std::move(*step));
    ++index;
  }
}

std::optional<Step> LoaderContext::load_step(const YAML::Node& node, size_t index) {
  if (!r.expect_map(node, "a step")) return std::nullopt;
  std::vector<std::string> known_ops;
  for (const auto& op : ops()) known_ops.push_back(op.name);
  known_ops.insert(known_ops.end(), kNotYet.begin(), kNotYet.end());

  std::optional<std::string> op;
  bool ok = true;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) continue;
    const std::string& key = kv.first.Scalar();
    if (std::find(kCommon.begin(), kCommon.end(), key) != kCommon.end()) continue;
    if (std::find(known_ops.begin(), known_ops.end(), key) == known_ops.end()) {
      r.error(kv.first, fmt::format("unknown step '{}'{}", key,
                                    did_you_mean(key, with_common(known_ops))));
      ok = false;
      continue;
    }
    if (std::find(kNotYet.begin(), kNotYet.end(), key) != kNotYet.end()) {
      r.error(kv.first, fmt::format("step '{}' is not implemented yet", key));
      ok = false;
      continue;
    }
    if (op) {
      r.error(kv.first, fmt::format("a step has one operation; '{}' follows '{}'", key, *op));
      ok = false;
      continue;
    }
    op = key;
  }
  if (!ok) return std::nullopt;
  if (!op) {
    r.error(node, "a step needs an operation (alloc, touch, map, ...)");
    return std::nullopt;
  }

  Step step;
  step.index = index;
  step.op = *op;
  step.line = node.Mark().line + 1;
  const YAML::Node args = node[*op];

  // name, at and expect may sit beside the operation or inside its arguments.
  auto common = [&](const char* key) -> std::optional<YAML::Node> {
    const YAML::Node outer = node[key];
    std::optional<YAML::Node> inner;
    if (args.IsMap() && args[key]) inner = args[key];
    if (outer && inner) {
      r.error(*inner, fmt::format("'{}' is given twice for this step", key));
      return std::nullopt;
    }
    if (outer) return outer;
    return inner;
  };
  if (const auto name = common("name"))
    if (auto text = r.string(*name, "step name")) step.name = *text;
  if (const auto at = common("at"))
    if (auto time = r.duration(*at, "at")) step.at = *time;

  if (!load_args(*op, args, step)) return std::nullopt;
  if (const auto expect = common("expect")) load_step_expect(*expect, step);
  return step;
}

bool LoaderContext::load_args(const std::string& op, const YAML::Node& a, Step& step) {
  const OpInfo& info = *find_op(op);
  if (op == "wait") {
    auto time = r.duration(a, "wait");
    if (!time) return false;
    step.args = WaitStep{*time};
    return true;
  }
  const std::string what = fmt::format("step '{}'", op);
  if (!r.expect_map(a, what)) return false;
  r.check_keys(a, with_common(info.keys), what);

  bool ok = true;
  auto need = [&](const char* key) -> YAML::Node {
    if (!a[key]) {
      r.error(a, fmt::format("{} needs '{}'", what, key));
      ok = false;
    }
    return a[key];
  };
  auto req_principal = [&]() -> size_t {
    const YAML::Node n = need("as");
    if (!n) return 0;
    auto p = principal(n, "as");
    ok = ok && p;
    return p.value_or(0);
  };
  auto req_address = [&](const char* key) -> uint64_t {
    const YAML::Node n = need(key);
    if (!n) return 0;
    auto v = address(n, key);
    ok = ok && v;
    return v.value_or(0);
  };
  auto req_size = [&](const char* key) -> uint64_t {
    const YAML::Node n = need(key);
    if (!n) return 0;
    auto v = r.size(n, key);
    ok = ok && v;
    return v.value_or(0);
  };
  auto opt_bool = [&](const char* key, bool fallback) -> bool {
    if (!a[key]) return fallback;
    auto v = r.boolean(a[key], key);
    ok = ok && v;
    return v.value_or(fallback);
  };
  auto writable = [&]() -> bool {
    if (!a["prot"]) return true;
    auto prot = r.choice(a["prot"], "prot", {"rw", "r"});
    ok = ok && prot;
    return !prot || *prot == "rw";
  };
  auto fill = [&]() -> std::optional<TagId> {
    if (!a["fill"]) return std::nullopt;
    auto label = r.string(a["fill"], "fill");
    ok = ok && label;
    if (!label) return std::nullopt;
    return tag(*label);
  };
  auto req_container = [&](bool must_exist) -> std::string {
    const YAML::Node n = need("container");
    if (!n) return "";
    auto c = container(n, must_exist);
    ok = ok && c;
    return c.value_or("");
  };
  auto u32 = [&](const char* key, uint32_t fallback) -> uint32_t {
    if (!a[key]) return fallback;
    auto v = r.integer(a[key], key);
    if (v && *v > UINT32_MAX) {
      r.error(a[key], fmt::format("{} must fit in 32 bits", key));
      v.reset();
    }
    ok = ok && v;
    return v ? static_cast<uint32_t>(*v) : fallback;
  };
  // A list of flag names, or a raw integer (so the ioctl's own checks are reachable).
  auto flags = [&](const char* key, const std::vector<FlagName>& names) -> uint32_t {
    const YAML::Node n = a[key];
    if (!n) return 0;
    if (n.IsScalar()) return u32(key, 0);
    if (!n.IsSequence()) {
      r.error(n, fmt::format("{} must be a list of names or an integer", key));
      ok = false;
      return 0;
    }
    std::vector<std::string> choices;
    for (const auto& f : names) choices.push_back(f.name);
    uint32_t bits = 0;
    for (const auto& item : n) {
      auto name = r.choice(item, "flag", choices);
      ok = ok && name;
      if (!name) continue;
      for (const auto& f : names)
        if (*name == f.name) bits |= f.bit;
    }
    return bits;
  };
  auto group = [&]() -> vfio::GroupId {
    const YAML::Node n = need("group");
    if (!n) return 0;
    auto g = r.integer(n, "group");
    ok = ok && g;
    if (!g) return 0;
    for (const auto& d : s.devices)
      if (static_cast<uint64_t>(d.group) == *g) return d.group;
    r.error(n, fmt::format("no device is in group {}", *g));
    ok = false;
    return 0;
  };

  if (op == "alloc") {
    AllocStep x{req_principal(), req_address("va"), req_size("size"), opt_bool("huge", false),
                writable()};
    step.args = x;
  } else if (op == "touch") {
    TouchStep x{req_principal(), req_address("va"), req_size("size"), fill(),
                opt_bool("huge", false), writable(), std::nullopt};
    if (a["pa"]) {
      x.pa = address(a["pa"], "pa");
      ok = ok && x.pa;
    }
    step.args = x;
  } else if (op == "write") {
    const size_t as = req_principal();
    WriteStep x{as, req_address("va"), req_size("size"), fill().value_or(models::kNoTag)};
    step.args = x;
  } else if (op == "read") {
    step.args = ReadStep{req_principal(), req_address("va"), req_size("size")};
  } else if (op == "free") {
    step.args = FreeStep{req_principal(), req_address("va"), req_size("size")};
  } else if (op == "flush") {
    FlushStep x{req_principal(), 0, 0, host::CacheOp::clflushopt};
    auto kind = a["op"] ? r.choice(a["op"], "flush op", {"clflush", "clflushopt", "clwb", "wbinvd"})
                        : std::optional<std::string>();
    if (!a["op"]) need("op");
    ok = ok && kind;
    if (kind) {
      x.op = *kind == "clflush"      ? host::CacheOp::clflush
             : *kind == "clflushopt" ? host::CacheOp::clflushopt
             : *kind == "clwb"       ? host::CacheOp::clwb
                                     : host::CacheOp::wbinvd;
      if (x.op != host::CacheOp::wbinvd || a["va"] || a["size"]) {
        x.va = req_address("va");
        x.size = req_size("size");
      }
    }
    step.args = x;
  } else if (op == "open") {
    OpenStep x{"", vfio::VFIO_TYPE1v2_IOMMU, 0};
    if (const YAML::Node n = need("container")) {
      auto name = container(n, false);
      ok = ok && name;
      if (name && !containers_.insert(*name).second) {
        r.error(n, fmt::format("container '{}' is opened twice", *name));
        ok = false;
      }
      x.container = name.value_or("");
    }
    if (const YAML::Node t = a["type"]) {
      if (t.IsScalar() && (t.Scalar() == "v1" || t.Scalar() == "v2")) {
        x.type = t.Scalar() == "v1" ? vfio::VFIO_TYPE1_IOMMU : vfio::VFIO_TYPE1v2_IOMMU;
      } else {
        auto raw = r.integer(t, "type (v1, v2 or an integer)");
        ok = ok && raw;
        x.type = static_cast<unsigned long>(raw.value_or(0));
      }
    }
    if (a["as"]) {
      auto p = principal(a["as"], "as");
      ok = ok && p;
      x.as = p.value_or(0);
    } else if (s.principals.empty()) {
      r.error(a, "open needs 'as': the scenario has no principals");
      ok = false;
    }
    step.args = x;
  } else if (op == "attach" || op == "detach") {
    const std::string c = req_container(true);
    const vfio::GroupId g = group();
    if (op == "attach") step.args = AttachStep{c, g};
    else step.args = DetachStep{c, g};
  } else if (op == "map") {
    MapStep x{req_container(true), req_principal(), req_address("va"), req_address("iova"),
              req_size("size"), 0, u32("argsz", vfio::kDmaMapMinsz)};
    need("flags");
    x.flags = flags("flags", {{"read", vfio::VFIO_DMA_MAP_FLAG_READ},
                              {"write", vfio::VFIO_DMA_MAP_FLAG_WRITE},
                              {"vaddr", vfio::VFIO_DMA_MAP_FLAG_VADDR}});
    step.args = x;
  } else if (op == "unmap") {
    UnmapStep x{req_container(true), req_address("iova"), req_size("size"), 0, 0,
                vfio::PAGE_SIZE, 0};
    x.flags = flags("flags", {{"all", vfio::VFIO_DMA_UNMAP_FLAG_ALL},
                              {"vaddr", vfio::VFIO_DMA_UNMAP_FLAG_VADDR},
                              {"dirty", vfio::VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP}});
    const bool dirty = x.flags & vfio::VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
    // What a correct caller passes: the struct, plus the vfio_bitmap if asked.
    x.argsz = u32("argsz", vfio::kDmaUnmapMinsz + (dirty ? vfio::kBitmapSize : 0));
    x.bitmap_size = vfio::dirty_bitmap_bytes(x.size / x.bitmap_pgsize);
    if (const YAML::Node b = a["bitmap"]) {
      if (!dirty) {
        r.error(b, "a bitmap goes with the dirty flag");
        ok = false;
      } else if (r.expect_map(b, "bitmap")) {
        r.check_keys(b, {"pgsize", "size"}, "bitmap");
        if (b["pgsize"]) {
          auto v = r.size(b["pgsize"], "pgsize");
          ok = ok && v;
          x.bitmap_pgsize = v.value_or(0);
        }
        if (b["size"]) {
          auto v = r.size(b["size"], "bitmap size");
          ok = ok && v;
          x.bitmap_size = v.value_or(0);
        } else if (x.bitmap_pgsize) {
          x.bitmap_size = vfio::dirty_bitmap_bytes(x.size / x.bitmap_pgsize);
        }
      } else {
        ok = false;
      }
    }
    step.args = x;
  } else if (op == "info") {
    // Large enough for the capability chain unless the scenario says otherwise.
    step.args = InfoStep{req_container(true), u32("argsz", 4096)};
  } else if (op == "dirty") {
    DirtyStep x{req_container(true), 0, 0, 0, vfio::PAGE_SIZE, 0};
    const YAML::Node o = need("op");
    if (o && o.IsScalar() && (o.Scalar() == "start" || o.Scalar() == "stop" || o.Scalar() == "get")) {
      x.flags = o.Scalar() == "start" ? vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_START
                : o.Scalar() == "stop" ? vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP
                                       : vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
    } else if (o) {
      x.flags = flags("op", {{"start", vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_START},
                             {"stop", vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP},
                             {"get", vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP}});
    }
    const bool get = x.flags & vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
    if (get) {
      x.iova = req_address("iova");
      x.size = req_size("size");
    }
    if (a["pgsize"]) {
      auto v = r.size(a["pgsize"], "pgsize");
      ok = ok && v;
      x.pgsize = v.value_or(0);
    }
    x.argsz = u32("argsz", vfio::kDirtyMinsz + (get ? vfio::kDirtyRangeSize : 0));
    step.args = x;
  } else if (op == "pin_pages" || op == "unpin_pages") {
    size_t dev = 0;
    if (const YAML::Node d = need("device")) {
      auto index = device(d);
      ok = ok && index;
      dev = index.value_or(0);
      if (index && !s.devices[*index].emulated) {
        r.error(d, fmt::format("device '{}' is not emulated: only an mdev's driver pins pages",
                               s.devices[*index].name));
        ok = false;
      }
    }
    const uint64_t iova = req_address("iova");
    uint64_t npages = 0;
    if (const YAML::Node n = need("npages")) {
      auto v = r.integer(n, "npages");
      if (v && *v > INT32_MAX) {
        r.error(n, "npages must fit in an int");
        v.reset();
      }
      ok = ok && v;
      npages = v.value_or(0);
    }
    if (op == "pin_pages") {
      int prot = vfio::IOMMU_READ | vfio::IOMMU_WRITE;
      if (a["prot"]) {
        auto p = r.choice(a["prot"], "prot", {"rw", "r", "w"});
        ok = ok && p;
        prot = !p || *p == "rw" ? vfio::IOMMU_READ | vfio::IOMMU_WRITE
               : *p == "r"      ? vfio::IOMMU_READ
                                : vfio::IOMMU_WRITE;
      }
      step.args = PinPagesStep{dev, iova, npages, prot};
    } else {
      step.args = UnpinPagesStep{dev, iova, npages};
    }
  } else if (op == "mmio") {
    MmioStep x{req_principal(), req_address("va"), req_size("size"), 0};
    if (const YAML::Node d = need("device")) {
      auto index = device(d);
      ok = ok && index;
      x.device = index.value_or(0);
    }
    step.args = x;
  } else if (op == "release") {
    step.args = ReleaseStep{req_container(true)};
  } else if (op == "state") {
    StateStep x{req_container(true), std::nullopt};
    if (a["as"]) {
      x.as = principal(a["as"], "as");
      ok = ok && x.as;
    }
    step.args = x;
  } else if (op == "extension") {
    ExtensionStep x{std::nullopt, 0};
    if (a["container"]) {
      x.container = container(a["container"], true);
      ok = ok && x.container;
    }
    if (const YAML::Node e = need("ext")) {
      static const std::vector<std::pair<std::string, unsigned long>> kExt{
          {"type1", vfio::VFIO_TYPE1_IOMMU},          {"type1v2", vfio::VFIO_TYPE1v2_IOMMU},
          {"unmap_all", vfio::VFIO_UNMAP_ALL},        {"update_vaddr", vfio::VFIO_UPDATE_VADDR},
          {"dma_cc_iommu", vfio::VFIO_DMA_CC_IOMMU}, {"nesting", vfio::VFIO_TYPE1_NESTING_IOMMU}};
      bool named = false;
      for (const auto& [name, value] : kExt) {
        if (e.IsScalar() && e.Scalar() == name) {
          x.ext = value;
          named = true;
        }
      }
      if (!named) {
        auto raw = r.integer(e, "ext (a name or a number)");
        ok = ok && raw;
        x.ext = static_cast<unsigned long>(raw.value_or(0));
      }
    }
    step.args = x;
  } else if (op == "inject") {
    InjectStep x{vfio::FaultKind::alloc, std::nullopt, 1, -ENOMEM};
    const std::vector<std::pair<std::string, vfio::FaultKind>> kinds{
        {"alloc", vfio::FaultKind::alloc},
        {"pin", vfio::FaultKind::pin},
        {"iommu_map", vfio::FaultKind::iommu_map},
        {"iommu_unmap", vfio::FaultKind::iommu_unmap}};
    std::vector<std::string> names;
    for (const auto& k : kinds) names.push_back(k.first);
    if (const YAML::Node f = need("fault")) {
      auto kind = r.choice(f, "fault", names);
      ok = ok && kind;
      for (const auto& k : kinds)
        if (kind && *kind == k.first) x.fault = k.second;
    }
    const bool iommu = x.fault == vfio::FaultKind::iommu_map ||
                       x.fault == vfio::FaultKind::iommu_unmap;
    if (a["domain"]) {
      if (!iommu) {
        r.error(a["domain"], "'domain' restricts only iommu_map and iommu_unmap faults");
        ok = false;
      } else {
        x.device = device(a["domain"]);
        ok = ok && x.device;
      }
    }
    if (a["call"]) {
      auto call = r.integer(a["call"], "call");
      if (call && (*call == 0 || *call > UINT32_MAX)) {
        r.error(a["call"], "call counts from 1 (the next call of that kind)");
        call.reset();
      }
      ok = ok && call;
      x.call = static_cast<unsigned>(call.value_or(1));
    }
    // What the failing call returns is the kernel's to decide for some kinds.
    if (const YAML::Node e = a["errno"]) {
      auto name = r.choice(e, "errno", vfio::errno_names());
      ok = ok && name;
      if (name) x.error = -*vfio::errno_value(*name);
      if (name && x.fault == vfio::FaultKind::alloc && *name != "ENOMEM") {
        r.error(e, "a failed allocation is ENOMEM (or whatever its caller makes of it)");
        ok = false;
      }
      if (x.fault == vfio::FaultKind::iommu_unmap) {
        r.error(e, "iommu_unmap fails by unmapping nothing; it returns no errno");
        ok = false;
      }
    } else if (x.fault == vfio::FaultKind::pin || x.fault == vfio::FaultKind::iommu_map) {
      need("errno");
    }
    step.args = x;
  } else if (op == "dma") {
    DmaStep x{0, false, 0, 0, std::nullopt, models::kNoTag};
    if (const YAML::Node d = need("device")) {
      auto index = device(d);
      ok = ok && index;
      x.device = index.value_or(0);
      if (index && s.devices[*index].emulated) {
        r.error(d, fmt::format("device '{}' is emulated: it reaches memory through pin_pages, "
                               "not DMA",
                               s.devices[*index].name));
        ok = false;
      }
    }
    const YAML::Node rd = a["read"], wr = a["write"];
    if (bool(rd) == bool(wr)) {
      r.error(a, "a dma step has exactly one of 'read' or 'write'");
      ok = false;
    } else {
      x.write = bool(wr);
      const YAML::Node range = x.write ? wr : rd;
      const std::string rw = x.write ? "dma write" : "dma read";
      if (r.expect_map(range, rw)) {
        r.check_keys(range, {"iova", "size"}, rw);
        for (const char* key : {"iova", "size"}) {
          if (!range[key]) {
            r.error(range, fmt::format("{} needs '{}'", rw, key));
            ok = false;
          }
        }
        if (range["iova"] && range["size"]) {
          auto iova = address(range["iova"], "iova");
          auto size = r.size(range["size"], "size");
          ok = ok && iova && size;
          x.iova = iova.value_or(0);
          x.size = size.value_or(0);
          if (size && (*size == 0 || *size % models::kLineBytes || x.iova % models::kLineBytes)) {
            r.error(range, "device transfers are whole 64-byte lines: iova and size must be "
                           "multiples of 64 and size non-zero");
            ok = false;
          }
        }
      } else {
        ok = false;
      }
    }
    if (a["no_snoop"]) {
      auto v = r.boolean(a["no_snoop"], "no_snoop");
      ok = ok && v;
      x.no_snoop = v;
    }
    if (a["fill"]) {
      if (!x.write) {
        r.error(a["fill"], "only a dma write stores data ('fill')");
        ok = false;
      } else {
        x.fill = fill().value_or(models::kNoTag);
      }
    }
    step.args = x;
  }
  return ok;
}

void LoaderContext::load_step_expect(const YAML::Node& node, Step& step) {
  const OpInfo& info = *find_op(step.op);
  const std::string what = fmt::format("expect of step '{}'", step.op);
  if (!r.expect_map(node, what)) return;

  std::vector<std::string> allowed{"ok", "errno", "warns"};
  // Kernel state is that of the step's container; an mdev's pins act on the
  // container its group is in.
  const bool has_container =
      (info.container && !(step.op == "extension" && !std::get<ExtensionStep>(step.args).container)) ||
      step.op == "pin_pages" || step.op == "unpin_pages";
  if (has_container)
    allowed.insert(allowed.end(), {"locked_vm", "dmas", "domains", "noncoherent_domains",
                                   "pinned_pages", "flush", "iommu_calls", "vaddr_invalid"});
  if (step.op == "unmap") allowed.insert(allowed.end(), {"unmapped", "bitmap"});
  if (step.op == "dirty") allowed.push_back("bitmap");
  if (step.op == "pin_pages") allowed.push_back("pinned");
  if (step.op == "info")
    allowed.insert(allowed.end(),
                   {"pgsizes", "dma_avail", "iova_ranges", "argsz", "flags", "cap_offset", "caps"});
  if (step.op == "extension") allowed.push_back("value");
  if (step.op == "read") allowed.push_back("sees");
  if (step.op == "dma") {
    allowed.push_back("fault");
    if (!std::get<DmaStep>(step.args).write) allowed.push_back("sees");
  }
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
          flush ? std::vector<std::string>{"map", "unpin", "replay", "fgsp"}
                : std::vector<std::string>{"map", "unmap"};
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
