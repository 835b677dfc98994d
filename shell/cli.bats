#!/usr/bin/env bats
# kinship-cases' command line, as ../shared/architecture.md fixes it.

load helpers

setup() {
	kin_scratch
}

teardown() {
	rm -rf "$SCRATCH"
}

@test "--help prints usage and exits 0" {
	run "$KINSHIP_CASES" --help
	[ "$status" -eq 0 ]
	[[ "$output" == Usage:* ]]
	[[ "$output" == *--results* ]]
}

@test "an unknown option is one line on stderr and status 2" {
	run "$KINSHIP_CASES" --no-such-option
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *no-such-option* ]]
}

@test "an unknown claim ID is one line and status 2" {
	run "$KINSHIP_CASES" --claim PIPE-NOPE
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *PIPE-NOPE* ]]
}

@test "a DOC-* claim is a usage error naming kinship-doccheck" {
	run "$KINSHIP_CASES" --claim DOC-FENCE
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *kinship-doccheck* ]]
}

@test "a missing option argument and a stray argument are usage errors" {
	run "$KINSHIP_CASES" --claim
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	run "$KINSHIP_CASES" stray
	[ "$status" -eq 2 ]
	run "$KINSHIP_CASES" --format xml
	[ "$status" -eq 2 ]
	[[ "$output" == *xml* ]]
}

@test "an unwritable results path is one line and status 2, and runs nothing" {
	run "$KINSHIP_CASES" --claim PIPE-ENDS --results "$SCRATCH/no/such/dir/r.tsv"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *r.tsv* ]]
}

@test "--list prints CLAIM<TAB>test lines and --claim narrows it" {
	run "$KINSHIP_CASES" --list
	[ "$status" -eq 0 ]
	grep -q $'^PIPE-ENDS\tbytes_written_to_fd1_are_read_from_fd0$' <<< "$output"
	run "$KINSHIP_CASES" --list --claim PIPE-CAPACITY
	[ "$status" -eq 0 ]
	[ -z "$(cut -f1 <<< "$output" | grep -v '^PIPE-CAPACITY$')" ]
}

@test "--claim runs only that claim's tests, as TAP with a plan" {
	run "$KINSHIP_CASES" --claim PIPE-ENDS
	[ "$status" -eq 0 ]
	n=$("$KINSHIP_CASES" --list --claim PIPE-ENDS | wc -l)
	[ "${lines[0]}" = "1..$n" ]
	[ "$(grep -c '^ok ' <<< "$output")" -eq "$n" ]
	! grep -q 'PIPE-CAPACITY' <<< "$output"
}

@test "--format ktap prints KTAP version 1" {
	run "$KINSHIP_CASES" --claim PIPE-ENDS --format ktap
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "KTAP version 1" ]
	[[ "${lines[1]}" == 1..* ]]
	grep -q '^ok 1 ' <<< "$output"
}

@test "--results writes claim, test, result, detail per test and claim" {
	run "$KINSHIP_CASES" --claim PIPE-ENDS --claim PIPE-CAPACITY --results "$SCRATCH/r.tsv"
	[ "$status" -eq 0 ]
	[ -s "$SCRATCH/r.tsv" ]
	run awk -F'\t' 'NF != 4 || $3 !~ /^(pass|fail|skip|error)$/ || $4 == ""' "$SCRATCH/r.tsv"
	[ -z "$output" ]
	cut -f1,2 "$SCRATCH/r.tsv" | sort > "$SCRATCH/ran"
	"$KINSHIP_CASES" --list --claim PIPE-ENDS --claim PIPE-CAPACITY | sort > "$SCRATCH/listed"
	diff "$SCRATCH/listed" "$SCRATCH/ran"
}

@test "--report heads with kernel and libc and gives PIPE-ENDS and PIPE-CAPACITY a verdict" {
	run "$KINSHIP_CASES" --report
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "kernel: $(uname -r) "* ]]
	[[ "${lines[2]}" == libc:* ]]
	grep -Eq '^PIPE-ENDS +holds$' <<< "$output"
	grep -Eq '^PIPE-CAPACITY +(holds-with-caveat|refuted)$' <<< "$output"
	# the capacity evidence names bytes, pages and the page size
	grep -Eq 'holds [0-9]+ bytes = [0-9]+ pages of [0-9]+ bytes' <<< "$output"
	grep -Eq '^DOC-FENCE +checked by kinship-doccheck' <<< "$output"
}

@test "a run leaves nothing in its TMPDIR" {
	mkdir "$SCRATCH/tmp"
	# searchable by others, as /tmp is, so the permission test can run
	chmod 0711 "$SCRATCH"
	TMPDIR="$SCRATCH/tmp" run "$KINSHIP_CASES"
	[ "$status" -eq 0 ]
	[ -z "$(ls -A "$SCRATCH/tmp")" ]
}
