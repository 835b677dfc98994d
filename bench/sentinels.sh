#!/bin/sh
# bench/sentinels.sh - what the regression sentinels (the ledger's REG-*
# entries) add to a run of the suite.  Target: at most 10%.
#
# 1. On this host: the median wall time of RUNS whole runs of kinship-cases
#    against RUNS runs of every test but the sentinels' (--claim for each
#    claim that is no sentinel), interleaved so that load drifts alike.
# 2. With --matrix DIR (the --out of a harness/kinship-kernels run): per
#    kernel, the sentinels' share of the time its tests took, from the
#    "(N ms)" of each test in DIR/<uname -r>.ktap (a test's own time; the
#    fork of each test and the boot are outside it, so the share of the
#    guest's whole run is smaller still).
#
# Exit status: 0 when every figure is within the target, 1 when one is not
# (or a run failed), 2 for a usage error.
set -u

usage() {
	cat <<EOF
Usage: $0 [--runs N] [--cases PATH] [--matrix DIR] [--target PERCENT]
What the regression sentinels add to the suite: on this host the median
wall time of N runs (default 10) with and without them, and with --matrix
DIR each kernel's share of test time spent in sentinels, from DIR/*.ktap.

  --runs N          timed runs of each kind (default 10)
  --cases PATH      the cases binary (default: \$KINSHIP_CASES, else
                    cases/kinship-cases here or beside this script)
  --matrix DIR      also the kernels of a kinship-kernels --out DIR
  --target PERCENT  the most the sentinels may add (default 10)
  --help            this text
EOF
}

die_usage() {
	echo "sentinels.sh: $*" >&2
	exit 2
}

runs=10 cases=${KINSHIP_CASES:-} matrix="" target=10
while [ $# -gt 0 ]; do
	case $1 in
	--runs | --cases | --matrix | --target)
		[ $# -ge 2 ] || die_usage "$1 needs an argument"
		case $1 in
		--runs)
			case $2 in '' | *[!0-9]* | 0) die_usage "--runs needs a number of at least 1, not '$2'" ;; esac
			runs=$2 ;;
		--cases) cases=$2 ;;
		--matrix)
			[ -d "$2" ] || die_usage "--matrix $2: no such directory"
			matrix=$2 ;;
		--target)
			case $2 in '' | *[!0-9.]*) die_usage "--target needs a percentage, not '$2'" ;; esac
			target=$2 ;;
		esac
		shift 2
		;;
	--help) usage; exit 0 ;;
	*) die_usage "unknown option '$1' (see --help)" ;;
	esac
done
if [ -z "$cases" ]; then
	here=$(cd "$(dirname "$0")/.." && pwd)
	for c in cases/kinship-cases "$here/cases/kinship-cases"; do
		[ -x "$c" ] && { cases=$c; break; }
	done
fi
[ -n "$cases" ] && [ -x "$cases" ] || die_usage "no cases binary (build with make, or pass --cases PATH)"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/kinship-bench.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT INT TERM
status=0

# the claims that are no sentinel, as --claim options
"$cases" --list >"$scratch/list" || { echo "sentinels.sh: $cases --list failed" >&2; exit 1; }
nsent=$(cut -f1 "$scratch/list" | grep -c '^REG-')
without=$(cut -f1 "$scratch/list" | grep -v '^REG-' | sort -u | sed 's/^/--claim /' | tr '\n' ' ')
[ "$nsent" -gt 0 ] || { echo "sentinels.sh: $cases has no sentinel test"; exit 1; }
echo "cases:   $cases ($(wc -l <"$scratch/list") tests, $nsent of them sentinels)"
echo "kernel:  $(uname -r) ($(uname -m)), $(nproc 2>/dev/null || echo '?') CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# microseconds of one run of the cases with ARGS
run_us() {
	t0=$(date +%s%N)
	# shellcheck disable=SC2086  # the options, one word each
	"$cases" "$@" >/dev/null 2>&1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000))
}
median_s() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f", m / 1e6 }'
}
"$cases" >/dev/null 2>&1 # warm-up: page cache, dynamic loader
i=0
while [ "$i" -lt "$runs" ]; do
	run_us >>"$scratch/with"
	# shellcheck disable=SC2086
	run_us $without >>"$scratch/without"
	i=$((i + 1))
done
with=$(median_s "$scratch/with")
wo=$(median_s "$scratch/without")
line=$(awk -v a="$with" -v b="$wo" -v t="$target" 'BEGIN {
	p = b > 0 ? (a / b - 1) * 100 : 0
	printf "host:    median %.3f s with the sentinels, %.3f s without: +%.1f%% (target <= %s%%): %s",
		a, b, p, t, p <= t ? "ok" : "OVER TARGET"; exit p > t }') || status=1
echo "$line ($runs runs each, interleaved)"

# the kernels of a matrix: each KTAP's "# CLAIM result (N ms)" lines
if [ -n "$matrix" ]; then
	found=0
	for k in "$matrix"/*.ktap; do
		[ -f "$k" ] || continue
		found=1
		line=$(awk -v t="$target" -v name="$(basename "$k" .ktap)" '
			/^# [A-Z][A-Z0-9-]* (pass|fail|skip|error) \([0-9]+ ms\)/ {
				ms = $4; sub(/^\(/, "", ms); all += ms; n++
				if ($2 ~ /^REG-/) { sent += ms; ns++ }
			}
			END {
				if (n == 0) { printf "%-32s no timed tests in its KTAP", name; exit 1 }
				p = all > 0 ? sent * 100 / all : 0
				printf "%-32s %3d of %3d tests, %5d of %6d ms: %4.1f%% (target <= %s%%): %s",
					name, ns, n, sent, all, p, t, p <= t ? "ok" : "OVER TARGET"
				exit p > t
			}' "$k") || status=1
		echo "guest:   $line"
	done
	[ $found -eq 1 ] || { echo "sentinels.sh: no KTAP in $matrix"; status=1; }
fi
exit $status
