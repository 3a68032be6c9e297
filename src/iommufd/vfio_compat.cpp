// SPDX-License-Identifier: GPL-2.0-only
// drivers/iommu/iommufd/vfio_compat.c: the type1 uAPI on the compat IOAS.
#include "iommufd/vfio_compat.h"

#include <algorithm>
#include <cerrno>
#include <set>

namespace iocsim::iommufd {

using namespace vfio;

namespace {

// Capability sizes as vfio_compat.c writes them, unpadded.
constexpr uint32_t kDmaAvailCap = 8 + 4;
constexpr uint32_t iova_range_cap(size_t n) { return 8 + 4 + 4 + 16 * static_cast<uint32_t>(n); }

}  // namespace

VfioCompat::VfioCompat(Kernel& kernel, host::Process& owner, ContainerId id)
    : kernel_(kernel), owner_(&owner), calls_(kernel, id) {}

std::unique_ptr<VfioCompat> VfioCompat::open(Kernel& kernel, host::Process& owner, ContainerId id,
                                             unsigned long type, int* err) {
  // iommufd_fops_open(): the context.
  if (kernel.faults.fire(FaultKind::alloc)) {
    *err = -ENOMEM;
    return nullptr;
  }
  // iommufd_vfio_set_iommu()
  if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU) {
    *err = -EINVAL;
    return nullptr;
  }
  std::unique_ptr<VfioCompat> compat(new VfioCompat(kernel, owner, id));
  // iommufd_vfio_compat_ioas_create(), which the kernel does at the first
  // group's VFIO_GROUP_SET_CONTAINER.
  if (kernel.faults.fire(FaultKind::alloc)) {
    *err = -ENOMEM;
    return nullptr;
  }
  compat->ioas_ = std::make_unique<Ioas>(kernel, compat->calls_);
  // TYPE1 may unmap in the middle of a mapping: no large IOPTEs, so that
  // any page can be cut.
  if (type == VFIO_TYPE1_IOMMU) {
    if (int rc = compat->ioas_->iopt.iopt_disable_large_pages()) {
      *err = rc;
      return nullptr;
    }
  }
  return compat;
}

long VfioCompat::check_extension_without_ioas(unsigned long type) {
  switch (type) {
    case VFIO_TYPE1_IOMMU:
    case VFIO_TYPE1v2_IOMMU:
    case VFIO_UNMAP_ALL:
      return 1;
    case VFIO_DMA_CC_IOMMU:
      return -ENODEV;  // get_compat_ioas() finds none
    default:
      // Nesting is obsolete; VFIO_UPDATE_VADDR is not offered (it is hard
      // to see how it could be implemented safely).
      return 0;
  }
}

long VfioCompat::check_extension(unsigned long arg) {
  if (arg != VFIO_DMA_CC_IOMMU) return check_extension_without_ioas(arg);
  // iommufd_vfio_cc_iommu(): 1 unless a HWPT does not enforce coherency.
  for (const HwptPaging& hwpt : ioas_->hwpt_list)
    if (!hwpt.enforce_cache_coherency) return 0;
  return 1;
}

int VfioCompat::map_dma(const DmaMapArgs& map) {
  if (map.argsz < kDmaMapMinsz || (map.flags & ~(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)))
    return -EINVAL;
  int iommu_prot = IOMMU_CACHE;
  if (map.flags & VFIO_DMA_MAP_FLAG_READ) iommu_prot |= IOMMU_READ;
  if (map.flags & VFIO_DMA_MAP_FLAG_WRITE) iommu_prot |= IOMMU_WRITE;
  dma_addr_t iova = map.iova;
  // A context opened on /dev/iommu charges the user (IOPT_PAGES_ACCOUNT_USER).
  return ioas_->iopt.iopt_map_user_pages(AccountMode::user, &iova, map.vaddr, map.size,
                                         iommu_prot);
}

int VfioCompat::unmap_dma(DmaUnmapDirtyArgs& args) {
  DmaUnmapArgs& unmap = args.unmap;
  // VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP is obsolete here, VADDR refused.
  if (unmap.argsz < kDmaUnmapMinsz || (unmap.flags & ~VFIO_DMA_UNMAP_FLAG_ALL)) return -EINVAL;
  IoPagetable& iopt = ioas_->iopt;
  uint64_t unmapped = 0;
  int rc = 0;
  if (unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
    if (unmap.iova != 0 || unmap.size != 0) return -EINVAL;
    rc = iopt.iopt_unmap_all(&unmapped);
  } else {
    if (iopt.disable_large_pages()) {
      // Cut at the start and last of the range (no cut before IOVA 0).
      std::vector<dma_addr_t> iovas{unmap.iova + unmap.size - 1};
      if (unmap.iova) iovas.push_back(unmap.iova - 1);
      if ((rc = iopt.iopt_cut_iova(iovas))) return rc;
    }
    rc = iopt.iopt_unmap_iova(unmap.iova, unmap.size, &unmapped);
  }
  unmap.size = unmapped;
  return rc;
}

uint64_t VfioCompat::iommufd_get_pagesizes() const {
  uint64_t bitmap = UINT64_MAX;
  for (DomainHandle d : ioas_->iopt.domains()) bitmap &= kernel_.iommu.pgsize_bitmap(d);
  // See vfio_update_pgsize_bitmap().
  if (bitmap & ~PAGE_MASK) {
    bitmap &= PAGE_MASK;
    bitmap |= PAGE_SIZE;
  }
  return std::max(bitmap, ioas_->iopt.iova_alignment());
}

