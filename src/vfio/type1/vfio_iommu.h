// SPDX-License-Identifier: GPL-2.0-only
// The type1 container backend: struct vfio_iommu of drivers/vfio/vfio_iommu_type1.c
// and the functions that operate on it, under the kernel's names.
//
// The kernel file is split here by section: the DMA tree (dma_list.cpp),
// pinning and accounting (pin_pages.cpp), map (dma_map.cpp), unmap and unpin
// (dma_unmap.cpp), IOVA ranges (iova_list.cpp), attach with the fgsp probe
// and replay (group_attach.cpp), detach and release (group_detach.cpp), and
// the container itself with its flush points (vfio_iommu.cpp). The VFIO core
// (src/vfio/vfio_core.h) opens it at VFIO_SET_IOMMU through Type1Driver.
//
// Returns follow the kernel: 0 or -errno. Where the kernel WARNs, the port
// records the warning in the KernelLog and carries on as the kernel does.
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "vfio/backend_calls.h"
#include "vfio/iommu_driver.h"
#include "vfio/kernel.h"
#include "vfio/type1/dma_list_digest.h"
#include "vfio/uapi.h"

namespace iocsim::vfio {

// struct vfio_pfn: a page pinned through the external (mdev) interface.
struct VfioPfn {
  dma_addr_t iova = 0;
  unsigned long pfn = 0;
  unsigned ref_count = 0;
};

// struct vfio_dma: one user mapping.
struct VfioDma {
  dma_addr_t iova = 0;
  unsigned long vaddr = 0;
  uint64_t size = 0;  // grows chunk by chunk while pinning
  int prot = 0;
  bool iommu_mapped = false;
  bool lock_cap = false;
  bool vaddr_invalid = false;
  host::Process* task = nullptr;
  host::Process* mm = nullptr;
  std::map<dma_addr_t, VfioPfn> pfn_list;
  uint64_t locked_vm = 0;
  // Dirty bitmap, one bit per smallest page, while dirty tracking is on.
  std::vector<bool> bitmap;
  // The posted series' per-mapping flag (cache_flush_required, renamed
  // is_noncoherent in review): set when the dma is, or may be, mapped into a
  // non-coherent domain; sticky until the dma is unpinned.
  bool cache_flush_required = false;
  // v6.18: some of its pfns are invalid or reserved (has_rsvd), so unpin
  // must go a pfn at a time (commit 089722e8939e).
  bool has_rsvd = false;
};

// struct vfio_batch: pinned pages waiting to be consumed.
struct VfioBatch {
  std::vector<unsigned long> pages;
  unsigned capacity = 0;
  unsigned size = 0;
  unsigned offset = 0;
};

struct VfioIommuGroup {
  GroupId iommu_group = 0;
  bool pinned_page_dirty_scope = false;
};

struct VfioDomain {
  DomainHandle domain = 0;
  std::list<VfioIommuGroup> group_list;
  bool enforce_cache_coherency = false;
  bool fgsp = false;  // v6.9: fine-grained superpages detected by the probe
};

struct VfioIova {
  dma_addr_t start = 0;  // inclusive
  dma_addr_t end = 0;    // inclusive
};

class VfioIommu : public IommuData {
 public:
  // vfio_iommu_type1_open(): VFIO_SET_IOMMU with `arg`; nullptr and *err on
  // failure. `id` names the container in the flush ledger.
  static std::unique_ptr<VfioIommu> open(Kernel& kernel, host::Process& owner, ContainerId id,
                                         unsigned long arg, int* err);

  // VFIO_CHECK_EXTENSION; `iommu` may be null (no container yet).
  static int check_extension(const VfioIommu* iommu, unsigned long arg, KernelBase base);

  // vfio_iommu_type1_ioctl() cases.
  long check_extension(unsigned long arg) override;
  int map_dma(const DmaMapArgs& args) override;
  int unmap_dma(DmaUnmapArgs& args);
  int unmap_dma(DmaUnmapDirtyArgs& args) override;  // with VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP
  int get_info(uint32_t argsz, IommuInfo& info) override;
  int dirty_pages(DirtyPagesArgs& args) override;

