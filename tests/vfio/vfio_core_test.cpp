// SPDX-License-Identifier: GPL-2.0-only
// The VFIO core on the mock IOMMU: container fds and their backend, groups
// joining and leaving, what each system call costs, the external pinning
// interface of emulated devices' drivers, and vfio-pci's No-Snoop enable.
#include <catch2/catch.hpp>

#include <cerrno>

#include "vfio/type1/type1_driver.h"
#include "vfio/type1_rig.h"
#include "vfio/vfio_core.h"

using namespace iocsim;
using namespace iocsim::test;

namespace {

constexpr uint64_t kSyscall = 100'000;

// A PCI function that remembers what vfio-pci set its No-Snoop enable to.
struct FakeFunction : vfio::PciFunction {
  void set_nosnoop_enable(bool enable) override { nosnoop_enable.push_back(enable); }
  std::vector<bool> nosnoop_enable;
};

// The rig's kernel with a VFIO core: group 1 holds a PCI function behind a
// coherent unit, group 2 one behind a non-coherent unit, group 11 an mdev.
struct CoreRig : Type1Rig {
  explicit CoreRig(const char* policy = "none", vfio::KernelBase base = vfio::KernelBase::v6_18)
      : Type1Rig(policy, base) {
    kernel.config.syscall_picos = kSyscall;
    FakeGroup coherent, noncoherent;
    noncoherent.snoop_control = false;
    iommu.add_group(1, coherent);
    iommu.add_group(2, noncoherent);
    core.register_iommu_driver(std::make_unique<vfio::Type1Driver>(kernel));
    core.add_device({"nic0", 1, false, &nic});
    core.add_device({"gpu0", 2, false, &gpu});
    core.add_device({"vgpu0", 11, true, nullptr});
  }

  int map(int fd, uint64_t va, uint64_t iova, uint64_t size) {
    vfio::DmaMapArgs a;
    a.flags = RW;
    a.vaddr = va;
    a.iova = iova;
    a.size = size;
    return core.map_dma(fd, a);
  }
  int unmap(int fd, uint64_t iova, uint64_t size) {
    vfio::DmaUnmapDirtyArgs a;
    a.unmap.iova = iova;
    a.unmap.size = size;
    return core.unmap_dma(fd, a);
  }

  FakeFunction nic, gpu;
  vfio::VfioCore core{kernel};
};

}  // namespace

TEST_CASE("open gives a container fd per VFIO_SET_IOMMU, and an unknown type EINVAL") {
  CoreRig r;
  CHECK(r.core.open(r.vm, vfio::VFIO_TYPE1v2_IOMMU, "type1") == 3);
  CHECK(r.core.open(r.vm, vfio::VFIO_TYPE1_IOMMU, "type1") == 4);
  CHECK(r.core.open(r.vm, 7, "type1") == -EINVAL);
  CHECK(r.core.open(r.vm, vfio::VFIO_TYPE1v2_IOMMU, "type1") == 5);  // a failed open takes no fd
  REQUIRE(r.core.container(4));
  CHECK(r.core.containers().size() == 3);
  CHECK(&r.core.container(3)->owner() == &r.vm);
  CHECK(r.core.container(9) == nullptr);
}

TEST_CASE("VFIO_SET_IOMMU opens only a backend that advertises the type") {
  CoreRig v6_9("none", vfio::KernelBase::v6_9);
  const int fd = v6_9.core.open(v6_9.vm, vfio::VFIO_TYPE1_NESTING_IOMMU, "type1");
  REQUIRE(fd == 3);
  CHECK(dynamic_cast<const VfioIommu&>(*v6_9.core.container(fd)).v2());
  // Later kernels still open the type as v2 in type1, but no longer
  // advertise it, so VFIO_SET_IOMMU never gets there.
  CoreRig v6_18("none", vfio::KernelBase::v6_18);
  CHECK(v6_18.core.check_extension(std::nullopt, vfio::VFIO_TYPE1_NESTING_IOMMU, "type1") == 0);
  CHECK(v6_18.core.open(v6_18.vm, vfio::VFIO_TYPE1_NESTING_IOMMU, "type1") == -EINVAL);
}

