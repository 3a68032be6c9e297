// SPDX-License-Identifier: GPL-2.0-only
// The type1 container backend: struct vfio_iommu of drivers/vfio/vfio_iommu_type1.c
// and the functions that operate on it, under the kernel's names.
//
// The kernel file is split here by section: the DMA tree (dma_list.cpp),
// pinning and accounting (pin_pages.cpp), map (dma_map.cpp), unmap and unpin
// (dma_unmap.cpp), IOVA ranges (iova_list.cpp), attach with the fgsp probe
// and replay (group_attach.cpp), detach and release (group_detach.cpp), and
// the container itself with its flush points (container.cpp).
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

#include "vfio/kernel.h"
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

enum class GroupType { iommu, emulated };

// struct vfio_iommu_type1_dma_map as user space fills it.
struct DmaMapArgs {
  uint32_t argsz = kDmaMapMinsz;
  uint32_t flags = 0;
  uint64_t vaddr = 0;
  uint64_t iova = 0;
  uint64_t size = 0;
};

// struct vfio_iommu_type1_dma_unmap; `size` is written back on success.
struct DmaUnmapArgs {
  uint32_t argsz = kDmaUnmapMinsz;
  uint32_t flags = 0;
  uint64_t iova = 0;
  uint64_t size = 0;
};

// A user buffer for dirty bits (struct vfio_bitmap): `size` bytes of bits at
// `pgsize` granularity. The simulated user memory is always accessible.
struct DirtyBitmap {
  uint64_t pgsize = 0;
  uint64_t size = 0;            // bytes
  std::vector<uint64_t> words;  // filled by the kernel

  std::vector<uint64_t> set_bits() const;
};

// struct vfio_iommu_type1_dma_unmap with its optional vfio_bitmap.
struct DmaUnmapDirtyArgs {
  DmaUnmapArgs unmap;
  DirtyBitmap bitmap;
};

// VFIO_IOMMU_GET_INFO as user space sees the result: only what was copied
// back (min(argsz, 24) bytes of the struct, the chain if it fitted).
struct IommuInfo {
  struct Cap {
    uint16_t id = 0;
    uint64_t pgsize_bitmap = 0;          // migration
    uint64_t max_dirty_bitmap_size = 0;  // migration
    uint32_t avail = 0;                  // dma_avail
    std::vector<std::pair<uint64_t, uint64_t>> ranges;  // iova_range
  };
  uint32_t argsz = 0;
  uint32_t flags = 0;
  uint64_t iova_pgsizes = 0;
  std::optional<uint32_t> cap_offset;  // when it was copied back
  std::vector<Cap> caps;               // when the chain was copied
};

// VFIO_IOMMU_DIRTY_PAGES
struct DirtyPagesArgs {
  uint32_t argsz = kDirtyMinsz;
  uint32_t flags = 0;
  uint64_t iova = 0;  // GET_BITMAP: the range and the buffer
  uint64_t size = 0;
  DirtyBitmap bitmap;
};

// An emulated (mdev) device's driver, told to drop its pins in a range the
// container is about to unmap (vfio_device_ops.dma_unmap).
class EmulatedDevice {
 public:
  virtual ~EmulatedDevice() = default;
  virtual void dma_unmap(dma_addr_t iova, uint64_t size) = 0;
};

// What the container did, for `state` expectations: flush helper calls and
// bytes by site, and IOMMU map/unmap calls (failed ones included).
struct ContainerCounters {
  struct Site {
    uint64_t calls = 0;
    uint64_t bytes = 0;
  };
  std::array<Site, 4> flush{};  // indexed by FlushSite
  uint64_t iommu_map_calls = 0;
  uint64_t iommu_unmap_calls = 0;
};

class VfioIommu {
 public:
  // vfio_iommu_type1_open(): VFIO_SET_IOMMU with `arg`; nullptr and *err on failure.
  static std::unique_ptr<VfioIommu> open(Kernel& kernel, host::Process& owner,
                                         unsigned long arg, int* err);

  // VFIO_CHECK_EXTENSION; `iommu` may be null (no container yet).
  static int check_extension(VfioIommu* iommu, unsigned long arg, KernelBase base);