  // The external pinning interface (vfio_pin_pages/vfio_unpin_pages) and the
  // registration of emulated devices that get dma_unmap callbacks.
  int pin_pages(GroupId group, dma_addr_t iova, int npage, int prot,
                std::vector<unsigned long>& pages) override;
  void unpin_pages(dma_addr_t iova, int npage) override;
  void register_device(EmulatedDevice* device) override;
  void unregister_device(EmulatedDevice* device) override;

  // vfio_iommu_driver_ops callbacks.
  int attach_group(GroupId group, GroupType type) override;
  void detach_group(GroupId group) override;
  void release() override;

  // --- views for expectations, invariants and reports ---
  bool released() const override { return released_; }
  host::Process& owner() const override { return *owner_; }
  unsigned dma_avail() const override { return dma_avail_; }
  std::vector<MappingState> mappings() const override;
  SetDigest mappings_digest() const override { return dma_digest_.read(dma_list_); }
  std::vector<DomainHandle> domains() const override;
  std::vector<std::pair<dma_addr_t, dma_addr_t>> iova_windows() const override;
  // One pin per mapped page however many domains map it (counted from the
  // first domain's translations), plus the pages emulated devices pinned
  // through the external interface.
  uint64_t pinned_pages() const override;
  unsigned noncoherent_domains() const override;
  // What the policy's tracking (posted bool or review counter) believes.
  bool has_noncoherent_domain() const override;
  unsigned vaddr_invalid_count() const override { return vaddr_invalid_count_; }
  IommuCalls iommu_calls() const override { return calls_.counted(); }

  bool v2() const { return v2_; }
  const std::map<dma_addr_t, std::unique_ptr<VfioDma>>& dma_list() const { return dma_list_; }
  const std::list<VfioDomain>& domain_list() const { return domain_list_; }
  const std::list<VfioIova>& iova_list() const { return iova_list_; }
  uint64_t pgsize_bitmap() const { return pgsize_bitmap_; }

 private:
  VfioIommu(Kernel& kernel, host::Process& owner, ContainerId id, bool v2);

  using DmaIter = std::map<dma_addr_t, std::unique_ptr<VfioDma>>::iterator;

  // dma_list.cpp
  VfioDma* vfio_find_dma(dma_addr_t start, uint64_t size);
  DmaIter vfio_find_dma_first_node(dma_addr_t start, uint64_t size);
  VfioDma* vfio_link_dma(std::unique_ptr<VfioDma> dma);
  void vfio_unlink_dma(VfioDma* dma);
  VfioPfn* vfio_find_vpfn(VfioDma* dma, dma_addr_t iova);
  // v6.18: how many externally pinned pages lie in [iova, iova + nr_pages pages).
  long vpfn_pages(const VfioDma* dma, dma_addr_t iova, long nr_pages) const;
  // v6.18 (mm's num_pages_contiguous): how many of the batch's pages from its
  // offset on are consecutive frames.
  static unsigned num_pages_contiguous(const VfioBatch& batch);
  // CPU time of type1's own checks and accounting, `runs` times.
  void charge_bookkeeping(uint64_t runs);

  // pin_pages.cpp
  int vfio_lock_acct(VfioDma* dma, long npage, bool async);
  bool is_invalid_reserved_pfn(unsigned long pfn);
  int put_pfn(unsigned long pfn, int prot);
  void vfio_batch_init(VfioBatch& batch);
  void vfio_batch_unpin(VfioBatch& batch, VfioDma* dma);
  long vaddr_get_pfns(host::Process& mm, unsigned long vaddr, unsigned long npages, int prot,
                      unsigned long* pfn, VfioBatch& batch);
  long vfio_pin_pages_remote(VfioDma* dma, unsigned long vaddr, unsigned long npage,
                             unsigned long* pfn_base, unsigned long limit, VfioBatch& batch);
  long vfio_unpin_pages_remote(VfioDma* dma, dma_addr_t iova, unsigned long pfn, long npage,
                               bool do_accounting);

