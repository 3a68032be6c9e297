// SPDX-License-Identifier: GPL-2.0-only
// A principal that owns memory: a process or a VM's process, with its address
// space (VMAs and page table), its RLIMIT_MEMLOCK and CAP_IPC_LOCK, and the
// mm's locked_vm counter.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "host/page_table.h"
#include "base/line_value.h"

namespace iocsim::host {

inline constexpr uint64_t kPageSize = kPageBytes;
inline constexpr uint64_t kHugePageSize = uint64_t{2} << 20;
inline constexpr uint64_t kUnlimited = UINT64_MAX;

struct Vma {
  uint64_t start = 0;  // inclusive
  uint64_t end = 0;    // exclusive
  bool writable = true;
  bool huge = false;   // backed by 2 MiB folios
  // VM_PFNMAP: a device BAR mapped at frames from pfnmap_base on; these
  // frames have no struct page, so GUP cannot pin them.
  bool pfnmap = false;
  uint64_t pfnmap_base = 0;
};

class Process {
 public:
  Process(std::string name, OwnerId id, uint64_t memlock_bytes, bool cap_ipc_lock)
      : name_(std::move(name)), id_(id), memlock_(memlock_bytes), cap_ipc_lock_(cap_ipc_lock) {}

  const std::string& name() const { return name_; }
  OwnerId id() const { return id_; }
  // RLIMIT_MEMLOCK in bytes (kUnlimited for RLIM_INFINITY).
  uint64_t memlock_limit() const { return memlock_; }
  bool cap_ipc_lock() const { return cap_ipc_lock_; }

  // mm->locked_vm, in pages.
  uint64_t locked_vm() const { return locked_vm_; }
  void set_locked_vm(uint64_t pages) { locked_vm_ = pages; }
  // The user's locked_vm (struct user_struct), in pages: what iommufd's
  // default accounting (IOPT_PAGES_ACCOUNT_USER) charges instead of the mm.
  // Each principal is its own user.
  uint64_t user_locked_vm() const { return user_locked_vm_; }
  void set_user_locked_vm(uint64_t pages) { user_locked_vm_ = pages; }
  // Pages charged against RLIMIT_MEMLOCK by either accounting: what `state`
  // steps report as locked_vm.
  uint64_t charged_locked_vm() const { return locked_vm_ + user_locked_vm_; }

  const Vma* find_vma(uint64_t va) const;
  // Where the first VMA starting after `va` begins (UINT64_MAX if none).
  uint64_t next_vma_start(uint64_t va) const;
  // Whether VMAs cover [start, end) without a hole (and, unless
  // `allow_pfnmap`, none of them maps a BAR). O(VMAs in the range).
  bool covered(uint64_t start, uint64_t end, bool allow_pfnmap) const;
  // Present pages with VA in [start, end).
  uint64_t present_pages(uint64_t start, uint64_t end) const {
    return ptes_.count(start >> kPageShift, end >> kPageShift);
  }
  // Creates [start, end); false if it overlaps an existing VMA.
  bool add_vma(const Vma& vma);
  // Removes [start, end) from the VMAs, splitting them as needed.
  void remove_vmas(uint64_t start, uint64_t end);

  // The VA of the first page in [va, end) that is not present (`end` if none).
  uint64_t next_absent(uint64_t va, uint64_t end) const {
    return ptes_.next_absent(va >> kPageShift, end >> kPageShift) << kPageShift;
  }
  std::optional<uint64_t> pfn_of(uint64_t va) const;
  // The frame of the page at `va` and how many pages from it, before `end`,
  // are present at consecutive frames; none if `va` is absent. (A run ends
  // at a 2 MiB boundary at the latest.)
  std::pair<uint64_t, uint64_t> present_run(uint64_t va, uint64_t end) const {
    return ptes_.run_at(va >> kPageShift, end >> kPageShift);
  }
  void map_page(uint64_t va, uint64_t pfn) { ptes_.set(va >> kPageShift, pfn); }
  // map_page() of `pages` pages from `va` to the frames from `pfn`.
  void map_run(uint64_t va, uint64_t pfn, uint64_t pages) {
    ptes_.set_run(va >> kPageShift, pfn, pages);
  }
  void unmap_page(uint64_t va) { ptes_.erase(va >> kPageShift); }
  const PageTable& page_table() const { return ptes_; }

 private:
  std::string name_;
  OwnerId id_;
  uint64_t memlock_;
  bool cap_ipc_lock_;
  uint64_t locked_vm_ = 0;
  uint64_t user_locked_vm_ = 0;
  std::map<uint64_t, Vma> vmas_;        // by start
  PageTable ptes_;
};

}  // namespace iocsim::host
