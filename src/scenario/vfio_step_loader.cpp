// SPDX-License-Identifier: GPL-2.0-only
// Arguments of the VFIO steps (the container ioctls, the external pinning
// interface) and of fault injection into the kernel.
#include <cerrno>

#include <fmt/format.h>

#include "scenario/step_args_reader.h"
#include "vfio/errno_names.h"
#include "vfio/uapi.h"

namespace iocsim::scenario::detail {

bool LoaderContext::load_vfio_args(const std::string& op, StepArgsReader& a, Step& step) {
  if (op == "open") {
    OpenStep x{"", vfio::VFIO_TYPE1v2_IOMMU, 0};
    if (const YAML::Node n = a.need("container")) {
      auto name = container(n, false);
      a.ok = a.ok && name;
      if (name && !containers_.insert(*name).second) {
        r.error(n, fmt::format("container '{}' is opened twice", *name));
        a.ok = false;
      }
      x.container = name.value_or("");
    }
    if (const YAML::Node t = a["type"]) {
      if (t.IsScalar() && (t.Scalar() == "v1" || t.Scalar() == "v2")) {
        x.type = t.Scalar() == "v1" ? vfio::VFIO_TYPE1_IOMMU : vfio::VFIO_TYPE1v2_IOMMU;
      } else {
        auto raw = r.integer(t, "type (v1, v2 or an integer)");
        a.ok = a.ok && raw;
        x.type = static_cast<unsigned long>(raw.value_or(0));
      }
    }
    if (a["as"]) {
      auto p = principal(a["as"], "as");
      a.ok = a.ok && p;
      x.as = p.value_or(0);
    } else if (s.principals.empty()) {
      r.error(a.node(), "open needs 'as': the scenario has no principals");
      a.ok = false;
    }
    step.args = x;
  } else if (op == "attach" || op == "detach") {
    const std::string c = a.container(true);
    const vfio::GroupId g = a.group();
    if (op == "attach") step.args = AttachStep{c, g};
    else step.args = DetachStep{c, g};
  } else if (op == "map") {
    MapStep x{a.container(true), a.principal(), a.address("va"), a.address("iova"),
              a.size("size"), 0, a.u32("argsz", vfio::kDmaMapMinsz)};
    a.need("flags");
    x.flags = a.flags("flags", {{"read", vfio::VFIO_DMA_MAP_FLAG_READ},
                              {"write", vfio::VFIO_DMA_MAP_FLAG_WRITE},
                              {"vaddr", vfio::VFIO_DMA_MAP_FLAG_VADDR}});
    step.args = x;
  } else if (op == "unmap") {
    UnmapStep x{a.container(true), a.address("iova"), a.size("size"), 0, 0,
                vfio::PAGE_SIZE, 0};
    x.flags = a.flags("flags", {{"all", vfio::VFIO_DMA_UNMAP_FLAG_ALL},
                              {"vaddr", vfio::VFIO_DMA_UNMAP_FLAG_VADDR},
                              {"dirty", vfio::VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP}});
    const bool dirty = x.flags & vfio::VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
    // What a correct caller passes: the struct, plus the vfio_bitmap if asked.
    x.argsz = a.u32("argsz", vfio::kDmaUnmapMinsz + (dirty ? vfio::kBitmapSize : 0));
    x.bitmap_size = vfio::dirty_bitmap_bytes(x.size / x.bitmap_pgsize);
    if (const YAML::Node b = a["bitmap"]) {
      if (!dirty) {
        r.error(b, "a bitmap goes with the dirty flag");
        a.ok = false;
      } else if (r.expect_map(b, "bitmap")) {
        r.check_keys(b, {"pgsize", "size"}, "bitmap");
        if (b["pgsize"]) {
          auto v = r.size(b["pgsize"], "pgsize");
          a.ok = a.ok && v;
          x.bitmap_pgsize = v.value_or(0);
        }
        if (b["size"]) {
          auto v = r.size(b["size"], "bitmap size");
          a.ok = a.ok && v;
          x.bitmap_size = v.value_or(0);
        } else if (x.bitmap_pgsize) {
          x.bitmap_size = vfio::dirty_bitmap_bytes(x.size / x.bitmap_pgsize);
        }
      } else {
        a.ok = false;
      }
    }
    step.args = x;
  } else if (op == "info") {
    // Large enough for the capability chain unless the scenario says otherwise.
    step.args = InfoStep{a.container(true), a.u32("argsz", 4096)};
  } else if (op == "dirty") {
    DirtyStep x{a.container(true), 0, 0, 0, vfio::PAGE_SIZE, 0};
    const YAML::Node o = a.need("op");
    if (o && o.IsScalar() && (o.Scalar() == "start" || o.Scalar() == "stop" || o.Scalar() == "get")) {
      x.flags = o.Scalar() == "start" ? vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_START
                : o.Scalar() == "stop" ? vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP
                                       : vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
    } else if (o) {
      x.flags = a.flags("op", {{"start", vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_START},
                             {"stop", vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP},
                             {"get", vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP}});
    }
    const bool get = x.flags & vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
    if (get) {
      x.iova = a.address("iova");
      x.size = a.size("size");
    }
    if (a["pgsize"]) {
      auto v = r.size(a["pgsize"], "pgsize");
      a.ok = a.ok && v;
      x.pgsize = v.value_or(0);
    }
    x.argsz = a.u32("argsz", vfio::kDirtyMinsz + (get ? vfio::kDirtyRangeSize : 0));
    step.args = x;
  } else if (op == "pin_pages" || op == "unpin_pages") {
    size_t dev = 0;
    if (const YAML::Node d = a.need("device")) {
      auto index = device(d);
      a.ok = a.ok && index;
      dev = index.value_or(0);
      if (index && !s.devices[*index].emulated) {
        r.error(d, fmt::format("device '{}' is not emulated: only an mdev's driver pins pages",
                               s.devices[*index].name));
        a.ok = false;
      }
    }
    const uint64_t iova = a.address("iova");
    uint64_t npages = 0;
    if (const YAML::Node n = a.need("npages")) {
      auto v = r.integer(n, "npages");
      if (v && *v > INT32_MAX) {
        r.error(n, "npages must fit in an int");
        v.reset();
      }
      a.ok = a.ok && v;
      npages = v.value_or(0);
    }
    if (op == "pin_pages") {
      int prot = vfio::IOMMU_READ | vfio::IOMMU_WRITE;
      if (a["prot"]) {
        auto p = r.choice(a["prot"], "prot", {"rw", "r", "w"});
        a.ok = a.ok && p;
        prot = !p || *p == "rw" ? vfio::IOMMU_READ | vfio::IOMMU_WRITE
               : *p == "r"      ? vfio::IOMMU_READ
                                : vfio::IOMMU_WRITE;
      }
      step.args = PinPagesStep{dev, iova, npages, prot};
    } else {
      step.args = UnpinPagesStep{dev, iova, npages};
    }  } else if (op == "release") {
    step.args = ReleaseStep{a.container(true)};
  } else if (op == "state") {
    StateStep x{a.container(true), std::nullopt};
    if (a["as"]) {
      x.as = principal(a["as"], "as");
      a.ok = a.ok && x.as;
    }
    step.args = x;
  } else if (op == "extension") {
    ExtensionStep x{std::nullopt, 0};
    if (a["container"]) {
      x.container = container(a["container"], true);
      a.ok = a.ok && x.container;
    }
    if (const YAML::Node e = a.need("ext")) {
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
        a.ok = a.ok && raw;
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
    if (const YAML::Node f = a.need("fault")) {
      auto kind = r.choice(f, "fault", names);
      a.ok = a.ok && kind;
      for (const auto& k : kinds)
        if (kind && *kind == k.first) x.fault = k.second;
    }
    const bool iommu = x.fault == vfio::FaultKind::iommu_map ||
                       x.fault == vfio::FaultKind::iommu_unmap;
    if (a["domain"]) {
      if (!iommu) {
        r.error(a["domain"], "'domain' restricts only iommu_map and iommu_unmap faults");
        a.ok = false;
      } else {
        x.device = device(a["domain"]);
        a.ok = a.ok && x.device;
      }
    }
    if (a["call"]) {
      auto call = r.integer(a["call"], "call");
      if (call && (*call == 0 || *call > UINT32_MAX)) {
        r.error(a["call"], "call counts from 1 (the next call of that kind)");
        call.reset();
      }
      a.ok = a.ok && call;
      x.call = static_cast<unsigned>(call.value_or(1));
    }
    // What the failing call returns is the kernel's to decide for some kinds.
    if (const YAML::Node e = a["errno"]) {
      auto name = r.choice(e, "errno", vfio::errno_names());
      a.ok = a.ok && name;
      if (name) x.error = -*vfio::errno_value(*name);
      if (name && x.fault == vfio::FaultKind::alloc && *name != "ENOMEM") {
        r.error(e, "a failed allocation is ENOMEM (or whatever its caller makes of it)");
        a.ok = false;
      }
      if (x.fault == vfio::FaultKind::iommu_unmap) {
        r.error(e, "iommu_unmap fails by unmapping nothing; it returns no errno");
        a.ok = false;
      }
    } else if (x.fault == vfio::FaultKind::pin || x.fault == vfio::FaultKind::iommu_map) {
      a.need("errno");
    }
    step.args = x;
  } else {
    return false;
  }
  return true;
}

}  // namespace iocsim::scenario::detail
