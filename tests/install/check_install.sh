#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# What `cmake --install` and CPack make of a build tree, used as a user
# would: check_install.sh BUILD_DIR SOURCE_DIR
#  - the installed iocsim runs a bundled scenario from PREFIX/share/iocsim
#    and finds the presets there;
#  - a SystemC program outside the tree (examples/model-platform), built
#    with find_package(iocsim) against PREFIX, runs a DMA read through
#    iocsim's IOMMU, LLC and DRAM models;
#  - the Debian package holds the binary, the data and the CMake package.
set -uo pipefail
build=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*"
  exit 1
}
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "cmake --install failed"; }
# From elsewhere than the tree: the data it uses are the installed ones.
cd "$work" || fail "no $work"
"$prefix/bin/iocsim" run "$prefix/share/iocsim/scenarios/seed/leak-on-noncoherent-map.yaml" \
  --platform server -q || fail "the installed iocsim did not run a bundled scenario on server"
[ "$("$prefix/bin/iocsim" platform arm-smmu | head -1 | cut -d: -f1)" = "platform arm-smmu" ] ||
  fail "the installed iocsim does not find the installed presets"

cmake -S "$root/examples/model-platform" -B "$work/platform" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" >"$work/platform.log" 2>&1 ||
  { cat "$work/platform.log"; fail "find_package(iocsim) failed"; }
cmake --build "$work/platform" >"$work/platform.log" 2>&1 ||
  { cat "$work/platform.log"; fail "the platform did not build against iocsim::models"; }
"$work/platform/model-platform" >"$work/platform.out" || {
  cat "$work/platform.out"
  fail "the platform's DMA reads did not return the device's data"
}
grep -qE '^4 KiB DMA read through the IOMMU: No-Snoop [0-9.]+ ns, snooped [0-9.]+ ns; 128 of 128 lines' \
  "$work/platform.out" || { cat "$work/platform.out"; fail "unexpected output of the platform"; }

(cd "$build" && cpack -G DEB -B "$work/deb" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; fail "cpack -G DEB failed"; }
deb=$(ls "$work"/deb/iocsim_*_amd64.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "no Debian package"
dpkg-deb -c "$deb" >"$work/contents" || fail "dpkg-deb cannot read $deb"
for file in ./usr/bin/iocsim ./usr/share/iocsim/platform/presets/default.yaml \
    ./usr/share/iocsim/scenarios/seed/leak-on-noncoherent-map.yaml \
    ./usr/share/iocsim/tools/plot-study ./usr/include/iocsim/models/iommu/iommu_unit.h; do
  grep -q " $file\$" "$work/contents" || fail "$file is not in the package"
done
grep -qE ' \./usr/lib/(x86_64-linux-gnu/)?cmake/iocsim/iocsimConfig\.cmake$' "$work/contents" ||
  fail "the CMake package is not in the Debian package"
dpkg-deb -f "$deb" Depends | grep -q "libsystemc" || fail "the package does not depend on SystemC"
echo "install: prefix, out-of-tree platform and Debian package all work"
