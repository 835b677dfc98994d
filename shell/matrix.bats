#!/usr/bin/env bats
# kinship-cases --matrix DIR: the claims x kernels matrix from what the kernel
# harness collected in DIR/collected (kernels.tsv, results-INDEX.tsv,
# meta.tsv).  The collected files are written here by hand: three kernels
# (one ran, one never booted, one whose console shows a panic), details
# holding every byte the four formats must escape.

load helpers

setup() {
	kin_scratch
	M=$SCRATCH/m
	# the rows: PIPE-ENDS's two tests, SIG-PAUSE's one, the console's
	ROWS=(--claim PIPE-ENDS --claim SIG-PAUSE)
	T1=bytes_written_to_fd1_are_read_from_fd0
	T2=read_end_cannot_write_and_write_end_cannot_read
	T3=pause_sleeps_until_handler_ran_then_fails_with_eintr
	# quotes, <&>, a backslash, a pipe, a backtick, 0x01, ESC, DEL, CR, a
	# tab (inside the detail: the results reader must keep it), Chinese, and
	# invalid UTF-8 (a lone 0xff, a 0xc3 lead byte without its follower)
	HOSTILE=$'quote" lt< amp& gt> apos\' back\\slash pipe| tick` ctl\x01 esc\x1b del\x7f cr\r tab\tafter 中文 bad\xff\xc3( end => refuted: fd[0] 可写'
}

teardown() {
	rm -rf "$SCRATCH"
}

# the collected files of three kernels
collect_three() {
	mkdir -p "$M/collected"
	# columns in an order of their own, and one this file does not know
	{
		printf 'spec\tindex\tuname\tnew_column\tarch\tmachine\tpagesize\twordsize\tendian\tlibc\tpackage\tversion\tarchive\taccel\tfetch_ms\tboot_ms\trun_ms\ttotal_ms\terror\tfinding\tconsole\n'
		printf 'debian:bookworm\t0\t6.1.0-27-amd64\tx\tx86_64\tx86_64\t4096\t64\tlittle\tglibc 2.36\tlinux-image-6.1.0-27-amd64\t6.1.115-1\tbookworm-security\ttcg\t12\t2730\t362\t3132\t\t\tbookworm.console.log\n'
		printf 'debian:sid:arm64-16k\t1\t\tx\taarch64\t\t\t\t\t\t\t\t\ttcg\t40\t\t\t300100\ttimed out after 300 s before /init ran | <none>\t\t\n'
		printf '/k/vm|linuz\t2\t6.12.48+deb13-s390x\tx\ts390x\ts390x\t4096\t64\tbig\tglibc 2.41\tlinux-image-6.12.48+deb13-s390x\t6.12.48-1\ttrixie\ttcg\t9\t5100\t0\t5200\t\tKernel panic - not syncing: Attempted to kill init! exitcode=0x00000100\ts390x.console.log\n'
	} >"$M/collected/kernels.tsv"
	{
		printf 'PIPE-ENDS\t%s\tpass\t17 bytes intact\n' "$T1"
		printf 'PIPE-ENDS\t%s\tfail\t%s\n' "$T2" "$HOSTILE"
		printf 'SIG-PAUSE\t%s\terror\tReceived signal 11 <segv>\n' "$T3"
		# a second line of a test: the first one counts
		printf 'PIPE-ENDS\t%s\tfail\tnot this one\n' "$T1"
		printf 'NOT-A-ROW\tsomething_else\tfail\tignored\n'
	} >"$M/collected/results-0.tsv"
	{
		printf 'PIPE-ENDS\t%s\tpass\t17 bytes intact\n' "$T1"
		printf 'PIPE-ENDS\t%s\tpass\tEBADF both ways\n' "$T2"
		printf 'SIG-PAUSE\t%s\tskip\tno pause() here & there\n' "$T3"
	} >"$M/collected/results-2.tsv"
	printf 'Booting from ROM..\n' >"$M/bookworm.console.log"
	{
		printf 'Booting from ROM..\033[2J[    0.000000] Linux version 6.12.48\r\n'
		printf '[    2.345678] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100\r\n'
		printf 'KIN:K: BUG: a framed line, not a finding\n'
		printf '[    2.400000] WARNING: CPU: 0 PID: 1 at `tick` and | pipe 中文\n'
	} >"$M/s390x.console.log"
	printf 'started\t2026-12-01T10:15:00Z\nrun\t20261201T101500Z-1234\naccel\tx86-64 guests under TCG (no usable /dev/kvm); aarch64 guests under TCG, -cpu max,pauth=off\n' \
		>"$M/collected/meta.tsv"
}

# the head of a Python check run as `python3 check.py OUT RESULTS TEST`:
# out, results and test from its arguments, and detail, the bytes of TEST's
# detail in the results file RESULTS, as written there
detail_py() {
	cat <<'EOF'
import sys
out, results, test = sys.argv[1:4]
detail = [l.split(b"\t", 3)[3] for l in open(results, "rb").read().split(b"\n")
          if l.count(b"\t") >= 3 and l.split(b"\t")[1] == test.encode()][0]
EOF
}

