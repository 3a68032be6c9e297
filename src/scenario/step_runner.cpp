// SPDX-License-Identifier: GPL-2.0-only
// What each step does. Process memory operations go through the host model;
// VFIO operations through the type1 port, with the VFIO core's own checks
// (group ownership, a valid container fd) done here; device operations
// through the DMA masters.
#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include <systemc>

#include "analysis/invariants.h"
#include "models/common/time.h"
#include "scenario/run_state.h"
#include "vfio/errno_names.h"

namespace iocsim::scenario::detail {

analysis::KernelState Run::kernel_state() const {
  std::map<std::string, const vfio::VfioIommu*> view;
  for (const auto& [name, c] : containers) view[name] = c.get();
  return analysis::capture(view, *host, machine->translation_digests());
}

void Run::check_invariants(size_t after_step) {
  std::vector<const vfio::VfioIommu*> view;
  for (const auto& [name, c] : containers) view.push_back(c.get());
  for (const analysis::Invariant& i :
       analysis::kernel_invariants(view, *host, machine->hardware_domains())) {
    if (i.held) continue;
    first_broken_after_step = fmt::format("after step {}: {}: {}", after_step, i.name, i.detail);
    return;
  }
}

void MdevDriver::dma_unmap(vfio::dma_addr_t iova, uint64_t size) {
  vfio::VfioIommu* c = run->live(container);
  for (auto it = pins.lower_bound(iova); it != pins.end() && it->first - iova < size;) {
    for (unsigned n = 0; n < it->second; ++n) c->unpin_pages(it->first, 1);
    it = pins.erase(it);
  }
}

// Opening an emulated group's devices registers their drivers for dma_unmap.
void Run::open_mdevs(vfio::GroupId group, const std::string& container) {
  for (size_t i = 0; i < s.devices.size(); ++i) {
    if (!s.devices[i].emulated || s.devices[i].group != group) continue;
    mdevs[i] = std::make_unique<MdevDriver>(*this, container);
    live(container)->register_device(mdevs[i].get());
  }
}

void Run::close_mdevs(vfio::GroupId group) {
  for (auto it = mdevs.begin(); it != mdevs.end();) {
    if (s.devices[it->first].group != group) {
      ++it;
      continue;
    }
    // Closing the device: its driver lets go of every page it pinned, as a
    // driver's release path does (the kernel would not let the group go
    // while the device is open).
    MdevDriver& driver = *it->second;
    if (vfio::VfioIommu* c = live(driver.container)) {
      driver.dma_unmap(0, ~uint64_t{0});
      c->unregister_device(&driver);
    }
    it = mdevs.erase(it);
  }
}

vfio::VfioIommu* Run::live(const std::string& name) {
  auto it = containers.find(name);
  if (it == containers.end() || it->second->released()) return nullptr;
  return it->second.get();
}

void Run::execute_all() {
  for (const Step& step : s.steps) {
    // The previous step's core has caught up with global time; this one starts there.
    machine->activate_core(step.cpu);
    models::CpuAgent& cpu = machine->cpu();
    cpu.sync();
    if (step.at) {
      const Picos target = units::to_picos(*step.at, cpu.config().hz);
      const Picos now = models::to_picos(sc_core::sc_time_stamp());
      if (target > now) sc_core::wait(models::from_picos(target - now));
    }
    StepRecord record;
    record.index = step.index;
    record.op = step.op;
    record.name = step.name;
    record.start = models::to_picos(sc_core::sc_time_stamp());
    const Picos busy = cpu.busy();
    const unsigned warnings = log.warnings();

    // A failed operation must leave the kernel as it found it.
    const bool kernel_step = step_container(step).has_value() ||
                             std::holds_alternative<PinPagesStep>(step.args);
    analysis::KernelState before;
    if (kernel_step) before = kernel_state();

    StepOutcome outcome = execute(step);

    if (kernel_step && outcome.error) {
      for (const std::string& change : analysis::differences(before, kernel_state()))
        unrestored.push_back(fmt::format("step {} ({} failed with {}): {}", step.index, step.op,
                                         vfio::errno_name(outcome.error), change));
    }

    cpu.sync();
    record.end = models::to_picos(sc_core::sc_time_stamp());
    record.cpu = cpu.busy() - busy;
    record.error = outcome.error;
    record.warned = log.warnings() > warnings;
    if (!outcome.error) record.values = outcome.values;
    result.steps.push_back(record);
    if (!step.name.empty()) finished_steps.insert(step.name);
    check(step, outcome, warnings);
    if (invariants_every_step && first_broken_after_step.empty()) check_invariants(step.index);
  }
  // The run lasts until the last actor told to run until a time has.
  const Picos now = models::to_picos(sc_core::sc_time_stamp());
  if (actors_until > now) sc_core::wait(models::from_picos(actors_until - now));
}

void Run::spawn(const std::string& name, const SpawnStep& x) {
  const Device& d = s.devices[x.device];
  const uint64_t hz = machine->cpu().config().hz;
  models::DmaActorConfig config;
  config.pattern = x.pattern;
  config.iova = x.iova;
  config.size = x.size;
  config.every = units::to_picos(x.every, hz);
  config.write = x.write;
  config.no_snoop = x.no_snoop.value_or(d.no_snoop);
  config.tag = x.fill;
  config.seed = result.seed * 1000003 + actors.size();  // distinct per actor, fixed per seed
  config.engine = static_cast<uint32_t>(actors.size() + 1);
  actors.push_back({name, std::make_unique<models::DmaActor>(machine->dma(d.name), config)});
  models::DmaActor* actor = actors.back().engine.get();

  std::optional<Picos> until;
  if (x.until_time) {
    until = units::to_picos(*x.until_time, hz);
    actors_until = std::max(actors_until, *until);
  }
  const std::optional<std::string> until_step = x.until_step;
  sc_core::sc_spawn(
      [this, actor, until, until_step] {
        actor->run([&](Picos now) {
          return (until && now >= *until) || (until_step && finished_steps.count(*until_step));
        });
      },
      sc_core::sc_gen_unique_name(("actor_" + name).c_str()));
}

StepOutcome Run::execute(const Step& step) {
  StepOutcome out;
  const StepArgs& a = step.args;
  // The user/kernel crossing of the step's system call (open, close or a
  // VFIO ioctl), before the kernel's own work.
  if (std::holds_alternative<OpenStep>(a) || std::holds_alternative<AttachStep>(a) ||
      std::holds_alternative<DetachStep>(a) || std::holds_alternative<MapStep>(a) ||
      std::holds_alternative<UnmapStep>(a) || std::holds_alternative<ReleaseStep>(a) ||
      std::holds_alternative<ExtensionStep>(a) || std::holds_alternative<InfoStep>(a) ||
      std::holds_alternative<DirtyStep>(a))
    machine->cpu().compute(syscall_cost);

  if (auto* x = std::get_if<AllocStep>(&a)) {
    out.error = host->mmap(principal(x->as), x->va, x->size, x->writable, x->huge);
  } else if (auto* x = std::get_if<TouchStep>(&a)) {
    host::Process& p = principal(x->as);
    std::optional<host::Fill> fill;
    if (x->fill) fill = host::Fill{p.id(), *x->fill};
    out.error = host->touch(p, x->va, x->size, x->writable, x->huge, x->pa, fill);
  } else if (auto* x = std::get_if<WriteStep>(&a)) {
    host::Process& p = principal(x->as);
    out.error = host->write(p, x->va, x->size, {p.id(), x->fill});
  } else if (auto* x = std::get_if<ReadStep>(&a)) {
    const uint64_t stale = oracle.counts().stale_cpu_reads;
    host::ReadResult r = host->read(principal(x->as), x->va, x->size);
    out.error = r.error;
    out.seen = std::move(r.values);
    out.stale = oracle.counts().stale_cpu_reads - stale;
    out.values = {{"lines", out.seen.lines}, {"stale_lines", out.stale}};
  } else if (auto* x = std::get_if<FreeStep>(&a)) {
    out.error = host->munmap(principal(x->as), x->va, x->size);
  } else if (auto* x = std::get_if<FlushStep>(&a)) {
    host::FlushOutcome f;
    out.error = host->flush(principal(x->as), x->va, x->size, x->op, f);
    out.values = {{"lines", f.lines}, {"lines_written_back", f.lines_written_back}};
  } else if (auto* x = std::get_if<OpenStep>(&a)) {
    container_owner[x->container] = x->as;
    int err = 0;
    auto c = vfio::VfioIommu::open(*kernel, principal(x->as), x->type, &err);
    out.error = err;
    if (c) containers[x->container] = std::move(c);
  } else if (auto* x = std::get_if<AttachStep>(&a)) {
    vfio::VfioIommu* c = live(x->container);
    if (!c) {
      out.error = -EBADF;
    } else if (group_container.count(x->group)) {
      out.error = -EINVAL;  // VFIO_GROUP_SET_CONTAINER: the group already has one
    } else {
      kernel->current = &c->owner();
      bool emulated = false;
      for (const Device& d : s.devices) emulated = emulated || (d.group == x->group && d.emulated);
      // nosnoop-off: vfio-pci clears (and virtualises) the assigned devices'
      // No-Snoop enable when it enables them, before they can reach any domain.
      if (policy.clear_nosnoop_enable)
        for (const Device& d : s.devices)
          if (d.group == x->group && !d.emulated)
            machine->dma(d.name).set_nosnoop_enable(false, machine->cpu().now());
      out.error = c->attach_group(x->group, emulated ? vfio::GroupType::emulated
                                                     : vfio::GroupType::iommu);
      if (!out.error) {
        group_container[x->group] = x->container;
        open_mdevs(x->group, x->container);
      }
    }
  } else if (auto* x = std::get_if<DetachStep>(&a)) {
    vfio::VfioIommu* c = live(x->container);
    auto owner = group_container.find(x->group);
    if (!c) {
      out.error = -EBADF;
    } else if (owner == group_container.end() || owner->second != x->container) {
      out.error = -EINVAL;  // VFIO_GROUP_UNSET_CONTAINER: not in this container
    } else {
      kernel->current = &c->owner();
      close_mdevs(x->group);  // the devices close before their group leaves
      c->detach_group(x->group);
      group_container.erase(owner);
    }
  } else if (auto* x = std::get_if<MapStep>(&a)) {
    vfio::VfioIommu* c = live(x->container);
    if (!c) {
      out.error = -EBADF;
    } else {
      kernel->current = &principal(x->as);
      vfio::DmaMapArgs args;
      args.argsz = x->argsz;
      args.flags = x->flags;
      args.vaddr = x->va;
      args.iova = x->iova;
      args.size = x->size;
      out.error = c->map_dma(args);
    }
  } else if (auto* x = std::get_if<UnmapStep>(&a)) {
    vfio::VfioIommu* c = live(x->container);
    if (!c) {
      out.error = -EBADF;
    } else {
      kernel->current = &c->owner();
      vfio::DmaUnmapDirtyArgs args;
      args.unmap.argsz = x->argsz;
      args.unmap.flags = x->flags;
      args.unmap.iova = x->iova;
      args.unmap.size = x->size;
      args.bitmap.pgsize = x->bitmap_pgsize;
      args.bitmap.size = x->bitmap_size;
      out.error = c->unmap_dma(args);
      out.values = {{"unmapped", args.unmap.size}};
      if (x->flags & vfio::VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) out.bits = args.bitmap.set_bits();
    }
  } else if (auto* x = std::get_if<ReleaseStep>(&a)) {
    vfio::VfioIommu* c = live(x->container);
    if (!c) {
      out.error = -EBADF;
    } else {
      kernel->current = &c->owner();
      for (auto g = group_container.begin(); g != group_container.end();) {
        if (g->second != x->container) {
          ++g;
          continue;
        }
        close_mdevs(g->first);
        g = group_container.erase(g);
      }
      c->release();
    }
  } else if (std::get_if<StateStep>(&a)) {
    // Carries expectations on kernel state only.
  } else if (auto* x = std::get_if<ExtensionStep>(&a)) {
    // Without a driver the VFIO core asks every driver with no container.
    vfio::VfioIommu* c = x->container ? live(*x->container) : nullptr;
    out.values = {{"value", static_cast<uint64_t>(vfio::VfioIommu::check_extension(c, x->ext, base))}};
  } else if (auto* x = std::get_if<DmaStep>(&a)) {
    const Device& d = s.devices[x->device];
    models::DmaMaster& master = machine->dma(d.name);
    const bool no_snoop = x->no_snoop.value_or(d.no_snoop);
    const uint64_t stale = oracle.counts().stale_device_reads;
    models::DmaResult r = x->write ? master.write(x->iova, x->size, no_snoop, x->fill)
                                   : master.read(x->iova, x->size, no_snoop);
    out.faults = r.faults;
    out.seen = std::move(r.values);
    out.stale = oracle.counts().stale_device_reads - stale;
    out.values = {{"lines", r.lines}, {"faults", r.faults}};
    if (!x->write) out.values.push_back({"stale_lines", out.stale});
  } else if (auto* x = std::get_if<InfoStep>(&a)) {
    vfio::VfioIommu* c = live(x->container);
    vfio::IommuInfo info;
    out.error = c ? c->get_info(x->argsz, info) : -EBADF;
    if (!out.error) {
      out.values = {{"argsz", info.argsz}, {"flags", info.flags}, {"pgsizes", info.iova_pgsizes}};
      if (info.cap_offset) out.values.push_back({"cap_offset", *info.cap_offset});
      for (const auto& cap : info.caps)
        if (cap.id == vfio::VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL)
          out.values.push_back({"dma_avail", cap.avail});
      out.info = info;
    }
  } else if (auto* x = std::get_if<DirtyStep>(&a)) {
    vfio::VfioIommu* c = live(x->container);
    vfio::DirtyPagesArgs args;
    args.argsz = x->argsz;
    args.flags = x->flags;
    args.iova = x->iova;
    args.size = x->size;
    args.bitmap.pgsize = x->pgsize;
    args.bitmap.size = x->pgsize ? vfio::dirty_bitmap_bytes(x->size / x->pgsize) : 0;
    out.error = c ? c->dirty_pages(args) : -EBADF;
    if (!out.error && (x->flags & vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP)) {
      out.bits = args.bitmap.set_bits();
      out.values = {{"dirty_pages", out.bits->size()}};
    }
  } else if (auto* x = std::get_if<PinPagesStep>(&a)) {
    // vfio_pin_pages(): the device is open (its group in a container), and
    // 1..VFIO_PIN_PAGES_MAX_ENTRIES pages at a time.
    const Device& d = s.devices[x->device];
    auto owner = group_container.find(d.group);
    vfio::VfioIommu* c = owner == group_container.end() ? nullptr : live(owner->second);
    if (!c || x->npages == 0) {
      out.error = -EINVAL;
    } else if (x->npages > vfio::PAGE_SIZE / sizeof(unsigned long)) {
      out.error = -E2BIG;
    } else {
      std::vector<unsigned long> pages;
      const int ret = c->pin_pages(d.group, x->iova, static_cast<int>(x->npages), x->prot, pages);
      if (ret < 0) {
        out.error = ret;
      } else {
        for (int i = 0; i < ret; ++i) ++mdevs.at(x->device)->pins[x->iova + i * vfio::PAGE_SIZE];
        out.values = {{"pinned", static_cast<uint64_t>(ret)}};
      }
    }
  } else if (auto* x = std::get_if<UnpinPagesStep>(&a)) {
    const Device& d = s.devices[x->device];
    auto owner = group_container.find(d.group);
    vfio::VfioIommu* c = owner == group_container.end() ? nullptr : live(owner->second);
    // vfio_unpin_pages() WARNs and does nothing for a closed device or a bad count.
    if (!log.warn_on(!c || x->npages == 0 || x->npages > vfio::PAGE_SIZE / sizeof(unsigned long),
                     "vfio_unpin_pages: device not open or bad page count")) {
      c->unpin_pages(x->iova, static_cast<int>(x->npages));
      auto& pins = mdevs.at(x->device)->pins;
      for (uint64_t i = 0; i < x->npages; ++i) {
        auto it = pins.find(x->iova + i * vfio::PAGE_SIZE);
        if (it != pins.end() && --it->second == 0) pins.erase(it);
      }
    }
  } else if (auto* x = std::get_if<MmioStep>(&a)) {
    // BARs are naturally aligned powers of two, placed above RAM and 4 GiB.
    uint64_t bar_size = vfio::PAGE_SIZE;
    while (bar_size < x->size) bar_size <<= 1;
    if (!next_bar)
      next_bar = std::max(s.platform.params.size("memory.size"), uint64_t{4} << 30);
    next_bar = (next_bar + bar_size - 1) & ~(bar_size - 1);
    out.error = host->mmio(principal(x->as), x->va, x->size, next_bar);
    if (!out.error) {
      out.values = {{"bar", next_bar}};
      next_bar += bar_size;
    }
  } else if (auto* x = std::get_if<InjectStep>(&a)) {
    vfio::FaultInjector::Scope scope;
    if (x->device) {
      const std::string unit = s.devices[*x->device].iommu;
      scope = [this, unit](vfio::DomainHandle d) { return machine->domain_unit(d) == unit; };
    }
    kernel->faults.arm(x->fault, x->call, x->error, scope);
  } else if (auto* x = std::get_if<SpawnStep>(&a)) {
    spawn(step.name, *x);
  } else if (auto* x = std::get_if<WaitStep>(&a)) {
    sc_core::wait(models::from_picos(units::to_picos(x->time, machine->cpu().config().hz)));
  }
  return out;
}

}  // namespace iocsim::scenario::detail