  // vfio_iommu_type1_ioctl() cases.
  int map_dma(const DmaMapArgs& args);
  int unmap_dma(DmaUnmapArgs& args);
  int unmap_dma(DmaUnmapDirtyArgs& args);  // with VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP
  int get_info(uint32_t argsz, IommuInfo& info);
  int dirty_pages(DirtyPagesArgs& args);

  // The external pinning interface (vfio_pin_pages/vfio_unpin_pages) and the
  // registration of emulated devices that get dma_unmap callbacks.
  int pin_pages(GroupId group, dma_addr_t iova, int npage, int prot,
                std::vector<unsigned long>& pages);
  void unpin_pages(dma_addr_t iova, int npage);
  void register_device(EmulatedDevice* device);
  void unregister_device(EmulatedDevice* device);

  // vfio_iommu_driver_ops callbacks.
  int attach_group(GroupId group, GroupType type);
  void detach_group(GroupId group);
  void release();

  // --- views for expectations, invariants and reports ---
  bool v2() const { return v2_; }
  host::Process& owner() const { return *owner_; }
  const std::map<dma_addr_t, std::unique_ptr<VfioDma>>& dma_list() const { return dma_list_; }
  const std::list<VfioDomain>& domain_list() const { return domain_list_; }
  const std::list<VfioIova>& iova_list() const { return iova_list_; }
  unsigned dma_avail() const { return dma_avail_; }
  unsigned vaddr_invalid_count() const { return vaddr_invalid_count_; }
  uint64_t pgsize_bitmap() const { return pgsize_bitmap_; }
  unsigned noncoherent_domains() const;
  // What the policy's tracking (posted bool or review counter) believes.
  bool has_noncoherent_domain() const;
  // Pages this container holds pinned: one pin per mapped page however many
  // domains map it (counted from the first domain's translations), plus the
  // pages emulated devices pinned through the external interface.
  uint64_t pinned_pages() const;
  const ContainerCounters& counters() const { return counters_; }
  bool released() const { return released_; }

 private:
  VfioIommu(Kernel& kernel, host::Process& owner, bool v2);

  using DmaIter = std::map<dma_addr_t, std::unique_ptr<VfioDma>>::iterator;

  // dma_list.cpp
  VfioDma* vfio_find_dma(dma_addr_t start, uint64_t size);
  DmaIter vfio_find_dma_first_node(dma_addr_t start, uint64_t size);
  VfioDma* vfio_link_dma(std::unique_ptr<VfioDma> dma);
  void vfio_unlink_dma(VfioDma* dma);
  VfioPfn* vfio_find_vpfn(VfioDma* dma, dma_addr_t iova);

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
  int vfio_domains_have_enforce_cache_coherency();
  bool vfio_iommu_has_emulated() const;
  // domain_list insertion/removal, and what the policy tracks with it.
  void link_domain(VfioDomain domain);
  // `releasing`: release() tears domains down without the posted series'
  // recount; review v2 decrements its counter there too, as a sanity check.
  std::list<VfioDomain>::iterator unlink_domain(std::list<VfioDomain>::iterator domain,
                                                bool releasing);
  // A flush point of the series over [phys, phys + len): does what the
  // policy says there, and counts it for the point's site.
  void flush_cache(FlushPoint point, phys_addr_t phys, uint64_t len);
  // iommu_map/iommu_unmap/iommu_unmap_fast, counted for `state`.
  int iommu_map(DomainHandle domain, dma_addr_t iova, phys_addr_t paddr, uint64_t size,
                int prot);
  uint64_t iommu_unmap(DomainHandle domain, dma_addr_t iova, uint64_t size);
  uint64_t iommu_unmap_fast(DomainHandle domain, dma_addr_t iova, uint64_t size,
                            IotlbGather& gather);
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
  std::list<VfioDomain> domain_list_;  // newest first
  std::list<VfioIova> iova_list_;
  std::map<dma_addr_t, std::unique_ptr<VfioDma>> dma_list_;
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
  ContainerCounters counters_;
  bool released_ = false;
};

}  // namespace iocsim::vfio
