#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The JSON report of every bundled scenario under every policy, kernel base
and preset, as one digest per run, against a manifest kept in the repository.

    report_digests.py check  IOCSIM     fail (exit 1) if any run differs from the manifest
    report_digests.py update IOCSIM     rewrite the manifest from this build
    report_digests.py diff   IOCSIM_A IOCSIM_B [--out DIR]
                                        run both builds, keep both reports of every run
                                        that differs, and name them

A change meant to keep behaviour (a refactor, a fast path) leaves every
digest as it is; one meant to change behaviour updates the manifest in the
same commit, so the diff of the manifest says which runs changed. `diff`
shows how two builds differ, report by report.

A run is `iocsim run FILE --policy all --kernel BASE --platform PRESET
--json -`: every file under scenarios/ and tests/data/ that is a scenario
(not a study); those of scenarios/validation/ on the default preset only. The digest covers the exit status, the JSON report with
`iocsim_version` and `iocsim_commit` left out (they name the build, not the
behaviour), and, when
a run is bad input or an internal error, what it printed on stderr.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "tests" / "equivalence" / "reports.sha256"
BASES = ["v6.9", "v6.18"]


def presets():
    return sorted(p.stem for p in (ROOT / "platform" / "presets").glob("*.yaml"))


def scenarios():
    files = []
    for folder in ("scenarios", "tests/data"):
        for path in sorted((ROOT / folder).rglob("*.yaml")):
            with open(path) as f:
                if any(line.startswith("study:") for line in f):
                    continue
            files.append(path.relative_to(ROOT).as_posix())
    return files


def runs():
    # A validation file reproduces a measurement of the machine the default
    # preset stands for; on another preset it answers nothing, at the cost
    # of its size (16 GiB guests), so it runs on the default preset only.
    return [(f, b, p) for f in scenarios() for b in BASES for p in presets()
            if p == "default" or not f.startswith("scenarios/validation/")]


BUILD_KEYS = ("iocsim_version", "iocsim_commit")


def without_version(value):
    if isinstance(value, dict):
        return {k: without_version(v) for k, v in value.items() if k not in BUILD_KEYS}
    if isinstance(value, list):
        return [without_version(v) for v in value]
    return value


def execute(iocsim, run):
    """(exit status, canonical report text) of one run."""
    scenario, base, preset = run
    proc = subprocess.run(
        [iocsim, "run", scenario, "--policy", "all", "--kernel", base, "--platform", preset,
         "--json", "-", "-q"],
        cwd=ROOT, capture_output=True, text=True)
    text = ""
    if proc.stdout.strip():
        text = json.dumps(without_version(json.loads(proc.stdout)), sort_keys=True, indent=1)
    if proc.returncode >= 2:
        text += "\n--- stderr ---\n" + proc.stderr
    return proc.returncode, text


def digest(result):
    code, text = result
    return hashlib.sha256(f"exit {code}\n{text}".encode()).hexdigest()


def key(run):
    return " ".join(run)


def all_results(iocsim):
    jobs = os.cpu_count() or 2
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        todo = runs()
        return dict(zip(map(key, todo), pool.map(lambda r: execute(iocsim, r), todo)))


def read_manifest():
    digests = {}
    with open(MANIFEST) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            value, name = line.rstrip("\n").split("  ", 1)
            digests[name] = value
    return digests


def check(iocsim):
    want = read_manifest()
    got = {name: digest(result) for name, result in all_results(iocsim).items()}
    problems = []
    for name in sorted(set(want) | set(got)):
        if name not in got:
            problems.append(f"in the manifest, no longer a run: {name}")
        elif name not in want:
            problems.append(f"a run the manifest lacks: {name}")
        elif want[name] != got[name]:
            problems.append(f"report differs: {name}")
    for p in problems:
        print(f"report_digests: {p}")
    print(f"report_digests: {len(got)} runs, {len(problems)} differ from {MANIFEST.name}")
    if problems:
        print("report_digests: a change meant to keep behaviour must leave every report as it "
              "was; one that changes behaviour runs `report_digests.py update` and says why "
              "(`report_digests.py diff OLD NEW` shows the differences)")
    return 1 if problems else 0


def update(iocsim):
    got = {name: digest(result) for name, result in all_results(iocsim).items()}
    with open(MANIFEST, "w") as f:
        f.write("# SHA-256 of each run's exit status and JSON report (tests/equivalence/"
                "report_digests.py):\n# FILE BASE PRESET under --policy all. "
                "Regenerate with `report_digests.py update IOCSIM`.\n")
        for name in sorted(got):
            f.write(f"{got[name]}  {name}\n")
    print(f"report_digests: {len(got)} runs written to {MANIFEST.relative_to(ROOT)}")
    return 0


def diff(a, b, out):
    first, second = all_results(a), all_results(b)
    out.mkdir(parents=True, exist_ok=True)
    differing = 0
    for name in sorted(first):
        if first[name] == second[name]:
            continue
        differing += 1
        stem = name.replace("/", "_").replace(" ", "_")
        for label, result in (("a", first[name]), ("b", second[name])):
            (out / f"{stem}.{label}.json").write_text(f"exit {result[0]}\n{result[1]}")
        print(f"report_digests: differs: {name} (exit {first[name][0]} vs {second[name][0]})")
    print(f"report_digests: {len(first)} runs compared, {differing} differ"
          + (f" (both reports of each in {out})" if differing else ""))
    return 1 if differing else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("check", "update"):
        sub.add_parser(name).add_argument("iocsim")
    d = sub.add_parser("diff")
    d.add_argument("iocsim_a")
    d.add_argument("iocsim_b")
    d.add_argument("--out", type=Path, default=Path("report-diff"))
    args = parser.parse_args()
    if args.command == "check":
        return check(os.path.abspath(args.iocsim))
    if args.command == "update":
        return update(os.path.abspath(args.iocsim))
    return diff(os.path.abspath(args.iocsim_a), os.path.abspath(args.iocsim_b), args.out)


if __name__ == "__main__":
    sys.exit(main())
