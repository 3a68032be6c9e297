#!/usr/bin/env bash
# Command-line tests of the iocsim binary: cli_test.sh IOCSIM ROOT CASE
set -uo pipefail
iocsim=$1
root=$2
case_name=$3
seed=$root/scenarios/seed/leak-on-noncoherent-map.yaml
data=$root/tests/data
out=$(mktemp)
err=$(mktemp)
trap 'rm -rf "$out" "$err" "$out".*' EXIT

fail() {
  echo "FAIL: $*"
  echo "--- stdout"; cat "$out"
  echo "--- stderr"; cat "$err"
  exit 1
}
# expect_exit CODE ARGS...: runs iocsim, requires exit status CODE.
expect_exit() {
  local want=$1
  shift
  "$iocsim" "$@" >"$out" 2>"$err"
  local got=$?
  [ "$got" -eq "$want" ] || fail "iocsim $* exited $got, expected $want"
}
contains() { grep -qF -- "$2" "$1" || fail "expected '$2' in $1"; }
# A 2 GB address-space limit, except under AddressSanitizer (its shadow
# memory alone reserves terabytes of address space).
limit_memory() { [ -n "${IOCSIM_SANITIZED:-}" ] || ulimit -v 2000000; }

case "$case_name" in
  version)
    expect_exit 0 --version
    contains "$out" "iocsim "
    ;;
  help)
    expect_exit 0 run --help
    contains "$out" "Example: iocsim run scenarios/seed/leak-on-noncoherent-map.yaml --policy all"
    ;;
  seed_all)
    expect_exit 0 run "$seed" --policy all
    contains "$out" "posted-v1"
    grep -Eq '^leaks \(lines\) +32768 +0 +0 +0 +0 +0 +0$' "$out" || fail "the comparison table does not show the leak"
    # Windows by kind: the leak only upstream, the IOTLB sync window under all.
    grep -Eq '^leak windows +32768 +0 +0 +0 +0 +0 +0$' "$out" || fail "no leak windows row"
    # A window per line, merged into a run per page (the guest's frames are scattered).
    grep -Eq '^  runs +512 +- +- +- +- +- +-$' "$out" || fail "no leak runs row"
    grep -Eq '^  quickest hit +37.6 us +- +- +- +- +- +-$' "$out" || fail "no quickest hit row"
    grep -Eq '^stale_iotlb_access windows( +128){7}$' "$out" || fail "no IOTLB windows row"
    # Sizes in their largest unit, flush cost by site, the scenario's own flush step.
    grep -Eq '^flush bytes +0 +~4.02MiB +~4.02MiB +~2.01MiB ' "$out" || fail "no flush bytes row"
    grep -Eq '^  bytes at unpin +0 +2MiB +2MiB +0 ' "$out" || fail "no unpin site row"
    grep -Eq "^scenario's flush steps' time +67.2 us " "$out" || fail "no flush step row"
    grep -Eq '^expectations passed +11/11 +12/12 +9/9 ' "$out" || fail "no expectations row"
    ;;
  text_windows)
    expect_exit 0 run "$seed" --policy none
    # The kernel flushed nothing, the scenario's clwb step did.
    contains "$out" "  (the kernel flushed nothing)"
    grep -Eq '^  steps +1 +2MiB +32768 +32768 +67.2 us +-$' "$out" || fail "no flush step row"
    grep -Eq '^  leak +512 +32768 +32768 +418 us +[0-9.]+ us$' "$out" || fail "no leak row in the windows table"
    # The two probe pages' windows: one run.
    grep -Eq '^  stale_device_read +1 +128 +0 +[0-9.]+ ns +-$' "$out" || fail "no probe-page row"
    contains "$out" "longest: 418 us, leak of vm-a's data to gpu0 at pa 0x187f000 (iova 0x180000, 4KiB)"
    ;;
  validation_report)
    data=$root/tests/data/validation-steps.yaml
    expect_exit 0 run "$data" --json "$out.json" -v
    python3 - "$out.json" <<'PY' || fail "the validation entries are not what docs/format.md 5 says"
