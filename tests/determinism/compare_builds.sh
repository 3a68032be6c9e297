#!/usr/bin/env bash
# Same scenario, seed and options, two builds (say RelWithDebInfo and the
# Debug sanitizer build): the JSON reports must be byte-identical.
#
#   compare_builds.sh IOCSIM_A IOCSIM_B
#
# Runs every scenario under scenarios/ with its own policy. (Not the seed
# scenarios under every policy too: in the sanitizer build that took most of
# this script's time, wbinvd-vs-per-line alone 165 s, and the suite's
# scenario tests run every policy an expect block names there already.)
set -uo pipefail
a=$1
b=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0 compared=0
while IFS= read -r file; do
  grep -q '^study:' "$file" && continue
  # The 16 GiB guests of validation/ take minutes in the Debug sanitizer build
  # and reach no code the other scenarios do not.
  [[ "$file" == */scenarios/validation/* ]] && continue
  args=(run "$file" --json "$work/a.json" -q)
  "$a" "${args[@]}" >/dev/null 2>&1
  code_a=$?
  mv "$work/a.json" "$work/first.json" 2>/dev/null
  "$b" "${args[@]}" >/dev/null 2>&1
  code_b=$?
  compared=$((compared + 1))
  if [ "$code_a" -ne "$code_b" ] || ! cmp -s "$work/first.json" "$work/a.json"; then
    echo "DIFFERS: $file (exit $code_a vs $code_b)"
    status=1
  fi
  rm -f "$work/first.json" "$work/a.json"
done < <(find "$root/scenarios" -name '*.yaml' | sort)
echo "compare_builds: $compared runs compared, $([ $status -eq 0 ] && echo 'all identical' || echo 'DIFFERENCES above')"
exit $status
