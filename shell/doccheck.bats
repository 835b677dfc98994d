#!/usr/bin/env bats
# kinship-doccheck: the document checker, on small Markdown fixtures written
# for the purpose (shell/fixtures/*.md), and its runner doccheck-run.

load helpers

DOCCHECK="$KINSHIP_BUILDDIR/doccheck/kinship-doccheck"
RUNNER="$KINSHIP_BUILDDIR/doccheck/doccheck-run"
FIXTURES="$KINSHIP_SRCDIR/shell/fixtures"

# Each fixture is checked once, here; the tests read what it wrote.  Only the
# crash fixture runs under valgrind (a short program).  The hang has a 1 s
# deadline; the others end by themselves and get a generous one, so that a
# loaded machine does not turn them into hangs.
setup_file() {
	DC_OUT=$(mktemp -d "${BATS_TMPDIR:-/tmp}/kinship-doccheck-bats.XXXXXX")
	export DC_OUT
	local fx mc t0 t
	for fx in good missing-header cxx-fence feature-macro hang crash orphan; do
		mc=none t=20
		[ "$fx" = hang ] && t=1
		[ "$fx" = crash ] && command -v valgrind >/dev/null 2>&1 && mc=valgrind
		t0=$SECONDS
		"$DOCCHECK" --memcheck "$mc" --timeout "$t" --keep "$DC_OUT/$fx.work" \
			--results "$DC_OUT/$fx.tsv" "$FIXTURES/$fx.md" \
			>"$DC_OUT/$fx.txt" 2>"$DC_OUT/$fx.err"
		echo $? >"$DC_OUT/$fx.rc"
		echo $((SECONDS - t0)) >"$DC_OUT/$fx.seconds"
	done
	# the sanitizers, where gcc's work here, on the crash
	"$DOCCHECK" --memcheck sanitizers --timeout 20 --results "$DC_OUT/crash-san.tsv" "$FIXTURES/crash.md" \
		>"$DC_OUT/crash-san.txt" 2>"$DC_OUT/crash-san.err"
	echo $? >"$DC_OUT/crash-san.rc"
}

teardown_file() {
	rm -rf "$DC_OUT"
}

setup() {
	kin_scratch
}

teardown() {
	rm -rf "$SCRATCH"
}

# verdict ID FIXTURE: the verdict the report gives a claim
verdict() {
	awk -v id="$1" '$1 == id && NF >= 2 { $1 = ""; sub(/^ +/, ""); print; exit }' "$DC_OUT/$2.txt"
}

# check FIXTURE NAME/CFG: the result and detail of one check
check() {
	awk -F'\t' -v t="$2" '$2 == t { print $3 ": " $4; exit }' "$DC_OUT/$1.tsv"
}

@test "--help prints usage and exits 0" {
	run "$DOCCHECK" --help
	[ "$status" -eq 0 ]
	[[ "$output" == Usage:* ]]
	[[ "$output" == *--annotate* ]]
	[[ "$output" == *--cases-results* ]]
}

@test "usage errors are one line on stderr and status 2" {
	run "$DOCCHECK" --no-such-option "$FIXTURES/good.md"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *no-such-option* ]]
	KINSHIP_DOC='' run "$DOCCHECK"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *KINSHIP_DOC* ]]
	run "$DOCCHECK" "$SCRATCH/absent.md"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	run "$DOCCHECK" --results "$SCRATCH/no/such/dir/r.tsv" "$FIXTURES/good.md"
	[ "$status" -eq 2 ]
	[[ "$output" == *r.tsv* ]]
	run "$DOCCHECK" --cases-results "$SCRATCH/none.tsv" "$FIXTURES/good.md"
	[ "$status" -eq 2 ]
	run "$DOCCHECK" --timeout soon "$FIXTURES/good.md"
	[ "$status" -eq 2 ]
	run "$DOCCHECK" --results
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	run "$DOCCHECK" "$FIXTURES/good.md" "$FIXTURES/crash.md"
	[ "$status" -eq 2 ]
}