import json, sys
r = json.load(open(sys.argv[1]))
v = r["validation"]
steps = {s["name"]: s for s in r["steps"] if s["name"]}
took = steps["map"]["end_ns"] - steps["map"]["start_ns"]
assert v[0]["step"] == 3 and v[0]["kernel"] is None and v[0]["published_ns"] == 10000
assert abs(v[0]["iocsim_ns"] - took) < 1e-6 and abs(v[0]["ratio"] - took / 10000) < 1e-9
assert v[0]["source"] == "test data" and v[0]["machine"] == "none"
# The unmap's entry is for v6.18: a v6.9 run has no value for it.
assert v[1]["kernel"] == "v6.18" and v[1]["iocsim_ns"] is None and v[1]["ratio"] is None
PY
    contains "$out" "Validation: steps against published measurements of real machines"
    grep -Eq '^  step 4 +published +20.0 us +iocsim - \(for v6.18\) +ratio +- +unmap 8 MiB$' "$out" \
      || fail "no row for the entry of the other base"
    "$root/tools/validate" --iocsim "$iocsim" "$data" >"$out" 2>"$err" || fail "tools/validate failed"
    grep -Eq '^    published +10 us +iocsim +[0-9.]+ [mu]?s +ratio [0-9.]+$' "$out" \
      || fail "tools/validate has no value for the map"
    grep -Eq '^    published +20 us +iocsim +[0-9.]+ [mu]?s +ratio [0-9.]+$' "$out" \
      || fail "tools/validate did not run the v6.18 entry on v6.18"
    ;;
  validation_bad)
    printf '%s\n' 'scenario: v' 'principals: {vm: {}}' 'steps:' \
      '  - touch: {as: vm, va: 0x1000, size: 4KiB, name: t}' 'validation:' \
      '  - {what: w, step: nope, published: 1ms, source: s}' \
      '  - {what: w, step: t, published: 9cycles, source: s}' '  - {what: w, step: t}' >"$out.yaml"
    expect_exit 2 run "$out.yaml"
    contains "$err" "$out.yaml:6:21: error: no step is named 'nope'"
    contains "$err" "$out.yaml:7:35: error: published must be a time"
    contains "$err" "$out.yaml:8:5: error: a validation entry needs 'published'"
    ;;
  json_valid)
    expect_exit 0 run "$seed" --policy all --json -
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert [r["policy"] for r in d["runs"]] == ["none", "posted-v1", "review-v2", "map-only", "eager-unmap", "wbinvd", "nosnoop-off"]; assert d["comparison"]["metrics"]["leaks"]["posted-v1"] == 0' "$out" \
      || fail "the JSON is not what docs/format.md 5 says"
    ;;
  provenance)
    # The commit the binary was built from and every parameter's resolved
    # value, --set's included; --version names the commit too.
    expect_exit 0 --version
    contains "$out" "(commit "
    expect_exit 0 run "$seed" --set llc.ways=16 --json -
    "$iocsim" params >"$out.params" 2>/dev/null
    python3 - "$out" "$out.params" <<'PY' || fail "the report does not carry its provenance"
