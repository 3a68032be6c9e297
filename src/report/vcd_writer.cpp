// SPDX-License-Identifier: GPL-2.0-only
#include "report/vcd_writer.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>

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

size_t VcdWriter::add_wire(const std::string& scope, const std::string& name) {
  wires_.push_back({split_scope(scope), safe(name), 1, {}, {}});
  return wires_.size() - 1;
}

size_t VcdWriter::add_register(const std::string& scope, const std::string& name,
                               unsigned width) {
  wires_.push_back({split_scope(scope), safe(name), std::clamp(width, 1u, 64u), {}, {}});
  return wires_.size() - 1;
}

void VcdWriter::set(size_t reg, uint64_t at, uint64_t value) {
  wires_.at(reg).values.emplace_back(at, value);
}

void VcdWriter::add_interval(size_t wire, uint64_t start, uint64_t end) {
  wires_.at(wire).intervals.emplace_back(start, std::max(end, start + 1));
}

void VcdWriter::write(std::ostream& out, const std::string& comment) const {
  out << "$comment " << comment << " $end\n$timescale 1ps $end\n";
  // Wires sorted by scope so each scope is declared once.
  std::vector<size_t> order(wires_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return wires_[a].scope < wires_[b].scope; });
  std::vector<std::string> open;
  for (size_t i : order) {
    const Wire& w = wires_[i];
    size_t common = 0;
    while (common < open.size() && common < w.scope.size() && open[common] == w.scope[common])
      ++common;
    for (size_t n = open.size(); n > common; --n) out << "$upscope $end\n";
    open.resize(common);
    for (size_t n = common; n < w.scope.size(); ++n) {
      out << "$scope module " << w.scope[n] << " $end\n";
      open.push_back(w.scope[n]);
    }
    out << (w.width == 1 ? "$var wire 1 " : "$var reg " + std::to_string(w.width) + ' ')
        << identifier(i) << ' ' << w.name << " $end\n";
  }
  for (size_t n = open.size(); n > 0; --n) out << "$upscope $end\n";
  out << "$enddefinitions $end\n";

  // Per wire, +1 at each start and -1 at each end; a change is emitted when
  // the count crosses zero. A register's value is emitted when it changes.
  struct Change {
    size_t signal;
    int delta;       // wires
    uint64_t value;  // registers
  };
  std::map<uint64_t, std::vector<Change>> changes;
  for (size_t i = 0; i < wires_.size(); ++i) {
    for (const auto& [start, end] : wires_[i].intervals) {
      changes[start].push_back({i, +1, 0});
      changes[end].push_back({i, -1, 0});
    }
    for (const auto& [at, value] : wires_[i].values) changes[at].push_back({i, 0, value});
  }
  std::vector<int> level(wires_.size(), 0);
  std::vector<std::optional<uint64_t>> value(wires_.size());
  auto apply = [&](const Change& c) {
    if (wires_[c.signal].width == 1)
      level[c.signal] += c.delta;
    else
      value[c.signal] = c.value;
  };
  auto emit = [&](size_t i) {
    if (wires_[i].width == 1) {
      out << (level[i] > 0 ? '1' : '0') << identifier(i) << '\n';
      return;
    }
    out << 'b';
    if (!value[i]) {
      out << 'x';
    } else {
      const unsigned bits = std::max(1, 64 - __builtin_clzll(*value[i] | 1));
      for (unsigned b = bits; b-- > 0;) out << ((*value[i] >> b) & 1 ? '1' : '0');
    }
    out << ' ' << identifier(i) << '\n';
  };

  auto at_zero = changes.find(0);
  if (at_zero != changes.end()) {
    for (const Change& c : at_zero->second) apply(c);
    changes.erase(at_zero);
  }
  out << "#0\n$dumpvars\n";
  for (size_t i = 0; i < wires_.size(); ++i) emit(i);
  out << "$end\n";
  for (const auto& [time, list] : changes) {
    std::map<size_t, std::pair<int, std::optional<uint64_t>>> before;
    for (const Change& c : list) {
      before.try_emplace(c.signal, level[c.signal], value[c.signal]);
      apply(c);
    }
    bool stamped = false;
    for (const auto& [i, was] : before) {
      const bool changed = wires_[i].width == 1 ? (was.first > 0) != (level[i] > 0)
                                                 : was.second != value[i];
      if (!changed) continue;
      if (!stamped) out << '#' << time << '\n';
      stamped = true;
      emit(i);
    }
  }
}

}  // namespace iocsim::report
