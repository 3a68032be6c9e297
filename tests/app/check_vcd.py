#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Validates an iocsim --vcd file against the VCD grammar (IEEE 1364 §18).

check_vcd.py VCD [--signal SCOPE.NAME]... [--toggles SCOPE.NAME]...
              [--fires SCOPE.NAME]... [--string SCOPE.NAME=VALUE]...

Declarations are balanced, every identifier is declared once and every leaf
name once in the whole file; times only grow; every value change names a
declared identifier with a value of its kind (wire, reg, event: IEEE 1364;
real; string: GTKWave's extension) and width. Each --signal exists; each
--toggles signal goes to 1 and back to 0; each --fires event triggers; each
--string signal takes the value at some time.
"""
import argparse
import re
import sys


def fail(message):
    print(f"check_vcd: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("vcd")
    parser.add_argument("--signal", action="append", default=[])
    parser.add_argument("--toggles", action="append", default=[])
    parser.add_argument("--fires", action="append", default=[])
    parser.add_argument("--string", action="append", default=[])
    args = parser.parse_args()

    tokens = open(args.vcd).read().split()
    i = 0
    scope = []
    ids = {}       # identifier -> (full name, width, kind)
    by_name = {}
    leaves = set()
    while True:
        if i >= len(tokens):
            fail("no $enddefinitions")
        t = tokens[i]
        if t in ("$comment", "$timescale", "$date", "$version"):
            end = tokens.index("$end", i)
            if t == "$timescale" and tokens[i + 1:end] != ["1ps"]:
                fail(f"timescale {tokens[i + 1:end]}")
            i = end + 1
        elif t == "$scope":
            if tokens[i + 1] != "module" or tokens[i + 3] != "$end":
                fail(f"bad $scope at token {i}")
            scope.append(tokens[i + 2])
            i += 4
        elif t == "$upscope":
            if not scope or tokens[i + 1] != "$end":
                fail("unbalanced $upscope")
            scope.pop()
            i += 2
        elif t == "$var":
            kind, width, ident, name, end = tokens[i + 1:i + 6]
            if kind not in ("wire", "reg", "real", "string", "event") or end != "$end" \
                    or not width.isdigit():
                fail(f"bad $var {tokens[i:i + 6]}")
            if ident in ids:
                fail(f"identifier {ident} declared twice")
            if name in leaves:
                fail(f"the name {name} is declared twice")
            leaves.add(name)
            full = ".".join(scope + [name])
            ids[ident] = (full, int(width), kind)
            by_name[full] = ident
            i += 6
        elif t == "$enddefinitions":
            if scope:
                fail("scope left open")
            i += 2
            break
        else:
            fail(f"unexpected token {t} in the header")

    time = -1
    history = {ident: [] for ident in ids}
    while i < len(tokens):
        t = tokens[i]
        if t.startswith("#"):
            now = int(t[1:])
            if now <= time:
                fail(f"time {now} after {time}")
            time = now
            i += 1
        elif t in ("$dumpvars", "$end"):
            i += 1
        elif t[0] in "01xz" and len(t) > 1:
            ident = t[1:]
            if ident not in ids or ids[ident][2] not in ("wire", "event") or ids[ident][1] != 1:
                fail(f"scalar change of {ident}")
            history[ident].append(t[0])
            i += 1
        elif t[0] == "b":
            ident = tokens[i + 1]
            if ident not in ids or ids[ident][2] != "reg" or not re.fullmatch("[01xz]+", t[1:]) \
                    or len(t) - 1 > ids[ident][1]:
                fail(f"vector change {t} {ident}")
            history[ident].append(t[1:])
            i += 2
        elif t[0] == "r":
            ident = tokens[i + 1]
            if ident not in ids or ids[ident][2] != "real":
                fail(f"real change {t} {ident}")
            float(t[1:])
            history[ident].append(t[1:])
            i += 2
        elif t[0] == "s":
            ident = tokens[i + 1]
            if ident not in ids or ids[ident][2] != "string" or len(t) < 2:
                fail(f"string change {t} {ident}")
            history[ident].append(t[1:])
            i += 2
        else:
            fail(f"unexpected token {t}")
    if time < 0:
        fail("no time stamps")

    strings = dict(want.split("=", 1) for want in args.string)
    for name in args.signal + args.toggles + args.fires + list(strings):
        if name not in by_name:
            fail(f"no signal {name}; signals: {sorted(by_name)[:20]}")
    for name in args.toggles:
        values = "".join(history[by_name[name]])
        if "10" not in values:
            fail(f"{name} never goes 1 then 0: {values[:40]}")
    for name in args.fires:
        if "1" not in history[by_name[name]]:
            fail(f"{name} never fires")
    for name, value in strings.items():
        if value not in history[by_name[name]]:
            fail(f"{name} is never {value}: {history[by_name[name]][:10]}")
    print(f"check_vcd: {len(ids)} signals, last time {time} ps")


main()
