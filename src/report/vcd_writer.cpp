// SPDX-License-Identifier: GPL-2.0-only
#include "report/vcd_writer.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

namespace iocsim::report {
namespace {

// Identifier codes: base-94 over the printable characters '!'..'~'.
std::string identifier(size_t index) {
  std::string id;
  do {
    id.push_back(static_cast<char>('!' + index % 94));
    index /= 94;
  } while (index);
  return id;
}

// VCD names end at whitespace; keep them readable in GTKWave too.
std::string safe(const std::string& name) {
  std::string out;
  for (char c : name)
    out.push_back((std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_');
  return out.empty() ? std::string("_") : out;
}

// A string value is one token: whitespace would end it.
std::string one_token(const std::string& value) {
  std::string out = value.empty() ? std::string("_") : value;
  for (char& c : out)
    if (std::isspace(static_cast<unsigned char>(c)) || !std::isprint(static_cast<unsigned char>(c)))
      c = '_';
  return out;
}

std::vector<std::string> split_scope(const std::string& scope) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (begin <= scope.size()) {
    const size_t dot = scope.find('.', begin);
    const size_t end = dot == std::string::npos ? scope.size() : dot;
    if (end > begin) parts.push_back(safe(scope.substr(begin, end - begin)));
    if (dot == std::string::npos) break;
    begin = dot + 1;
  }
  return parts;
}

}  // namespace

size_t VcdWriter::add(const std::string& scope, const std::string& name, Kind kind,
                      unsigned width) {
  Signal s{split_scope(scope), safe(name), kind, width, {}, {}, {}};
  const std::string base = s.name;
  for (unsigned n = 2; !declared_.insert({s.scope, s.name}).second; ++n)
    s.name = fmt::format("{}_{}", base, n);
  signals_.push_back(std::move(s));
  return signals_.size() - 1;
}

size_t VcdWriter::add_wire(const std::string& scope, const std::string& name) {
  return add(scope, name, Kind::wire, 1);
}

size_t VcdWriter::add_register(const std::string& scope, const std::string& name,
                               unsigned width) {
  return add(scope, name, Kind::reg, std::clamp(width, 1u, 64u));
}

size_t VcdWriter::add_real(const std::string& scope, const std::string& name) {
  return add(scope, name, Kind::real, 64);
}

size_t VcdWriter::add_string(const std::string& scope, const std::string& name) {
  return add(scope, name, Kind::string, 1);
}

size_t VcdWriter::add_event(const std::string& scope, const std::string& name) {
  return add(scope, name, Kind::event, 1);
}

void VcdWriter::set_value(size_t signal, uint64_t at, Value value) {
  signals_.at(signal).values.emplace_back(at, std::move(value));
}

void VcdWriter::set(size_t reg, uint64_t at, uint64_t value) { set_value(reg, at, value); }
void VcdWriter::set_real(size_t real, uint64_t at, double value) { set_value(real, at, value); }
void VcdWriter::set_string(size_t string, uint64_t at, const std::string& value) {
  set_value(string, at, one_token(value));
}

void VcdWriter::trigger(size_t event, uint64_t at) { signals_.at(event).triggers.push_back(at); }

void VcdWriter::add_interval(size_t wire, uint64_t start, uint64_t end) {
  signals_.at(wire).intervals.emplace_back(start, std::max(end, start + 1));
}

void VcdWriter::write(std::ostream& out, const std::string& comment) const {
  out << "$comment " << comment << " $end\n$timescale 1ps $end\n";
  // Signals sorted by scope so each scope is declared once.
  std::vector<size_t> order(signals_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return signals_[a].scope < signals_[b].scope; });
  std::vector<std::string> open;
  for (size_t i : order) {
    const Signal& s = signals_[i];
    size_t common = 0;
    while (common < open.size() && common < s.scope.size() && open[common] == s.scope[common])
      ++common;
    for (size_t n = open.size(); n > common; --n) out << "$upscope $end\n";
    open.resize(common);
    for (size_t n = common; n < s.scope.size(); ++n) {
      out << "$scope module " << s.scope[n] << " $end\n";
      open.push_back(s.scope[n]);
    }
    static constexpr const char* kType[] = {"wire", "reg", "real", "string", "event"};
    out << "$var " << kType[static_cast<int>(s.kind)] << ' ' << s.width << ' ' << identifier(i)
        << ' ' << s.name << " $end\n";
  }
  for (size_t n = open.size(); n > 0; --n) out << "$upscope $end\n";
  out << "$enddefinitions $end\n";