# the expected failures of the three: by version range, by SPEC, by uname glob
xfails() {
	printf '# known deviations\n\n6.1..6.2\tSIG-PAUSE\tcrashes on 6.1 (range)\ndebian:sid:arm64-16k\t*\tno 16k guest yet (spec)\n6.12.*\t\tKERNEL-LOG/*\tpanics at init (glob)\n' \
		>"$SCRATCH/xf.tsv"
}

matrix() {
	run "$KINSHIP_CASES" --matrix "$M" "$@"
}

# an expected-failures file of the lines given, then a run with it
matrix_with() {
	printf '%s\n' "$@" >"$SCRATCH/xf1.tsv"
	matrix "${ROWS[@]}" --expected-failures "$SCRATCH/xf1.tsv"
}

@test "--help names --matrix and --expected-failures" {
	run "$KINSHIP_CASES" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--matrix DIR"* ]]
	[[ "$output" == *"--expected-failures FILE"* ]]
}

@test "matrix.tsv: claim, test, a column per kernel headed by uname -r or SPEC, a cell per test" {
	collect_three
	matrix "${ROWS[@]}"
	[ "$status" -eq 1 ]
	printf '%s\t' claim test 6.1.0-27-amd64 debian:sid:arm64-16k >"$SCRATCH/want"
	printf '6.12.48+deb13-s390x\n' >>"$SCRATCH/want"
	printf 'PIPE-ENDS\t%s\tpass\terror\tpass\n' "$T1" >>"$SCRATCH/want"
	printf 'PIPE-ENDS\t%s\tfail\terror\tpass\n' "$T2" >>"$SCRATCH/want"
	printf 'SIG-PAUSE\t%s\terror\terror\tskip\n' "$T3" >>"$SCRATCH/want"
	printf 'KERNEL-LOG\tconsole_shows_no_panic_bug_or_warning\tpass\terror\tfail\n' >>"$SCRATCH/want"
	diff "$SCRATCH/want" "$M/matrix.tsv"
}

@test "the summary counts unexpected failures and errors; the status says whether there were any" {
	collect_three
	matrix "${ROWS[@]}"
	[ "$status" -eq 1 ]
	[ "$output" = "7 unexpected failures or errors, 0 expected" ]
	xfails
	matrix "${ROWS[@]}" --expected-failures "$SCRATCH/xf.tsv"
	[ "$status" -eq 1 ]
	[ "$output" = "1 unexpected failures or errors, 6 expected" ]
	# the last one listed too: nothing unexpected is left, status 0
	printf 'debian:bookworm\tPIPE-ENDS/read_end_*\tfd[0] writable (spec, claim/test glob)\n' >>"$SCRATCH/xf.tsv"
	matrix "${ROWS[@]}" --expected-failures "$SCRATCH/xf.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "0 unexpected failures or errors, 7 expected" ]
}

@test "expected failures match by SPEC, *, uname glob, version range; by test, claim, test glob, CLAIM/test glob" {
	collect_three
	# each line covers exactly one failure: 6.1.0-27's SIG-PAUSE error
	local line
	for line in $'debian:bookworm\tSIG-PAUSE\tspec, claim' $'debian:bookworm\tpause_sleeps_*\ttest glob' \
		$'6.1.0-*\t'"$T3"$'\tuname glob, test' $'6.1..6.2\tSIG-PAUSE/*\trange, claim/test glob' \
		$'6.0.99..\tSIG-PAUSE\topen range above' $'..6.1.1\tSIG-PAUSE\topen range below' \
		$'6.1.0..6.1.1\tSIG-PAUSE\tpatch level'; do
		matrix_with "$line"
		echo "$line: $output"
		[ "$output" = "6 unexpected failures or errors, 1 expected" ]
	done
	# and these cover none: the range excludes its HIGH, a glob of uname
	# never names a kernel that did not boot, a pass is never an expected failure
	for line in $'..6.1\tSIG-PAUSE\tbelow 6.1' $'6.1.1..\tSIG-PAUSE\tabove 6.1.0' \
		$'6.12..\tSIG-PAUSE\tnewer kernels' $'*arm64*\tPIPE-ENDS\tno uname' \
		$'debian:bookworm\t'"$T1"$'\ta pass' $'debian:bookworm\tSIG-PAUS\tnot a claim'; do
		matrix_with "$line"
		echo "$line: $output"
		[ "$output" = "7 unexpected failures or errors, 0 expected" ]
	done
	# a kernel that did not boot: its SPEC and * cover it; 6.12.*'s KERNEL-LOG by claim
	matrix_with $'debian:sid:arm64-16k\t*\tno 16k guest'
	[ "$output" = "3 unexpected failures or errors, 4 expected" ]
	matrix_with $'*\tSIG-PAUSE\tany kernel'
	[ "$output" = "5 unexpected failures or errors, 2 expected" ]
	matrix_with $'6.12.*\tKERNEL-LOG\tpanics'
	[ "$output" = "6 unexpected failures or errors, 1 expected" ]
}

