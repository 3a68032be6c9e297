// SPDX-License-Identifier: GPL-2.0-only
// What vfio-pci touches of a PCI function that matters to iocsim: the
// No-Snoop enable of its PCIe Device Control register
// (PCI_EXP_DEVCTL_NOSNOOP_EN), which the nosnoop-off policy clears when
// vfio-pci enables the device. The platform implements it on the device's
// DMA engine.
#pragma once

namespace iocsim::vfio {

class PciFunction {
 public:
  virtual ~PciFunction() = default;
  virtual void set_nosnoop_enable(bool enable) = 0;
};

}  // namespace iocsim::vfio
