#!/usr/bin/env bash
# Same scenario, seed and options, two builds (say RelWithDebInfo and the
# Debug sanitizer build): the JSON reports must be byte-identical.
#
#   compare_builds.sh IOCSIM_A IOCSIM_B
#
# Runs every scenario under scenarios/ with its own policy, and every seed
# scenario under all policies.
set -uo pipefail
a=$1
b=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0 compared=0
while IFS= read -r file; do
  head -c 200 "$file" | grep -q '^study:' && continue
  # The 16 GiB guests of validation/ take minutes in the Debug sanitizer build
  # and reach no code the other scenarios do not.
  [[ "$file" == */scenarios/validation/* ]] && continue
  for policy in "" all; do
    [ -n "$policy" ] && [[ "$file" != */seed/* ]] && continue
    args=(run "$file" --json "$work/a.json" -q)
    [ -n "$policy" ] && args+=(--policy "$policy")
    "$a" "${args[@]}" >/dev/null 2>&1
    code_a=$?
    mv "$work/a.json" "$work/first.json" 2>/dev/null
    "$b" "${args[@]}" >/dev/null 2>&1
    code_b=$?
    compared=$((compared + 1))
    if [ "$code_a" -ne "$code_b" ] || ! cmp -s "$work/first.json" "$work/a.json"; then
      echo "DIFFERS: $file ${policy:+--policy $policy} (exit $code_a vs $code_b)"
      status=1
    fi
  done
done < <(find "$root/scenarios" -name '*.yaml' | sort)
echo "compare_builds: $compared runs compared, $([ $status -eq 0 ] && echo 'all identical' || echo 'DIFFERENCES above')"
exit $status
