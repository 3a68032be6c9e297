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
trap 'rm -f "$out" "$err" "$out".*' EXIT

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
    grep -Eq '^leaks +32768 +0 +0 +0 +0 +0 +0$' "$out" || fail "the comparison table does not show the leak"
    ;;
  json_valid)
    expect_exit 0 run "$seed" --policy all --json -
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert [r["policy"] for r in d["runs"]] == ["none", "posted-v1", "review-v2", "map-only", "eager-unmap", "wbinvd", "nosnoop-off"]; assert d["comparison"]["metrics"]["leaks"]["posted-v1"] == 0' "$out" \
      || fail "the JSON is not what the contract says"
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
  bad_set)
    expect_exit 2 run "$seed" --set llc.sise=8MiB
    contains "$err" "error: --set 'llc.sise=8MiB': unknown parameter 'llc.sise' (did you mean 'llc.size'?)"
    ;;
  missing_file)
    expect_exit 2 run "$data/no-such-file.yaml"
    contains "$err" "no-such-file.yaml:1:1: error: cannot read the file"
    ;;
  check_passes)
    expect_exit 0 check "$root/scenarios/seed"
    contains "$out" "PASS  $root/scenarios/seed/leak-on-noncoherent-map.yaml [none]"
    contains "$out" "2 passed, 0 failed"
    ;;
  check_fails)
    expect_exit 1 check "$data/failing-expectation.yaml"
    contains "$out" "FAIL  $data/failing-expectation.yaml [none] end of run: expected leaks == 0, got 1024"
    ;;
  params)
    expect_exit 0 params
    grep -Eq '^llc.size +bytes +12MiB +cache capacity$' "$out" || fail "llc.size is not listed with its default"
    ;;
  unknown_subcommand)
    expect_exit 2 frobnicate
    contains "$err" "iocsim: error:"
    ;;
  *)
    fail "unknown test case $case_name"
    ;;
esac
echo "PASS: $case_name"