@test "KINSHIP_DOC names the default document" {
	printf '# Nothing to compile\n\nJust words.\n' >"$SCRATCH/words.md"
	KINSHIP_DOC="$SCRATCH/words.md" run "$DOCCHECK"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *words.md ]]
	grep -q '^code blocks: 0 (0 C or C++)$' <<<"$output"
	grep -Eq '^DOC-FENCE +not-applicable$' <<<"$output"
}

@test "a failure of the checker itself is status 1" {
	printf '# Nothing to compile\n' >"$SCRATCH/words.md"
	KINSHIP_CASES=/bin/false run "$DOCCHECK" --annotate "$SCRATCH/out.md" "$SCRATCH/words.md"
	[ "$status" -eq 1 ]
	[[ "$output" == *kinship-cases* ]]
}

@test "every fixture was checked: status 0, a report, results of the right shape" {
	for fx in good missing-header cxx-fence feature-macro hang crash orphan; do
		[ "$(cat "$DC_OUT/$fx.rc")" -eq 0 ] || { cat "$DC_OUT/$fx.err"; false; }
		[ ! -s "$DC_OUT/$fx.err" ]
		grep -q "^kinship-doccheck .*: $fx.md$" "$DC_OUT/$fx.txt"
		run awk -F'\t' 'NF != 4 || $3 !~ /^(pass|fail|skip|error)$/ || $4 == "" || $2 !~ /^[a-z0-9-]+\/[a-z0-9+.-]+$/' \
			"$DC_OUT/$fx.tsv"
		[ -z "$output" ]
		# findings are verdicts: no check failed or errored
		run awk -F'\t' '$3 == "fail" || $3 == "error"' "$DC_OUT/$fx.tsv"
		[ -z "$output" ]
	done
}

@test "good code: every DOC claim holds and the example holds" {
	[ "$(verdict DOC-FENCE good)" = holds ]
	[ "$(verdict DOC-INCLUDES good)" = holds ]
	[ "$(verdict DOC-FEATURE-MACRO good)" = holds ]
	[ "$(verdict PIPE-EXAMPLE good)" = holds ]
	[[ "$(check good pipe-example/c-gnu17-glibc)" == "pass: builds, 0 warning(s): gcc -std=gnu17 "* ]]
	[[ "$(check good pipe-example/c-c11-glibc)" == "pass: builds, 0 warning(s)"* ]]
	[[ "$(check good pipe-example/build)" == "pass: builds as printed: "* ]]
	[[ "$(check good pipe-example/run)" == *'printed "child read 20 bytes: hello through a pipe\n" (42 bytes); main process exited 0' ]]
	grep -q "fenced 'sh'" "$DC_OUT/good.txt"
	grep -q 'not C or C++: not compiled' "$DC_OUT/good.txt"
}

@test "a missing header refutes DOC-INCLUDES with the compiler's own line" {
	[ "$(verdict DOC-INCLUDES missing-header)" = refuted ]
	grep -q 'block-1 lacks <stdio.h> (printf' "$DC_OUT/missing-header.txt"
	grep -q "missing-header.md:10:2: error: implicit declaration of function 'printf'" "$DC_OUT/missing-header.txt"
	[[ "$(check missing-header block-1/build)" == "pass: builds -include stdio.h: "* ]]
	[[ "$(check missing-header block-1/run)" == *'printed "7\n" (2 bytes); main process exited 0' ]]
	[ "$(verdict DOC-FEATURE-MACRO missing-header)" = holds ]
}

@test "C code under a c++ fence refutes DOC-FENCE: g++ rejects what gcc builds" {
	[ "$(verdict DOC-FENCE cxx-fence)" = refuted ]
	grep -q "block-1 is C fenced as c++: cxx-fence.md:10:18: error: invalid conversion" "$DC_OUT/cxx-fence.txt"
	grep -q "^      cxx-fence.md:10:18: error: invalid conversion from 'void\*' to 'char\*'" "$DC_OUT/cxx-fence.txt"
	[[ "$(check cxx-fence block-1/c-gnu17-glibc)" == "pass: builds"* ]]
	[[ "$(check cxx-fence block-1/c++-gnu++17-glibc)" == "pass: rejected as C++: "* ]]
	[ "$(verdict DOC-INCLUDES cxx-fence)" = holds ]
}

