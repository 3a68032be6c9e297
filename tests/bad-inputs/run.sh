#!/usr/bin/env bash
# One kind of user mistake: run.sh IOCSIM CASE runs `iocsim run CASE.yaml`
# from this directory and requires exit status 2, nothing on stdout, and
# exactly the error lines of CASE.expected on stderr.
set -uo pipefail
iocsim=$1
case_name=$2
cd "$(dirname "$0")"
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$iocsim" run "$case_name.yaml" >"$out" 2>"$err"
status=$?
[ "$status" -eq 2 ] || { echo "FAIL: exit status $status, expected 2"; cat "$err"; exit 1; }
[ ! -s "$out" ] || { echo "FAIL: something was printed on stdout"; cat "$out"; exit 1; }
if ! diff -u "$case_name.expected" "$err"; then
  echo "FAIL: the error lines differ from $case_name.expected"
  exit 1
fi
echo "PASS: $case_name"
