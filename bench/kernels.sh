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
# resolving and downloading.  Where a kernel of another flavour
# (debian:SUITE:FLAVOUR: arm64, armhf, ppc64el, s390x, riscv64, rt, ...) and
# the x86-64 kernel of the same release are both measured, a line compares
# them; likewise a kernel under another userland (debian:SUITE+musl, +i386)
# and the same kernel with its glibc.  The first x86-64 kernel is also run with --accel auto, against a
# cache that holds the kernels but no answer about KVM: once with the smoke
# boot (cold), then N times with the answer the first run cached, each set
# against the --accel tcg median of that kernel.
# Targets (TCG, 2 cores): one kernel, boot plus the whole suite, under 8 s;
# --accel auto within 0.5 s of --accel tcg once the answer is cached, and
# its first smoke boot no more than 3 s; the warm four-kernel matrix with
# --jobs 2 under 12 s, the default matrix of every architecture under 60 s;
# every other flavour within 1.5 times the x86-64 kernel of its release.
# Run it from the build tree (or set KINSHIP_BUILDDIR and KINSHIP_SRCDIR).
# Exit status: 0, or 2 for a usage error; the figures are for reading, not
# judged.
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

declare -A total_of wall_of
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
	total_of[$spec]=${m[4]} wall_of[$spec]=${m[5]}
	printf '%-22s %-26s %8s %8s %8s %8s  warm, median of %d\n' "$spec" "${u:--}" "${m[4]}" "${m[2]}" "${m[3]}" "${m[5]}" "$runs"
done

# --accel auto against --accel tcg on the first x86-64 kernel: a cache of
# its own for the answer, the kernels of the usual one (linked)
for spec in "$@"; do
	case $spec in debian:*:* | *+*) continue ;; esac
	real_cache=${KINSHIP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kinship}
	mkdir -p "$scratch/auto-cache" "$real_cache"
	for d in apt resolved resolved-v2 kernels; do
		mkdir -p "$real_cache/$d"
		ln -s "$real_cache/$d" "$scratch/auto-cache/$d"
	done
	auto() { KINSHIP_CACHE=$scratch/auto-cache wall "$kk" --accel auto --kernel "$spec" --out "$scratch/auto"; }
	w=$(auto)
	probe=$(sed -n 's/.*\[KVM smoke boot\] *\(proved\|refuted\) in \([0-9.]*\) s.*/\1 in \2 s/p' "$scratch/auto/progress.log")
	note=$(sed -n 's/.*accelerator for x86-64 guests: \([A-Z]*\).*/\1/p' "$scratch/auto/progress.log")
	: >"$scratch/auto-runs"
	for ((i = 0; i < runs; i++)); do
		auto >>"$scratch/auto-runs"
		echo >>"$scratch/auto-runs"
	done
	cached=$(median <"$scratch/auto-runs")
	tcg=${wall_of[$spec]:--}
	awk -v s="$spec" -v cold="$w" -v c="$cached" -v t="$tcg" -v p="${probe:-no smoke boot}" -v n="$runs" -v a="${note:-?}" 'BEGIN {
		printf "%s --accel auto (%s): cold %s s wall (smoke boot %s), cached %s s (median of %d); --accel tcg %s s\n", s, a, cold, p, c, n, t
		if (t != "-") printf "  auto against tcg: cold %+.1f s, cached %+.1f s (target: cached within 0.5 s, smoke boot at most 3 s)\n", cold - t, c - t }'
	rm -rf "$scratch/auto" "$scratch/auto-cache"
	break
done

# every other flavour against the x86-64 kernel of its release (target:
# within 1.5 times)
for spec in "$@"; do
	case $spec in
	debian:*+*) x86=${spec%+*} ;;        # another userland: the same kernel's glibc run
	debian:*:amd64) continue ;;
	debian:*:*) x86=${spec%:*} ;;
	*) continue ;;
	esac
	[ -n "${total_of[$x86]:-}" ] || continue
	awk -v a="$spec" -v x="$x86" -v ta="${total_of[$spec]}" -v tx="${total_of[$x86]}" 'BEGIN {
		if (ta == "-" || tx == "-") exit
		printf "%s against %s: %s s against %s s (%.2fx; target at most 1.5x)\n", a, x, ta, tx, ta / tx }'
done

args=()
for spec in "$@"; do args+=(--kernel "$spec"); done
w=$(wall "$kk" --accel tcg --jobs 2 "${args[@]}" --out "$scratch/matrix")
echo "warm matrix of $# kernels, --jobs 2: $w s wall (targets: under 12 s for four x86-64, under 60 s for the default list of every architecture)"