@test "matrix.md: the kernels table names word size, byte order, libc and the archive" {
	collect_three
	xfails
	matrix "${ROWS[@]}" --expected-failures "$SCRATCH/xf.tsv"
	grep -qxF '| kernel (uname -r) | SPEC | Debian package | archive | arch | page size | word size | byte order | libc | accel | fetch | boot | run | result |' "$M/matrix.md"
	grep -qxF '| 6.1.0-27-amd64 | debian:bookworm | linux-image-6.1.0-27-amd64 6.1.115-1 | bookworm-security | x86_64 | 4 KiB | 64-bit | little-endian | glibc 2.36 | tcg | 0.0 s | 2.7 s | 0.4 s | ran |' "$M/matrix.md"
	grep -qxF '| - | debian:sid:arm64-16k | - | - | aarch64 | - | - | - | - | tcg | 0.0 s |  |  | error: timed out after 300 s before /init ran \| \<none> |' "$M/matrix.md"
	grep -qxF '| 6.12.48+deb13-s390x | /k/vm\|linuz | linux-image-6.12.48+deb13-s390x 6.12.48-1 | trixie | s390x | 4 KiB | 64-bit | big-endian | glibc 2.41 | tcg | 0.0 s | 5.1 s | 0.0 s | ran |' "$M/matrix.md"
	grep -q '^Written [0-9T:-]*Z, run 20261201T101500Z-1234; x86-64 guests under TCG (no usable /dev/kvm); aarch64 guests under TCG, -cpu max,pauth=off; one vCPU each\.$' "$M/matrix.md"
}

@test "matrix.md: verdicts and tests with disagreements first, evidence where kernels disagree, (x), failures, console" {
	collect_three
	xfails
	matrix "${ROWS[@]}" --expected-failures "$SCRATCH/xf.tsv"
	# the sections, in order
	[ "$(grep '^##' "$M/matrix.md" | tr '\n' '/')" = "## Kernels/## Document verdicts/### Evidence where the kernels disagree/## Tests/## Failures and errors/## Kernel console/" ]
	# PIPE-ENDS: refuted on one, holds on the other; SIG-PAUSE: refuted and
	# not-applicable (all skipped)
	local head='| claim | 6.1.0-27-amd64<br>x86_64, 4 KiB pages | debian:sid:arm64-16k | 6.12.48+deb13-s390x<br>s390x, 4 KiB pages |'
	grep -qxF "$head" "$M/matrix.md"
	grep -A4 -xF "$head" "$M/matrix.md" | sed -n 3,4p >"$SCRATCH/verdicts"
	printf '%s\n' '| **PIPE-ENDS** | refuted | error | holds |' '| **SIG-PAUSE** | refuted | error | not-applicable |' |
		diff - "$SCRATCH/verdicts"
	grep -qxF -- '- SIG-PAUSE on 6.12.48+deb13-s390x: not-applicable: no pause() here \& there' "$M/matrix.md"
	grep -qF -- '- PIPE-ENDS on 6.1.0-27-amd64: refuted: FAILED: quote" lt\< amp\& gt> apos' "$M/matrix.md"
	# tests: rows where the kernels disagree first, bold; (x) for expected
	grep -A6 -xF '| claim | test | 6.1.0-27-amd64<br>x86_64, 4 KiB pages | debian:sid:arm64-16k | 6.12.48+deb13-s390x<br>s390x, 4 KiB pages |' "$M/matrix.md" |
		sed -n 3,6p >"$SCRATCH/tests"
	printf '%s\n' "| PIPE-ENDS | **$T2** | fail | error (x) | pass |" \
		"| SIG-PAUSE | **$T3** | error (x) | error (x) | skip |" \
		"| KERNEL-LOG | **console_shows_no_panic_bug_or_warning** | pass | error (x) | fail (x) |" \
		"| PIPE-ENDS | $T1 | pass | error (x) | pass |" | diff - "$SCRATCH/tests"
	# failures: each with its detail escaped and whether it was expected
	local want
	want=$'- 6.1.0-27-amd64, PIPE-ENDS '"$T2"$': fail: quote" lt\\< amp\\& gt> apos\' back\\\\slash pipe\\| tick\\` ctl\\x01 esc\\x1b del\\x7f cr\\x0d tab after 中文 bad\\xff\\xc3( end => refuted: fd[0] 可写 (unexpected)'
	grep -qxF -- "$want" "$M/matrix.md"
	grep -qxF -- "- 6.1.0-27-amd64, SIG-PAUSE $T3: error: Received signal 11 \\<segv> (expected: crashes on 6.1 (range))" "$M/matrix.md"
	grep -qxF -- '- debian:sid:arm64-16k: did not run: timed out after 300 s before /init ran \| \<none> (expected: no 16k guest yet (spec))' "$M/matrix.md"
	grep -qxF -- '- 6.12.48+deb13-s390x, KERNEL-LOG console_shows_no_panic_bug_or_warning: fail: Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100 (expected: panics at init (glob))' "$M/matrix.md"
	# the console: the finding lines, timestamps cut, framed lines left out,
	# each a code span that holds its backticks
	sed -n '/^## Kernel console$/,$p' "$M/matrix.md" >"$SCRATCH/console"
	printf '%s\n' '## Kernel console' '' '- /k/vm\|linuz:' \
		'  - `Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100`' \
		'  - ``WARNING: CPU: 0 PID: 1 at `tick` and | pipe 中文``' | diff - "$SCRATCH/console"
}