@test "a missing feature-test macro refutes DOC-FEATURE-MACRO; -D_GNU_SOURCE builds it" {
	[ "$(verdict DOC-FEATURE-MACRO feature-macro)" = refuted ]
	grep -q "memfd-example compiles under no C setting as printed" "$DC_OUT/feature-macro.txt"
	grep -q "feature-macro.md:10:35: error: 'MFD_CLOEXEC' undeclared" "$DC_OUT/feature-macro.txt"
	[[ "$(check feature-macro memfd-example/build)" == "pass: builds -D_GNU_SOURCE: "* ]]
	[[ "$(check feature-macro memfd-example/run)" == *'printed "memfd made\n"'* ]]
	[ "$(verdict DOC-INCLUDES feature-macro)" = holds ]
	[ "$(verdict ANON-EXAMPLE feature-macro)" = holds-with-caveat ]
}

@test "a program that hangs is killed at the deadline and reported" {
	[[ "$(check hang pipe-example/run)" == *'printed "waiting\n" (8 bytes); still running at the deadline of 1 s (1 processes killed); main process killed by SIGKILL (9)' ]]
	[ "$(verdict PIPE-EXAMPLE hang)" = refuted ]
	# compiles plus a 1 s deadline: bounded, whatever the load
	[ "$(cat "$DC_OUT/hang.seconds")" -lt 60 ]
}

@test "a program that crashes is reported with its signal, and memcheck names the line" {
	[[ "$(check crash block-1/run)" == *'printed "about to crash\n" (15 bytes); main process killed by SIGSEGV (11)' ]]
	grep -Eq '^  verdict +refuted$' "$DC_OUT/crash.txt"
	command -v valgrind >/dev/null 2>&1 || skip "valgrind is not installed"
	[[ "$(check crash block-1/memcheck)" == *"Invalid write of size 4 at crash.md:11 \`*p = 1;\`"* ]]
}

@test "under the sanitizers the crash is found too, at its line" {
	if [ "$(cat "$DC_OUT/crash-san.rc")" -eq 1 ] && grep -q 'sanitizers' "$DC_OUT/crash-san.err"; then
		skip "gcc's sanitizers do not work here: $(cat "$DC_OUT/crash-san.err")"
	fi
	[ "$(cat "$DC_OUT/crash-san.rc")" -eq 0 ]
	[[ "$(check crash-san block-1/memcheck)" == *"runtime error: store to null pointer of type 'volatile int' at crash.md:11 \`*p = 1;\`"* ]]
}

@test "strace accounts for every process and how it ended" {
	command -v strace >/dev/null 2>&1 || skip "strace is not installed"
	[ "$(check orphan pipe-example/trace)" = "pass: 2 process(es): p1 exited 0; p2 (forked by p1) exited 0; failed calls: none" ]
	[ "$(check crash block-1/trace)" = "pass: 1 process(es): p1 got SIGSEGV, killed by SIGSEGV; failed calls: none" ]
}

@test "a child that outlives its parent is reaped by the subreaper, its output kept" {
	run check orphan pipe-example/run
	[[ "$output" == *'printed "parent exits without waiting\nchild outlived its parent\n" (55 bytes)'* ]]
	[[ "$output" == *'1 process(es) never waited for by their parent, reaped by the subreaper (exited 0)'* ]]
	# the child speaks once the parent's end of the pipe is closed; whether
	# that is before or after the runner reaps the parent is a race: not asserted
	[ "$(verdict PIPE-EXAMPLE orphan)" = holds-with-caveat ]
}