TEST_CASE("every system call costs the entry and exit once, pinning for a driver nothing") {
  CoreRig r;
  const int fd = r.core.open(r.vm, vfio::VFIO_TYPE1v2_IOMMU, "type1");
  CHECK(r.cpu.computed == kSyscall);
  REQUIRE(r.core.group_set_container(11, fd) == 0);
  CHECK(r.cpu.computed == 2 * kSyscall);
  r.touch(0x100000, 4 * P);
  const uint64_t before = r.cpu.computed;
  REQUIRE(r.map(fd, 0x100000, 0, 4 * P) == 0);  // no domain: nothing pinned, mapped or charged
  CHECK(r.cpu.computed == before + kSyscall);
  REQUIRE(r.core.pin_pages("vgpu0", 0, 1, vfio::IOMMU_READ) == 1);
  const uint64_t after_pin = r.cpu.computed;
  CHECK(r.core.check_extension(std::nullopt, vfio::VFIO_TYPE1v2_IOMMU, "type1") == 1);
  CHECK(r.cpu.computed == after_pin + kSyscall);
  CHECK(r.core.check_extension(fd, vfio::VFIO_UPDATE_VADDR, "type1") == 0);  // an mdev is there
  CHECK(r.core.close(fd) == 0);
  CHECK(r.cpu.computed == after_pin + 3 * kSyscall);
}

TEST_CASE("a group joins one container at a time, and leaves only the one it is in") {
  CoreRig r;
  const int c0 = r.core.open(r.vm, vfio::VFIO_TYPE1v2_IOMMU, "type1");
  const int c1 = r.core.open(r.vm, vfio::VFIO_TYPE1v2_IOMMU, "type1");
  CHECK(r.core.group_set_container(1, 42) == -EBADF);
  REQUIRE(r.core.group_set_container(1, c0) == 0);
  CHECK(r.core.container(c0)->domains().size() == 1);
  CHECK(r.core.group_set_container(1, c0) == -EINVAL);
  CHECK(r.core.group_set_container(1, c1) == -EINVAL);
  CHECK(r.core.group_unset_container(1, c1) == -EINVAL);
  CHECK(r.core.group_unset_container(2, c0) == -EINVAL);
  CHECK(r.core.group_unset_container(1, c0) == 0);
  CHECK(r.core.container(c0)->domains().empty());
  CHECK(r.core.group_set_container(1, c1) == 0);
}

TEST_CASE("closing a container releases its backend and its groups, and its fd is gone") {
  CoreRig r;
  const int fd = r.core.open(r.vm, vfio::VFIO_TYPE1v2_IOMMU, "type1");
  REQUIRE(r.core.group_set_container(2, fd) == 0);
  r.touch(0x100000, 4 * P);
  REQUIRE(r.map(fd, 0x100000, 0, 4 * P) == 0);
  CHECK(r.core.container(fd)->pinned_pages() == 4);
  REQUIRE(r.core.close(fd) == 0);
  CHECK(r.core.container(fd)->released());
  CHECK(r.core.container(fd)->pinned_pages() == 0);
  CHECK(r.core.container(fd)->mappings().empty());
  CHECK_FALSE(r.core.is_open(fd));
  CHECK(r.map(fd, 0x100000, 0, 4 * P) == -EBADF);
  CHECK(r.unmap(fd, 0, 4 * P) == -EBADF);
  CHECK(r.core.close(fd) == -EBADF);
  CHECK(r.core.group_unset_container(2, fd) == -EBADF);
  // The group left with it: it may join another.
  const int other = r.core.open(r.vm, vfio::VFIO_TYPE1v2_IOMMU, "type1");
  CHECK(r.core.group_set_container(2, other) == 0);
}

TEST_CASE("vfio_pin_pages takes an open device and 1 to 512 pages, and the driver unpins on dma_unmap") {
  CoreRig r;
  r.touch(0x100000, 8 * P);
  CHECK(r.core.pin_pages("vgpu0", 0, 0, vfio::IOMMU_READ) == -EINVAL);  // no pages
  CHECK(r.log.warnings() == 0);
  // Not open: the driver's bug. vfio_assert_device_open() WARNs once, its caller each time.
  CHECK(r.core.pin_pages("vgpu0", 0, 1, vfio::IOMMU_READ) == -EINVAL);
  CHECK(r.log.warnings() == 2);
  CHECK(r.core.pin_pages("vgpu0", 0, 1, vfio::IOMMU_READ) == -EINVAL);
  CHECK(r.log.warnings() == 3);
  const int fd = r.core.open(r.vm, vfio::VFIO_TYPE1v2_IOMMU, "type1");
  REQUIRE(r.core.group_set_container(11, fd) == 0);
  CHECK(r.core.container_of_device("vgpu0") == fd);
  REQUIRE(r.map(fd, 0x100000, 0, 8 * P) == 0);
  CHECK(r.core.pin_pages("vgpu0", 0, 0, vfio::IOMMU_READ) == -EINVAL);
  CHECK(r.core.pin_pages("vgpu0", 0, vfio::VFIO_PIN_PAGES_MAX_ENTRIES + 1, vfio::IOMMU_READ) ==
        -E2BIG);
  CHECK(r.core.pin_pages("vgpu0", 0, 2, vfio::IOMMU_READ) == 2);
  CHECK(r.core.pin_pages("vgpu0", P, 1, vfio::IOMMU_READ) == 1);  // page 1 twice
  CHECK(r.core.container(fd)->pinned_pages() == 2);
  CHECK(r.vm.locked_vm() == 2);  // no IOMMU domain: the external pins are what is charged
  // Unmapping the range calls the driver back; it lets go of all three pins.
  REQUIRE(r.unmap(fd, 0, 8 * P) == 0);
  CHECK(r.core.container(fd)->pinned_pages() == 0);
  CHECK(r.vm.locked_vm() == 0);
  CHECK(r.host.total_pins() == 0);
}

