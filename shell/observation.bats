#!/usr/bin/env bats
# The suite observes what it must wherever Linux's behaviour runs: each way
# it observes still works when the native one is absent.  The observe-*
# shims under shell/shims/ take away or change what /proc shows, the way
# gVisor and QEMU user mode do; the behaviour itself is untouched, so the
# suite must still pass, and say how it observed.

load helpers

setup() {
	kin_scratch
	mkdir "$SCRATCH/tmp"
}

teardown() {
	rm -rf "$SCRATCH"
}

# under SHIM: run the cases (all, or the given claims); sets status, output
# (TAP) and RESULTS; checks nothing is left behind in TMPDIR
under() {
	local shim="$KINSHIP_SHIMS/$1.so"; shift
	[ -f "$shim" ] || skip "$shim is not built (make check builds it)"
	local claims=() c
	for c in "$@"; do claims+=(--claim "$c"); done
	RESULTS=$SCRATCH/r.tsv
	TMPDIR="$SCRATCH/tmp" LD_PRELOAD="$shim" run "$KINSHIP_CASES" --results "$RESULTS" "${claims[@]}"
	echo "$output" | grep -E '^(not ok|# (system|asleep))' -A1 | head -n 40
	[ -z "$(find "$SCRATCH/tmp" -mindepth 1)" ]
}

# the detail of a test in RESULTS
detail_of() {
	awk -F'\t' -v t="$1" '$2 == t { print $3 "\t" $4; exit }' "$RESULTS"
}

@test "without /proc/PID/syscall, wchan and the Sig* lines of status, every test still passes" {
	under observe-proc-hidden
	[ "$status" -eq 0 ]
	# the calibration saw state S only, and said so
	[[ "$output" == *"# asleep: read(): state S, no /proc/PID/syscall; write(): state S, no /proc/PID/syscall; pause(): state S, no /proc/PID/syscall"* ]]
	# the sleepers were recognised, the masks read from inside
	[[ "$(detail_of pause_sleeps_until_handler_ran_then_fails_with_eintr)" == $'pass\tchild asleep in pause() (state S, no /proc/PID/syscall)'* ]]
	[[ "$(detail_of execve_resets_caught_signals_and_keeps_ignored)" == $'pass\tacross execve (sigaction and sigprocmask in the process itself): '*"read from inside only"* ]]
	[[ "$(detail_of sigprocmask_and_sigsuspend_do_not_lose_early_signal)" == *"has no SigPnd/ShdPnd of SIGUSR1 here"* ]]
}

@test "with foreign system call numbers in /proc/PID/syscall, sleepers are recognised by calibration" {
	under observe-foreign-syscalls SIG-PAUSE SIG-ASYNC PIPE-WRITE-BLOCKS PIPE-READ-BLOCKS SIG-EXAMPLE
	[ "$status" -eq 0 ]
	# what a sleeper shows here, learnt from a child known to sleep
	local read_nr write_nr
	read_nr=$(awk '/^# asleep:/ { for (i = 1; i <= NF; i++) if ($i == "read():") { print $(i + 6); exit } }' <<<"$output")
	echo "read() shows syscall $read_nr"
	[ "${read_nr%;}" -ge 1000 ]
	[[ "$(detail_of pause_sleeps_until_handler_ran_then_fails_with_eintr)" == *", syscall 10"[0-9][0-9]" = pause() as calibrated"* ]]
}

@test "an environment that shows no sleeper skips what needs one, saying why, and fails nothing" {
	under observe-never-asleep SIG-PAUSE PIPE-WRITE-BLOCKS PIPE-ENDS
	[ "$status" -eq 0 ]
	[[ "$output" == *"# asleep: read(): not observable (a child in read() showed state R"* ]]
	[[ "$(detail_of pause_sleeps_until_handler_ran_then_fails_with_eintr)" == $'skip\tchild in pause(): a sleep in pause() cannot be observed here: '* ]]
	[ "$(detail_of bytes_written_to_fd1_are_read_from_fd0 | cut -f1)" = pass ]
}

@test "without /proc/self/exe and AT_EXECFN the suite finds itself on PATH and re-executes that" {
	local shim="$KINSHIP_SHIMS/observe-self-exe-hidden.so"
	[ -f "$shim" ] || skip "$shim is not built"
	# argv[0] is a bare name: only PATH says where the binary is
	RESULTS=$SCRATCH/r.tsv
	PATH="$(dirname "$KINSHIP_CASES"):$PATH" TMPDIR="$SCRATCH/tmp" LD_PRELOAD="$shim" \
		run "$(basename "$KINSHIP_CASES")" --results "$RESULTS" \
		--claim MEMFD-CLOEXEC --claim SIG-FORK-INHERIT --claim SIG-REGISTER
	echo "$output" | grep -E '^not ok' -A1 || true
	[ "$status" -eq 0 ]
	[[ "$output" == *"# binary: $KINSHIP_CASES (found by argv[0])"* ]]
	[ "$(detail_of mfd_cloexec_fd_survives_fork_and_closes_on_execve | cut -f1)" = pass ]
	[ "$(detail_of execve_resets_caught_signals_and_keeps_ignored | cut -f1)" = pass ]
	# the probes beside it were found from that path too
	[ "$(detail_of signal_semantics_depend_on_build_setting/gnu11 | cut -f1)" = pass ]
}

@test "under QEMU user mode a foreign binary re-executes itself through the emulator" {
	command -v qemu-aarch64 >/dev/null || skip "qemu-aarch64 is not installed (Debian: qemu-user)"
	local a64="$KINSHIP_BUILDDIR/harness/cross/aarch64/build/cases/kinship-cases-static"
	[ -x "$a64" ] || skip "no aarch64 build of the cases (the kernel matrix makes it: make check-kernels)"
	RESULTS=$SCRATCH/r.tsv
	TMPDIR="$SCRATCH/tmp" run qemu-aarch64 "$a64" --results "$RESULTS" \
		--claim MEMFD-CLOEXEC --claim SIG-FORK-INHERIT --claim SIG-PAUSE --claim PIPE-WRITE-BLOCKS
	echo "$output" | grep -E '^(not ok|# (system|asleep))' -A1
	[ "$status" -eq 0 ]
	[[ "$output" == *"# system: QEMU user mode ("*"qemu-aarch64)"* ]]
	[ "$(detail_of mfd_cloexec_fd_survives_fork_and_closes_on_execve | cut -f1)" = pass ]
	[ "$(detail_of execve_resets_caught_signals_and_keeps_ignored | cut -f1)" = pass ]
	[ -z "$(find "$SCRATCH/tmp" -mindepth 1)" ]
}

@test "the report names the system it ran on and how it saw a sleeper" {
	run "$KINSHIP_CASES" --report --claim PIPE-ENDS
	[ "$status" -eq 0 ]
	# the implementation it found: native Linux here, or what it is run under
	grep -Eq '^system: (Linux \(native\)|gVisor |QEMU user mode |valgrind |Linux, under )' <<<"$output"
	[[ "$output" == *$'\nasleep: read(): state S'* ]]
}