  // dma_unmap.cpp
  struct Region {  // struct vfio_regions
    dma_addr_t iova;
    phys_addr_t phys;
    uint64_t len;
  };
  long vfio_sync_unpin(VfioDma* dma, VfioDomain& domain, std::vector<Region>& regions,
                       IotlbGather& gather);
  uint64_t unmap_unpin_fast(VfioDomain& domain, VfioDma* dma, dma_addr_t* iova, uint64_t len,
                            phys_addr_t phys, long* unlocked, std::vector<Region>& unmapped_list,
                            int* unmapped_cnt, IotlbGather& gather);
  uint64_t unmap_unpin_slow(VfioDomain& domain, VfioDma* dma, dma_addr_t* iova, uint64_t len,
                            phys_addr_t phys, long* unlocked);
  long vfio_unmap_unpin(VfioDma* dma, bool do_accounting);
  void vfio_remove_dma(VfioDma* dma);
  int vfio_dma_do_unmap(DmaUnmapArgs& unmap, DirtyBitmap* bitmap);
  void vfio_notify_dma_unmap(VfioDma* dma);

  // dirty_tracking.cpp
  int vfio_dma_bitmap_alloc(VfioDma* dma, uint64_t pgsize);
  void vfio_dma_populate_bitmap(VfioDma* dma, uint64_t pgsize);
  void vfio_iommu_populate_bitmap_full();
  int vfio_dma_bitmap_alloc_all(uint64_t pgsize);
  void vfio_dma_bitmap_free_all();
  int update_user_bitmap(DirtyBitmap& bitmap, VfioDma* dma, dma_addr_t base_iova,
                         uint64_t pgsize);
  int vfio_iova_dirty_bitmap(DirtyBitmap& bitmap, dma_addr_t iova, uint64_t size,
                             uint64_t pgsize);

  // external_pins.cpp
  int vfio_pin_page_external(VfioDma* dma, unsigned long vaddr, unsigned long* pfn_base,
                             bool do_accounting);
  int vfio_unpin_page_external(VfioDma* dma, dma_addr_t iova, bool do_accounting);
  int vfio_iova_put_vfio_pfn(VfioDma* dma, VfioPfn* vpfn);

  // dma_map.cpp
  int vfio_iommu_map(dma_addr_t iova, unsigned long pfn, long npage, int prot);
  int vfio_pin_map_dma(VfioDma* dma, uint64_t map_size);
  bool vfio_iommu_iova_dma_valid(dma_addr_t start, dma_addr_t end);
  int vfio_change_dma_owner(VfioDma* dma);
  int vfio_dma_do_map(const DmaMapArgs& map);

  // iova_list.cpp (each node is a kmalloc: an injected alloc failure fails it)
  int vfio_iommu_iova_insert(std::list<VfioIova>& list, std::list<VfioIova>::iterator before,
                             dma_addr_t start, dma_addr_t end);
  int vfio_iommu_iova_get_copy(std::list<VfioIova>& iova_copy);
  bool vfio_iommu_aper_conflict(dma_addr_t start, dma_addr_t end);
  int vfio_iommu_aper_resize(std::list<VfioIova>& iova, dma_addr_t start, dma_addr_t end);
  bool vfio_iommu_resv_conflict(const std::vector<ResvRegion>& resv_regions);
  int vfio_iommu_resv_exclude(std::list<VfioIova>& iova,
                              const std::vector<ResvRegion>& resv_regions);
  static bool vfio_iommu_has_sw_msi(const std::vector<ResvRegion>& regions, phys_addr_t* base);
  void vfio_iommu_aper_expand(std::list<VfioIova>& iova_copy);
  int vfio_iommu_resv_refresh(std::list<VfioIova>& iova_copy);

