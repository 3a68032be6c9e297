// SPDX-License-Identifier: GPL-2.0-only
// Steps that call the VFIO core: the container and group system calls, the
// external pinning interface of emulated devices' drivers, `state`, and
// fault injection into the kernel (step_kind.h says how a kind of step is
// declared).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "scenario/backends.h"
#include "scenario/step_kind.h"
#include "vfio/fault_injection.h"
#include "vfio/iommu_core.h"

namespace iocsim::scenario {

struct OpenStep {
  std::string container;
  unsigned long type = 0;  // VFIO_SET_IOMMU's argument
  size_t as = 0;
  std::string backend{kDefaultBackend};  // one of kBackendNames

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct AttachStep {
  std::string container;
  vfio::GroupId group = 0;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct DetachStep {
  std::string container;
  vfio::GroupId group = 0;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct MapStep {
  std::string container;
  size_t as = 0;
  uint64_t va = 0, iova = 0, size = 0;
  uint32_t flags = 0, argsz = 0;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct UnmapStep {
  std::string container;
  uint64_t iova = 0, size = 0;
  uint32_t flags = 0, argsz = 0;
  uint64_t bitmap_pgsize = 0, bitmap_size = 0;  // the vfio_bitmap, with the dirty flag

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct ReleaseStep {
  std::string container;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

// Does nothing: it carries expectations on kernel state.
struct StateStep {
  std::string container;
  std::optional<size_t> as;  // whose locked_vm (default: the container's owner)

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct ExtensionStep {
  std::optional<std::string> container;  // none: asked before VFIO_SET_IOMMU
  unsigned long ext = 0;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct InfoStep {
  std::string container;
  uint32_t argsz = 0;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct DirtyStep {
  std::string container;
  uint32_t flags = 0;
  uint64_t iova = 0, size = 0, pgsize = 0;
  uint32_t argsz = 0;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct PinPagesStep {
  size_t device = 0;
  uint64_t iova = 0, npages = 0;
  int prot = 0;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct UnpinPagesStep {
  size_t device = 0;
  uint64_t iova = 0, npages = 0;

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

struct InjectStep {
  vfio::FaultKind fault = vfio::FaultKind::alloc;
  std::optional<size_t> device;  // only calls on this device's IOMMU unit count
  unsigned call = 1;
  int error = 0;  // -errno

  static const StepKind& kind();
  void parse(detail::StepArgsReader& a, const Step& step);
  detail::StepOutcome run(detail::Run& run, const Step& step) const;
};

using VfioSteps = StepList<OpenStep, AttachStep, DetachStep, MapStep, UnmapStep, ReleaseStep,
                           StateStep, ExtensionStep, InfoStep, DirtyStep, PinPagesStep,
                           UnpinPagesStep, InjectStep>;

}  // namespace iocsim::scenario
