// SPDX-License-Identifier: GPL-2.0-only
#include "scenario/steps.h"

#include <type_traits>
#include <utility>

namespace iocsim::scenario {
namespace {

template <typename T, typename = void>
struct HasContainer : std::false_type {};
template <typename T>
struct HasContainer<T, std::void_t<decltype(std::declval<const T&>().container)>>
    : std::true_type {};

template <typename T, typename = void>
struct HasDevice : std::false_type {};
template <typename T>
struct HasDevice<T, std::void_t<decltype(std::declval<const T&>().device)>> : std::true_type {};

template <typename T, typename = void>
struct HasPrincipal : std::false_type {};
template <typename T>
struct HasPrincipal<T, std::void_t<decltype(std::declval<const T&>().as)>> : std::true_type {};

template <typename T, typename = void>
struct HasExpectKeys : std::false_type {};
template <typename T>
struct HasExpectKeys<T, std::void_t<decltype(std::declval<const T&>().expect_keys())>>
    : std::true_type {};

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
  return std::visit(
      [](const auto& x) -> std::optional<std::string> {
        if constexpr (HasContainer<std::decay_t<decltype(x)>>::value) return x.container;
        else return std::nullopt;
      },
      args);
}

std::optional<size_t> Step::device() const {
  return std::visit(
      [](const auto& x) -> std::optional<size_t> {
        if constexpr (HasDevice<std::decay_t<decltype(x)>>::value) return x.device;
        else return std::nullopt;
      },
      args);
}

std::optional<size_t> Step::principal() const {
  return std::visit(
      [](const auto& x) -> std::optional<size_t> {
        if constexpr (HasPrincipal<std::decay_t<decltype(x)>>::value) return x.as;
        else return std::nullopt;
      },
      args);
}

std::vector<std::string> Step::expect_keys() const {
  return std::visit(
      [](const auto& x) -> std::vector<std::string> {
        if constexpr (HasExpectKeys<std::decay_t<decltype(x)>>::value) return x.expect_keys();
        else return x.kind().expect;
      },
      args);
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