@test "matrix.md: every row of a table has as many cell separators as its head" {
	collect_three
	matrix "${ROWS[@]}"
	# unescaped pipes per table row (\\ and \| taken out first), one table
	# after another: kernels 15, verdicts 5, tests 6
	run awk '
		/^\|/ {
			s = $0; gsub(/\\\\/, "", s); gsub(/\\\|/, "", s)
			n = gsub(/\|/, "|", s)
			if (!intable) { tables = tables (tables == "" ? "" : " ") n; want = n; intable = 1 }
			else if (n != want) { print "line " NR ": " n " separators, the head has " want; bad = 1 }
			next
		}
		{ intable = 0 }
		END { print tables; exit bad }' "$M/matrix.md"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "15 5 6" ]
	# no line of matrix.md holds a control byte or invalid UTF-8
	run grep -c $'[\x01-\x08\x0b-\x1f\x7f]' "$M/matrix.md"
	[ "$output" = 0 ]
	if iconv --version >/dev/null 2>&1; then
		iconv -f UTF-8 -t UTF-8 "$M/matrix.md" >/dev/null
	fi
}

@test "junit.xml: a suite per kernel with its properties; the escaped detail; expected failures skipped" {
	collect_three
	xfails
	matrix "${ROWS[@]}" --expected-failures "$SCRATCH/xf.tsv"
	grep -qF '<testsuite name="kinship on 6.1.0-27-amd64" tests="4" failures="1" errors="0" skipped="1" time="3.132">' "$M/junit.xml"
	grep -qF '<testsuite name="kinship on debian:sid:arm64-16k" tests="4" failures="0" errors="0" skipped="4" time="300.100">' "$M/junit.xml"
	grep -qF '<testsuite name="kinship on 6.12.48+deb13-s390x" tests="4" failures="0" errors="0" skipped="2" time="5.200">' "$M/junit.xml"
	local p
	for p in 'spec" value="debian:bookworm' 'uname" value="6.1.0-27-amd64' 'arch" value="x86_64' \
		'machine" value="x86_64' 'pagesize" value="4096' 'wordsize" value="64' 'endian" value="big' \
		'libc" value="glibc 2.36' 'package" value="linux-image-6.1.0-27-amd64' 'version" value="6.1.115-1' \
		'archive" value="bookworm-security' 'accel" value="tcg' \
		'error" value="timed out after 300 s before /init ran | &lt;none&gt;'; do
		grep -qF "<property name=\"$p\"/>" "$M/junit.xml"
	done
	local want
	want=$'<failure message="quote&quot; lt&lt; amp&amp; gt&gt; apos&apos; back\\slash pipe| tick` ctl\\x01 esc\\x1b del\\x7f cr&#13; tab&#9;after 中文 bad\xef\xbf\xbd\xef\xbf\xbd( end =&gt; refuted: fd[0] 可写"/>'
	grep -qF -- "$want" "$M/junit.xml"
	grep -qF '<skipped message="expected error: crashes on 6.1 (range): Received signal 11 &lt;segv&gt;"/>' "$M/junit.xml"
	grep -qF '<skipped message="no pause() here &amp; there"/>' "$M/junit.xml"
	grep -qF "<testcase classname=\"PIPE-ENDS\" name=\"$T1\"/>" "$M/junit.xml"
}

@test "junit.xml is well-formed XML, and the detail comes back as written, controls shown" {
	collect_three
	matrix "${ROWS[@]}"
	if command -v python3 >/dev/null; then
		python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.stdin)' <"$M/junit.xml"
		{ detail_py; cat <<'EOF'; } >"$SCRATCH/check.py"
import xml.dom.minidom
junit = out
text = detail.decode("utf-8", "replace")
want = "".join("\\x%02x" % ord(c) if (ord(c) < 0x20 and c not in "\t\n\r") or ord(c) == 0x7f else c
               for c in text)
got = [f.getAttribute("message") for f in xml.dom.minidom.parse(junit).getElementsByTagName("failure")]
assert want in got, (want, got)
EOF
		python3 "$SCRATCH/check.py" "$M/junit.xml" "$M/collected/results-0.tsv" "$T2"
	elif command -v xmllint >/dev/null; then
		xmllint --noout "$M/junit.xml"
	else
		skip "neither python3 nor xmllint is installed: well-formedness not checked"
	fi
}

