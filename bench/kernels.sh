#!/usr/bin/env bash
# bench/kernels.sh - what the kernel matrix costs (a benchmark, not a test).
#
#   bench/kernels.sh [--cold] [--runs N] [SPEC...]
#
# For each kernel alone: fetch (cold only), boot to /init, the whole suite,
# and the total, with --accel tcg, as the median of N runs (3 by default;
# TCG on a shared 2-core machine varies by a second from run to run); then
# the warm matrix of all of them with --jobs 2, once.  --cold first runs
# each kernel once with an empty KINSHIP_CACHE, so that figure includes
# resolving and downloading.  Where an arm64 kernel and the x86-64 kernel
# of the same release are both measured, a last line compares them.
# Targets (TCG, 2 cores): one kernel, boot plus the whole suite, under 8 s;
# the warm four-kernel matrix with --jobs 2 under 20 s; an arm64 kernel no
# slower than the x86-64 one of its release.  Run it from the build tree
# (or set KINSHIP_BUILDDIR and KINSHIP_SRCDIR).  Exit status: 0, or 2 for
# a usage error; the figures are for reading, not judged.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export KINSHIP_SRCDIR=${KINSHIP_SRCDIR:-$here}
export KINSHIP_BUILDDIR=${KINSHIP_BUILDDIR:-$PWD}
kk=$KINSHIP_SRCDIR/harness/kinship-kernels

usage() { sed -n '4p' "$0" | sed 's/^#  */Usage: /'; }
cold=0 runs=3
while [ $# -gt 0 ]; do
	case $1 in
	--cold) cold=1 ;;
	--runs)
		[[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "kernels.sh: --runs needs a positive number" >&2; exit 2; }
		runs=$2
		shift
		;;
	--help) usage; exit 0 ;;
	-*) echo "kernels.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || set -- debian:bullseye debian:bookworm debian:trixie debian:sid
scratch=$(mktemp -d "${TMPDIR:-/tmp}/kinship-bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# the finish line of a run: "uname boot run total"
figures() { sed -n 's/.*finish: \([^,]*\),.*boot \([0-9.]*\) s, run \([0-9.]*\) s, total \([0-9.]*\) s.*/\1 \2 \3 \4/p' "$1/progress.log"; }
wall() { local t0=$EPOCHREALTIME; "$@" >/dev/null 2>&1; local rc=$?; awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; return $rc; }
# the median of the numbers on stdin, or - when there are none
median() { sort -n | awk '{ v[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A total_of
printf '%-22s %-26s %8s %8s %8s %8s\n' SPEC "uname -r" total boot suite wall
for spec in "$@"; do
	if [ $cold -eq 1 ]; then
		w=$(KINSHIP_CACHE=$scratch/cache wall "$kk" --accel tcg --kernel "$spec" --out "$scratch/cold")
		read -r u b r t < <(figures "$scratch/cold")
		printf '%-22s %-26s %8s %8s %8s %8s  cold\n' "$spec" "${u:--}" "${t:--}" "${b:--}" "${r:--}" "$w"
		rm -rf "$scratch/cache" "$scratch/cold"
	fi
	: >"$scratch/runs"
	for ((i = 0; i < runs; i++)); do
		w=$(wall "$kk" --accel tcg --kernel "$spec" --out "$scratch/warm")
		read -r u b r t < <(figures "$scratch/warm")
		[ -n "${t:-}" ] && echo "$u $b $r $t $w" >>"$scratch/runs"
		rm -rf "$scratch/warm"
	done
	u=$(awk '{ u = $1 } END { print u }' "$scratch/runs")
	for c in 2 3 4 5; do
		m[c]=$(cut -d' ' -f"$c" "$scratch/runs" | median)
	done
	total_of[$spec]=${m[4]}
	printf '%-22s %-26s %8s %8s %8s %8s  warm, median of %d\n' "$spec" "${u:--}" "${m[4]}" "${m[2]}" "${m[3]}" "${m[5]}" "$runs"
done

# arm64 against x86-64, release by release
for spec in "$@"; do
	case $spec in debian:*:arm64*) ;; *) continue ;; esac
	x86=${spec%:*}
	[ -n "${total_of[$x86]:-}" ] || continue
	awk -v a="$spec" -v x="$x86" -v ta="${total_of[$spec]}" -v tx="${total_of[$x86]}" 'BEGIN {
		if (ta == "-" || tx == "-") exit
		printf "%s against %s: %s s against %s s (%+.0f%%)\n", a, x, ta, tx, (ta - tx) * 100 / tx }'
done

args=()
for spec in "$@"; do args+=(--kernel "$spec"); done
w=$(wall "$kk" --accel tcg --jobs 2 "${args[@]}" --out "$scratch/matrix")
echo "warm matrix of $# kernels, --jobs 2: $w s wall (target: under 20 s for four)"