import json, re, sys
report = json.load(open(sys.argv[1]))
assert re.fullmatch(r"([0-9a-f]{40}(-dirty)?|unknown)", report["iocsim_commit"]), report["iocsim_commit"]
params = report["platform"]["params"]
assert params["llc.ways"] == "16", params["llc.ways"]
assert params["llc.size"] == "12MiB", params["llc.size"]
# One value for every parameter `iocsim params` lists.
listed = {line.split()[0] for line in open(sys.argv[2]) if re.match(r"[a-z0-9]+\.[A-Za-z0-9_.]+ ", line)}
assert listed and listed == set(params), sorted(listed ^ set(params))[:5]
PY
    ;;
  diff_reports)
    "$iocsim" run "$seed" --json "$out.none.json" >/dev/null 2>&1
    "$iocsim" run "$seed" --policy posted-v1 --json "$out.posted.json" >/dev/null 2>&1
    expect_exit 1 diff "$out.none.json" "$out.posted.json"
    contains "$out" "policy            none  posted-v1"
    grep -qE '^leaks +32768 +0  -32768 \(-100\.0%\)$' "$out" || fail "no leaks row"
    grep -qE '^flush\.by_site\.map\.bytes +0 +2MiB  \+2MiB$' "$out" || fail "no flush row by site"
    grep -qE '^leak windows +32768 +0 ' "$out" || fail "no windows row by kind"
    grep -qE '^  runs +512 +0 ' "$out" || fail "no runs row by kind"
    expect_exit 0 diff "$out.none.json" "$out.none.json"
    contains "$out" "The reports agree on every input and on all"
    # Not JSON: its position; JSON but not a report: the field it lacks.
    printf '{"counts": {\n  "leaks": 1,\n' >"$out.bad.json"
    expect_exit 2 diff "$out.none.json" "$out.bad.json"
    grep -qE "^$out.bad.json:3:1: error: not JSON: " "$err" || fail "no position of the JSON error"
    echo '{"runs": [{"scenario": "s", "policy": "none"}]}' >"$out.other.json"
    expect_exit 2 diff "$out.other.json" "$out.none.json"
    contains "$err" "$out.other.json:1:1: error: not an iocsim report: it has no \"runs[0].kernel_base\""
    ;;
  deterministic)
    "$iocsim" run "$seed" --json "$out.1" >/dev/null 2>&1
    "$iocsim" run "$seed" --json "$out.2" >/dev/null 2>&1
    cmp -s "$out.1" "$out.2" || fail "two runs of the same scenario gave different JSON"
    ;;
  failing_expectation)
    expect_exit 1 run "$data/failing-expectation.yaml"
    contains "$out" "FAILED end of run: expected leaks == 0, got 1024"
    ;;
  bad_input_position)
    expect_exit 2 run "$data/bad-unit.yaml"
    [ "$(cat "$err")" = "$data/bad-unit.yaml:4:45: error: size: ambiguous size unit 'M': write a binary unit such as KiB, MiB or GiB" ] \
      || fail "unexpected error line"
    [ ! -s "$out" ] || fail "nothing may be simulated on bad input"
    ;;
  bad_policy)
    expect_exit 2 run "$seed" --policy posted-v2
    contains "$err" "<command-line>:1:"
    contains "$err" "unknown policy 'posted-v2' (did you mean 'posted-v1'?)"
    ;;
  bad_platform)
    expect_exit 2 run "$seed" --platform defualt
    contains "$err" "<command-line>:1:$((${#seed} + 24)): error: --platform: unknown platform preset 'defualt' (did you mean 'default'?)"
    ;;
  platform_print)
    expect_exit 0 platform
    contains "$out" "platform default: Client CPU"
    grep -Eq '^  dmar-gfx -> memory +No-Snoop DMA +30.00 ns$' "$out" || fail "no No-Snoop idle path"
    grep -Eq '^  iommu.iotlb.entries +128$' "$out" || fail "no parameter list"
    # PCIe 4.0 x4: 24 B up, 84 B down, 100 ns each way, DRAM 30 ns: 243.71 ns;
    # 64 of every 84 bytes of 7.88 GB/s: 6.00 GB/s.
    grep -Eq '^  idle 64-byte read via dmar-gfx +No-Snoop DMA +243.71 ns$' "$out" \
      || fail "no idle device read"
    grep -Eq '^  streaming 64-byte reads +6.00 GB/s ' "$out" || fail "no streaming device rate"
    ;;
  platform_dot)
    expect_exit 0 platform default --dot "$out.dot"
    # four cores -> llc -> memory, and two units to llc and to memory
    [ "$(grep -c -- '->' "$out.dot")" -eq 9 ] || fail "expected 9 links in the DOT file"
    grep -q '^digraph G {$' "$out.dot" || fail "not a DOT digraph"
    ;;
  platform_unknown)
    expect_exit 2 platform defualt
    [ "$(cat "$err")" = "<command-line>:1:17: error: unknown platform preset 'defualt' (did you mean 'default'?) (presets: arm-smmu, default, server; or a path to a YAML file)" ] \
      || fail "unexpected error line"
    ;;
  syscall_cost)
    expect_exit 0 run "$data/syscall-steps.yaml" --set sw.syscall=1us --json "$out.json"
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); t = {s["op"]: s["end_ns"] - s["start_ns"] for s in d["steps"]}; assert t["open"] == t["info"] == t["extension"] == 1000.0, t' "$out.json" \
      || fail "an ioctl step does not take sw.syscall"
    ;;
  kmap_cost)
    # posted-v1 flushes the 512 mapped pages once at map: each page is kmapped once.
    expect_exit 0 run "$seed" --policy posted-v1 --set sw.kmap_page=0ns --json "$out.0"
    expect_exit 0 run "$seed" --policy posted-v1 --set sw.kmap_page=1us --json "$out.1"
    python3 -c 'import json, sys; ns = [json.load(open(f))["flush"]["by_site"]["map"]["cpu_ns"] for f in sys.argv[1:]]; assert abs(ns[1] - ns[0] - 512 * 1000) < 1e-6, ns' "$out.0" "$out.1" \
      || fail "the map-time flush does not pay sw.kmap_page per page"
    ;;
  bad_set)
    expect_exit 2 run "$seed" --set llc.sise=8MiB
    contains "$err" "error: --set 'llc.sise=8MiB': unknown parameter 'llc.sise' (did you mean 'llc.size'?)"
    ;;
  missing_file)
    expect_exit 2 run "$data/no-such-file.yaml"
    contains "$err" "no-such-file.yaml:1:1: error: cannot read the file"
    ;;
  check_passes)
    # Its expect block names none, posted-v1 and all: all is every policy.
    expect_exit 0 check "$seed"
    for policy in none posted-v1 review-v2 map-only eager-unmap wbinvd nosnoop-off; do
      contains "$out" "PASS  $seed [$policy]"
    done
    contains "$out" "7 passed, 0 failed"
    # A file that names one policy and not all runs under that one only.
    expect_exit 1 check "$data/failing-expectation.yaml"
    contains "$out" "0 passed, 1 failed"
    ;;
  check_fails)
    expect_exit 1 check "$data/failing-expectation.yaml"
    contains "$out" "FAIL  $data/failing-expectation.yaml [none] end of run: expected leaks == 0, got 1024"
    ;;
  trace_valid)
    expect_exit 0 run "$seed" --policy none --trace "$out.json" -q
    python3 "$root/tests/app/check_trace.py" "$out.json" --track "CPU/core 0" \
      --track "DMA/gpu0: steps" --track "exposure/gpu0: leak" \
      --slice "leak" --slice "map" --slice "first hit" --flows \
      --counter "open runs: leak" --counter "dirty lines" --counter "DRAM read (GB/s)" \
      --counter "DRAM write (GB/s)" --counter "IOTLB hit rate (%): gpu0" >"$out" 2>"$err" \
      || fail "the trace is not valid"
    ;;
  trace_scales)
    # Steps on the cores they ran on; a device's windows as runs on one
    # track per kind, not a track per page (this scenario's 641 runs of
    # windows cover 642 pages); the device read that hit a leak window drawn
    # as a flow arrow from the DMA track.
    expect_exit 0 run "$root/scenarios/seed/dirty-in-another-core.yaml" --trace "$out.json" -q
    python3 "$root/tests/app/check_trace.py" "$out.json" --track "CPU/core 1" \
      --track "CPU/core 2" --track "CPU/core 3" --flows >"$out" 2>"$err" \
      || fail "the trace is not valid"
    python3 - "$out.json" <<'PY' || fail "the trace does not scale as it should"
