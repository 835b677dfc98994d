#!/usr/bin/env bats
# The runner itself: kinship-selftest is the same runner and helper library
# around tests that misbehave on purpose (cases/selftest.c).  Each must be
# reported for what it is, with the detail that lets a reader act on it.

load helpers

setup() {
	kin_scratch
	: "${KINSHIP_SELFTEST:=$KINSHIP_BUILDDIR/cases/kinship-selftest}"
	[ -x "$KINSHIP_SELFTEST" ] || skip "kinship-selftest is not built (make check builds it)"
}

teardown() {
	rm -rf "$SCRATCH"
}

# result and detail of one selftest, from a results file
result_of() {
	awk -F'\t' -v t="$1" '$2 == t { print $3 "\t" $4 }' "$SCRATCH/r.tsv"
}

run_selftests() {
	mkdir -p "$SCRATCH/tmp"
	TMPDIR="$SCRATCH/tmp" KINSHIP_SELFTEST_PIDFILE="$SCRATCH/pid" \
		run "$KINSHIP_SELFTEST" --results "$SCRATCH/r.tsv" "$@"
}

@test "a pass, a skip and a measured verdict come through the side channel" {
	run_selftests --test selftest_passes --test selftest_skips --test selftest_measured_verdict
	[ "$status" -eq 0 ]
	[ "$(result_of selftest_passes)" = $'pass\tmeasured 42' ]
	[ "$(result_of selftest_skips)" = $'skip\tfeature X needs Linux 9.9' ]
	[ "$(result_of selftest_measured_verdict)" = $'pass\tmeasured => refuted: the page is 16384 bytes' ]
	grep -q '^ok 2 - selftest_skips \[PIPE-ENDS\] # SKIP feature X needs Linux 9.9$' <<< "$output"
}

@test "a failed expectation is a fail with the measured value and the test's line" {
	run_selftests --test selftest_fails --test selftest_expects_errno --test selftest_check_assertion
	[ "$status" -eq 1 ]
	[[ "$(result_of selftest_fails)" == $'fail\tarithmetic: got 2, expected 3 (selftest.c:'* ]]
	[[ "$(result_of selftest_expects_errno)" == $'fail\tclose(-1) failed with EBADF, expected EINVAL (selftest.c:'* ]]
	# a Check assertion leaves no record: Check's own message
	[[ "$(result_of selftest_check_assertion)" == $'fail\tAssertion \'2 == 3\' failed'* ]]
}

@test "a crash and a body that records nothing are errors, and the run goes on" {
	run_selftests --test selftest_crashes --test selftest_returns_without_result \
		--test selftest_passes
	[ "$status" -eq 1 ]
	[[ "$(result_of selftest_crashes)" == $'error\tReceived signal 11'* ]]
	[[ "$(result_of selftest_returns_without_result)" == $'error\tthe test body returned without'* ]]
	[ "$(result_of selftest_passes)" = $'pass\tmeasured 42' ]
}

@test "a hang ends at the test's own timeout: a fail naming its last step and its children" {
	run_selftests --test selftest_hangs --test selftest_hangs_in_a_read --test selftest_passes
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$(result_of selftest_hangs)" == $'fail\tstill running at its timeout of 1 s (x1 CK_TIMEOUT_MULTIPLIER: 1000 ms), before any step'* ]]
	# the read that never returned, where it was called, and the child's state
	local d
	d=$(result_of selftest_hangs_in_a_read)
	[[ "$d" == $'fail\tstill running at its timeout of 1 s '*': the last step begun was kin_read_all (selftest.c:'* ]]
	[[ "$d" == *"which never ended; child "*" state S"* ]]
	[ "$(result_of selftest_passes)" = $'pass\tmeasured 42' ]
	# the watchdog, not Check, ended them: nothing says Check killed a test
	! grep -q 'killed by Check' "$SCRATCH/r.tsv"
}

@test "a test that blocks the watchdog's signal is killed by Check after its timeout, an error" {
	run_selftests --test selftest_hangs_past_its_watchdog
	[ "$status" -eq 1 ]
	[[ "$(result_of selftest_hangs_past_its_watchdog)" == $'error\tkilled by Check after its timeout of 3 s (x1 CK_TIMEOUT_MULTIPLIER): the test never finished, and its own watchdog at 1 s did not end it'* ]]
}

@test "CK_TIMEOUT_MULTIPLIER scales the timeout and says so" {
	CK_TIMEOUT_MULTIPLIER=2 run_selftests --test selftest_hangs
	[ "$status" -eq 1 ]
	[[ "$(result_of selftest_hangs)" == *"timeout of 1 s (x2 CK_TIMEOUT_MULTIPLIER: 2000 ms)"* ]]
}

@test "a leaked fd or child turns a pass into a fail that names it" {
	run_selftests --test selftest_leaks_fd --test selftest_leaks_child
	[ "$status" -eq 1 ]
	[[ "$(result_of selftest_leaks_fd)" == $'fail\tleft behind: fd '*' left open (pipe:['* ]]
	[[ "$(result_of selftest_leaks_child)" == $'fail\tleft behind: child '*' left running'* ]]
}

@test "a child's failure reaches the parent with the child's message" {
	run_selftests --test selftest_child_fails
	[ "$status" -eq 1 ]
	[[ "$(result_of selftest_child_fails)" == $'fail\tchild: the child saw 7 (selftest.c:'* ]]
}

@test "a child that never ends is a fail with its /proc state, not a hang" {
	run_selftests --test selftest_child_never_ends
	[ "$status" -eq 1 ]
	[[ "$(result_of selftest_child_never_ends)" == $'fail\tchild '*' did not end within 50 ms: state S'* ]]
}

@test "a child of a test killed at its timeout is reaped, and the temp dirs are gone" {
	run_selftests --test selftest_hangs_with_a_child --test selftest_leaves_tmpdir_clean
	[ "$status" -eq 1 ]
	[ -s "$SCRATCH/pid" ]
	pid=$(cat "$SCRATCH/pid")
	[ ! -e "/proc/$pid" ]
	[ -z "$(ls -A "$SCRATCH/tmp")" ]
}

@test "a sentinel's side: the ledger decides it per version; the wrong side fails naming why, an excused one passes" {
	run_selftests --test selftest_sentinel_expectations --test selftest_sentinel_sees_the_wrong_side \
		--test selftest_sentinel_wrong_side_excused --test selftest_sentinel_in_a_claims_test
	[ "$(result_of selftest_sentinel_expectations)" = $'pass\t13 versions, each given the side the ledger says' ]
	# the wrong side: a fail naming the version and the commit (or, on a
	# kernel whose version cannot decide, a pass that says both are accepted)
	local wrong
	wrong=$(result_of selftest_sentinel_sees_the_wrong_side)
	if [[ "$wrong" == pass* ]]; then
		[[ "$wrong" == *"both sides are accepted"* ]]
	else
		[[ "$wrong" == $'fail\t'*" 5b0af621c3f6 where this kernel's version says "*": measured the other side; "*": a backport missing, or the change undone (selftest.c:"*") => "*": measured the other side" ]]
		[[ "$(result_of selftest_sentinel_wrong_side_excused)" == $'pass\t'*"accepted, as a build option is off"* ]]
	fi
	[[ "$(result_of selftest_sentinel_in_a_claims_test)" == $'fail\tkin_sentinel() in selftest_sentinel_in_a_claims_test, whose claim PIPE-ENDS is no sentinel of the ledger'* ]]
}
