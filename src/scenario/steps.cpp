// SPDX-License-Identifier: GPL-2.0-only
#include "scenario/steps.h"

#include <type_traits>
#include <utility>

namespace iocsim::scenario {
namespace {

// What `get` reads from a step's arguments, if their kind has it: `get`'s
// return type names the member, so it is not invocable on kinds without one.
template <typename Result, typename Get>
std::optional<Result> member(const StepArgs& args, Get get) {
  return std::visit(
      [&](const auto& x) -> std::optional<Result> {
        if constexpr (std::is_invocable_v<Get, decltype(x)>) return get(x);
        else return std::nullopt;
      },
      args);
}

template <size_t... I>
std::vector<const StepKind*> all_kinds(std::index_sequence<I...>) {
  return {&std::variant_alternative_t<I, StepArgs>::kind()...};
}

const std::vector<const StepKind*>& kinds() {
  static const std::vector<const StepKind*> k =
      all_kinds(std::make_index_sequence<std::variant_size_v<StepArgs>>());
  return k;
}

}  // namespace

const StepKind& Step::kind() const {
  return std::visit([](const auto& x) -> const StepKind& { return x.kind(); }, args);
}

std::optional<std::string> Step::container() const {
  return member<std::string>(args, [](const auto& x) -> decltype(x.container) { return x.container; });
}

std::optional<size_t> Step::device() const {
  return member<size_t>(args, [](const auto& x) -> decltype(x.device) { return x.device; });
}

std::optional<size_t> Step::principal() const {
  return member<size_t>(args, [](const auto& x) -> decltype(x.as) { return x.as; });
}

std::vector<std::string> Step::expect_keys() const {
  return member<std::vector<std::string>>(args, [](const auto& x) -> decltype(x.expect_keys()) {
           return x.expect_keys();
         }).value_or(kind().expect);
}

bool Step::has_kernel_state() const {
  switch (kind().scope) {
    case StepScope::none: return false;
    case StepScope::container: return container().has_value();
    case StepScope::device_container: return true;
  }
  return false;
}

const StepKind* find_step_kind(std::string_view op) {
  for (const StepKind* k : kinds())
    if (k->name == op) return k;
  return nullptr;
}

std::vector<std::string> step_kind_names() {
  std::vector<std::string> names;
  for (const StepKind* k : kinds()) names.emplace_back(k->name);
  return names;
}

}  // namespace iocsim::scenario
