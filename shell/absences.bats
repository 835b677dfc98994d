#!/usr/bin/env bats
# The suite survives absences: with one system call failing as on an old
# kernel (a seccomp filter, shell/kinship-nosys), the claims that need it are
# skipped with the reason, and nothing fails or crashes.

load helpers

setup() {
	kin_scratch
	[ -x "${KINSHIP_NOSYS:-}" ] || skip "kinship-nosys is not built (make check builds it)"
}

teardown() {
	rm -rf "$SCRATCH"
}

# run the whole suite with one call failing; results in $SCRATCH/r.tsv
run_without() {
	run "$KINSHIP_NOSYS" "$@" -- "$KINSHIP_CASES" --results "$SCRATCH/r.tsv"
	[ "$status" -ne 77 ] || skip "no seccomp filter here: $output"
	echo "$output" | grep -E '^(not ok|# (fail|error))' | sed 's/^/# /' >&3 || true
}

no_failures() {
	[ "$status" -eq 0 ]
	! awk -F'\t' '$3 == "fail" || $3 == "error"' "$SCRATCH/r.tsv" | grep -q .
}

@test "without memfd_create (before Linux 3.17) the memfd claims skip and nothing fails" {
	run_without memfd_create
	no_failures
	for claim in MEMFD-FORK MEMFD-SIZE MEMFD-CLOEXEC MEMFD-NAME MEMFD-NOEXEC; do
		# every test of the claim that touches a memfd is a skip naming why
		if awk -F'\t' -v c="$claim" '$1 == c' "$SCRATCH/r.tsv" | grep -q .; then
			run awk -F'\t' -v c="$claim" '$1 == c && $3 != "skip"' "$SCRATCH/r.tsv"
			[ -z "$output" ]
			awk -F'\t' -v c="$claim" '$1 == c && $3 == "skip"' "$SCRATCH/r.tsv" | grep -q 'memfd_create'
		fi
	done
}

@test "without F_GETPIPE_SZ (before Linux 2.6.35) the capacity tests skip and nothing fails" {
	run_without --errno EINVAL fcntl:1=1032
	no_failures
	awk -F'\t' '$1 == "PIPE-CAPACITY" && $3 == "skip"' "$SCRATCH/r.tsv" | grep -q '2.6.35'
}

@test "kinship-nosys refuses what it does not know with status 2" {
	run "$KINSHIP_NOSYS" no_such_call -- true
	[ "$status" -eq 2 ]
	run "$KINSHIP_NOSYS" memfd_create
	[ "$status" -eq 2 ]
}
