// SPDX-License-Identifier: GPL-2.0-only
// A device's PCI function as vfio-pci sees it, on the device's DMA engine:
// the No-Snoop enable it sets or clears takes effect at the time of the core
// that runs the kernel's work (the CPU's local time, ahead of global time).
#pragma once

#include "models/dma/dma_master.h"
#include "platform/cores.h"
#include "vfio/pci_function.h"

namespace iocsim::platform {

class DeviceFunction : public vfio::PciFunction {
 public:
  DeviceFunction(models::DmaMaster& dma, const Cores& cores) : dma_(&dma), cores_(&cores) {}
  void set_nosnoop_enable(bool enable) override {
    dma_->set_nosnoop_enable(enable, cores_->active().now());
  }

 private:
  models::DmaMaster* dma_;
  const Cores* cores_;
};

}  // namespace iocsim::platform
