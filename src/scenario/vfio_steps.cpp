// SPDX-License-Identifier: GPL-2.0-only
// The VFIO steps: what each reads from the scenario and which call of the
// VFIO core (src/vfio/vfio_core.h) it makes. What the kernel decides, it
// decides there; a step only names the container, group or device.
#include "scenario/vfio_steps.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/spelling.h"
#include "scenario/run_state.h"
#include "scenario/step_args_reader.h"
#include "vfio/errno_names.h"
#include "vfio/uapi.h"

namespace iocsim::scenario {

using detail::Run;
using detail::StepArgsReader;
using detail::StepOutcome;

const StepKind& OpenStep::kind() {
  static const StepKind k{"open", {"container", "type", "as", "backend"}, {}, StepScope::container};
  return k;
}

void OpenStep::parse(StepArgsReader& a, const Step&) {
  type = vfio::VFIO_TYPE1v2_IOMMU;
  detail::LoaderContext& c = a.context();
  if (const YAML::Node n = a.need("container")) {
    auto name = c.open_container(n);
    a.ok = a.ok && name;
    container = name.value_or("");
  }
  if (const YAML::Node t = a["type"]) {
    if (t.IsScalar() && (t.Scalar() == "v1" || t.Scalar() == "v2")) {
      type = t.Scalar() == "v1" ? vfio::VFIO_TYPE1_IOMMU : vfio::VFIO_TYPE1v2_IOMMU;
    } else {
      auto raw = c.r.integer(t, "type (v1, v2 or an integer)");
      a.ok = a.ok && raw;
      type = static_cast<unsigned long>(raw.value_or(0));
    }
  }
  if (const YAML::Node b = a["backend"]) {
    if (b.IsScalar() && backend_named(b.Scalar())) {
      backend = b.Scalar();
    } else {
      std::vector<std::string> names(std::begin(kBackendNames), std::end(kBackendNames));
      c.r.error(b, fmt::format("backend: expected {}{}", fmt::join(names, " or "),
                               b.IsScalar() ? did_you_mean(b.Scalar(), names) : ""));
      a.ok = false;
    }
  }
  if (a["as"]) {
    auto p = c.principal(a["as"], "as");
    a.ok = a.ok && p;
    as = p.value_or(0);
  } else if (c.s.principals.empty()) {
    c.r.error(a.node(), "open needs 'as': the scenario has no principals");
    a.ok = false;
  }
}

StepOutcome OpenStep::run(Run& r, const Step&) const {
  StepOutcome out;
  const int fd = r.vfio->open(r.principal(as), type,
                              r.backend_override.empty() ? backend : r.backend_override);
  r.containers[container] = {fd < 0 ? -1 : fd, as};
  if (fd < 0) out.error = fd;
  return out;
}

const StepKind& AttachStep::kind() {
  static const StepKind k{"attach", {"container", "group"}, {}, StepScope::container};
  return k;
}

void AttachStep::parse(StepArgsReader& a, const Step&) {
  container = a.container(true);
  group = a.group();
}

StepOutcome AttachStep::run(Run& r, const Step&) const {
  StepOutcome out;
  out.error = r.vfio->group_set_container(group, r.fd(container));
  return out;
}

const StepKind& DetachStep::kind() {
  static const StepKind k{"detach", {"container", "group"}, {}, StepScope::container};
  return k;
}

void DetachStep::parse(StepArgsReader& a, const Step&) {
  container = a.container(true);
  group = a.group();
}

StepOutcome DetachStep::run(Run& r, const Step&) const {
  StepOutcome out;
  out.error = r.vfio->group_unset_container(group, r.fd(container));
  return out;
}

const StepKind& MapStep::kind() {
  static const StepKind k{
      "map", {"container", "as", "va", "iova", "size", "flags", "argsz"}, {}, StepScope::container};
  return k;
}

void MapStep::parse(StepArgsReader& a, const Step&) {
  container = a.container(true);
  as = a.principal();
  va = a.address("va");
  iova = a.address("iova");
  size = a.size("size");
  argsz = a.u32("argsz", vfio::kDmaMapMinsz);
  a.need("flags");
  flags = a.flags("flags", {{"read", vfio::VFIO_DMA_MAP_FLAG_READ},
                            {"write", vfio::VFIO_DMA_MAP_FLAG_WRITE},
                            {"vaddr", vfio::VFIO_DMA_MAP_FLAG_VADDR}});
}

StepOutcome MapStep::run(Run& r, const Step&) const {
  StepOutcome out;
  vfio::DmaMapArgs args;
  args.argsz = argsz;
  args.flags = flags;
  args.vaddr = va;
  args.iova = iova;
  args.size = size;
  out.error = r.vfio->map_dma(r.fd(container), args, &r.principal(as));
  return out;
}

const StepKind& UnmapStep::kind() {
  static const StepKind k{"unmap",
                          {"container", "iova", "size", "flags", "argsz", "bitmap"},
                          {"unmapped", "bitmap"},
                          StepScope::container};
  return k;
}

void UnmapStep::parse(StepArgsReader& a, const Step&) {
  detail::LoaderContext& c = a.context();
  container = a.container(true);
  iova = a.address("iova");
  size = a.size("size");
  bitmap_pgsize = vfio::PAGE_SIZE;
  flags = a.flags("flags", {{"all", vfio::VFIO_DMA_UNMAP_FLAG_ALL},
                            {"vaddr", vfio::VFIO_DMA_UNMAP_FLAG_VADDR},
                            {"dirty", vfio::VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP}});
  const bool dirty = flags & vfio::VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
  // What a correct caller passes: the struct, plus the vfio_bitmap if asked.
  argsz = a.u32("argsz", vfio::kDmaUnmapMinsz + (dirty ? vfio::kBitmapSize : 0));
  bitmap_size = vfio::dirty_bitmap_bytes(size / bitmap_pgsize);
  const YAML::Node b = a["bitmap"];
  if (!b) return;
  if (!dirty) {
    c.r.error(b, "a bitmap goes with the dirty flag");
    a.ok = false;
  } else if (c.r.expect_map(b, "bitmap")) {
    c.r.check_keys(b, {"pgsize", "size"}, "bitmap");
    if (b["pgsize"]) {
      auto v = c.r.size(b["pgsize"], "pgsize");
      a.ok = a.ok && v;
      bitmap_pgsize = v.value_or(0);
    }
    if (b["size"]) {
      auto v = c.r.size(b["size"], "bitmap size");
      a.ok = a.ok && v;
      bitmap_size = v.value_or(0);
    } else if (bitmap_pgsize) {
      bitmap_size = vfio::dirty_bitmap_bytes(size / bitmap_pgsize);
    }
  } else {
    a.ok = false;
  }
}

StepOutcome UnmapStep::run(Run& r, const Step&) const {
  StepOutcome out;
  vfio::DmaUnmapDirtyArgs args;
  args.unmap.argsz = argsz;
  args.unmap.flags = flags;
  args.unmap.iova = iova;
  args.unmap.size = size;
  args.bitmap.pgsize = bitmap_pgsize;
  args.bitmap.size = bitmap_size;
  const int fd = r.fd(container);
  const bool open = r.vfio->is_open(fd);
  out.error = r.vfio->unmap_dma(fd, args);
  if (!open) return out;  // no ioctl reached a container: nothing was written back
  out.values = {{"unmapped", args.unmap.size}};
  if (flags & vfio::VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) out.bits = args.bitmap.set_bits();
  return out;
}

const StepKind& ReleaseStep::kind() {
  static const StepKind k{"release", {"container"}, {}, StepScope::container};
  return k;
}

void ReleaseStep::parse(StepArgsReader& a, const Step&) { container = a.container(true); }

StepOutcome ReleaseStep::run(Run& r, const Step&) const {
  StepOutcome out;
  out.error = r.vfio->close(r.fd(container));
  return out;
}

const StepKind& StateStep::kind() {
  static const StepKind k{"state", {"container", "as"}, {}, StepScope::container};
  return k;
}

void StateStep::parse(StepArgsReader& a, const Step&) {
  container = a.container(true);
  if (a["as"]) {
    as = a.context().principal(a["as"], "as");
    a.ok = a.ok && as;
  }
}

StepOutcome StateStep::run(Run& r, const Step& step) const {
  StepOutcome out;
  out.values = r.state_values(step);
  out.dmas = r.state_dmas(step);
  return out;
}

const StepKind& ExtensionStep::kind() {
  static const StepKind k{"extension", {"container", "ext"}, {"value"}, StepScope::container};
  return k;
}

void ExtensionStep::parse(StepArgsReader& a, const Step&) {
  detail::LoaderContext& c = a.context();
  if (a["container"]) {
    container = c.container(a["container"], true);
    a.ok = a.ok && container;
  }
  const YAML::Node e = a.need("ext");
  if (!e) return;
  static const std::vector<std::pair<std::string, unsigned long>> kExt{
      {"type1", vfio::VFIO_TYPE1_IOMMU},          {"type1v2", vfio::VFIO_TYPE1v2_IOMMU},
      {"unmap_all", vfio::VFIO_UNMAP_ALL},        {"update_vaddr", vfio::VFIO_UPDATE_VADDR},
      {"dma_cc_iommu", vfio::VFIO_DMA_CC_IOMMU}, {"nesting", vfio::VFIO_TYPE1_NESTING_IOMMU}};
  for (const auto& [name, value] : kExt) {
    if (e.IsScalar() && e.Scalar() == name) {
      ext = value;
      return;
    }
  }
  auto raw = c.r.integer(e, "ext (a name or a number)");
  a.ok = a.ok && raw;
  ext = static_cast<unsigned long>(raw.value_or(0));
}

StepOutcome ExtensionStep::run(Run& r, const Step&) const {
  StepOutcome out;
  const std::optional<int> fd = container ? std::optional<int>(r.fd(*container)) : std::nullopt;
  // Without a container: the node the run's containers are opened on.
  const std::string_view backend =
      r.backend_override.empty() ? kDefaultBackend : std::string_view(r.backend_override);
  const long ret = r.vfio->check_extension(fd, ext, backend);
  if (ret < 0)
    out.error = static_cast<int>(ret);
  else
    out.values = {{"value", static_cast<uint64_t>(ret)}};
  return out;
}

const StepKind& InfoStep::kind() {
  static const StepKind k{"info",
                          {"container", "argsz"},
                          {"pgsizes", "dma_avail", "iova_ranges", "argsz", "flags", "cap_offset",
                           "caps"},
                          StepScope::container};
  return k;
}

void InfoStep::parse(StepArgsReader& a, const Step&) {
  container = a.container(true);
  // Large enough for the capability chain unless the scenario says otherwise.
  argsz = a.u32("argsz", 4096);
}

StepOutcome InfoStep::run(Run& r, const Step&) const {
  StepOutcome out;
  vfio::IommuInfo info;
  out.error = r.vfio->get_info(r.fd(container), argsz, info);
  if (out.error) return out;
  out.values = {{"argsz", info.argsz}, {"flags", info.flags}, {"pgsizes", info.iova_pgsizes}};
  if (info.cap_offset) out.values.push_back({"cap_offset", *info.cap_offset});
  for (const auto& cap : info.caps)
    if (cap.id == vfio::VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL)
      out.values.push_back({"dma_avail", cap.avail});
  out.info = info;
  return out;
}

const StepKind& DirtyStep::kind() {
  static const StepKind k{"dirty",
                          {"container", "op", "iova", "size", "pgsize", "argsz"},
                          {"bitmap"},
                          StepScope::container};
  return k;
}

void DirtyStep::parse(StepArgsReader& a, const Step&) {
  detail::LoaderContext& c = a.context();
  container = a.container(true);
  pgsize = vfio::PAGE_SIZE;
  const YAML::Node o = a.need("op");
  if (o && o.IsScalar() && (o.Scalar() == "start" || o.Scalar() == "stop" || o.Scalar() == "get")) {
    flags = o.Scalar() == "start"  ? vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_START
            : o.Scalar() == "stop" ? vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP
                                   : vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
  } else if (o) {
    flags = a.flags("op", {{"start", vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_START},
                           {"stop", vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP},
                           {"get", vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP}});
  }
  const bool get = flags & vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
  if (get) {
    iova = a.address("iova");
    size = a.size("size");
  }
  if (a["pgsize"]) {
    auto v = c.r.size(a["pgsize"], "pgsize");
    a.ok = a.ok && v;
    pgsize = v.value_or(0);
  }
  argsz = a.u32("argsz", vfio::kDirtyMinsz + (get ? vfio::kDirtyRangeSize : 0));
}

StepOutcome DirtyStep::run(Run& r, const Step&) const {
  StepOutcome out;
  vfio::DirtyPagesArgs args;
  args.argsz = argsz;
  args.flags = flags;
  args.iova = iova;
  args.size = size;
  args.bitmap.pgsize = pgsize;
  args.bitmap.size = pgsize ? vfio::dirty_bitmap_bytes(size / pgsize) : 0;
  out.error = r.vfio->dirty_pages(r.fd(container), args);
  if (!out.error && (flags & vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP)) {
    out.bits = args.bitmap.set_bits();
    out.values = {{"dirty_pages", out.bits->size()}};
  }
  return out;
}

namespace {

// `npages`: a count that fits vfio_pin_pages()'s int.
uint64_t page_count(StepArgsReader& a) {
  const YAML::Node n = a.need("npages");
  if (!n) return 0;
  auto v = a.context().r.integer(n, "npages");
  if (v && *v > INT32_MAX) {
    a.context().r.error(n, "npages must fit in an int");
    v.reset();
  }
  a.ok = a.ok && v;
  return v.value_or(0);
}

}  // namespace

const StepKind& PinPagesStep::kind() {
  static const StepKind k{
      "pin_pages", {"device", "iova", "npages", "prot"}, {"pinned"}, StepScope::device_container};
  return k;
}

void PinPagesStep::parse(StepArgsReader& a, const Step&) {
  device = a.device(StepArgsReader::DeviceKind::emulated);
  iova = a.address("iova");
  npages = page_count(a);
  prot = vfio::IOMMU_READ | vfio::IOMMU_WRITE;
  if (a["prot"]) {
    auto p = a.context().r.choice(a["prot"], "prot", {"rw", "r", "w"});
    a.ok = a.ok && p;
    prot = !p || *p == "rw" ? vfio::IOMMU_READ | vfio::IOMMU_WRITE
           : *p == "r"      ? vfio::IOMMU_READ
                            : vfio::IOMMU_WRITE;
  }
}

StepOutcome PinPagesStep::run(Run& r, const Step&) const {
  StepOutcome out;
  const int ret = r.vfio->pin_pages(r.s.devices[device].name, iova, npages, prot);
  if (ret < 0) out.error = ret;
  else out.values = {{"pinned", static_cast<uint64_t>(ret)}};
  return out;
}

const StepKind& UnpinPagesStep::kind() {
  static const StepKind k{
      "unpin_pages", {"device", "iova", "npages"}, {}, StepScope::device_container};
  return k;
}

void UnpinPagesStep::parse(StepArgsReader& a, const Step&) {
  device = a.device(StepArgsReader::DeviceKind::emulated);
  iova = a.address("iova");
  npages = page_count(a);
}

StepOutcome UnpinPagesStep::run(Run& r, const Step&) const {
  r.vfio->unpin_pages(r.s.devices[device].name, iova, npages);
  return {};
}

const StepKind& InjectStep::kind() {
  static const StepKind k{"inject", {"fault", "domain", "call", "errno"}, {}};
  return k;
}

void InjectStep::parse(StepArgsReader& a, const Step&) {
  detail::LoaderContext& c = a.context();
  error = vfio::kFailsWithoutErrno;
  std::vector<std::string> names;
  for (const auto& k : vfio::kFaultKinds) names.emplace_back(k.name);
  if (const YAML::Node f = a.need("fault")) {
    auto kind = c.r.choice(f, "fault", names);
    a.ok = a.ok && kind;
    if (kind) fault = *vfio::fault_kind_named(*kind);
  }
  const vfio::FaultKindInfo& info = vfio::info(fault);
  if (a["domain"]) {
    if (!info.per_domain) {
      c.r.error(a["domain"], "'domain' restricts only iommu_map and iommu_unmap faults");
      a.ok = false;
    } else {
      device = c.device(a["domain"]);
      a.ok = a.ok && device;
    }
  }
  if (a["call"]) {
    auto n = c.r.integer(a["call"], "call");
    if (n && (*n == 0 || *n > UINT32_MAX)) {
      c.r.error(a["call"], "call counts from 1 (the next call of that kind)");
      n.reset();
    }
    a.ok = a.ok && n;
    call = static_cast<unsigned>(n.value_or(1));
  }
  // What the failing call returns is the kernel's to decide for some kinds.
  if (const YAML::Node e = a["errno"]) {
    auto name = c.r.choice(e, "errno", vfio::errno_names());
    a.ok = a.ok && name;
    if (name) error = -*vfio::errno_value(*name);
    if (name && info.returns == vfio::FaultErrno::enomem && error != vfio::kFailsWithoutErrno) {
      c.r.error(e, "a failed allocation is ENOMEM (or whatever its caller makes of it)");
      a.ok = false;
    }
    if (info.returns == vfio::FaultErrno::no_errno) {
      c.r.error(e, "iommu_unmap fails by unmapping nothing; it returns no errno");
      a.ok = false;
    }
  } else if (info.returns == vfio::FaultErrno::given) {
    a.need("errno");
  }
}

StepOutcome InjectStep::run(Run& r, const Step&) const {
  vfio::FaultInjector::Scope scope;
  if (device) {
    const std::string unit = r.s.devices[*device].iommu;
    platform::Platform& machine = *r.machine;
    scope = [&machine, unit](vfio::DomainHandle d) { return machine.domain_unit(d) == unit; };
  }
  r.kernel->faults.arm(fault, call, error, scope);
  return {};
}

}  // namespace iocsim::scenario
