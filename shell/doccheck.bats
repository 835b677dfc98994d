#!/usr/bin/env bats
# kinship-doccheck: the document checker, on small Markdown fixtures written
# for the purpose (shell/fixtures/*.md), and its runner doccheck-run.  The
# fixtures are not kinship's seed document: their findings are judged under
# their own headings (#anchor, #anchor/fence, /includes, /feature-macro,
# /example in --verdicts); the seed's claims apply to them only where marked.

load helpers

DOCCHECK="$KINSHIP_BUILDDIR/doccheck/kinship-doccheck"
RUNNER="$KINSHIP_BUILDDIR/doccheck/doccheck-run"
FIXTURES="$KINSHIP_SRCDIR/shell/fixtures"
ALL_FIXTURES="good missing-header cxx-fence feature-macro hang crash orphan pandoc-fences
	server-client until-interrupted reads-stdin"

# Each fixture is checked once, here; the tests read what it wrote.  Only the
# crash fixture runs under valgrind (a short program).  The hang has a 1 s
# deadline; the others end by themselves and get a generous one, so that a
# loaded machine does not turn them into hangs.
setup_file() {
	DC_OUT=$(mktemp -d "${BATS_TMPDIR:-/tmp}/kinship-doccheck-bats.XXXXXX")
	export DC_OUT
	local fx mc t0 t
	for fx in $ALL_FIXTURES; do
		mc=none t=20
		[ "$fx" = hang ] && t=1
		[ "$fx" = until-interrupted ] && t=2
		[ "$fx" = crash ] && command -v valgrind >/dev/null 2>&1 && mc=valgrind
		t0=$SECONDS
		"$DOCCHECK" --memcheck "$mc" --timeout "$t" --keep "$DC_OUT/$fx.work" \
			--results "$DC_OUT/$fx.tsv" --verdicts "$DC_OUT/$fx.v" "$FIXTURES/$fx.md" \
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

# verdict ID FIXTURE: the verdict of an ID (#heading, #heading/KIND,
# block:N, a claim), from --verdicts
verdict() {
	awk -F'\t' -v id="$1" '$1 == id { print $2; exit }' "$DC_OUT/$2.v"
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
	# not the seed: none of the seed's claims speaks for it
	grep -q "^document: not kinship's seed" <<<"$output"
	! grep -Eq '^DOC-FENCE ' <<<"$output"
}

@test "a failure of the checker itself is status 1" {
	printf '# Nothing to compile\n' >"$SCRATCH/words.md"
	KINSHIP_CASES=/bin/false run "$DOCCHECK" --annotate "$SCRATCH/out.md" "$SCRATCH/words.md"
	[ "$status" -eq 1 ]
	[[ "$output" == *kinship-cases* ]]
}

@test "every fixture was checked: status 0, a report, results of the right shape" {
	for fx in $ALL_FIXTURES; do
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

@test "good code: every finding under its heading holds" {
	local h='#a-pipe-between-parent-and-child'
	[ "$(verdict "$h" good)" = holds ]
	[ "$(verdict "$h/fence" good)" = holds ]
	[ "$(verdict "$h/includes" good)" = holds ]
	[ "$(verdict "$h/feature-macro" good)" = holds ]
	[ "$(verdict "$h/example" good)" = holds ]
	[ "$(verdict block:1 good)" = holds ]
	grep -q "^$h holds  \"A pipe between parent and child\"" "$DC_OUT/good.txt"
	[[ "$(check good pipe-example/c-gnu17-glibc)" == "pass: builds, 0 warning(s): gcc -std=gnu17 "* ]]
	[[ "$(check good pipe-example/c-c11-glibc)" == "pass: builds, 0 warning(s)"* ]]
	[[ "$(check good pipe-example/build)" == "pass: builds as printed: "* ]]
	[[ "$(check good pipe-example/run)" == *'printed "child read 20 bytes: hello through a pipe\n" (42 bytes); main process exited 0' ]]
	grep -q "fenced 'sh'" "$DC_OUT/good.txt"
	grep -q 'not C or C++: not compiled' "$DC_OUT/good.txt"
}

@test "a missing header refutes the heading's includes with the compiler's own line" {
	local h='#a-program-that-forgets-a-header'
	[ "$(verdict "$h/includes" missing-header)" = refuted ]
	[ "$(verdict "$h" missing-header)" = refuted ]
	grep -q 'block-1 lacks <stdio.h> (printf' "$DC_OUT/missing-header.txt"
	grep -q "missing-header.md:10:2: error: implicit declaration of function 'printf'" "$DC_OUT/missing-header.txt"
	[[ "$(check missing-header block-1/build)" == "pass: builds -include stdio.h: "* ]]
	[[ "$(check missing-header block-1/run)" == *'printed "7\n" (2 bytes); main process exited 0' ]]
	[ "$(verdict "$h/feature-macro" missing-header)" = holds ]
	[ "$(verdict "$h/example" missing-header)" = holds-with-caveat ]
}

@test "C code under a c++ fence refutes the fence: g++ rejects what gcc builds" {
	local h
	h=$(awk -F'\t' '$1 ~ /\/fence$/ { sub(/\/fence$/, "", $1); print $1; exit }' "$DC_OUT/cxx-fence.v")
	[ "$(verdict "$h/fence" cxx-fence)" = refuted ]
	grep -q "block-1 is C fenced as c++: cxx-fence.md:10:18: error: invalid conversion" "$DC_OUT/cxx-fence.txt"
	grep -q "^      cxx-fence.md:10:18: error: invalid conversion from 'void\*' to 'char\*'" "$DC_OUT/cxx-fence.txt"
	[[ "$(check cxx-fence block-1/c-gnu17-glibc)" == "pass: builds"* ]]
	[[ "$(check cxx-fence block-1/c++-gnu++17-glibc)" == "pass: rejected as C++: "* ]]
	[ "$(verdict "$h/includes" cxx-fence)" = holds ]
}

@test "a missing feature-test macro refutes the heading's feature-macro; -D_GNU_SOURCE builds it" {
	local h
	h=$(awk -F'\t' '$1 ~ /\/fence$/ { sub(/\/fence$/, "", $1); print $1; exit }' "$DC_OUT/feature-macro.v")
	[ "$(verdict "$h/feature-macro" feature-macro)" = refuted ]
	grep -q "memfd-example compiles under no C setting as printed" "$DC_OUT/feature-macro.txt"
	grep -q "feature-macro.md:10:35: error: 'MFD_CLOEXEC' undeclared" "$DC_OUT/feature-macro.txt"
	[[ "$(check feature-macro memfd-example/build)" == "pass: builds -D_GNU_SOURCE: "* ]]
	[[ "$(check feature-macro memfd-example/run)" == *'printed "memfd made\n"'* ]]
	[ "$(verdict "$h/includes" feature-macro)" = holds ]
	[ "$(verdict "$h/example" feature-macro)" = holds-with-caveat ]
	# the seed's claims and their words are not this document's
	! grep -q 'ANON-EXAMPLE\|DOC-FEATURE-MACRO\|"anon_mem", MFD_CLOEXEC' "$DC_OUT/feature-macro.txt"
}

@test "a program that hangs is stopped at the deadline, SIGINT first, and refuted" {
	[[ "$(check hang pipe-example/run)" == *'printed "waiting\n" (8 bytes); still running at the deadline of 1 s (1 processes killed); stopped with SIGINT; main process killed by SIGINT (2)' ]]
	[ "$(verdict block:1 hang)" = refuted ]
	grep -q 'did not finish: stopped at the 1 s deadline (SIGINT), killed by SIGINT (2)' "$DC_OUT/hang.v"
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

@test "a child that outlives its parent is reaped, its output kept" {
	run check orphan pipe-example/run
	[[ "$output" == *'printed "parent exits without waiting\nchild outlived its parent\n" (55 bytes)'* ]]
	[[ "$output" == *'1 process(es) never waited for by their parent, reaped by the subreaper (exited 0)'* ]]
	# the child speaks once the parent's end of the pipe is closed; whether
	# that is before or after the runner reaps the parent is a race: not asserted
	[ "$(verdict block:1 orphan)" = holds-with-caveat ]
}

@test "pandoc fences: the language is the first class in braces" {
	grep -q "^\[1\] block-1: lines 5-13, fenced 'c'," "$DC_OUT/pandoc-fences.txt"
	grep -q "^\[2\] block-2: lines 17-19, fenced 'default'," "$DC_OUT/pandoc-fences.txt"
	grep -q "^\[3\] block-3: lines 23-31, fenced 'c'," "$DC_OUT/pandoc-fences.txt"
	[ "$(verdict '#fences-the-pandoc-way/fence' pandoc-fences)" = holds ]
	[[ "$(check pandoc-fences block-3/run)" == *'printed "second block\n"'* ]]
}

@test "a server and its client printed apart run together, the client once the server listens" {
	[[ "$(check server-client socket-example/run)" == *'ready after '*'printed "server got 4 bytes: ping\n"'*'the server exited 0'* ]]
	[[ "$(check server-client socket-example-2/run)" == *'with its server socket-example: printed "client sent ping\n"'*'main process exited 0'* ]]
	[ "$(verdict block:1 server-client)" = holds ]
	[ "$(verdict block:2 server-client)" = holds ]
	grep -q "^  server               of socket-example-2 (block 2): they run together, the client once the server has unix:echo.sock" "$DC_OUT/server-client.txt"
	# TCP on the sandbox's own loopback; the server runs until interrupted
	[[ "$(check server-client inet-example-4/run)" == *'with its server inet-example: printed "client read 6 bytes: hello\n"'* ]]
	[[ "$(check server-client inet-example/run)" == *'stopped with SIGINT'* ]]
	[ "$(verdict block:3 server-client)" = holds ]
	# the server still running when its client ended is no finding of the client's
	[ "$(verdict block:4 server-client)" = holds ]
}

@test "a program that waits for Ctrl-C ends on the SIGINT at the deadline: a finding, not a refutation" {
	[[ "$(check until-interrupted signal-example/run)" == *'printed "press Ctrl-C to stop\nbye\n"'*'stopped with SIGINT; main process exited 0' ]]
	[ "$(verdict block:1 until-interrupted)" = holds ]
	grep -q 'runs until interrupted' "$DC_OUT/until-interrupted.v"
}

@test "stdin is what the document shows, else empty" {
	[[ "$(check reads-stdin block-1/run)" == *'printed "1 line(s)\n"'* ]]
	[[ "$(check reads-stdin block-3/run)" == *'printed "your name? \nno input\n"'*'main process exited 0' ]]
}

@test "a sentence marked with a claim gets that claim, and nothing else of the seed" {
	cases=$SCRATCH/cases.tsv
	printf 'PIPE-CAPACITY\tnew_pipe_holds_16_pages\tpass\ta new pipe holds 65536 bytes\n' >"$cases"
	run "$DOCCHECK" --memcheck none --cases-results "$cases" --verdicts "$SCRATCH/v.tsv" \
		--annotate "$SCRATCH/out.md" "$FIXTURES/marked.md"
	[ "$status" -eq 0 ]
	grep -Eq '^PIPE-CAPACITY +holds-with-caveat$' <<<"$output"
	grep -q '^  document  A pipe holds 64 KiB before a writer blocks\.$' <<<"$output"
	# no other ledger claim, nor the seed's words
	[ "$(grep -cE '^[A-Z]+-[A-Z-]+ +(holds|refuted|not)' <<<"$output")" -eq 1 ]
	! grep -q '64KB\|DOC-FENCE' <<<"$output"
	grep -q $'^PIPE-CAPACITY\tholds-with-caveat\t' "$SCRATCH/v.tsv"
	# the note follows the marked sentence; the code's follows its fence
	grep -A1 -F 'writer blocks. <!-- kinship: PIPE-CAPACITY -->' "$SCRATCH/out.md" | tail -n1 |
		grep -q '^> - .*\*\*PIPE-CAPACITY\*\* holds-with-caveat'
	grep -A1 -x '```' "$SCRATCH/out.md" | tail -n1 | grep -q '^> - ✅ \*\*kinship\*\* holds: block-1'
	grep -v -- '<!-- kinship -->$' "$SCRATCH/out.md" | cmp - "$FIXTURES/marked.md"
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

@test "--kernel runs the programs in a guest of the kernel matrix and says where the output differs" {
	[ -x "$KINSHIP_BUILDDIR/harness/kinship-init" ] || skip "harness/kinship-init is not built"
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
	local line
	line=$("$KINSHIP_SRCDIR/harness/kinship-kernels" --fetch-only --kernel debian:bookworm 2>/dev/null) ||
		skip "no Debian kernel in the cache and none could be fetched"
	run "$DOCCHECK" --memcheck none --kernel "$(printf '%s\n' "$line" | cut -f2)" \
		--results "$SCRATCH/r.tsv" --annotate "$SCRATCH/out.md" "$FIXTURES/good.md"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^kernels: ' <<<"$output"
	grep -Eq $'^#a-pipe-between-parent-and-child\tpipe-example/kernel-[0-9][^\t]*\tpass\t.*: the same output as here, exited 0$' "$SCRATCH/r.tsv"
	grep -q '🐧 \*\*kinship\*\* pipe-example on .*the same output as here' "$SCRATCH/out.md"
	grep -v -- '<!-- kinship -->$' "$SCRATCH/out.md" | cmp - "$FIXTURES/good.md"
}