@test "doccheck-run gives a private /tmp and leaves a stale socket when asked" {
	"$RUNNER" --private-tmp --summary "$SCRATCH/s" -- true
	grep -q $'^sandbox\tnone' "$SCRATCH/s" && skip "no mount namespace here: $(cut -f3 "$SCRATCH/s")"
	probe=kinship-doccheck-probe.$$
	"$RUNNER" --private-tmp --summary "$SCRATCH/s" --stale-socket /tmp/example.sock \
		-- sh -c "test -S /tmp/example.sock && echo x > /tmp/$probe"
	[ ! -e "/tmp/$probe" ]
	grep -q $'^exit\t[0-9]*\tmain\texited 0\t' "$SCRATCH/s"
	grep -q $'^left\t/tmp/'"$probe"'$' "$SCRATCH/s"
	grep -q $'^left\t/tmp/example.sock$' "$SCRATCH/s"
}

@test "--annotate keeps the document byte for byte and puts each note after its words" {
	doc=$SCRATCH/doc.md
	cat >"$doc" <<'EOF'
# Heading words

- a list item: bytes flow from the write end
- another item
  that goes on

A paragraph says the bytes come in order
and ends here.

```text
inside a fence: nothing compiled
```
Words right after the fence.
EOF
	{
		printf 'id\tsection\towner\trule\tstatement\tcaveat\tquote\n'
		printf 'PIPE-ENDS\t1\tcases\tholds\ts\t\tflow from the write end\n'
		printf 'PIPE-ORDER\t1\tcases\tcaveat\ts\tc\tcome in order\n'
		printf 'DOC-FENCE\t0\tdoccheck\trefuted\ts\t\tnothing compiled\n'
		printf 'DOC-INCLUDES\t0\tdoccheck\trefuted\ts\t\tHeading words\n'
		printf 'MEMFD-NAME\t2\tcases\tcaveat\ts\tc\twords found nowhere\n'
	} >"$SCRATCH/ledger.tsv"
	printf 'PIPE-ENDS\tbytes_written_to_fd1_are_read_from_fd0\tpass\t17 bytes came back\n' >"$SCRATCH/cases.tsv"
	KINSHIP_LEDGER="$SCRATCH/ledger.tsv" run "$DOCCHECK" --cases-results "$SCRATCH/cases.tsv" \
		--annotate "$SCRATCH/out.md" "$doc"
	[ "$status" -eq 0 ]
	# every inserted line ends in the marker; without them the document is intact
	grep -v -- '<!-- kinship -->$' "$SCRATCH/out.md" | cmp - "$doc"
	out=$SCRATCH/out.md
	# a note under a list item is a nested item, right after it
	grep -A1 -F -- '- a list item: bytes flow from the write end' "$out" | tail -n1 |
		grep -q '^  - ✅ \*\*PIPE-ENDS\*\* holds: .*<!-- kinship -->$'
	# after a paragraph: a quoted list once the paragraph ends, then a closing marker
	grep -A2 -F 'and ends here.' "$out" | sed -n 2p | grep -q '^> - .*\*\*PIPE-ORDER\*\* not yet tested'
	grep -A2 -F 'and ends here.' "$out" | sed -n 3p | grep -qx '<!-- kinship -->'
	# after a heading
	grep -A1 -F '# Heading words' "$out" | tail -n1 | grep -q '^> - .*\*\*DOC-INCLUDES\*\* not-applicable'
	# a quote inside a fence: after the closing fence, and the fences stay paired
	grep -A1 -F 'inside a fence' "$out" | tail -n1 | grep -qx '```'
	grep -A1 -x '```' "$out" | tail -n1 | grep -q '^> - .*\*\*DOC-FENCE\*\*'
	[ "$(grep -c '^```' "$out")" -eq 2 ]
	# words not found: named in the heading block at the top
	sed -n 2p "$out" | grep -q 'MEMFD-NAME.*its words were not found'
	head -n1 "$out" | grep -q '^> \*\*kinship\*\* checked'
}
