#!/usr/bin/env bash
# bench/kernels.sh - what the kernel matrix costs (a benchmark, not a test).
#
#   bench/kernels.sh [--cold] [SPEC...]
#
# For each kernel alone: fetch (cold only), boot to /init, the whole suite,
# and the total, with --accel tcg; then the warm matrix of all of them with
# --jobs 2.  --cold first runs each kernel with an empty KINSHIP_CACHE, so
# the figures include resolving and downloading.  Targets (TCG, 2 cores):
# one kernel, boot plus the whole suite, under 8 s; the warm four-kernel
# matrix with --jobs 2 under 20 s.  Run it from the build tree (or set
# KINSHIP_BUILDDIR and KINSHIP_SRCDIR).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export KINSHIP_SRCDIR=${KINSHIP_SRCDIR:-$here}
export KINSHIP_BUILDDIR=${KINSHIP_BUILDDIR:-$PWD}
kk=$KINSHIP_SRCDIR/harness/kinship-kernels

cold=0
if [ "${1:-}" = --cold ]; then cold=1; shift; fi
[ $# -gt 0 ] || set -- debian:bullseye debian:bookworm debian:trixie debian:sid
scratch=$(mktemp -d "${TMPDIR:-/tmp}/kinship-bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# the finish line of a run: "boot B s, run R s, total T s"
figures() { sed -n 's/.*finish: \([^,]*\),.*boot \([0-9.]*\) s, run \([0-9.]*\) s, total \([0-9.]*\) s.*/\1 \2 \3 \4/p' "$1/progress.log"; }
wall() { local t0=$EPOCHREALTIME; "$@" >/dev/null 2>&1; local rc=$?; awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; return $rc; }

printf '%-18s %-26s %8s %8s %8s %8s\n' SPEC "uname -r" total boot suite wall
for spec in "$@"; do
	if [ $cold -eq 1 ]; then
		w=$(KINSHIP_CACHE=$scratch/cache wall "$kk" --accel tcg --kernel "$spec" --out "$scratch/cold")
		read -r u b r t < <(figures "$scratch/cold")
		printf '%-18s %-26s %8s %8s %8s %8s  cold\n' "$spec" "${u:--}" "${t:--}" "${b:--}" "${r:--}" "$w"
		rm -rf "$scratch/cache"
	fi
	w=$(wall "$kk" --accel tcg --kernel "$spec" --out "$scratch/warm")
	read -r u b r t < <(figures "$scratch/warm")
	printf '%-18s %-26s %8s %8s %8s %8s  warm\n' "$spec" "${u:--}" "${t:--}" "${b:--}" "${r:--}" "$w"
done
args=()
for spec in "$@"; do args+=(--kernel "$spec"); done
w=$(wall "$kk" --accel tcg --jobs 2 "${args[@]}" --out "$scratch/matrix")
echo "warm matrix of $# kernels, --jobs 2: $w s wall (target: under 20 s for four)"
