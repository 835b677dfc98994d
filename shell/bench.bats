#!/usr/bin/env bats
# The command lines and output of the bench scripts; their figures are not judged
# here (a loaded machine is not a failure of the suite).

load helpers

BENCH="$KINSHIP_SRCDIR/bench/suite-time.sh"
SCRIPTS=(suite-time.sh kernels.sh userlands.sh sentinels.sh)

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

@test "sentinels.sh: the host's runs with and without the sentinels, and each kernel's share from its KTAP" {
	kin_scratch
	# a KTAP of two tests, one a sentinel's: 5 of 25 ms
	printf 'KTAP version 1\n1..2\nok 1 a\n# PIPE-ENDS pass (20 ms): fine\nok 2 b\n# REG-UDS-OOB pass (5 ms): after\n' \
		>"$SCRATCH/9.9.9-test.ktap"
	run "$KINSHIP_SRCDIR/bench/sentinels.sh" --runs 1 --matrix "$SCRATCH" --target 100
	rm -rf "$SCRATCH"
	echo "$output"
	# the host's figure is not judged here (one run on a loaded machine)
	[ "$status" -le 1 ]
	[[ "$output" == *"host:    median "*" s with the sentinels, "*" s without: "* ]]
	[[ "$output" == *"guest:   9.9.9-test"*"1 of   2 tests,     5 of     25 ms: 20.0% (target <= 100%): ok"* ]]
}
