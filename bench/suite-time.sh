#!/bin/sh
# bench/suite-time.sh - how long a whole run of the cases takes, and whether
# any sleep in it is longer than 2 ms.
#
# 1. Wall time of `kinship-cases` (every test, TAP to /dev/null): with
#    hyperfine when it is installed, else RUNS timed runs; prints the median.
#    Target: under 1 s.
# 2. One run under `strace -f -T` tracing nanosleep and clock_nanosleep (the
#    sleep family; select/poll/sigtimedwait timeouts are waits for an event
#    and are not counted): no such call may last 2 ms or more.
#
# Exit status: 0 when both are within their limits, 1 when one is not (or a
# tool failed), 2 for a usage error.
set -u

usage() {
	cat <<EOF
Usage: $0 [--runs N] [--cases PATH] [--target SECONDS] [--no-strace]
Time whole runs of kinship-cases (median of N runs, default 10; hyperfine
when installed) and check with strace -f -T that no nanosleep or
clock_nanosleep in a run lasts 2 ms or more.

  --runs N          timed runs (default 10)
  --cases PATH      the cases binary (default: \$KINSHIP_CASES, else
                    cases/kinship-cases under the current directory or
                    beside this script's source tree)
  --target SECONDS  the wall-time target (default 1)
  --no-strace       skip the sleep check
  --help            this text
EOF
}

die_usage() {
	echo "suite-time.sh: $*" >&2
	exit 2
}

runs=10
cases=${KINSHIP_CASES:-}
target=1
do_strace=yes
while [ $# -gt 0 ]; do
	case $1 in
	--runs)
		[ $# -ge 2 ] || die_usage "--runs needs a number"
		case $2 in '' | *[!0-9]*) die_usage "--runs needs a number, not '$2'" ;; esac
		[ "$2" -ge 1 ] || die_usage "--runs needs at least 1"
		runs=$2
		shift 2
		;;
	--cases)
		[ $# -ge 2 ] || die_usage "--cases needs a path"
		cases=$2
		shift 2
		;;
	--target)
		[ $# -ge 2 ] || die_usage "--target needs a number of seconds"
		case $2 in '' | *[!0-9.]*) die_usage "--target needs seconds, not '$2'" ;; esac
		target=$2
		shift 2
		;;
	--no-strace)
		do_strace=no
		shift
		;;
	--help)
		usage
		exit 0
		;;
	*)
		die_usage "unknown option '$1' (see --help)"
		;;
	esac
done

if [ -z "$cases" ]; then
	here=$(cd "$(dirname "$0")/.." && pwd)
	for c in cases/kinship-cases "$here/cases/kinship-cases"; do
		if [ -x "$c" ]; then
			cases=$c
			break
		fi
	done
fi
if [ -z "$cases" ] || [ ! -x "$cases" ]; then
	die_usage "no cases binary (build with make, or pass --cases PATH)"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/kinship-bench.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT INT TERM

status=0
echo "cases:   $cases"
echo "kernel:  $(uname -r) ($(uname -m)), $(nproc 2>/dev/null || echo '?') CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# ------------------------------------------------------------ wall time
if command -v hyperfine >/dev/null 2>&1; then
	tool=hyperfine
	hyperfine --warmup 1 --runs "$runs" --ignore-failure --export-json "$scratch/h.json" \
		--style none "$cases >/dev/null 2>&1" >/dev/null 2>&1 || {
		echo "hyperfine failed" >&2
		exit 1
	}
	# "median": 0.61, "min": ..., "max": ...
	median=$(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' "$scratch/h.json" | head -n 1)
	min=$(sed -n 's/.*"min": *\([0-9.e-]*\).*/\1/p' "$scratch/h.json" | head -n 1)
	max=$(sed -n 's/.*"max": *\([0-9.e-]*\).*/\1/p' "$scratch/h.json" | head -n 1)
else
	tool="$runs timed runs"
	"$cases" >/dev/null 2>&1 # warm-up: page cache, dynamic loader
	i=0
	while [ "$i" -lt "$runs" ]; do
		t0=$(date +%s%N)
		"$cases" >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000)) >>"$scratch/us"
		i=$((i + 1))
	done
	sort -n "$scratch/us" >"$scratch/sorted"
	n=$(wc -l <"$scratch/sorted")
	median=$(awk -v n="$n" '{ v[NR] = $1 } END {
		m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		printf "%.3f", m / 1e6 }' "$scratch/sorted")
	min=$(awk 'NR == 1 { printf "%.3f", $1 / 1e6 }' "$scratch/sorted")
	max=$(awk 'END { printf "%.3f", $1 / 1e6 }' "$scratch/sorted")
fi
if awk -v m="$median" -v t="$target" 'BEGIN { exit !(m < t) }'; then
	verdict=ok
else
	verdict="OVER TARGET"
	status=1
fi
printf 'wall:    median %.3f s (min %.3f, max %.3f; %s), target < %s s: %s\n' \
	"$median" "$min" "$max" "$tool" "$target" "$verdict"

# CPU time of one run (children's user+sys, from the shell that waited for
# it): less at the mercy of other load on the machine than wall time
ticks=$(getconf CLK_TCK 2>/dev/null || echo 100)
cpu=$(sh -c '"$0" >/dev/null 2>&1; cat /proc/$$/stat' "$cases" |
	awk -v hz="$ticks" '{ sub(/.*\) /, ""); printf "%.2f s user, %.2f s system", $14 / hz, $15 / hz }')
echo "cpu:     $cpu (one run)"

# --------------------------------------------------------------- sleeps
if [ "$do_strace" = yes ]; then
	if ! command -v strace >/dev/null 2>&1; then
		echo "sleeps:  strace is not installed: not checked"
	else
		strace -f -T -qq -e trace=nanosleep,clock_nanosleep -o "$scratch/trace" \
			"$cases" >/dev/null 2>&1
		rc=$?
		# a call's duration is the <seconds> at the end of its line (or
		# of its "resumed" line when strace -f split it); what it asked
		# for is its timespec argument
		awk '/nanosleep/ && match($0, /tv_sec=[0-9]+, tv_nsec=[0-9]+/) {
			split(substr($0, RSTART, RLENGTH), f, /[=,]/)
			r = f[2] + f[4] / 1e9
			if (r > asked) asked = r
		}
		/nanosleep/ && match($0, /<[0-9.]+>$/) {
			d = substr($0, RSTART + 1, RLENGTH - 2) + 0
			n++
			if (d > longest) longest = d
			if (d >= 0.002) { over++; print "  " $0 > "/dev/stderr" }
		}
		END { printf "%d %.6f %d %.6f\n", n, longest, over, asked }' "$scratch/trace" >"$scratch/sum"
		read -r n longest over asked <"$scratch/sum"
		if [ "$over" -eq 0 ]; then
			verdict=ok
		else
			verdict="$over AT OR OVER 2 ms (listed above)"
			status=1
		fi
		echo "sleeps:  $n nanosleep/clock_nanosleep calls under strace -f -T, longest $longest s (longest asked for: $asked s), limit 0.002 s: $verdict"
		if [ "$over" -ne 0 ] && awk -v a="$asked" 'BEGIN { exit !(a < 0.002) }'; then
			echo "note:    no call asked for 2 ms or more: the overrun is the scheduler's delay (load $(cut -d' ' -f1 /proc/loadavg)); run again on an idle machine"
		fi
		[ "$rc" -eq 0 ] || echo "note:    the run under strace exited $rc (tracing slows tests down)"
	fi
fi
exit $status
