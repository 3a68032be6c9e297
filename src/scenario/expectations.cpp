// SPDX-License-Identifier: GPL-2.0-only
#include "scenario/expectations.h"

#include <array>
#include <cctype>

#include <fmt/format.h>

#include "analysis/flush_ledger.h"
#include "analysis/hazards.h"
#include "vfio/flush_sites.h"

namespace iocsim::scenario {
namespace {

struct OpText {
  std::string_view text;
  Comparison::Op op;
};

// Longest first, so "<=" is not read as "<" followed by "=".
constexpr std::array<OpText, 6> kOps{{{"==", Comparison::Op::eq},
                                      {"!=", Comparison::Op::ne},
                                      {"<=", Comparison::Op::le},
                                      {">=", Comparison::Op::ge},
                                      {"<", Comparison::Op::lt},
                                      {">", Comparison::Op::gt}}};

const char* op_text(Comparison::Op op) {
  for (const auto& o : kOps)
    if (o.op == op) return o.text.data();
  return "?";
}

}  // namespace

bool Comparison::holds(uint64_t actual) const {
  switch (op) {
    case Op::eq: return actual == value;
    case Op::ne: return actual != value;
    case Op::lt: return actual < value;
    case Op::le: return actual <= value;
    case Op::gt: return actual > value;
    case Op::ge: return actual >= value;
  }
  return false;
}

std::string format_quantity(uint64_t value, Quantity quantity) {
  switch (quantity) {
    case Quantity::count: return fmt::format("{}", value);
    case Quantity::bytes: return units::format_size(value);
    case Quantity::picos:
      if (value % 1000 == 0) return fmt::format("{}ns", value / 1000);
      return fmt::format("{}ps", value);
  }
  return "";
}

std::string Comparison::describe() const {
  return fmt::format("{} {}", op_text(op), format_quantity(value, quantity));
}

units::Parsed<Comparison> parse_comparison(std::string_view text, Quantity quantity) {
  using Result = units::Parsed<Comparison>;
  Comparison c;
  c.quantity = quantity;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  bool has_op = false;
  for (const auto& o : kOps) {
    if (text.substr(0, o.text.size()) == o.text) {
      c.op = o.op;
      text.remove_prefix(o.text.size());
      has_op = true;
      break;
    }
  }
  if (!has_op && !text.empty() && !std::isdigit(static_cast<unsigned char>(text.front())))
    return Result::failure(fmt::format(
        "'{}' is neither a value nor a comparison such as \">0\", \"<=4KiB\" or \"==0\"", text));
  switch (quantity) {
    case Quantity::count: {
      auto n = units::parse_integer(text);
      if (!n) return Result::failure(n.error());
      c.value = *n;
      break;
    }
    case Quantity::bytes: {
      auto n = units::parse_size(text);
      if (!n) return Result::failure(n.error());
      c.value = *n;
      break;
    }
    case Quantity::picos: {
      // A bare number is nanoseconds; otherwise a time with its unit.
      std::string with_unit(text);
      while (!with_unit.empty() && std::isspace(static_cast<unsigned char>(with_unit.back())))
        with_unit.pop_back();
      if (!with_unit.empty() && (std::isdigit(static_cast<unsigned char>(with_unit.back())) ||
                                 with_unit.back() == '.'))
        with_unit += "ns";
      auto d = units::parse_duration(with_unit);
      if (!d) return Result::failure(d.error());
      if (d->in_cycles)
        return Result::failure("write expected times in ns, us, ms or s, not cycles");
      c.value = d->amount;
      break;
    }
  }
  return c;
}

std::vector<std::string> run_keys() {
  std::vector<std::string> keys;
  for (const analysis::CounterInfo& c : analysis::kCounters) keys.emplace_back(c.key);
  for (const analysis::FlushField& f : analysis::kFlushFields)
    keys.push_back(fmt::format("flush.{}", f.name));
  keys.insert(keys.end(), {"max_window_ns", "sim_time_ns", "invariants"});
  for (const vfio::FlushSiteInfo& site : vfio::kFlushSites)
    for (const analysis::FlushField& f : analysis::kFlushFields)
      keys.push_back(fmt::format("flush.by_site.{}.{}", site.name, f.name));
  return keys;
}

std::optional<Quantity> run_key_quantity(std::string_view key) {
  for (const analysis::CounterInfo& c : analysis::kCounters)
    if (key == c.key) return Quantity::count;
  if (key == "max_window_ns" || key == "sim_time_ns") return Quantity::picos;
  for (const analysis::FlushField& f : analysis::kFlushFields) {
    if (key == fmt::format("flush.{}", f.name)) return f.quantity;
    for (const vfio::FlushSiteInfo& site : vfio::kFlushSites)
      if (key == fmt::format("flush.by_site.{}.{}", site.name, f.name)) return f.quantity;
  }
  return std::nullopt;
}

}  // namespace iocsim::scenario
