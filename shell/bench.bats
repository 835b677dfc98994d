#!/usr/bin/env bats
# The command lines and output of the bench scripts; their figures are not judged
# here (a loaded machine is not a failure of the suite).

load helpers

BENCH="$KINSHIP_SRCDIR/bench/suite-time.sh"
SCRIPTS=(suite-time.sh kernels.sh userlands.sh)

@test "each bench script: --help prints usage and exits 0" {
	for script in "${SCRIPTS[@]}"; do
		run "$KINSHIP_SRCDIR/bench/$script" --help
		echo "$script: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == Usage:* ]]
		[[ "$output" == *--runs* ]]
	done
}

@test "each bench script: an unknown option or a bad --runs is one line and status 2" {
	for script in "${SCRIPTS[@]}"; do
		run "$KINSHIP_SRCDIR/bench/$script" --no-such-option
		echo "$script: $output"
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == *no-such-option* ]]
		for bad in many 0; do
			run "$KINSHIP_SRCDIR/bench/$script" --runs "$bad"
			echo "$script --runs $bad: $output"
			[ "$status" -eq 2 ]
			[ "${#lines[@]}" -eq 1 ]
		done
	done
}

@test "suite-time.sh times a run and reports the median" {
	run "$BENCH" --runs 1 --no-strace --target 1000 --cases "$KINSHIP_CASES"
	[ "$status" -eq 0 ]
	[[ "$output" == *"wall:    median "*" s (min "*"target < 1000 s: ok"* ]]
}
