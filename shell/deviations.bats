#!/usr/bin/env bats
# The suite catches deviations.  Each shim under shell/shims/ bends one libc
# behaviour that a claim pins down; under it, kinship-cases must report that
# claim's tests as failed (other claims may fail too; this one must).

load helpers

setup() {
	kin_scratch
	[ -d "${KINSHIP_SHIMS:-}" ] || skip "the shims are not built (make check builds them)"
}

teardown() {
	rm -rf "$SCRATCH"
}

# deviates SHIM CLAIM: run CLAIM's tests under SHIM; at least one must fail
deviates() {
	local shim="$KINSHIP_SHIMS/$1.so" claim=$2
	[ -f "$shim" ] || skip "$shim is not built"
	"$KINSHIP_CASES" --list --claim "$claim" | grep -q . || skip "no test of $claim in this build"
	# standard output to a file: some shims bend writes to pipes
	local status=0
	mkdir "$SCRATCH/tmp"
	TMPDIR="$SCRATCH/tmp" LD_PRELOAD="$shim" "$KINSHIP_CASES" --claim "$claim" \
		--results "$SCRATCH/r.tsv" > "$SCRATCH/out" 2> "$SCRATCH/err" || status=$?
	echo "# exit $status; results under $1:" >&3
	sed 's/^/#   /' "$SCRATCH/r.tsv" >&3
	[ "$status" -eq 1 ]
	awk -F'\t' -v c="$claim" '$1 == c && $3 == "fail" { found = 1 } END { exit !found }' "$SCRATCH/r.tsv"
	# a failing run under a bent libc still leaves nothing behind
	run find "$SCRATCH/tmp" -mindepth 1
	echo "left behind: $output"
	[ -z "$output" ]
}

@test "pipe() handing out its ends swapped fails PIPE-ENDS" {
	deviates pipe-swapped-ends PIPE-ENDS
}

@test "F_GETPIPE_SZ reporting half the capacity fails PIPE-CAPACITY" {
	deviates pipe-size-lies PIPE-CAPACITY
}

@test "read() returning a pipe's bytes out of order fails PIPE-ORDER" {
	deviates pipe-read-reversed PIPE-ORDER
}

@test "a pipe write that never returns fails PIPE-WRITE-BLOCKS with a diagnosis, in bounded time" {
	start=$(date +%s)
	deviates pipe-write-never-returns PIPE-WRITE-BLOCKS
	# the failure says where the writer was stuck, not merely that time ran out
	awk -F'\t' '$1 == "PIPE-WRITE-BLOCKS" && $3 == "fail"' "$SCRATCH/r.tsv" | grep -q 'state'
	[ $(( $(date +%s) - start )) -lt 60 ]
}

@test "a write with no reader that raises no SIGPIPE fails PIPE-NO-READER" {
	deviates pipe-no-sigpipe PIPE-NO-READER
}

@test "memfd_create() dropping MFD_CLOEXEC fails MEMFD-CLOEXEC" {
	deviates memfd-no-cloexec MEMFD-CLOEXEC
}

@test "memfd_create() renaming the memfd fails MEMFD-NAME" {
	deviates memfd-renamed MEMFD-NAME
}

@test "MAP_SHARED|MAP_ANONYMOUS made private fails MMAP-SHARED-FORK" {
	deviates mmap-shared-is-private MMAP-SHARED-FORK
}

@test "anonymous memory handed out dirty fails MMAP-ZERO" {
	deviates mmap-not-zeroed MMAP-ZERO
}

@test "kill() sending SIGUSR2 for SIGUSR1 fails SIG-HANDLER" {
	deviates kill-wrong-signal SIG-HANDLER
}

@test "sigaction() dropping SA_RESTART fails SIG-ASYNC" {
	deviates sigaction-no-restart SIG-ASYNC
}

@test "signal() with one-shot semantics in every build fails SIG-REGISTER" {
	deviates signal-oneshot SIG-REGISTER
}

@test "sigprocmask() that does not block fails SIG-COALESCE" {
	deviates sigprocmask-ignored SIG-COALESCE
}

@test "unlink() that leaves a socket file fails UDS-CLEANUP" {
	deviates unix-unlink-keeps-socket UDS-CLEANUP
}

@test "connect() refused on a listening Unix socket fails UDS-SEQUENCE" {
	deviates unix-connect-refused UDS-SEQUENCE
}

@test "datagrams glued together on receipt fail UDS-TYPES" {
	deviates unix-dgram-merged UDS-TYPES
}

# The deviations an implementation is known to have (--expected-deviations):
# the shim plays the implementation, "linux" the name it is known by here.
@test "a failure listed as an expected deviation is a TAP TODO, and the run passes" {
	local shim="$KINSHIP_SHIMS/pipe-size-lies.so"
	[ -f "$shim" ] || skip "$shim is not built"
	printf '# halved F_GETPIPE_SZ\nlinux\tnew_pipe_holds_16_pages\tthe shim halves F_GETPIPE_SZ\nlinux\tpipe_fills_16_page_slots_not_65536_bytes/*\tthe shim halves F_GETPIPE_SZ\nlinux\tbytes_written_to_fd1_are_read_from_fd0\tnot bent: it passes\n' \
		>"$SCRATCH/xdev"
	mkdir "$SCRATCH/tmp"
	local status=0
	TMPDIR="$SCRATCH/tmp" LD_PRELOAD="$shim" "$KINSHIP_CASES" --expected-deviations "$SCRATCH/xdev" \
		--test new_pipe_holds_16_pages --test pipe_fills_16_page_slots_not_65536_bytes \
		--test bytes_written_to_fd1_are_read_from_fd0 --results "$SCRATCH/r.tsv" \
		>"$SCRATCH/out" 2>&1 || status=$?
	cat "$SCRATCH/out"
	[ "$status" -eq 0 ]
	grep -q '^not ok [0-9]* - new_pipe_holds_16_pages \[PIPE-CAPACITY\] # TODO expected deviation: the shim halves F_GETPIPE_SZ$' "$SCRATCH/out"
	grep -q '^PIPE-CAPACITY	new_pipe_holds_16_pages	fail	.* \[an expected deviation of linux: the shim halves F_GETPIPE_SZ\]' "$SCRATCH/r.tsv"
	# a listed test that behaves as Linux says its entry is stale
	grep -q '	pass	.*\[listed as a deviation of linux (not bent: it passes), but it behaved as Linux here\]' "$SCRATCH/r.tsv"
	# the same failures, unlisted, fail the run
	run env LD_PRELOAD="$shim" TMPDIR="$SCRATCH/tmp" "$KINSHIP_CASES" --test new_pipe_holds_16_pages
	[ "$status" -eq 1 ]
}

@test "an expected-deviations file with a bad line is a usage error naming the line" {
	local bad
	for bad in 'linux\tnew_pipe_holds_16_pages' 'beos\tnew_pipe_holds_16_pages\twhy' \
		'gvisor\tno_such_test_*\twhy'; do
		printf "# comment\n$bad\n" >"$SCRATCH/xdev"
		usage_error "xdev:2:" "$KINSHIP_CASES" --expected-deviations "$SCRATCH/xdev"
	done
	usage_error "cannot read" "$KINSHIP_CASES" --expected-deviations "$SCRATCH/none"
}

@test "the shipped expected deviations name real tests and known implementations" {
	run "$KINSHIP_CASES" --expected-deviations "$KINSHIP_SRCDIR/cases/expected-deviations.tsv" --list
	[ "$status" -eq 0 ]
}
