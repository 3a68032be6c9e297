#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Validates an iocsim --trace file as Perfetto's JSON importer reads it.

check_trace.py TRACE [--track PROCESS/THREAD-PREFIX]... [--slice NAME]...

Every event has the fields its phase needs; slices (ph X) on one track nest
properly (Perfetto drops slices that overlap without nesting); every track
named on the command line exists (its thread name starts with the prefix)
and every --slice name occurs.
"""
import argparse
import json
import sys
from collections import defaultdict


def fail(message):
    print(f"check_trace: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("trace")
    parser.add_argument("--track", action="append", default=[])
    parser.add_argument("--slice", action="append", default=[])
    args = parser.parse_args()

    with open(args.trace) as f:
        trace = json.load(f)
    events = trace.get("traceEvents")
    if not isinstance(events, list) or not events:
        fail("no traceEvents")

    processes, threads = {}, {}
    slices = defaultdict(list)
    names = set()
    for e in events:
        ph = e.get("ph")
        if ph == "M":
            if e["name"] == "process_name":
                processes[e["pid"]] = e["args"]["name"]
            elif e["name"] == "thread_name":
                threads[(e["pid"], e["tid"])] = e["args"]["name"]
            else:
                fail(f"unknown metadata {e['name']}")
        elif ph == "X":
            for key in ("name", "pid", "tid", "ts", "dur"):
                if key not in e:
                    fail(f"slice without {key}: {e}")
            if e["ts"] < 0 or e["dur"] < 0:
                fail(f"negative time: {e}")
            slices[(e["pid"], e["tid"])].append((e["ts"], e["ts"] + e["dur"], e["name"]))
            names.add(e["name"])
        elif ph == "i":
            if e.get("s") not in ("t", "p", "g") or "ts" not in e:
                fail(f"bad instant event: {e}")
            names.add(e["name"])
        else:
            fail(f"unexpected phase {ph}")

    # Proper nesting per track: sorted by start (longest first on ties), a
    # slice must end before the enclosing one does, or start after it ended.
    # A relative tolerance absorbs the microsecond rounding of ps times.
    for track, list_ in slices.items():
        if track not in threads:
            fail(f"slices on unnamed track {track}")
        stack = []
        for start, end, name in sorted(list_, key=lambda s: (s[0], -s[1])):
            while stack and stack[-1][1] <= start + 1e-9:
                stack.pop()
            if stack and end > stack[-1][1] + 1e-9:
                fail(f"'{name}' [{start}, {end}] overlaps '{stack[-1][2]}' on {threads[track]}")
            stack.append((start, end, name))

    for want in args.track:
        process, _, prefix = want.partition("/")
        if not any(processes.get(pid) == process and name.startswith(prefix)
                   for (pid, _), name in threads.items()):
            fail(f"no track {want}; tracks: {sorted(threads.values())[:20]}")
    for want in args.slice:
        if want not in names:
            fail(f"no event named {want}")
    print(f"check_trace: {len(events)} events on {len(threads)} tracks")


main()
