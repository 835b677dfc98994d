#!/usr/bin/env bats
# The command lines and output of bench/suite-time.sh and bench/kernels.sh; their figures are not judged
# here (a loaded machine is not a failure of the suite).

load helpers

BENCH="$KINSHIP_SRCDIR/bench/suite-time.sh"

@test "suite-time.sh --help prints usage and exits 0" {
	run "$BENCH" --help
	[ "$status" -eq 0 ]
	[[ "$output" == Usage:* ]]
	[[ "$output" == *--runs* ]]
}

@test "suite-time.sh: an unknown option is one line and status 2" {
	run "$BENCH" --no-such-option
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *no-such-option* ]]
}

@test "suite-time.sh: a bad --runs is a usage error" {
	run "$BENCH" --runs many
	[ "$status" -eq 2 ]
}

@test "suite-time.sh times a run and reports the median" {
	run "$BENCH" --runs 1 --no-strace --target 1000 --cases "$KINSHIP_CASES"
	[ "$status" -eq 0 ]
	[[ "$output" == *"wall:    median "*" s (min "*"target < 1000 s: ok"* ]]
}

@test "kernels.sh --help prints usage and exits 0" {
	run "$KINSHIP_SRCDIR/bench/kernels.sh" --help
	[ "$status" -eq 0 ]
	[[ "$output" == Usage:* ]]
	[[ "$output" == *--runs* ]]
}

@test "kernels.sh: an unknown option or a bad --runs is one line and status 2" {
	run "$KINSHIP_SRCDIR/bench/kernels.sh" --no-such-option
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *no-such-option* ]]
	run "$KINSHIP_SRCDIR/bench/kernels.sh" --runs 0
	[ "$status" -eq 2 ]
	[[ "$output" == *--runs* ]]
}