@test "kcidb.json: checkouts, builds, tests; waived expected failures; the escaped detail; no null" {
	collect_three
	xfails
	matrix "${ROWS[@]}" --expected-failures "$SCRATCH/xf.tsv"
	grep -qF '"version": {"major": 4, "minor": 3}' "$M/kcidb.json"
	grep -qF '{"id": "kinship:20261201T101500Z-1234-1", "origin": "kinship", "tree_name": "debian:bookworm", "start_time": "2026-12-01T10:15:00Z", "valid": true, "comment": "linux-image-6.1.0-27-amd64 6.1.115-1"}' "$M/kcidb.json"
	grep -qF '"tree_name": "local"' "$M/kcidb.json"
	grep -qF '"architecture": "s390", ' "$M/kcidb.json"
	grep -qF '"valid": false, "comment": "did not run: timed out after 300 s before /init ran | <none>", "misc": {"spec": "debian:sid:arm64-16k"}}' "$M/kcidb.json"
	grep -qF '"misc": {"spec": "debian:bookworm", "uname": "6.1.0-27-amd64", "package": "linux-image-6.1.0-27-amd64", "version": "6.1.115-1", "page_size": 4096, "archive": "bookworm-security", "machine": "x86_64", "word_size": 64, "endian": "little", "libc": "glibc 2.36"}' "$M/kcidb.json"
	local want
	want=$'"status": "FAIL", "waived": false, "start_time": "2026-12-01T10:15:00Z", "environment": {"comment": "QEMU TCG x86_64, one vCPU"}, "comment": "quote\\" lt< amp& gt> apos\' back\\\\slash pipe| tick` ctl\\u0001 esc\\u001b del\\u007f cr\\u000d tab\\tafter 中文 bad\\ufffd\\ufffd( end => refuted: fd[0] 可写"'
	grep -qF -- "$want" "$M/kcidb.json"
	grep -qF '"path": "kinship.SIG-PAUSE.pause_sleeps_until_handler_ran_then_fails_with_eintr", "status": "ERROR", "waived": true' "$M/kcidb.json"
	grep -qF '"misc": {"claim": "SIG-PAUSE", "expected_failure": "crashes on 6.1 (range)"}' "$M/kcidb.json"
	[ "$(grep -c '"waived": true' "$M/kcidb.json")" -eq 6 ]
	! grep -q 'null' "$M/kcidb.json"
}

@test "kcidb.json is well-formed JSON, and the detail comes back as written" {
	collect_three
	matrix "${ROWS[@]}"
	if command -v python3 >/dev/null; then
		python3 -c 'import json,sys; json.load(sys.stdin)' <"$M/kcidb.json"
		{ detail_py; cat <<'EOF'; } >"$SCRATCH/check.py"
import json
kcidb = out
d = json.load(open(kcidb, encoding="utf-8"))
assert len(d["checkouts"]) == 3 and len(d["builds"]) == 3 and len(d["tests"]) == 12
got = [t["comment"] for t in d["tests"] if t["path"].endswith(test)]
assert detail.decode("utf-8", "replace") in got, got
def no_null(x):
    assert x is not None
    for v in (x.values() if isinstance(x, dict) else x if isinstance(x, list) else []):
        no_null(v)
no_null(d)
assert {t["status"] for t in d["tests"]} <= {"PASS", "FAIL", "SKIP", "ERROR"}
EOF
		python3 "$SCRATCH/check.py" "$M/kcidb.json" "$M/collected/results-0.tsv" "$T2"
	elif command -v jq >/dev/null; then
		jq empty "$M/kcidb.json"
	else
		skip "neither python3 nor jq is installed: well-formedness not checked"
	fi
}

@test "a detail of 6000 bytes comes through whole; a kernel without its results file errs, its console row still judged" {
	mkdir -p "$M/collected"
	printf 'index\tspec\tuname\terror\tfinding\n0\tdebian:trixie\t6.12.48+deb13-amd64\t\t\n1\tdebian:sid\t7.0.1-amd64\t\t\n' \
		>"$M/collected/kernels.tsv"
	local long
	long=$(head -c 6000 /dev/zero | tr '\0' 'x')
	printf 'PIPE-ENDS\t%s\tfail\t%s<end\n' "$T1" "$long" >"$M/collected/results-0.tsv"
	matrix --claim PIPE-ENDS
	[ "$status" -eq 1 ]
	[ "$output" = "4 unexpected failures or errors, 0 expected" ]
	grep -qF "$long&lt;end\"/>" "$M/junit.xml"
	grep -qF "\"comment\": \"$long<end\"" "$M/kcidb.json"
	grep -qF "$long\\<end (unexpected)" "$M/matrix.md"
	grep -qF -- "- 7.0.1-amd64, PIPE-ENDS $T1: error: no results: $M/collected/results-1.tsv is missing (unexpected)" "$M/matrix.md"
	grep -q $'^KERNEL-LOG\tconsole_shows_no_panic_bug_or_warning\tpass\tpass$' "$M/matrix.tsv"
	# no meta.tsv: a run id of the moment, no start_time (KCIDB has no null)
	run grep -c start_time "$M/kcidb.json"
	[ "$output" = 0 ]
	grep -q '"id": "kinship:[0-9]*T[0-9]*Z-[0-9]*-1"' "$M/kcidb.json"
}

