// SPDX-License-Identifier: GPL-2.0-only
#include <cerrno>

#include <catch2/catch.hpp>

#include "fakes/fake_cpu.h"
#include "host/host.h"

using namespace iocsim;
using iocsim::host::Host;
using iocsim::host::kPageSize;

namespace {

struct HostRig {
  test::FakeCpu cpu;
  Host host{cpu, {16, 4096, 95'000}};
  host::Process& a = host.add_process("vm-a", 1, host::kUnlimited, false);
  host::Process& b = host.add_process("vm-b", 2, 8 * kPageSize, false);
};

}  // namespace

TEST_CASE("touch zeroes new frames through the CPU, then stores the fill") {
  HostRig r;
  REQUIRE(r.host.touch(r.a, 0x10000, 2 * kPageSize, true, false, std::nullopt,
                       host::Fill{1, 5}) == 0);
  REQUIRE(r.cpu.stores.size() == 3);  // two zeroed pages, then one fill store
  CHECK(r.cpu.stores[0].owner == kNobody);
  CHECK(r.cpu.stores[2].owner == 1);
  CHECK(r.cpu.stores[2].tag == 5);
  CHECK(r.cpu.stores[2].bytes == 2 * kPageSize);
  CHECK(*r.a.pfn_of(0x10000) == 16);
  CHECK(*r.a.pfn_of(0x11000) == 17);
}

TEST_CASE("freed frames go to the next principal that faults memory in") {
  HostRig r;
  r.host.touch(r.a, 0x10000, 4 * kPageSize, true, false, std::nullopt, std::nullopt);
  const uint64_t first = *r.a.pfn_of(0x10000);
  REQUIRE(r.host.munmap(r.a, 0x10000, 4 * kPageSize) == 0);
  r.host.touch(r.b, 0x90000, 4 * kPageSize, true, false, std::nullopt, std::nullopt);
  CHECK(*r.b.pfn_of(0x90000) == first);
}

TEST_CASE("a pinned page outlives its mapping until it is unpinned") {
  HostRig r;
  std::vector<uint64_t> pfns;
  REQUIRE(r.host.mmap(r.a, 0x20000, 2 * kPageSize, true, false) == 0);
  REQUIRE(r.host.pin_user_pages_remote(r.a, 0x20000, 2, true, pfns) == 2);  // faults in
  CHECK(r.cpu.computed == 2 * 95'000);
  const uint64_t free_before = r.host.free_frames();
  r.host.munmap(r.a, 0x20000, 2 * kPageSize);
  CHECK(r.host.free_frames() == free_before);  // still pinned
  CHECK(r.host.total_pins() == 2);
  r.host.unpin_user_page(pfns[0], true);
  CHECK(r.host.free_frames() == free_before + 1);
  // Unpinning it again is the simulated kernel's refcount underflow: recorded,
  // and nothing else changes.
  CHECK(r.host.pin_underflows().empty());
  r.host.unpin_user_page(pfns[0], true);
  CHECK(r.host.pin_underflows() == std::vector<uint64_t>{pfns[0]});
  CHECK(r.host.free_frames() == free_before + 1);
  CHECK(r.host.total_pins() == 1);
}

TEST_CASE("pinning fails where the process has no writable mapping") {
  HostRig r;
  std::vector<uint64_t> pfns;
  REQUIRE(r.host.mmap(r.a, 0x40000, kPageSize, false, false) == 0);
  CHECK(r.host.pin_user_pages_remote(r.a, 0x40000, 1, true, pfns) == -EFAULT);
  CHECK(r.host.pin_user_pages_remote(r.a, 0x40000, 1, false, pfns) == 1);
  // Only the pages before the hole are pinned.
  CHECK(r.host.pin_user_pages_remote(r.a, 0x3f000, 2, false, pfns) == -EFAULT);
  pfns.clear();
  r.host.touch(r.a, 0x50000, kPageSize, true, false, std::nullopt, std::nullopt);
  CHECK(r.host.pin_user_pages_remote(r.a, 0x50000, 3, false, pfns) == 1);
}

TEST_CASE("locked_vm is charged against RLIMIT_MEMLOCK unless the limit is bypassed") {
  HostRig r;
  CHECK(r.host.account_locked_vm(r.b, 8, true, r.b, false) == 0);
  CHECK(r.host.account_locked_vm(r.b, 1, true, r.b, false) == -ENOMEM);
  CHECK(r.b.locked_vm() == 8);
  CHECK(r.host.account_locked_vm(r.b, 1, true, r.b, true) == 0);  // CAP_IPC_LOCK
  CHECK(r.b.locked_vm() == 9);
  bool warned = false;
  r.host.account_locked_vm(r.b, 10, false, r.b, false, &warned);
  CHECK(warned);  // the kernel WARNs and the counter wraps
  CHECK(r.b.locked_vm() == UINT64_MAX);
}

TEST_CASE("memory operations reject bad ranges and missing mappings") {
  HostRig r;
  CHECK(r.host.mmap(r.a, 0x1001, kPageSize, true, false) == -EINVAL);
  CHECK(r.host.mmap(r.a, 0x1000, 0, true, false) == -EINVAL);
  REQUIRE(r.host.mmap(r.a, 0x1000, kPageSize, true, false) == 0);
  CHECK(r.host.mmap(r.a, 0x1000, kPageSize, true, false) == -EEXIST);
  CHECK(r.host.write(r.a, 0x8000, kPageSize, {1, 0}) == -EFAULT);
  CHECK(r.host.read(r.a, 0x8000, kPageSize).error == -EFAULT);
  host::FlushOutcome f;
  CHECK(r.host.flush(r.a, 0x8000, 64, CacheOp::clflush, f) == -EFAULT);
  CHECK(r.host.touch(r.a, 0x100000, kPageSize, true, false, uint64_t{16} << 12, std::nullopt) == 0);
  CHECK(r.host.touch(r.a, 0x200000, kPageSize, true, false, uint64_t{16} << 12, std::nullopt) ==
        -EBUSY);
}

TEST_CASE("huge mappings fault in naturally aligned 2 MiB folios") {
  HostRig r;
  REQUIRE(r.host.touch(r.a, 0x200000, 2u << 20, true, true, std::nullopt, std::nullopt) == 0);
  const uint64_t pfn = *r.a.pfn_of(0x200000);
  CHECK(pfn % 512 == 0);
  CHECK(*r.a.pfn_of(0x3ff000) == pfn + 511);
}

TEST_CASE("each page fault costs the handler's time: per 4 KiB page, per 2 MiB folio, once") {
  constexpr uint64_t kFault = 1'000'000, kPin = 95'000;
  test::FakeCpu cpu;
  host::HostConfig config{16, 4096, kPin};
  config.page_fault_picos = kFault;
  Host host{cpu, config};
  host::Process& p = host.add_process("vm", 1, host::kUnlimited, false);
  REQUIRE(host.touch(p, 0x10000, 3 * kPageSize, true, false, std::nullopt, std::nullopt) == 0);
  CHECK(cpu.computed == 3 * kFault);
  // Present pages do not fault again; the missing fourth does.
  REQUIRE(host.touch(p, 0x10000, 4 * kPageSize, true, false, std::nullopt, std::nullopt) == 0);
  CHECK(cpu.computed == 4 * kFault);
  REQUIRE(host.touch(p, 0x200000, 2u << 20, true, true, std::nullopt, std::nullopt) == 0);
  CHECK(cpu.computed == 5 * kFault);
  // Pages placed at a physical address still come in a fault at a time.
  REQUIRE(host.touch(p, 0x800000, 2 * kPageSize, true, false, uint64_t{3000} << 12,
                     std::nullopt) == 0);
  CHECK(cpu.computed == 7 * kFault);
  // GUP faults in what is missing, then pins.
  REQUIRE(host.mmap(p, 0x900000, 2 * kPageSize, true, false) == 0);
  std::vector<uint64_t> pfns;
  REQUIRE(host.pin_user_pages_remote(p, 0x900000, 2, true, pfns) == 2);
  CHECK(cpu.computed == 9 * kFault + 2 * kPin);
  // Zeroing is stores, not compute time: one per fault, and one for the
  // two placed pages together.
  CHECK(cpu.stores.size() == 8);
}

TEST_CASE("flush covers only the requested lines of present pages") {
  HostRig r;
  r.host.touch(r.a, 0x10000, 2 * kPageSize, true, false, std::nullopt, std::nullopt);
  host::FlushOutcome f;
  REQUIRE(r.host.flush(r.a, 0x10fc0, 128, CacheOp::clflushopt, f) == 0);
  REQUIRE(r.cpu.flushes.size() == 1);  // the two pages are physically contiguous
  CHECK(r.cpu.flushes[0].pa == (uint64_t{16} << 12) + 0xfc0);
  CHECK(r.cpu.flushes[0].bytes == 128);
  CHECK(f.lines == 2);
}

TEST_CASE("pins taken a run at a time are what other processes see page by page") {
  HostRig r;
  r.cpu.quantum = 1'000'000;  // a sync every 10.5 pins of 95 ns
  // Three VMAs and a hole: the second half of the first 700 pages faulted
  // in first, so that frames fall out of step with VAs within a block.
  REQUIRE(r.host.touch(r.a, 0x100000 + 350 * kPageSize, 350 * kPageSize, true, false,
                       std::nullopt, std::nullopt) == 0);
  REQUIRE(r.host.touch(r.a, 0x100000, 350 * kPageSize, true, false, std::nullopt,
                       std::nullopt) == 0);
  REQUIRE(r.host.touch(r.a, 0x400000, 300 * kPageSize, true, false, 3000 * kPageSize,
                       std::nullopt) == 0);
  REQUIRE(r.host.mmap(r.a, 0x100000 + 700 * kPageSize, 0x400000 - (0x100000 + 700 * kPageSize),
                      true, false) == 0);  // the hole between them, faulted in by the pin
  const uint64_t pages = (0x400000 + 300 * kPageSize - 0x100000) / kPageSize;
  const uint64_t start = r.cpu.computed;
  std::vector<uint64_t> seen;  // pins at each sync
  r.cpu.on_sync = [&] { seen.push_back(r.host.total_pins()); };
  std::vector<uint64_t> pfns;
  REQUIRE(r.host.pin_user_pages_remote(r.a, 0x100000, pages, true, pfns) ==
          static_cast<long>(pages));
  CHECK(r.cpu.computed - start == pages * 95'000);
  // Page by page: the sync after page k's pin sees k pins.
  std::vector<uint64_t> expected;
  for (uint64_t k = 1; k <= pages; ++k)
    if ((start + k * 95'000) / r.cpu.quantum > (start + (k - 1) * 95'000) / r.cpu.quantum)
      expected.push_back(k);
  CHECK(seen == expected);
  REQUIRE(pfns.size() == pages);
  for (uint64_t i = 0; i < pages; ++i) {
    INFO("page " << i);
    CHECK(pfns[i] == *r.a.pfn_of(0x100000 + i * kPageSize));
    CHECK(r.host.pin_count(pfns[i]) == 1);
  }
}

TEST_CASE("GUP walks a PMD-mapped folio once, and unpin drops a page's pin, or a folio's at once") {
  constexpr uint64_t kPin = 700, kFolioPage = 40, kUnpin = 130, kDirty = 200;
  test::FakeCpu cpu;
  host::HostConfig config{16, 1 << 16, kPin};
  config.pin_folio_page_picos = kFolioPage;
  config.unpin_page_picos = kUnpin;
  config.unpin_dirty_picos = kDirty;
  Host host{cpu, config};
  host::Process& p = host.add_process("vm", 1, host::kUnlimited, false);
  REQUIRE(host.touch(p, 0x200000, 4u << 20, true, true, std::nullopt, std::nullopt) == 0);
  REQUIRE(host.touch(p, 0x800000, 3 * kPageSize, true, false, std::nullopt, std::nullopt) == 0);

  // 512 pages from the middle of the first folio: its last 256, the next
  // folio's first 256, each folio walked once.
  std::vector<uint64_t> pfns;
  uint64_t before = cpu.computed;
  REQUIRE(host.pin_user_pages_remote(p, 0x300000, 512, true, pfns) == 512);
  CHECK(cpu.computed - before == 2 * kPin + 2 * 255 * kFolioPage);
  // 4 KiB pages: a walk each.
  before = cpu.computed;
  REQUIRE(host.pin_user_pages_remote(p, 0x800000, 3, true, pfns) == 3);
  CHECK(cpu.computed - before == 3 * kPin);

  // v6.9's page at a time: a folio is marked dirty once, at its first page;
  // a 4 KiB page at each unpin.
  const uint64_t folio = *p.pfn_of(0x400000);
  before = cpu.computed;
  host.unpin_user_page(folio, true);
  host.unpin_user_page(folio + 1, true);
  host.unpin_user_page(pfns[512], true);
  host.unpin_user_page(pfns[513], false);
  CHECK(cpu.computed - before == 4 * kUnpin + 2 * kDirty);
  CHECK(host.pin_count(folio) == 0);
  CHECK(host.pin_count(pfns[513]) == 0);
  // v6.18's range: one drop per folio, however many of its pages.
  before = cpu.computed;
  host.unpin_user_page_range(pfns[0], 256, true);        // the first folio's last 256
  host.unpin_user_page_range(folio + 2, 254, true);      // the second's rest
  host.unpin_user_page_range(pfns[514], 1, false);       // a 4 KiB page
  CHECK(cpu.computed - before == 3 * kUnpin + 2 * kDirty);
  CHECK(host.total_pins() == 0);
  CHECK(host.pin_underflows().empty());
}

TEST_CASE("CPU writes and reads are whole lines anywhere in a page, across pages too") {
  HostRig r;
  // Two pages whose frames are not adjacent: vm-b's page between them.
  r.host.touch(r.a, 0x10000, kPageSize, true, false, std::nullopt, std::nullopt);
  r.host.touch(r.b, 0x90000, kPageSize, true, false, std::nullopt, std::nullopt);
  REQUIRE(r.host.mmap(r.a, 0x11000, kPageSize, true, false) == 0);
  r.cpu.stores.clear();
  // The last line of the first page and the first of the second, which the
  // write faults in (zeroing it) before it stores.
  REQUIRE(r.host.write(r.a, 0x10fc0, 2 * kLineBytes, host::Fill{1, 9}) == 0);
  const uint64_t first = *r.a.pfn_of(0x10000) * kPageSize, second = *r.a.pfn_of(0x11000) * kPageSize;
  REQUIRE(second != first + kPageSize);
  REQUIRE(r.cpu.stores.size() == 3);  // the zeroing of the new page, then a line in each page
  CHECK(r.cpu.stores[0].pa == second);
  CHECK(r.cpu.stores[0].bytes == kPageSize);
  CHECK(r.cpu.stores[1].pa == first + kPageSize - kLineBytes);
  CHECK(r.cpu.stores[1].bytes == kLineBytes);
  CHECK(r.cpu.stores[2].pa == second);
  CHECK(r.cpu.stores[2].bytes == kLineBytes);

  host::ReadResult read = r.host.read(r.a, 0x10f80, 3 * kLineBytes);
  REQUIRE(read.error == 0);
  CHECK(read.values.lines == 3);
  CHECK(read.values.by_owner().at(1) == 2);        // the two lines written
  CHECK(read.values.by_owner().at(kNobody) == 1);  // the zeroed line before them

  host::FlushOutcome flushed;
  REQUIRE(r.host.flush(r.a, 0x10fc0, 2 * kLineBytes, CacheOp::clflush, flushed) == 0);
  CHECK(flushed.lines == 2);
  REQUIRE(r.cpu.flushes.size() == 2);  // one piece per frame
  CHECK(r.cpu.flushes[0].pa == first + kPageSize - kLineBytes);
  CHECK(r.cpu.flushes[1].pa == second);

  // Not whole lines: the host refuses (the loader reports it first).
  CHECK(r.host.write(r.a, 0x10020, kLineBytes, host::Fill{1, 9}) == -EINVAL);
  CHECK(r.host.read(r.a, 0x10000, 100).error == -EINVAL);
}
