// SPDX-License-Identifier: GPL-2.0-only
// How a kind of step is declared. Each kind is one struct in its family's
// header (memory_steps.h, vfio_steps.h, device_steps.h) holding its
// arguments, with
//
//   static const StepKind& kind();                      its name, keys, expectations
//   void parse(detail::StepArgsReader& a, const Step& step);   reads its arguments
//   detail::StepOutcome run(detail::Run& run, const Step& step) const;   does it
//
// defined together in the family's .cpp, and it is listed in the family's
// StepList. The loader, the step runner and the expectation checks find every
// kind through those lists (steps.h); nothing else names a step kind.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace iocsim::scenario {

struct Step;

namespace detail {
class StepArgsReader;
struct Run;
struct StepOutcome;
}  // namespace detail

// Which kernel-state expectations (locked_vm, dmas, domains, flush, ...) a
// step may carry: none, those of the container it names, or those of the
// container its (emulated) device's group sits in.
enum class StepScope : uint8_t { none, container, device_container };

struct StepKind {
  std::string_view name;           // the operation's key in a step
  std::vector<std::string> keys;   // its argument keys (besides name, at, cpu, expect)
  std::vector<std::string> expect;  // its own expectation keys (besides ok, errno, warns)
  StepScope scope = StepScope::none;
  bool scalar = false;  // the argument is one scalar (wait: a time), not a mapping
};

// A family's kinds of steps.
template <typename... Kinds>
struct StepList {};

template <typename... Lists>
struct JoinSteps;
template <typename... A>
struct JoinSteps<StepList<A...>> {
  using variant = std::variant<A...>;
};
template <typename... A, typename... B, typename... Rest>
struct JoinSteps<StepList<A...>, StepList<B...>, Rest...>
    : JoinSteps<StepList<A..., B...>, Rest...> {};

}  // namespace iocsim::scenario