  // Per wire, +1 at each start and -1 at each end; a change is emitted when
  // the count crosses zero. A value is emitted when it changes; an event
  // every time it triggers.
  struct Change {
    size_t signal;
    int delta;                   // wires
    std::optional<Value> value;  // registers, reals, strings
  };
  std::map<uint64_t, std::vector<Change>> changes;
  for (size_t i = 0; i < signals_.size(); ++i) {
    const Signal& s = signals_[i];
    for (const auto& [start, end] : s.intervals) {
      changes[start].push_back({i, +1, std::nullopt});
      changes[end].push_back({i, -1, std::nullopt});
    }
    for (const auto& [at, value] : s.values) changes[at].push_back({i, 0, value});
    for (uint64_t at : s.triggers) changes[at].push_back({i, 0, std::nullopt});
  }
  std::vector<int> level(signals_.size(), 0);
  std::vector<std::optional<Value>> value(signals_.size());
  auto apply = [&](const Change& c) {
    if (signals_[c.signal].kind == Kind::wire) level[c.signal] += c.delta;
    else if (c.value) value[c.signal] = c.value;
  };
  auto emit = [&](size_t i) {
    const Signal& s = signals_[i];
    switch (s.kind) {
      case Kind::wire:
        out << (level[i] > 0 ? '1' : '0') << identifier(i) << '\n';
        return;
      case Kind::event:
        out << '1' << identifier(i) << '\n';
        return;
      case Kind::reg: {
        out << 'b';
        if (!value[i]) {
          out << 'x';
        } else {
          const uint64_t v = std::get<uint64_t>(*value[i]);
          const unsigned bits = std::max(1, 64 - __builtin_clzll(v | 1));
          for (unsigned b = bits; b-- > 0;) out << ((v >> b) & 1 ? '1' : '0');
        }
        out << ' ' << identifier(i) << '\n';
        return;
      }
      case Kind::real:
        out << 'r' << fmt::format("{}", std::get<double>(*value[i])) << ' ' << identifier(i)
            << '\n';
        return;
      case Kind::string:
        out << 's' << std::get<std::string>(*value[i]) << ' ' << identifier(i) << '\n';
        return;
    }
  };
  // At time 0 every wire and register is dumped, and the reals and strings
  // set by then; events at 0 follow the dump.
  std::vector<size_t> events_at_zero;
  auto at_zero = changes.find(0);
  if (at_zero != changes.end()) {
    for (const Change& c : at_zero->second) {
      apply(c);
      if (signals_[c.signal].kind == Kind::event) events_at_zero.push_back(c.signal);
    }
    changes.erase(at_zero);
  }
  out << "#0\n$dumpvars\n";
  for (size_t i = 0; i < signals_.size(); ++i) {
    const Kind kind = signals_[i].kind;
    if (kind == Kind::wire || kind == Kind::reg || (kind != Kind::event && value[i])) emit(i);
  }
  out << "$end\n";
  for (size_t i : std::set<size_t>(events_at_zero.begin(), events_at_zero.end())) emit(i);
  for (const auto& [time, list] : changes) {
    std::map<size_t, std::pair<int, std::optional<Value>>> before;
    for (const Change& c : list) {
      before.try_emplace(c.signal, level[c.signal], value[c.signal]);
      apply(c);
    }
    bool stamped = false;
    for (const auto& [i, was] : before) {
      const Kind kind = signals_[i].kind;
      const bool changed = kind == Kind::event  ? true
                           : kind == Kind::wire ? (was.first > 0) != (level[i] > 0)
                                                : was.second != value[i];
      if (!changed) continue;
      if (!stamped) out << '#' << time << '\n';
      stamped = true;
      emit(i);
    }
  }
}

}  // namespace iocsim::report