@test "column heads: the SPEC is added to each kernel that shares its uname; a CR in a SPEC is no line break in matrix.tsv" {
	mkdir -p "$M/collected"
	printf 'index\tspec\tuname\terror\n0\tdebian:bookworm\t6.1.0-27-amd64\t\n1\tdebian:bookworm-security\t6.1.0-27-amd64\t\n2\t/k/vm\rlinuz\t\tno such kernel image\n' \
		>"$M/collected/kernels.tsv"
	: >"$M/collected/results-0.tsv"
	: >"$M/collected/results-1.tsv"
	matrix --claim SIG-PAUSE
	[ "$(head -n 1 "$M/matrix.tsv")" = $'claim\ttest\t6.1.0-27-amd64 (debian:bookworm)\t6.1.0-27-amd64 (debian:bookworm-security)\t/k/vm linuz' ]
	[ "$(wc -l <"$M/matrix.tsv")" -eq 3 ]
	grep -qF '| - | /k/vm\x0dlinuz | -' "$M/matrix.md"
	grep -qF '<testsuite name="kinship on /k/vm&#13;linuz"' "$M/junit.xml"
}

@test "each output is written whole and renamed into place: an old one is replaced, no temporary file stays" {
	collect_three
	echo old >"$M/matrix.md"
	matrix "${ROWS[@]}"
	[ "$status" -eq 1 ]
	[ "$(head -n 1 "$M/matrix.md")" = "# kinship kernel matrix" ]
	[ -z "$(find "$M" -maxdepth 1 -name '.*' ! -name . -print)" ]
	for f in matrix.tsv matrix.md junit.xml kcidb.json; do [ -s "$M/$f" ]; done
}

@test "the matrix of real results gives each claim the verdict and evidence --from-results --verdicts gives" {
	run "$KINSHIP_CASES" --claim PIPE-ENDS --claim REG-PIPE-EOF-ALL --results "$SCRATCH/r.tsv"
	[ "$status" -eq 0 ]
	"$KINSHIP_CASES" --from-results "$SCRATCH/r.tsv" --verdicts "$SCRATCH/v.tsv"
	mkdir -p "$M/collected"
	# this host, and a kernel that ran but reported nothing: every claim it
	# judges differs where this host's verdict is one, so its evidence shows
	printf 'index\tspec\tuname\terror\n0\thost\t%s\t\n1\tsilent\tsilent-1\t\n' "$(uname -r)" >"$M/collected/kernels.tsv"
	cp "$SCRATCH/r.tsv" "$M/collected/results-0.tsv"
	: >"$M/collected/results-1.tsv"
	matrix
	# claim and first kernel's verdict, from the Document verdicts table
	sed -n '/^## Document verdicts$/,/^## Regression sentinels$/p' "$M/matrix.md" |
		awk -F' \\| ' '/^\| / && NR > 4 && !/^\| claim/ { c = $1; sub(/^\| /, "", c); gsub(/\*/, "", c); print c "\t" $2 }' |
		sort >"$SCRATCH/md-verdicts"
	cut -f1,2 "$SCRATCH/v.tsv" | sort >"$SCRATCH/want-verdicts"
	diff "$SCRATCH/want-verdicts" "$SCRATCH/md-verdicts"
	[ "$(wc -l <"$SCRATCH/want-verdicts")" -gt 30 ]
	grep -q $'^PIPE-ENDS\tholds$' "$SCRATCH/md-verdicts"
	# the evidence of PIPE-ENDS, as --verdicts gives it (nothing in it to escape)
	local evidence
	evidence=$(awk -F'\t' '$1 == "PIPE-ENDS" { print $3 }' "$SCRATCH/v.tsv")
	grep -qxF -- "- PIPE-ENDS on $(uname -r): holds: $evidence" "$M/matrix.md"
	grep -qxF -- "- PIPE-ENDS on silent-1: not yet tested: no test of this claim ran" "$M/matrix.md"
	# a sentinel's cell is the side its test saw, as the results file marks it
	local side
	side=$(sed -n 's/^REG-PIPE-EOF-ALL\t.* => \(before\|after\): .*/\1/p' "$SCRATCH/r.tsv")
	[ -n "$side" ]
	sed -n '/^## Regression sentinels$/,/^## Tests$/p' "$M/matrix.md" | grep -qxF "| **REG-PIPE-EOF-ALL** | $side | not yet tested |"
	! grep -q '^REG-' "$SCRATCH/v.tsv"
}