  // group_attach.cpp
  VfioIommuGroup* find_iommu_group(VfioDomain& domain, GroupId group);
  VfioIommuGroup* vfio_iommu_find_iommu_group(GroupId group);
  void vfio_test_domain_fgsp(VfioDomain& domain, const std::list<VfioIova>& regions);
  int vfio_iommu_replay(VfioDomain& domain);

  // group_detach.cpp
  void vfio_iommu_unmap_unpin_all();
  void vfio_iommu_unmap_unpin_reaccount();
  void vfio_release_domain(VfioDomain& domain);
  void flush_on_leaving_noncoherent();

  // container.cpp
  void vfio_update_pgsize_bitmap();
  int vfio_domains_have_enforce_cache_coherency() const;
  bool vfio_iommu_has_emulated() const;
  // domain_list insertion/removal, and what the policy tracks with it.
  void link_domain(VfioDomain domain);
  // `releasing`: release() tears domains down without the posted series'
  // recount; review v2 decrements its counter there too, as a sanity check.
  std::list<VfioDomain>::iterator unlink_domain(std::list<VfioDomain>::iterator domain,
                                                bool releasing);
  // The flush points and the IOMMU core calls, shared with iommufd.
  void flush_cache(FlushPoint point, phys_addr_t phys, uint64_t len) {
    calls_.flush_cache(point, phys, len);
  }
  int iommu_map(DomainHandle domain, dma_addr_t iova, phys_addr_t paddr, uint64_t size,
                int prot) {
    return calls_.iommu_map(domain, iova, paddr, size, prot);
  }
  uint64_t iommu_unmap(DomainHandle domain, dma_addr_t iova, uint64_t size) {
    return calls_.iommu_unmap(domain, iova, size);
  }
  uint64_t iommu_unmap_fast(DomainHandle domain, dma_addr_t iova, uint64_t size,
                            IotlbGather& gather) {
    return calls_.iommu_unmap_fast(domain, iova, size, gather);
  }
  bool warn_on(bool condition, const char* what) { return kernel_.log.warn_on(condition, what); }
  // A kzalloc()/kmalloc()/__get_free_page() the port makes: true if it fails.
  bool alloc_fails() { return kernel_.faults.fire(FaultKind::alloc) != 0; }
  host::Process& current() const;
  // Is `iova` still inside `dma`? v6.9 compared with iova + size, which wraps
  // to 0 for a mapping ending at the top of the space (so such a mapping was
  // never walked: it stayed mapped and pinned); v6.18-rc4 walks by offset.
  bool within(const VfioDma& dma, dma_addr_t iova) const {
    return kernel_.config.base == KernelBase::v6_18 ? iova - dma.iova < dma.size
                                                     : iova < dma.iova + dma.size;
  }

  Kernel& kernel_;
  host::Process* owner_;
  BackendCalls calls_;
  std::list<VfioDomain> domain_list_;  // newest first
  std::list<VfioIova> iova_list_;
  std::map<dma_addr_t, std::unique_ptr<VfioDma>> dma_list_;
  // Told before every change of a field it covers (dma_list_digest.h).
  DmaListDigest dma_digest_;
  unsigned dma_avail_ = 0;
  unsigned vaddr_invalid_count_ = 0;
  uint64_t pgsize_bitmap_ = 0;
  uint64_t num_non_pinned_groups_ = 0;
  bool v2_ = false;
  bool dirty_page_tracking_ = false;
  std::vector<EmulatedDevice*> device_list_;
  std::list<VfioIommuGroup> emulated_iommu_groups_;
  // The series' container state: posted v1 keeps a bool recomputed by
  // scanning the domains; review v2 keeps a counter in link/unlink.
  bool has_noncoherent_domain_ = false;
  unsigned noncoherent_domains_ = 0;
  bool released_ = false;
};

}  // namespace iocsim::vfio