import json, sys
events = json.load(open(sys.argv[1]))["traceEvents"]
tracks = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
          if e["ph"] == "M" and e["name"] == "thread_name"}
exposure = sorted(name for (pid, _), name in tracks.items() if pid == 3)
assert exposure == ["gpu0: leak", "gpu0: stale_device_read", "gpu0: stale_iotlb_access"], exposure
touch = [e for e in events if e["ph"] == "X" and e["name"] == "touch"]
assert {tracks[(e["pid"], e["tid"])] for e in touch} == {"core 1", "core 2"}, touch
leak = [e for e in events if e["ph"] == "X" and e["pid"] == 3 and e["name"] == "leak"]
assert sum(e["args"]["windows"] for e in leak) == 512 * 64, leak
starts = [e for e in events if e["ph"] == "s"]
assert any(tracks[(e["pid"], e["tid"])] == "gpu0: steps" for e in starts), starts
PY
    ;;
  trace_probe)
    # Seed scenario 8 as Perfetto shows it: the prober's faulted reads before
    # the map and its reads after, the faults, and the windows with hits.
    expect_exit 0 run "$root/scenarios/seed/malicious-probe-during-map.yaml" --trace "$out.json" -q
    python3 "$root/tests/app/check_trace.py" "$out.json" --track "DMA/gpu0: prober" \
      --track "DMA/gpu0: IOMMU faults" --track "exposure/gpu0: leak" \
      --slice "read (faulted)" --slice "read" --slice "fault" --slice "leak" \
      --slice "first hit" --flows >"$out" 2>"$err" \
      || fail "the probe trace is not what Perfetto should show"
    ;;
  trace_per_policy)
    mkdir "$out.d"
    expect_exit 0 run "$seed" --policy all --trace "$out.d/trace.json" --vcd "$out.d/wave" -q
    for policy in none posted-v1 review-v2 map-only eager-unmap wbinvd nosnoop-off; do
      [ -s "$out.d/trace.$policy.json" ] || fail "no trace for $policy"
      [ -s "$out.d/wave.$policy" ] || fail "no waveform for $policy"
    done
    python3 "$root/tests/app/check_trace.py" "$out.d/trace.posted-v1.json" \
      --slice "flush at map" --slice "flush at unpin" >"$out" 2>"$err" \
      || fail "the posted-v1 trace shows no flush calls"
    rm -r "$out.d"
    ;;
  vcd_valid)
    expect_exit 0 run "$seed" --policy none --vcd "$out.vcd" -q
    python3 "$root/tests/app/check_vcd.py" "$out.vcd" --signal cpu.core0_flushing \
      --string "cpu.core0_step=6:map" --toggles dma.gpu0_steps \
      --toggles exposure.gpu0_leak --signal exposure.gpu0_leak_open \
      --fires exposure.gpu0_leak_hit --signal counters.dirty_lines \
      --signal counters.dram_read_GBps --signal counters.gpu0_iotlb_hit_pct >"$out" 2>"$err" \
      || fail "the waveform is not valid"
    expect_exit 0 run "$root/scenarios/seed/dirty-in-another-core.yaml" --vcd "$out.vcd" -q
    python3 "$root/tests/app/check_vcd.py" "$out.vcd" --string "cpu.core3_step=-" \
      --signal cpu.core1_flushing >"$out" 2>"$err" \
      || fail "the waveform has no track per core"
    ;;
  output_unwritable)
    expect_exit 2 run "$seed" --trace /nonexistent/dir/trace.json
    contains "$err" "<command-line>:1:"
    contains "$err" "error: --trace: cannot write '/nonexistent/dir/trace.json': No such file or directory"
    [ ! -s "$out" ] || fail "nothing may be simulated when an output cannot be written"
    ;;
  junit_valid)
    expect_exit 2 check "$seed" "$data/failing-expectation.yaml" \
      "$data/bad-unit.yaml" --junit "$out.xml"
    python3 "$root/tests/app/check_junit.py" "$out.xml" 9 1 1 >"$out" 2>"$err" \
      || fail "the JUnit XML is not valid"
    ;;
  check_parallel)
    # stdout only: stderr carries diagnostics (and, under AddressSanitizer,
    # its notes on SystemC's stack switches), in whatever order they come.
    # Under the sanitizers only conformance/ and examples/: the others' runs
    # take minutes there (the seed scenarios under every policy, twice, were
    # most of this test's time) and their own scenario/ tests run them; the
    # order of the results does not depend on what a scenario does.
    dirs=("$root/scenarios")
    [ -n "${IOCSIM_SANITIZED:-}" ] && dirs=("$root"/scenarios/{conformance,examples})
    "$iocsim" check "${dirs[@]}" -j 1 >"$out.1" 2>/dev/null
    code1=$?
    "$iocsim" check "${dirs[@]}" -j 2 >"$out.2" 2>/dev/null
    code2=$?
    [ "$code1" -eq 0 ] && [ "$code2" -eq 0 ] || fail "check exited $code1 and $code2"
    # Wall times differ; everything else, order included, may not.
    sed -E 's/ [0-9.]+s$//' "$out.1" >"$out.1s"
    sed -E 's/ [0-9.]+s$//' "$out.2" >"$out.2s"
    cmp -s "$out.1s" "$out.2s" || fail "check -j 2 printed something else than -j 1"
    ;;
  absurd_touch)
    # A 1 EiB touch fails with ENOMEM at once instead of faulting pages in
    # until memory runs out.
    printf 'scenario: absurd\nprincipals: {vm-a: {}}\nsteps:\n  - touch: {as: vm-a, va: 0x1000000000, size: 1EiB}\n' >"$out.yaml"
    (limit_memory; timeout 20 "$iocsim" run "$out.yaml" >"$out" 2>"$err")
    code=$?
    [ "$code" -eq 1 ] || fail "exit $code, expected 1 (the step fails)"
    contains "$out" "FAILED step 0: expected ok, got ENOMEM"
    ;;
  absurd_dma)
    # A 2^30-line device read runs in bounded memory: still running after a
    # few seconds under a 2 GB address-space limit, not dead of bad_alloc.
    printf 'scenario: absurd\nprincipals: {vm-a: {}}\ndevices:\n  gpu0: {owner: vm-a, group: 7, iommu: dmar-gfx}\nsteps:\n  - dma: {device: gpu0, read: {iova: 0, size: 64GiB}}\n' >"$out.yaml"
    (limit_memory; timeout 4 "$iocsim" run "$out.yaml" >"$out" 2>"$err")
    code=$?
    [ "$code" -eq 124 ] || fail "exit $code, expected to be still running when the timeout hit"
    ;;
  absurd_steps)
    # A hundred thousand steps in bounded memory and time.
    python3 -c 'print("scenario: many\nprincipals: {vm-a: {}}\nsteps:"); [print("  - wait: 1ns") for _ in range(100000)]' >"$out.yaml"
    (limit_memory; timeout 60 "$iocsim" run "$out.yaml" -q >"$out" 2>"$err")
    code=$?
    [ "$code" -eq 0 ] || fail "exit $code"
    ;;
  sweep_end_to_end)
    study=$data/sweep-study.yaml
    expect_exit 0 sweep "$study" --out "$out.d" -j 2 -q
    [ "$(wc -l <"$out.d/results.csv")" -eq 21 ] || fail "expected a header and 20 rows"
    [ -s "$out.d/flush.cpu_ns-vs-guest-by-policy-by-cpu.flush.svg" ] || fail "no plot"
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["axes"][0]["numbers"][0] == 262144' \
      "$out.d/study.json" || fail "study.json does not give the guest sizes as numbers"
    # Every point completed with the device reading old data under none only.
    awk -F, 'NR > 1 && ($6 != 0 || ($4 == "none") != ($8 > 0)) { bad = 1 } END { exit bad }' \
      "$out.d/results.csv" || fail "a row is not what the scenario gives"
    cp "$out.d/results.csv" "$out.first"
    expect_exit 0 sweep "$study" --out "$out.d" -j 2
    contains "$err" "0 points to run, 20 already in"
    cmp -s "$out.first" "$out.d/results.csv" || fail "a re-run changed results.csv"
    rm "$out.d"/*.svg
    expect_exit 0 sweep --plot-only "$out.d"
    [ -s "$out.d/flush.cpu_ns-vs-guest-by-policy-by-cpu.flush.svg" ] || fail "--plot-only drew nothing"
    ;;
  contract_study)
    # The contract's example study, as written there (section 7): its plot
    # names llc.size and policy, and cpu.flush, which also varies, gets a
    # panel per value instead of being averaged or refused.
    (cd "$root" && "$iocsim" sweep scenarios/studies/flush-cost-vs-llc.yaml --out "$out.d" -j 2 -q \
      >"$out" 2>"$err") || fail "the contract's study does not run"
    [ "$(tail -n +2 "$out.d/results.csv" | wc -l)" -eq 18 ] || fail "expected 18 points"
    svg=$out.d/flush.cpu_ns-vs-llc.size-by-policy-per-cpu.flush.svg
    [ -s "$svg" ] || fail "no plot"
    contains "$svg" "cpu.flush = clflush"
    contains "$svg" "cpu.flush = clflushopt"
    contains "$svg" "a panel per cpu.flush"
    # The metric by its label in the unit of its largest value, and what the
    # points ran on under the plots.
    grep -qE "flush CPU time \((ns|us|ms|s)\)" "$svg" || fail "the y axis is not the metric's label and unit"
    contains "$svg" "scenario scenarios/studies/guest-boot.yaml"
    contains "$svg" "preset default"
    contains "$svg" "kernel v6.9"
    contains "$svg" "seed 1"
    # upstream leaks at every point, the flushing policies at none.
    awk -F, 'NR > 1 && (($4 == "none") != ($10 > 0)) { bad = 1 } END { exit bad }' \
      "$out.d/results.csv" || fail "a row is not what the scenario gives"
    ;;
  sweep_resume)
    study=$data/sweep-study.yaml
    "$iocsim" sweep "$study" --out "$out.full" -j 2 -q >/dev/null 2>&1 || fail "the full sweep failed"
    setsid "$iocsim" sweep "$study" --out "$out.cut" -j 1 -q >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 500); do
      [ -f "$out.cut/results.csv" ] && [ "$(wc -l <"$out.cut/results.csv")" -ge 4 ] && break
      sleep 0.01
    done
    kill -9 -- "-$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rows=$(($(wc -l <"$out.cut/results.csv") - 1))
    [ "$rows" -ge 3 ] && [ "$rows" -lt 20 ] || fail "the kill did not land mid-sweep ($rows rows)"
    printf '19,4MiB,clflusho' >>"$out.cut/results.csv"   # a row a kill cut short
    expect_exit 0 sweep "$study" --out "$out.cut" -j 2 -q
    head -1 "$out.full/results.csv" >"$out.a"
    tail -n +2 "$out.full/results.csv" | sort -t, -k1,1n >>"$out.a"
    head -1 "$out.cut/results.csv" >"$out.b"
    tail -n +2 "$out.cut/results.csv" | sort -t, -k1,1n >>"$out.b"
    cmp -s "$out.a" "$out.b" || fail "the resumed results differ from an uninterrupted sweep"
    ;;
  sweep_jobs_deterministic)
    # -j changes the order rows are appended in, nothing else.
    study=$data/sweep-study.yaml
    expect_exit 0 sweep "$study" --out "$out.j1" -j 1 -q
    expect_exit 0 sweep "$study" --out "$out.j2" -j 2 -q
    sort "$out.j1/results.csv" >"$out.a"
    sort "$out.j2/results.csv" >"$out.b"
    cmp -s "$out.a" "$out.b" || fail "sweep -j 1 and -j 2 recorded different results"
    ;;
  sweep_shard_merge)
    study=$data/sweep-study.yaml
    "$iocsim" sweep "$study" --out "$out.full" -j 2 -q >/dev/null 2>&1 || fail "the full sweep failed"
    for i in 1 2 3; do
      expect_exit 0 sweep "$study" --shard "$i/3" --out "$out.s$i" -j 2 -q
    done
    expect_exit 0 sweep --merge "$out.s1" "$out.s2" "$out.s3" --out "$out.m"
    contains "$out" "merged 20 points from 3 directories"
    head -1 "$out.full/results.csv" >"$out.a"
    tail -n +2 "$out.full/results.csv" | sort -t, -k1,1n >>"$out.a"
    cmp -s "$out.a" "$out.m/results.csv" || fail "shards merged differ from one sweep"
    expect_exit 2 sweep --merge "$out.s1" "$data" --out "$out.m2"
    contains "$err" "no results.csv"
    ;;
  slurm_sweep)
    # tools/slurm-sweep against a stand-in sbatch: the shards and the merge it
    # submits give the same results as one sweep.
    mkdir -p "$out.bin"
    ln -s "$root/tests/app/fake-sbatch" "$out.bin/sbatch"
    "$iocsim" sweep "$data/sweep-study.yaml" --out "$out.full" -j 2 -q >/dev/null 2>&1 \
      || fail "the full sweep failed"
    PATH="$out.bin:$PATH" IOCSIM_BUILD_DIR=$(dirname "$(dirname "$(dirname "$iocsim")")") \
      "$root/tools/slurm-sweep" "$data/sweep-study.yaml" 3 "$out.slurm" --time=00:10:00 \
      >"$out" 2>"$err" || fail "tools/slurm-sweep failed"
    contains "$out" "results in $out.slurm"
    head -1 "$out.full/results.csv" >"$out.a"
    tail -n +2 "$out.full/results.csv" | sort -t, -k1,1n >>"$out.a"
    cmp -s "$out.a" "$out.slurm/results.csv" || fail "the Slurm shards merged differ from one sweep"
    [ -s "$out.slurm/flush.cpu_ns-vs-guest-by-policy-by-cpu.flush.svg" ] || fail "no plot after the merge"
    ;;
  sweep_bad_input)
    expect_exit 2 sweep "$data/sweep-study.yaml" --shard 4/3
    contains "$err" "error: --shard '4/3': expected I/N with 1 <= I <= N"
    printf 'study: bad\nscenario: sweep-scenario.yaml\ngrid:\n  gest: [1MiB]\nmetrics: [leaks]\n' >"$out.yaml"
    expect_exit 2 sweep "$out.yaml" --out "$out.d"
    contains "$err" "error: no scenario file 'sweep-scenario.yaml'"
    printf 'study: bad\nscenario: %s\ngrid:\n  gest: [1MiB]\nmetrics: [leaks]\n' "$data/sweep-scenario.yaml" >"$out.yaml"
    expect_exit 2 sweep "$out.yaml" --out "$out.d"
    contains "$err" "$out.yaml:4:3: error: 'gest' is neither a platform parameter nor a variable of the scenario (did you mean 'guest'?)"
    [ ! -e "$out.d" ] || fail "a bad study may not create its output"
    ;;
  params)
    expect_exit 0 params
    grep -Eq '^llc.size +bytes +12MiB +cache capacity$' "$out" || fail "llc.size is not listed with its default"
    ;;
  readme_sample)
    # The README's sample output is what the main job prints, all of it.
    expect_exit 0 run "$seed" --policy all
    python3 - "$root/README.md" "$out" <<'PY' || fail "the README's sample is not what iocsim prints"
import re, sys
readme = open(sys.argv[1]).read()
sample = re.search(r"```\n(leak-on-noncoherent-map -- .*?)```", readme, re.S).group(1)
printed = open(sys.argv[2]).read()
if printed != sample:
    sys.exit(f"README:\n{sample}\nprinted:\n{printed}")
PY
    ;;
  readme_validation)
    # The README's validation table is what tools/validate prints.
    "$root/tools/validate" --iocsim "$iocsim" --markdown >"$out" 2>"$err" || fail "tools/validate failed"
    python3 - "$root/README.md" "$out" <<'PY' || fail "the README's validation table is not what tools/validate prints"
import re, sys
readme = open(sys.argv[1]).read()
table = re.search(r"<!-- tools/validate --markdown -->\n(.*?)\n<!-- end of", readme, re.S).group(1)
printed = open(sys.argv[2]).read().rstrip("\n")
if table != printed:
    sys.exit(f"README:\n{table}\nprinted:\n{printed}")
PY
    ;;
  docs_examples)
    # Every YAML example of docs/format.md runs as written: the scenario under
    # every policy, the study as a sweep (from the top of the tree, as its
    # scenario path is written).
    python3 - "$root/docs/format.md" "$out" <<'PY' || fail "cannot extract the examples"
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
assert len(blocks) == 2, len(blocks)
open(sys.argv[2] + ".scenario.yaml", "w").write(blocks[0])
open(sys.argv[2] + ".study.yaml", "w").write(blocks[1])
PY
    expect_exit 0 run "$out.scenario.yaml" --policy all
    (cd "$root" && "$iocsim" sweep "$out.study.yaml" --out "$out.sweep" -j 2 -q >"$out" 2>"$err") \
      || fail "the study of docs/format.md 7 does not run"
    [ "$(tail -n +2 "$out.sweep/results.csv" | wc -l)" -eq 16 ] || fail "expected 16 points"
    ;;
  unknown_subcommand)
    expect_exit 2 frobnicate
    [ "$(cat "$err")" = "<command-line>:1:8: error: unknown command 'frobnicate'; the commands are run, check, sweep, platform, params, diff" ] \
      || fail "unexpected error line"
    expect_exit 2 chek "$seed"
    contains "$err" "unknown command 'chek' (did you mean 'check'?)"
    ;;
  run_directory)
    expect_exit 2 run "$root/scenarios/seed"
    [ "$(cat "$err")" = "$root/scenarios/seed:1:1: error: is a directory, not a YAML file" ] \
      || fail "unexpected error line"
    ;;
  check_selection)
    # --kernel, --policy and --platform reach every run: the scenario's
    # posted-v1 expectations hold on v6.9 and not on v6.18 (no fgsp probe).
    wbinvd=$root/scenarios/seed/wbinvd-vs-per-line.yaml
    expect_exit 0 check "$wbinvd" --policy posted-v1 --platform default
    contains "$out" "PASS  $wbinvd [posted-v1]"
    contains "$out" "1 passed, 0 failed"
    expect_exit 1 check "$wbinvd" --policy posted-v1 --kernel v6.18
    contains "$out" "FAIL  $wbinvd [posted-v1] end of run: expected flush.bytes == 131088KiB, got 128MiB"
    expect_exit 0 check "$seed" --policy all --set llc.size=6MiB --seed 7
    contains "$out" "7 passed, 0 failed"
    # A mistake on the command line is reported once, not once per file.
    expect_exit 2 check "$seed" "$seed" --set llc.sise=8MiB
    [ "$(grep -c "unknown parameter 'llc.sise'" "$err")" -eq 1 ] || fail "reported more than once"
    expect_exit 2 check "$seed" --kernel v7
    contains "$err" "--kernel: unknown kernel base 'v7'"
    ;;
  run_var)
    # --var sets a scenario variable, the report says what each took; a
    # mistake is the command line's, at its position.
    study_scenario=$root/scenarios/studies/guest-map.yaml
    expect_exit 0 run "$study_scenario" --var guest=8MiB --json "$out.json" -q
    python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); assert r["vars"] == {"guest": "8MiB"}, r["vars"]; assert r["flush"]["by_site"]["map"]["bytes"] == 8 << 20' \
      "$out.json" || fail "--var did not reach the scenario"
    expect_exit 2 run "$study_scenario" --var guets=8MiB
    contains "$err" "error: --var 'guets=8MiB': the scenario declares no variable 'guets' (did you mean 'guest'?)"
    expect_exit 2 run "$study_scenario" --set guest=8MiB
    contains "$err" "'guest' is a variable of the scenario, not a parameter: --var guest=8MiB"
    expect_exit 2 run "$seed" --var=guest=1MiB
    col=$(( ${#seed} + 19 ))
    contains "$err" "<command-line>:1:$col: error: --var 'guest=1MiB': the scenario declares no variable 'guest' (it has no vars)"
    expect_exit 2 check "$study_scenario" --var guest
    contains "$err" "--var 'guest': expected NAME=VALUE"
    ;;
  state_values)
    # A state step with no expectations reports every kernel-state key, the
    # flush and iommu_calls counts since the previous state, and the dmas.
    expect_exit 0 run "$data/state-values.yaml" --json "$out.json" -v
    contains "$out" "state     ok"
    contains "$out" "dmas=[0x0 1MiB, 0x200000 2MiB] domains=1 flush.fgsp=16KiB flush.map=3MiB"
    python3 - "$out.json" <<'PY' || fail "the state steps' values are not the kernel state"
import json, sys
steps = [s for s in json.load(open(sys.argv[1]))["steps"] if s["op"] == "state"]
first, second = (s["values"] for s in steps)
assert first["dmas"] == [[0, 1 << 20], [2 << 20, 2 << 20]], first
assert first["locked_vm"] == 768 and first["pinned_pages"] == 768, first
assert first["flush.map"] == 3 << 20 and first["flush.unpin"] == 0, first
assert first["domains"] == 1 and first["noncoherent_domains"] == 1, first
# Counted again from the first state: the unmap's unpin flush and its calls.
assert second["dmas"] == [[2 << 20, 2 << 20]], second
assert second["flush.map"] == 0 and second["flush.unpin"] == 1 << 20, second
assert second["iommu_calls.map"] == 0 and second["iommu_calls.unmap"] > 0, second
assert second["locked_vm"] == 512, second
PY
    ;;
  *)
    fail "unknown test case $case_name"
    ;;
esac
echo "PASS: $case_name"
