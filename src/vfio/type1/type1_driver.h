// SPDX-License-Identifier: GPL-2.0-only
// vfio_iommu_driver_ops_type1: the type1 backend as the VFIO core registers
// it (vfio_iommu_type1_init) and asks it at VFIO_SET_IOMMU.
#pragma once

#include "vfio/iommu_driver.h"
#include "vfio/type1/vfio_iommu.h"

namespace iocsim::vfio {

class Type1Driver : public IommuDriver {
 public:
  explicit Type1Driver(Kernel& kernel) : kernel_(kernel) {}

  std::string_view name() const override { return "vfio-iommu-type1"; }
  std::string_view backend() const override { return "type1"; }
  long check_extension(unsigned long arg) const override {
    return VfioIommu::check_extension(nullptr, arg, kernel_.config.base);
  }
  std::unique_ptr<IommuData> open(unsigned long arg, host::Process& owner, ContainerId id,
                                  int* err) override {
    return VfioIommu::open(kernel_, owner, id, arg, err);
  }

 private:
  Kernel& kernel_;
};

}  // namespace iocsim::vfio