TEST_CASE("vfio_unpin_pages WARNs and does nothing for a closed device or a bad count") {
  CoreRig r;
  r.core.unpin_pages("vgpu0", 0, 1);
  CHECK(r.log.warnings() == 2);  // vfio_assert_device_open's WARN_ON_ONCE and the WARN_ON
  const int fd = r.core.open(r.vm, vfio::VFIO_TYPE1v2_IOMMU, "type1");
  REQUIRE(r.core.group_set_container(11, fd) == 0);
  r.touch(0x100000, 4 * P);
  REQUIRE(r.map(fd, 0x100000, 0, 4 * P) == 0);
  REQUIRE(r.core.pin_pages("vgpu0", 0, 4, vfio::IOMMU_READ) == 4);
  r.core.unpin_pages("vgpu0", 0, 0);
  r.core.unpin_pages("vgpu0", 0, vfio::VFIO_PIN_PAGES_MAX_ENTRIES + 1);
  CHECK(r.log.warnings() == 4);
  CHECK(r.core.container(fd)->pinned_pages() == 4);
  r.core.unpin_pages("vgpu0", 0, 2);
  CHECK(r.core.container(fd)->pinned_pages() == 2);
  // Leaving the container closes the device, whose driver drops the rest.
  REQUIRE(r.core.group_unset_container(11, fd) == 0);
  CHECK(r.host.total_pins() == 0);
}

TEST_CASE("nosnoop-off: vfio-pci clears the No-Snoop enable of the joining group's functions") {
  SECTION("under nosnoop-off, as the group joins") {
    CoreRig r("nosnoop-off");
    const int fd = r.core.open(r.vm, vfio::VFIO_TYPE1v2_IOMMU, "type1");
    REQUIRE(r.core.group_set_container(2, fd) == 0);
    CHECK(r.gpu.nosnoop_enable == std::vector<bool>{false});
    CHECK(r.nic.nosnoop_enable.empty());
    CHECK(r.core.group_set_container(2, fd) == -EINVAL);  // already there: not enabled again
    CHECK(r.gpu.nosnoop_enable.size() == 1);
  }
  SECTION("under any other policy, never") {
    CoreRig r("posted-v1");
    const int fd = r.core.open(r.vm, vfio::VFIO_TYPE1v2_IOMMU, "type1");
    REQUIRE(r.core.group_set_container(2, fd) == 0);
    CHECK(r.gpu.nosnoop_enable.empty());
  }
}

TEST_CASE("the flush ledger learns which container flushed") {
  CoreRig r("posted-v1");
  struct Calls : vfio::FlushObserver {
    void flushed(const vfio::FlushCall& c) override { containers.push_back(c.container); }
    std::vector<vfio::ContainerId> containers;
  } calls;
  r.kernel.flushes = &calls;
  const int c0 = r.core.open(r.vm, vfio::VFIO_TYPE1v2_IOMMU, "type1");
  const int c1 = r.core.open(r.vm, vfio::VFIO_TYPE1v2_IOMMU, "type1");
  REQUIRE(r.core.group_set_container(2, c1) == 0);
  REQUIRE(r.core.group_set_container(1, c0) == 0);
  r.touch(0x100000, 2 * P, uint64_t{0x200000});
  r.touch(0x300000, 2 * P, uint64_t{0x400000});
  REQUIRE(r.map(c0, 0x100000, 0, 2 * P) == 0);  // a coherent container: no flush
  CHECK(calls.containers.empty());
  REQUIRE(r.map(c1, 0x300000, 0, 2 * P) == 0);
  CHECK(calls.containers == std::vector<vfio::ContainerId>{c1});
}