int VfioCompat::get_info(uint32_t argsz, IommuInfo& out) {
  if (argsz < kInfoMinsz) return -EINVAL;
  const uint32_t minsz = std::min(argsz, kInfoSize);
  const auto holes = ioas_->iopt.iova_holes();

  // The chain: dma_avail, then the IOVA ranges; each written when it fits.
  std::vector<IommuInfo::Cap> caps;
  uint32_t total = kInfoSize;
  IommuInfo::Cap avail;
  avail.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
  avail.avail = UINT32_MAX;  // S390 QEMU needs more than U16_MAX
  if (argsz >= total + kDmaAvailCap) caps.push_back(avail);
  total += kDmaAvailCap;
  IommuInfo::Cap ranges;
  ranges.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
  ranges.ranges = holes;
  if (argsz >= total + iova_range_cap(holes.size())) caps.push_back(ranges);
  total += iova_range_cap(holes.size());

  out = IommuInfo{};
  out.flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
  out.iova_pgsizes = iommufd_get_pagesizes();
  // If the user's buffer was short, only some caps were written and argsz
  // says how much all of them need.
  const uint32_t cap_offset = argsz >= total ? kInfoSize : 0;
  out.argsz = total;
  if (minsz >= kInfoMinsz + 4) out.cap_offset = cap_offset;
  if (argsz > kInfoSize) out.caps = std::move(caps);
  return 0;
}

int VfioCompat::dirty_pages(DirtyPagesArgs&) {
  // Not handled: -ENOIOCTLCMD, which the ioctl returns as -ENOTTY.
  return -ENOTTY;
}

int VfioCompat::attach_group(GroupId group, GroupType type) {
  if (type == GroupType::emulated) return -EOPNOTSUPP;
  // iommufd_device_bind(): MSI must be isolated unless allowed not to be.
  if (!kernel_.iommu.group_has_isolated_msi(group) && !kernel_.config.allow_unsafe_interrupts)
    return -EPERM;
  if (kernel_.faults.fire(FaultKind::alloc)) return -ENOMEM;  // the iommufd_device
  return ioas_->iommufd_device_attach(group);
}

void VfioCompat::detach_group(GroupId group) {
  if (ioas_->attached().count(group)) ioas_->iommufd_device_detach(group);
}

void VfioCompat::release() {
  // The devices close first, then the IOAS is destroyed with the context.
  while (!ioas_->attached().empty()) ioas_->iommufd_device_detach(ioas_->attached().begin()->first);
  ioas_->destroy();
  released_ = true;
}

int VfioCompat::pin_pages(GroupId, dma_addr_t, int, int, std::vector<unsigned long>&) {
  return -EOPNOTSUPP;
}

void VfioCompat::unpin_pages(dma_addr_t, int) {}

std::vector<VfioCompat::UserMapping> VfioCompat::user_mappings() const {
  std::vector<UserMapping> out;
  if (released_) return out;
  for (const auto& [iova, area] : ioas_->iopt.areas()) {
    const IoptPages* pages = area->pages.get();
    const uint64_t uptr = pages ? pages->uptr + area->start_byte(area->iova) : 0;
    const uint64_t charged = pages && area->storage_domain &&
                                     pages->account_mode != AccountMode::none
                                 ? area->last_index - area->first_index + 1
                                 : 0;
    // A cut that removed nothing (type1 mode cuts before it unmaps, and
    // keeps the cuts when the unmap then fails) is not a mapping of its own.
    if (!out.empty()) {
      UserMapping& prev = out.back();
      if (prev.pages == pages && pages && prev.last + 1 == area->iova &&
          prev.uptr + (prev.last - prev.iova + 1) == uptr && prev.prot == area->iommu_prot &&
          prev.filled == area->storage_domain.has_value()) {
        prev.last = area->last;
        prev.charged += charged;
        continue;
      }
    }
    out.push_back({area->iova, area->last, uptr, area->iommu_prot,
                   area->storage_domain.has_value(), pages, charged});
  }
  return out;
}

std::vector<MappingState> VfioCompat::mappings() const {
  std::vector<MappingState> out;
  for (const UserMapping& m : user_mappings())
    out.push_back({m.iova, m.last - m.iova + 1, m.pages ? m.pages->source_user : nullptr,
                   m.charged});
  return out;
}

SetDigest VfioCompat::mappings_digest() const {
  SetDigest digest;
  for (const UserMapping& m : user_mappings())
    digest.add(m.iova, m.last, m.uptr, static_cast<uint64_t>(m.prot) | (uint64_t{m.filled} << 8));
  return digest;
}

std::vector<DomainHandle> VfioCompat::domains() const {
  if (released_) return {};
  return ioas_->iopt.domains();
}

std::vector<std::pair<dma_addr_t, dma_addr_t>> VfioCompat::iova_windows() const {
  if (released_) return {};
  return ioas_->iopt.iova_holes();
}

uint64_t VfioCompat::pinned_pages() const {
  if (released_) return 0;
  std::set<const IoptPages*> seen;
  uint64_t pinned = 0;
  for (const auto& [iova, area] : ioas_->iopt.areas())
    if (area->pages && seen.insert(area->pages.get()).second) pinned += area->pages->npinned;
  return pinned;
}

unsigned VfioCompat::noncoherent_domains() const {
  if (released_) return 0;
  unsigned n = 0;
  for (const HwptPaging& hwpt : ioas_->hwpt_list) n += !hwpt.enforce_cache_coherency;
  return n;
}

bool VfioCompat::has_noncoherent_domain() const {
  return !released_ && ioas_->iopt.noncoherent_domain_cnt != 0;
}

}  // namespace iocsim::iommufd
