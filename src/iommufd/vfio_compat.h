// SPDX-License-Identifier: GPL-2.0-only
// iommufd's VFIO compatibility layer (drivers/iommu/iommufd/vfio_compat.c):
// a container opened on /dev/iommu that speaks the type1 uAPI on its
// compatibility IOAS. The VFIO core sees it as one more IOMMU backend.
//
// Where it differs from type1, as the kernel does (docs/kernel-behaviour.md
// 14): MAP takes only READ and WRITE, UNMAP only ALL (no VADDR, no dirty
// bitmap), no VFIO_IOMMU_DIRTY_PAGES; type1 v1 turns large IOMMU pages off
// so that an unmap may cut an area, where v2 refuses to split one; no
// PFNMAP (GUP cannot pin it); pages are charged to the user's locked_vm
// (IOPT_PAGES_ACCOUNT_USER, the default on /dev/iommu); DMA_AVAIL is
// U32_MAX; an empty range unmaps as -ENOENT on v6.9 and as 0 on v6.18.
//
// `state` steps and the restore check see mappings as user space made them
// (user_mappings()): type1 mode cuts areas before it unmaps and keeps the
// cuts when the unmap then fails, which changes nothing user space can see.
//
// iocsim's `open` sets the IOMMU type on a fresh container, so the compat
// IOAS is made then; the kernel makes it when the first group is attached
// (VFIO_SET_IOMMU before that is -ENODEV).
#pragma once

#include <memory>
#include <vector>

#include "iommufd/ioas.h"
#include "vfio/iommu_driver.h"

namespace iocsim::iommufd {

class VfioCompat : public vfio::IommuData {
 public:
  // iommufd_fops_open() on /dev/iommu, then VFIO_SET_IOMMU with `type`.
  static std::unique_ptr<VfioCompat> open(vfio::Kernel& kernel, host::Process& owner,
                                          vfio::ContainerId id, unsigned long type, int* err);
  // iommufd_vfio_check_extension() of a context with no compat IOAS.
  static long check_extension_without_ioas(unsigned long type);

  long check_extension(unsigned long arg) override;
  int map_dma(const vfio::DmaMapArgs& args) override;
  int unmap_dma(vfio::DmaUnmapDirtyArgs& args) override;
  int get_info(uint32_t argsz, vfio::IommuInfo& info) override;
  int dirty_pages(vfio::DirtyPagesArgs& args) override;

  int attach_group(vfio::GroupId group, vfio::GroupType type) override;
  void detach_group(vfio::GroupId group) override;
  void release() override;

  // Emulated devices reach iommufd through iommufd_access objects, which
  // iocsim does not port yet: their pins fail with -EOPNOTSUPP.
  int pin_pages(vfio::GroupId group, vfio::dma_addr_t iova, int npage, int prot,
                std::vector<unsigned long>& pages) override;
  void unpin_pages(vfio::dma_addr_t iova, int npage) override;
  void register_device(vfio::EmulatedDevice*) override {}
  void unregister_device(vfio::EmulatedDevice*) override {}

  bool released() const override { return released_; }
  host::Process& owner() const override { return *owner_; }
  unsigned dma_avail() const override { return UINT32_MAX; }
  std::vector<vfio::MappingState> mappings() const override;
  SetDigest mappings_digest() const override;
  std::vector<vfio::DomainHandle> domains() const override;
  std::vector<std::pair<vfio::dma_addr_t, vfio::dma_addr_t>> iova_windows() const override;
  uint64_t pinned_pages() const override;
  unsigned noncoherent_domains() const override;
  bool has_noncoherent_domain() const override;
  unsigned vaddr_invalid_count() const override { return 0; }
  vfio::IommuCalls iommu_calls() const override { return calls_.counted(); }

 private:
  VfioCompat(vfio::Kernel& kernel, host::Process& owner, vfio::ContainerId id);
  uint64_t iommufd_get_pagesizes() const;

  // A mapping as user space made it: adjacent areas of the same pages that a
  // cut split without removing anything read as one.
  struct UserMapping {
    vfio::dma_addr_t iova = 0, last = 0;
    uint64_t uptr = 0;
    int prot = 0;
    bool filled = false;  // in the domains (pinned)
    const IoptPages* pages = nullptr;
    uint64_t charged = 0;  // pages charged to the account
  };
  std::vector<UserMapping> user_mappings() const;

  vfio::Kernel& kernel_;
  host::Process* owner_;
  vfio::BackendCalls calls_;
  std::unique_ptr<Ioas> ioas_;  // the compat IOAS (ictx->vfio_ioas)
  bool released_ = false;
};

// The iommufd backend as the VFIO core chooses it at VFIO_SET_IOMMU.
class IommufdDriver : public vfio::IommuDriver {
 public:
  explicit IommufdDriver(vfio::Kernel& kernel) : kernel_(kernel) {}
  std::string_view name() const override { return "iommufd"; }
  std::string_view backend() const override { return "iommufd"; }
  long check_extension(unsigned long arg) const override {
    return VfioCompat::check_extension_without_ioas(arg);
  }
  std::unique_ptr<vfio::IommuData> open(unsigned long arg, host::Process& owner,
                                        vfio::ContainerId id, int* err) override {
    return VfioCompat::open(kernel_, owner, id, arg, err);
  }

 private:
  vfio::Kernel& kernel_;
};

}  // namespace iocsim::iommufd