@test "usage errors: one line, status 2, nothing written" {
	collect_three
	usage_error kernels.tsv "$KINSHIP_CASES" --matrix "$SCRATCH/nowhere"
	usage_error PIPE-NOPE "$KINSHIP_CASES" --matrix "$M" --claim PIPE-NOPE
	usage_error kinship-doccheck "$KINSHIP_CASES" --matrix "$M" --claim DOC-FENCE
	usage_error --matrix "$KINSHIP_CASES" --matrix "$M" --results "$SCRATCH/r.tsv"
	usage_error --matrix "$KINSHIP_CASES" --matrix "$M" --test "$T1"
	usage_error --matrix "$KINSHIP_CASES" --expected-failures "$SCRATCH/xf.tsv"
	usage_error --judge "$KINSHIP_CASES" --matrix "$M" --judge "$SCRATCH/xf.tsv"
	usage_error matrix "$KINSHIP_CASES" --matrix
	usage_error nope.tsv "$KINSHIP_CASES" --matrix "$M" --expected-failures "$SCRATCH/nope.tsv"
	# a line without a reason, or with blanks for one, names FILE:LINE
	printf '# comment\n6.1..6.2\tSIG-PAUSE\n' >"$SCRATCH/bad.tsv"
	usage_error "$SCRATCH/bad.tsv:2:" "$KINSHIP_CASES" --matrix "$M" --expected-failures "$SCRATCH/bad.tsv"
	printf 'debian:bookworm\tSIG-PAUSE\t   \n' >"$SCRATCH/bad.tsv"
	usage_error "$SCRATCH/bad.tsv:1:" "$KINSHIP_CASES" --matrix "$M" --expected-failures "$SCRATCH/bad.tsv"
	printf 'v6..v7\tSIG-PAUSE\tnot versions\n' >"$SCRATCH/bad.tsv"
	usage_error "$SCRATCH/bad.tsv:1:" "$KINSHIP_CASES" --matrix "$M" --expected-failures "$SCRATCH/bad.tsv"
	# a kernels.tsv without its header's spec column, or with no kernel
	mkdir -p "$SCRATCH/h/collected" "$SCRATCH/e/collected"
	printf 'index\tuname\n0\t6.1.0-27-amd64\n' >"$SCRATCH/h/collected/kernels.tsv"
	usage_error spec "$KINSHIP_CASES" --matrix "$SCRATCH/h"
	printf 'index\tspec\n' >"$SCRATCH/e/collected/kernels.tsv"
	usage_error 'no kernel' "$KINSHIP_CASES" --matrix "$SCRATCH/e"
	[ -z "$(ls "$M" | grep -v -e collected -e console.log)" ]
}

@test "an unwritable DIR is a usage error that names it" {
	collect_three
	chmod 0555 "$M"
	if [ "$(id -u)" -ne 0 ]; then
		usage_error "$M" "$KINSHIP_CASES" --matrix "$M" "${ROWS[@]}"
	else
		# root writes anywhere: try as nobody, if nobody can reach it
		command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
		chmod 0755 "$SCRATCH"
		chmod -R a+rX "$M"
		setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$KINSHIP_CASES" ||
			skip "the build tree is not reachable by nobody"
		usage_error "$M" setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$KINSHIP_CASES" --matrix "$M" "${ROWS[@]}"
	fi
	[ ! -e "$M/matrix.md" ]
	chmod 0755 "$M"
}

# two runs of the matrix on the same kernels: OLD, then M with what changed
# since: a test of PIPE-ENDS failing now, REG-PIPE-EOF-ALL on the other side
two_runs() {
	run "$KINSHIP_CASES" --claim PIPE-ENDS --claim REG-PIPE-EOF-ALL --results "$SCRATCH/r.tsv"
	[ "$status" -eq 0 ]
	OLD=$SCRATCH/old
	mkdir -p "$OLD/collected" "$M/collected"
	printf 'index\tspec\tuname\terror\n0\thost\t%s\t\n1\t/k/bzImage\t6.99.0-unpatched\t\n' "$(uname -r)" \
		>"$OLD/collected/kernels.tsv"
	printf 'index\tspec\tuname\terror\n0\thost\t%s\t\n1\t/k/bzImage-new\t6.99.0-patched\t\n' "$(uname -r)" \
		>"$M/collected/kernels.tsv"
	cp "$SCRATCH/r.tsv" "$OLD/collected/results-0.tsv"
	cp "$SCRATCH/r.tsv" "$OLD/collected/results-1.tsv"
	cp "$SCRATCH/r.tsv" "$M/collected/results-1.tsv"
	awk -F'\t' -v OFS='\t' -v t="$T1" -v h="$HOSTILE" '
		$1 == "PIPE-ENDS" && $2 == t { $3 = "fail"; $4 = h }
		$1 == "REG-PIPE-EOF-ALL" { side = ($0 ~ / => after: /) ? "before" : "after"; sub(/ => (before|after): /, " => " side ": ") }
		{ print }' "$SCRATCH/r.tsv" >"$M/collected/results-0.tsv"
	printf 'run\t20261201T090000Z-1\n' >"$OLD/collected/meta.tsv"
}

