// SPDX-License-Identifier: GPL-2.0-only
#include "host/host.h"

#include <algorithm>
#include <cerrno>
#include <stdexcept>

namespace iocsim::host {
namespace {

constexpr uint64_t kFramesPerHugePage = kHugePageSize / kPageSize;

bool bad_range(uint64_t va, uint64_t size, uint64_t align) {
  return size == 0 || va % align != 0 || size % align != 0 || va + (size - 1) < va;
}

// The whole pages holding [va, va + size): what a CPU access faults in.
std::pair<uint64_t, uint64_t> pages_of(uint64_t va, uint64_t size) {
  const uint64_t first = va & ~(kPageSize - 1);
  const uint64_t end = ((va + size - 1) | (kPageSize - 1)) + 1;
  return {first, end - first};
}

}  // namespace

Host::Host(CpuPort& cpu, const HostConfig& config)
    : cpu_(&cpu), config_(config), frames_(config.first_pfn, config.end_pfn) {}

Process& Host::add_process(std::string name, OwnerId id, uint64_t memlock_bytes,
                           bool cap_ipc_lock) {
  return processes_.emplace_back(std::move(name), id, memlock_bytes, cap_ipc_lock);
}

Process* Host::process(OwnerId id) {
  for (auto& p : processes_)
    if (p.id() == id) return &p;
  return nullptr;
}

int Host::mmap(Process& p, uint64_t va, uint64_t size, bool writable, bool huge) {
  if (bad_range(va, size, huge ? kHugePageSize : kPageSize)) return -EINVAL;
  return p.add_vma({va, va + size, writable, huge}) ? 0 : -EEXIST;
}

void Host::map_new(Process& p, uint64_t va, uint64_t size, uint64_t pfn, bool huge) {
  p.map_run(va, pfn, size / kPageSize);
  if (huge && pfn % kFramesPerHugePage == 0)
    for (uint64_t head = pfn; head < pfn + size / kPageSize; head += kFramesPerHugePage)
      huge_folios_.insert(head);
  frame_refs_.add_run(pfn, size / kPageSize, {1, 0});
  // clear_page(): the zeroes go through the cache like any other store.
  cpu_->store(pfn << kPageShift, size, kNobody, kNoTag);
}

int Host::fault_in(Process& p, uint64_t va, bool write) {
  const Vma* vma = p.find_vma(va);
  // A BAR has no struct pages to fault in (CPU access to MMIO is not modelled).
  if (!vma || (write && !vma->writable) || vma->pfnmap) return -EFAULT;
  if (p.pfn_of(va)) return 0;
  // A huge VMA faults in the whole naturally aligned folio.
  const uint64_t size = vma->huge ? kHugePageSize : kPageSize;
  std::optional<uint64_t> pfn;
  if (vma->huge) {
    pfn = frames_.allocate_aligned(kFramesPerHugePage);
  } else {
    pfn = frames_.allocate_in_runs(config_.fault_run_frames);
  }
  if (!pfn) return -ENOMEM;
  cpu_->compute(config_.page_fault_picos);
  map_new(p, va & ~(size - 1), size, *pfn, vma->huge);
  return 0;
}

int Host::fault_range(Process& p, uint64_t va, uint64_t size, bool write) {
  const uint64_t end = va + size;
  for (uint64_t at = va; at < end;) {
    const Vma* vma = p.find_vma(at);
    // What fault_in() says of each page of the VMA, present or not.
    if (!vma || (write && !vma->writable) || vma->pfnmap) return -EFAULT;
    const uint64_t part_end = std::min(end, vma->end);
    // A present page it leaves alone; a huge VMA's fault brings the whole folio in.
    for (uint64_t page = p.next_absent(at, part_end); page < part_end;
         page = p.next_absent(page + kPageSize, part_end))
      if (int ret = fault_in(p, page, write)) return ret;
    at = part_end;
  }
  return 0;
}

int Host::touch(Process& p, uint64_t va, uint64_t size, bool writable, bool huge,
                std::optional<uint64_t> pa, std::optional<Fill> fill) {
  if (bad_range(va, size, huge ? kHugePageSize : kPageSize)) return -EINVAL;
  if (pa && *pa % kPageSize != 0) return -EINVAL;
  // Create VMAs over the parts of the range no mapping covers yet.
  for (uint64_t gap = va; gap < va + size;) {
    if (const Vma* v = p.find_vma(gap)) {
      gap = v->end;
      continue;
    }
    const uint64_t gap_end = std::min(va + (size - 1), p.next_vma_start(gap) - 1) + 1;
    p.add_vma({gap, gap_end, writable, huge});
    gap = gap_end;
  }
  if (pa) {
    for (uint64_t off = 0; off < size; off += kPageSize)
      if (p.pfn_of(va + off)) return -EBUSY;
    if (!frames_.allocate_at(*pa >> kPageShift, size / kPageSize)) return -EBUSY;
    // Placed, the pages still come in one fault at a time.
    cpu_->compute_times(size / (huge ? kHugePageSize : kPageSize), config_.page_fault_picos);
    map_new(p, va, size, *pa >> kPageShift, huge);
  } else {
    if (int ret = check_free_memory(p, va, size)) return ret;
    if (int ret = fault_range(p, va, size, fill.has_value())) return ret;
  }
  if (fill) return write(p, va, size, *fill);
  return 0;
}

int Host::check_free_memory(const Process& p, uint64_t va, uint64_t size) const {
  const uint64_t missing = size / kPageSize - p.present_pages(va, va + size);
  return missing > frames_.free_frames() ? -ENOMEM : 0;
}

template <typename Fn>
int Host::for_each_present(Process& p, uint64_t va, uint64_t size, bool need_present, Fn fn) {
  const uint64_t end = va + size;
  const uint64_t first = va >> kPageShift, last = ((end - 1) >> kPageShift) + 1;
  if (need_present &&
      p.present_pages(first << kPageShift, last << kPageShift) != last - first)
    return -EFAULT;
  // A piece ends where the physical run breaks or a page is not present.
  uint64_t piece_pa = 0, piece_bytes = 0;
  uint64_t expected_va = 0;  // the VA after the piece's last byte
  p.page_table().for_each_run(first, last, [&](uint64_t vpn, uint64_t pfn, uint64_t pages) {
    const uint64_t run_va = vpn << kPageShift;
    const uint64_t from = std::max(va, run_va);
    const uint64_t to = std::min(end, run_va + pages * kPageSize);
    const uint64_t pa = (pfn << kPageShift) + (from - run_va);
    if (piece_bytes && (from != expected_va || piece_pa + piece_bytes != pa)) {
      fn(piece_pa, piece_bytes);
      piece_bytes = 0;
    }
    if (!piece_bytes) piece_pa = pa;
    piece_bytes += to - from;
    expected_va = to;
  });
  if (piece_bytes) fn(piece_pa, piece_bytes);
  return 0;
}

int Host::write(Process& p, uint64_t va, uint64_t size, const Fill& fill) {
  if (bad_range(va, size, kLineBytes)) return -EINVAL;
  const auto [pages_va, pages_size] = pages_of(va, size);
  if (int ret = check_free_memory(p, pages_va, pages_size)) return ret;
  if (int ret = fault_range(p, pages_va, pages_size, true)) return ret;
  return for_each_present(p, va, size, true, [&](uint64_t pa, uint64_t bytes) {
    cpu_->store(pa, bytes, fill.owner, fill.tag);
  });
}

ReadResult Host::read(Process& p, uint64_t va, uint64_t size) {
  ReadResult result;
  if (bad_range(va, size, kLineBytes)) {
    result.error = -EINVAL;
    return result;
  }
  const auto [pages_va, pages_size] = pages_of(va, size);
  if ((result.error = check_free_memory(p, pages_va, pages_size))) return result;
  if ((result.error = fault_range(p, pages_va, pages_size, false))) return result;
  // A page at a time, so a read costs no memory for its size.
  result.error = for_each_present(p, va, size, true, [&](uint64_t pa, uint64_t bytes) {
    for (uint64_t off = 0; off < bytes;) {
      const uint64_t len = std::min(kPageSize - (pa + off) % kPageSize, bytes - off);
      for (const LineValue& v : cpu_->load(pa + off, len)) result.values.add(v);
      off += len;
    }
  });
  return result;
}

FrameRef Host::frame(uint64_t pfn) const {
  const std::optional<FrameRef> f = frame_refs_.find(pfn);
  if (!f) throw std::logic_error("frame " + std::to_string(pfn) + " is not allocated");
  return *f;
}

void Host::drop_mapping(uint64_t pfn) {
  FrameRef f = frame(pfn);
  --f.mapcount;
  put_frame(pfn, f);
}

void Host::put_frame(uint64_t pfn, FrameRef counts) {
  if (counts.mapcount == 0 && counts.pincount == 0) {
    // A folio a frame of which is freed is a folio no more (the model does
    // not split folios: its other frames count as pages of their own).
    if (auto head = huge_folio_of(pfn)) huge_folios_.erase(*head);
    frame_refs_.erase(pfn);
    frames_.free(pfn, 1);
  } else {
    frame_refs_.set(pfn, counts);
  }
}

int Host::mmio(Process& p, uint64_t va, uint64_t size, uint64_t bar) {
  if (bad_range(va, size, kPageSize) || bar % kPageSize != 0) return -EINVAL;
  Vma vma{va, va + size, true, false};
  vma.pfnmap = true;
  vma.pfnmap_base = bar >> kPageShift;
  return p.add_vma(vma) ? 0 : -EEXIST;
}

std::optional<uint64_t> Host::follow_pfnmap(Process& mm, uint64_t vaddr, bool write, int* error) {
  const Vma* vma = mm.find_vma(vaddr);
  if (!vma || !vma->pfnmap) return std::nullopt;
  *error = write && !vma->writable ? -EFAULT : 0;
  return vma->pfnmap_base + ((vaddr - vma->start) >> kPageShift);
}

int Host::munmap(Process& p, uint64_t va, uint64_t size) {
  if (bad_range(va, size, kPageSize)) return -EINVAL;
  struct Run {
    uint64_t vpn, pfn, pages;
  };
  std::vector<Run> present;  // collected first: unmapping changes the table
  p.page_table().for_each_run(
      va >> kPageShift, (va + size) >> kPageShift,
      [&](uint64_t vpn, uint64_t pfn, uint64_t pages) { present.push_back({vpn, pfn, pages}); });
  for (const Run& run : present) {
    for (uint64_t i = 0; i < run.pages; ++i) {
      p.unmap_page((run.vpn + i) << kPageShift);
      drop_mapping(run.pfn + i);
    }
  }
  p.remove_vmas(va, va + size);
  return 0;
}

int Host::flush(Process& p, uint64_t va, uint64_t size, CacheOp op, FlushOutcome& outcome) {
  if (info(op).whole_cache) {
    outcome = cpu_->flush(0, 0, op);
    return 0;
  }
  if (bad_range(va, size, kLineBytes)) return -EINVAL;
  const uint64_t end = va + size;
  if (!p.covered(va & ~(kPageSize - 1), end, false)) return -EFAULT;
  // The physically contiguous pieces of the requested lines of present
  // pages; a page that is not present has nothing in the cache.
  return for_each_present(p, va, size, false, [&](uint64_t pa, uint64_t bytes) {
    FlushOutcome part = cpu_->flush(pa, bytes, op);
    outcome.lines += part.lines;
    outcome.lines_written_back += part.lines_written_back;
    outcome.cpu_picos += part.cpu_picos;
  });
}

long Host::pin_user_pages_remote(Process& mm, uint64_t vaddr, uint64_t npages, bool write,
                                 std::vector<uint64_t>& pfns) {
  // Page by page: fault the page in, take a pin, and the time of it. The
  // pages after a present one that fault_in() would leave alone (present,
  // in the same VMA) at consecutive frames go as one run, up to the page
  // whose time lets other processes run.
  uint64_t pinned = 0;
  const uint64_t end = vaddr + npages * kPageSize;
  while (pinned < npages) {
    const uint64_t va = vaddr + pinned * kPageSize;
    if (int ret = fault_in(mm, va, write)) {
      if (pinned == 0) return ret;
      break;
    }
    const Vma& vma = *mm.find_vma(va);
    const auto [pfn, present] = mm.present_run(va, std::min(end, vma.end));
    // A PMD-mapped folio is walked and grabbed once; its further pages cost
    // a page pointer each (mm/gup.c, follow_pmd_mask's page mask).
    const uint64_t run =
        vma.huge ? std::min(present, kFramesPerHugePage - pfn % kFramesPerHugePage)
                 : std::min(present, cpu_->computes_unseen(config_.pin_page_picos));
    frame_refs_.pin_run(pfn, run);
    for (uint64_t i = 0; i < run; ++i) pfns.push_back(pfn + i);
    if (vma.huge)
      cpu_->compute(config_.pin_page_picos + (run - 1) * config_.pin_folio_page_picos);
    else
      cpu_->compute_times(run, config_.pin_page_picos);
    pinned += run;
  }
  return static_cast<long>(pinned);
}

std::optional<uint64_t> Host::huge_folio_of(uint64_t pfn) const {
  const uint64_t head = pfn - pfn % kFramesPerHugePage;
  if (huge_folios_.count(head)) return head;
  return std::nullopt;
}

void Host::unpin_user_page(uint64_t pfn, bool dirty) {
  // The first writable unpin marks the folio dirty (folio_lock,
  // folio_mark_dirty, folio_unlock); the folio's later ones find it dirty.
  // Which unpin of a large folio comes first is taken to be its first page's.
  const std::optional<uint64_t> head = huge_folio_of(pfn);
  const bool marks = dirty && (!head || *head == pfn);
  cpu_->compute(config_.unpin_page_picos + (marks ? config_.unpin_dirty_picos : 0));
  put_pin(pfn);
}

void Host::unpin_user_page_range(uint64_t pfn, uint64_t npages, bool dirty) {
  const uint64_t folio_picos = config_.unpin_page_picos + (dirty ? config_.unpin_dirty_picos : 0);
  for (uint64_t i = 0; i < npages;) {
    // One folio's pages go at once (gup_folio_range_next).
    uint64_t pages = 1;
    if (huge_folio_of(pfn + i))
      pages = std::min(npages - i, kFramesPerHugePage - (pfn + i) % kFramesPerHugePage);
    cpu_->compute(folio_picos);
    for (uint64_t j = 0; j < pages; ++j) put_pin(pfn + i + j);
    i += pages;
  }
}

void Host::put_pin(uint64_t pfn) {
  std::optional<FrameRef> f = frame_refs_.find(pfn);
  if (!f || f->pincount == 0) {
    pin_underflows_.push_back(pfn);
    return;
  }
  --f->pincount;
  put_frame(pfn, *f);
}

bool Host::is_invalid_reserved_pfn(uint64_t pfn) const { return !frames_.manages(pfn); }

uint64_t Host::valid_pfns(uint64_t pfn, uint64_t count) const {
  // The allocator manages one range of frames.
  const uint64_t from = std::max(pfn, frames_.first());
  const uint64_t to = std::min(pfn + count, frames_.end());
  return to > from ? to - from : 0;
}

int Host::account_locked_vm(Process& mm, uint64_t pages, bool inc, const Process& task,
                            bool bypass_rlim, bool* warned) {
  const uint64_t locked = mm.locked_vm();
  if (inc) {
    if (!bypass_rlim) {
      const uint64_t limit = task.memlock_limit() >> kPageShift;
      if (locked + pages > limit) return -ENOMEM;
    }
    mm.set_locked_vm(locked + pages);
    return 0;
  }
  // The kernel WARNs and lets the counter wrap; so do we.
  if (pages > locked && warned) *warned = true;
  mm.set_locked_vm(locked - pages);
  return 0;
}

std::optional<uint64_t> Host::alloc_pages_zeroed(unsigned order) {
  const uint64_t count = uint64_t{1} << order;
  auto pfn = frames_.allocate_aligned(count);
  if (!pfn) return std::nullopt;
  frame_refs_.add_run(*pfn, count, {1, 0});  // the kernel's reference
  cpu_->store(*pfn << kPageShift, count * kPageSize, kNobody, kNoTag);
  return pfn;
}

void Host::free_pages(uint64_t pfn, unsigned order) {
  for (uint64_t i = 0; i < (uint64_t{1} << order); ++i) drop_mapping(pfn + i);
}

uint64_t Host::pin_count(uint64_t pfn) const {
  const std::optional<FrameRef> f = frame_refs_.find(pfn);
  return f ? f->pincount : 0;
}

uint64_t Host::pinned_frames() const {
  uint64_t n = 0;
  frame_refs_.for_each([&](uint64_t, const FrameRef& f) { n += f.pincount != 0; });
  return n;
}

uint64_t Host::total_pins() const {
  uint64_t n = 0;
  frame_refs_.for_each([&](uint64_t, const FrameRef& f) { n += f.pincount; });
  return n;
}

}  // namespace iocsim::host
