#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Validates an iocsim --trace file as Perfetto's JSON importer reads it.

check_trace.py TRACE [--track PROCESS/THREAD-PREFIX]... [--slice NAME]...
                [--counter NAME-PREFIX]... [--flows]

Every event has the fields its phase needs; slices (ph X) on one track nest
properly (Perfetto drops slices that overlap without nesting); each flow
arrow has its start (ph s) and its finish (ph f, bound to the enclosing
slice) inside a slice of their tracks; counters (ph C) have numeric values.
Every track named on the command line exists (its thread name starts with
the prefix), every --slice name occurs, every --counter has points, and with
--flows there is at least one flow arrow.
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
    parser.add_argument("--counter", action="append", default=[])
    parser.add_argument("--flows", action="store_true")
    args = parser.parse_args()

    with open(args.trace) as f:
        trace = json.load(f)
    events = trace.get("traceEvents")
    if not isinstance(events, list) or not events:
        fail("no traceEvents")

    processes, threads = {}, {}
    slices = defaultdict(list)
    names = set()
    flows = defaultdict(dict)  # id -> phase -> (track, ts)
    counters = defaultdict(int)
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
        elif ph in ("s", "f"):
            for key in ("name", "cat", "id", "pid", "tid", "ts"):
                if key not in e:
                    fail(f"flow event without {key}: {e}")
            if ph == "f" and e.get("bp") != "e":
                fail(f"flow finish not bound to its enclosing slice: {e}")
            if ph in flows[e["id"]]:
                fail(f"flow {e['id']} has two events of phase {ph}")
            flows[e["id"]][ph] = ((e["pid"], e["tid"]), e["ts"])
        elif ph == "C":
            for key in ("name", "pid", "ts", "args"):
                if key not in e:
                    fail(f"counter without {key}: {e}")
            if not e["args"] or not all(isinstance(v, (int, float)) for v in e["args"].values()):
                fail(f"counter without numeric values: {e}")
            counters[e["name"]] += 1
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

    # Perfetto binds a flow's ends to the slices enclosing them on their tracks.
    for flow_id, ends in flows.items():
        if set(ends) != {"s", "f"}:
            fail(f"flow {flow_id} has only {sorted(ends)}")
        for ph, (track, ts) in ends.items():
            if not any(start - 1e-9 <= ts <= end + 1e-9 for start, end, _ in slices[track]):
                fail(f"flow {flow_id} ({ph}) at {ts} is in no slice of track {track}")
    if args.flows and not flows:
        fail("no flow arrows")
    for want in args.counter:
        if not any(name.startswith(want) for name in counters):
            fail(f"no counter {want}; counters: {sorted(counters)}")

    for want in args.track:
        process, _, prefix = want.partition("/")
        if not any(processes.get(pid) == process and name.startswith(prefix)
                   for (pid, _), name in threads.items()):
            fail(f"no track {want}; tracks: {sorted(threads.values())[:20]}")
    for want in args.slice:
        if want not in names:
            fail(f"no event named {want}")
    print(f"check_trace: {len(events)} events on {len(threads)} tracks, "
          f"{len(flows)} flows, {len(counters)} counters")


main()
