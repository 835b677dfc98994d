#!/usr/bin/env bats
# The claim ledger (cases/ledger.tsv) and the tests hold each other both ways:
# every claim the cases own has a test, every test names a ledger claim, and
# the document checker's claims are accounted for.

load helpers

setup() {
	kin_scratch
	"$KINSHIP_CASES" --list > "$SCRATCH/list"
}

teardown() {
	rm -rf "$SCRATCH"
}

@test "the ledger has the 41 claims of shared/claims.md, each once, twelve fields each" {
	run awk -F'\t' 'NF != 12 { print NR": "NF" fields" }' "$LEDGER"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(ledger_ids | wc -l)" -eq 41 ]
	[ -z "$(ledger_ids | sort | uniq -d)" ]
	if [ -f "$KINSHIP_SRCDIR/../shared/claims.md" ]; then
		grep -o '^| [A-Z][A-Z0-9]*-[A-Z0-9-]* |' "$KINSHIP_SRCDIR/../shared/claims.md" |
			tr -d '| ' | sort > "$SCRATCH/shared"
		ledger_ids | sort > "$SCRATCH/ours"
		diff "$SCRATCH/shared" "$SCRATCH/ours"
	fi
}

@test "every test in --list names a claim of the ledger that the cases own" {
	run awk -F'\t' 'NR == FNR { if (FNR > 1) owner[$1] = $3; next }
		!($1 in owner) { print "unknown claim " $1 " in test " $2; next }
		owner[$1] == "doccheck" { print "test " $2 " takes doccheck claim " $1 }' \
		"$LEDGER" "$SCRATCH/list"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "every claim the cases own (cases or both) has at least one test in --list" {
	missing=""
	for id in $(ledger_ids cases) $(ledger_ids both); do
		cut -f1 "$SCRATCH/list" | grep -qx -- "$id" || missing="$missing $id"
	done
	if [ -n "$missing" ]; then
		# claims whose issue has not landed yet are listed by the report as
		# "not yet tested"; the check holds for every claim a test exists for
		run "$KINSHIP_CASES" --report
		for id in $missing; do
			grep -q "^$id  *not yet tested" <<< "$output"
		done
		skip "no test yet for:$missing"
	fi
}

@test "the document checker's claims are DOC-* and the cases refuse them" {
	for id in $(ledger_ids doccheck); do
		[[ "$id" == DOC-* ]]
		run "$KINSHIP_CASES" --claim "$id" --list
		[ "$status" -eq 2 ]
		[[ "$output" == *kinship-doccheck* ]]
	done
	[ "$(ledger_ids doccheck | wc -l)" -eq 3 ]
}

@test "each claim's quote is the document's own words" {
	doc="$KINSHIP_SRCDIR/../shared/seeds/ipc-related-processes.md"
	[ -f "$doc" ] || skip "the document is not beside this checkout ($doc)"
	run awk -F'\t' 'NR == FNR { text = text $0 "\n"; next }
		FNR > 1 && index(text, $7) == 0 { print $1 ": quote not in the document: " $7 }' \
		"$doc" "$LEDGER"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "every test name is unique and states a behaviour (lower_snake_case)" {
	[ -z "$(cut -f2 "$SCRATCH/list" | sort -u | awk -F/ '{print $0}' | uniq -d)" ]
	run grep -Ev $'^[A-Z0-9-]+\t[a-z0-9_]+(/[a-z0-9_.-]+)?$' "$SCRATCH/list"
	[ "$status" -eq 1 ]
}

@test "each regression sentinel states its change: version and commit, stable series, what it broke; and has a test" {
	[ "$(sentinel_ids | wc -l)" -ge 8 ]
	# no words of the document, the rule "sentinel", a change of VERSION COMMIT
	run awk -F'\t' 'NR > 1 && $8 == "sentinel" && ($7 != "" || $4 != "sentinel" || $12 == "" ||
		$9 !~ /^[0-9]+\.[0-9]+ [0-9a-f]+$/ || length($9) - index($9, " ") != 12 ||
		$11 !~ /^(none|[0-9. -]*)$/) { print $1 }' "$LEDGER"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	for id in $(sentinel_ids); do
		cut -f1 "$SCRATCH/list" | grep -qx -- "$id"
		# selected like a claim
		run "$KINSHIP_CASES" --list --claim "$id"
		[ "$status" -eq 0 ]
		[ -n "$output" ]
	done
	# no sentinel claims words of the document, nor is the document checker's
	for id in $(sentinel_ids); do ! ledger_ids | grep -qx -- "$id"; done
}
