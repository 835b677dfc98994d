#!/usr/bin/env bash
# bench/userlands.sh - the whole suite's wall time on this kernel under each
# userland: this build (glibc, native word size), the musl build and the
# i386 build of harness/kinship-userland (built first where missing; a
# userland that cannot be built here is left out, with the reason).
#
# The runs are interleaved (native, musl, i386, native, ...) so that a
# machine that slows down mid-way weighs on all alike; each figure is the
# median of RUNS (default 15).  Each binary runs as ci/build-variant runs
# it: the dynamic one where its loader is installed, else the static one.
# Target: each variant within 1.2 times the native build's time.
# Exit status: 0, or 2 for a usage error; the figures are for reading, not
# judged.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export KINSHIP_SRCDIR=${KINSHIP_SRCDIR:-$here}
export KINSHIP_BUILDDIR=${KINSHIP_BUILDDIR:-$PWD}

runs=15
while [ $# -gt 0 ]; do
	case $1 in
	--runs)
		[[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "userlands.sh: --runs needs a positive number" >&2; exit 2; }
		runs=$2
		shift ;;
	--help) echo "Usage: bench/userlands.sh [--runs N]"; exit 0 ;;
	*) echo "userlands.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

native=$KINSHIP_BUILDDIR/cases/kinship-cases
[ -x "$native" ] || { echo "userlands.sh: $native is not built (make)" >&2; exit 2; }
names=(native) bins=("$native")
for v in musl i386; do
	if ! build=$("$KINSHIP_SRCDIR/harness/kinship-userland" "$v" 2>&1 | tail -n 1) || [ ! -d "$build" ]; then
		echo "$v: left out: $build"
		continue
	fi
	case $v in
	musl) loader=/lib/ld-musl-$(uname -m).so.1 ;;
	i386) loader=/lib/ld-linux.so.2 ;;
	esac
	bin=$build/cases/kinship-cases
	[ -e "$loader" ] || bin=$build/cases/kinship-cases-static
	names+=("$v") bins+=("$bin")
done

declare -A times
for ((r = 0; r < runs; r++)); do
	for i in "${!bins[@]}"; do
		t0=$EPOCHREALTIME
		"${bins[$i]}" >/dev/null 2>&1
		times[$i]+="$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.4f", b - a }') "
	done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
base=$(median <<<"${times[0]}")
printf '%-7s %9s %7s  %s\n' userland "median s" ratio binary
for i in "${!bins[@]}"; do
	m=$(median <<<"${times[$i]}")
	awk -v n="${names[$i]}" -v m="$m" -v b="$base" -v p="${bins[$i]}" 'BEGIN {
		printf "%-7s %9.3f %6.2fx  %s\n", n, m, m / b, p }'
done
echo "(median of $runs interleaved runs each; target: every variant at most 1.20x native)"