@test "--baseline OLD: every changed cell, verdict and side, with both details; kernels paired by SPEC, uname, or the one left" {
	two_runs
	matrix --claim PIPE-ENDS --claim REG-PIPE-EOF-ALL --baseline "$OLD"
	[ "$status" -eq 1 ]      # this run's failure, as without --baseline
	[[ "$output" == "1 unexpected failures or errors, 0 expected; 3 changes against the baseline $OLD ($M/changes.md)" ]]
	local u was_side now_side old_detail
	u=$(uname -r)
	was_side=$(sed -n 's/^REG-PIPE-EOF-ALL\t.* => \(before\|after\): .*/\1/p' "$SCRATCH/r.tsv")
	now_side=$(sed -n 's/^REG-PIPE-EOF-ALL\t.* => \(before\|after\): .*/\1/p' "$M/collected/results-0.tsv")
	[ "$was_side" != "$now_side" ]
	old_detail=$(awk -F'\t' -v t="$T1" '$1 == "PIPE-ENDS" && $2 == t { print $4 }' "$SCRATCH/r.tsv")
	# the header, then the three changes: the result, the claim's verdict, the sentinel's side
	[ "$(wc -l <"$M/changes.tsv")" -eq 4 ]
	[ "$(head -n 1 "$M/changes.tsv")" = $'kernel\tbaseline_kernel\twhat\tclaim\ttest\tbaseline\tnow\tbaseline_detail\tdetail' ]
	awk -F'\t' -v u="$u" -v t="$T1" -v d="$old_detail" '$1 == u && $2 == u && $3 == "result" && $4 == "PIPE-ENDS" && $5 == t && $6 == "pass" && $7 == "fail" && $8 == d { print $9 }' \
		"$M/changes.tsv" >"$SCRATCH/now-detail"
	# the detail as TSV cells carry it: tab and CR as spaces, every other byte as it was
	printf '%s\n' "$HOSTILE" | tr '\t\r' '  ' | cmp - "$SCRATCH/now-detail"
	awk -F'\t' -v u="$u" '$1 == u && $3 == "verdict" && $4 == "PIPE-ENDS" && $6 == "holds" && $7 != "holds" { n++ } END { exit n != 1 }' "$M/changes.tsv"
	awk -F'\t' -v u="$u" -v w="$was_side" -v n="$now_side" '$1 == u && $3 == "side" && $4 == "REG-PIPE-EOF-ALL" && $6 == w && $7 == n && $8 != "" && $9 != "" { c++ } END { exit c != 1 }' "$M/changes.tsv"
	# the patched kernel of one's own is paired with the unpatched one: nothing changed there
	! grep -q 'patched' "$M/changes.tsv"
	grep -qF '2 kernels paired of 2 here and 2 there; 3 changes.' "$M/changes.md"
	grep -qF "| $u | $u | side | REG-PIPE-EOF-ALL |  | $was_side | $now_side |" "$M/changes.md"
	grep -qxF "  - baseline: pass: $old_detail" "$M/changes.md"
	# the matrix itself is written as without --baseline
	[ -s "$M/matrix.md" ] && [ -s "$M/kcidb.json" ]
}

@test "--baseline OLD: a kernel on one side only is a change; the same run against itself has none; usage errors" {
	two_runs
	# a third kernel here, none like it there: the one-left rule no longer applies
	printf '2\tdebian:sid\t7.2.13+deb14-amd64\t\n' >>"$M/collected/kernels.tsv"
	cp "$SCRATCH/r.tsv" "$M/collected/results-2.tsv"
	matrix --claim PIPE-ENDS --claim REG-PIPE-EOF-ALL --baseline "$OLD"
	grep -qx $'6.99.0-patched\t-\tkernel\t\t\t-\tran\t\t' "$M/changes.tsv"
	grep -qx $'7.2.13+deb14-amd64\t-\tkernel\t\t\t-\tran\t\t' "$M/changes.tsv"
	grep -qx -- $'-\t6.99.0-unpatched\tkernel\t\t\tran\t-\t\t' "$M/changes.tsv"
	# the baseline against itself
	matrix --claim PIPE-ENDS --claim REG-PIPE-EOF-ALL --baseline "$OLD"
	run "$KINSHIP_CASES" --matrix "$OLD" --claim PIPE-ENDS --claim REG-PIPE-EOF-ALL --baseline "$OLD"
	[ "$status" -eq 0 ]
	[[ "$output" == *"; 0 changes against the baseline $OLD"* ]]
	[ "$(wc -l <"$OLD/changes.tsv")" -eq 1 ]
	grep -qxF 'Every cell and every verdict is as it was.' "$OLD/changes.md"
	# usage errors: --baseline alone, or a baseline without a matrix's collected files
	rm -f "$M"/changes.* "$M"/matrix.* "$M"/junit.xml "$M"/kcidb.json
	usage_error "--baseline goes with --matrix" "$KINSHIP_CASES" --baseline "$OLD"
	usage_error "$SCRATCH/nowhere/collected/kernels.tsv" "$KINSHIP_CASES" --matrix "$M" --baseline "$SCRATCH/nowhere"
	[ -z "$(ls "$M" | grep -v collected)" ]
}
