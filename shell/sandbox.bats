#!/usr/bin/env bats
# doccheck-run's sandbox, tried by hostile programs: each fixture
# shell/fixtures/hostile-NAME.md is a small document with one C block,
# extracted and built here, then run through doccheck-run.  Each test checks
# that the program is contained AND that the host shows no trace of it; the
# same tests run as the caller and, from root, as nobody (an unprivileged
# caller).  Every run also checks that nothing of it is left: no process, no
# mount (the sandbox's all lived in namespaces that died with the run).

load helpers

RUNNER="$KINSHIP_BUILDDIR/doccheck/doccheck-run"
FIXTURES="$KINSHIP_SRCDIR/shell/fixtures"

# Build every hostile fixture once, and the helpers (kinship-listen, a TCP
# listener on the host; kinship-nosys, a system call made to fail) from
# their sources when make check has not built them.
setup_file() {
	SB_BIN=$(mktemp -d "${BATS_TMPDIR:-/tmp}/kinship-sandbox-bin.XXXXXX")
	chmod 0755 "$SB_BIN"
	export SB_BIN
	local md name
	for md in "$FIXTURES"/hostile-*.md; do
		name=${md##*/hostile-}
		name=${name%.md}
		awk '/^```c$/ { on = 1; next } /^```$/ { on = 0 } on' "$md" >"$SB_BIN/$name.c"
		gcc -Wall -Wextra -o "$SB_BIN/$name" "$SB_BIN/$name.c" >"$SB_BIN/$name.log" 2>&1 ||
			echo "$name" >>"$SB_BIN/broken"
	done
	LISTEN=$KINSHIP_BUILDDIR/shell/kinship-listen
	if [ ! -x "$LISTEN" ]; then
		LISTEN=$SB_BIN/kinship-listen
		gcc -Wall -Wextra -o "$LISTEN" "$KINSHIP_SRCDIR/shell/listen.c" >"$SB_BIN/listen.log" 2>&1 || true
	fi
	NOSYS=${KINSHIP_NOSYS:-$KINSHIP_BUILDDIR/shell/kinship-nosys}
	# an older build may not know unshare yet
	if [ ! -x "$NOSYS" ] || { "$NOSYS" unshare -- true; [ $? -eq 2 ]; } 2>/dev/null; then
		NOSYS=$SB_BIN/kinship-nosys
		gcc -I"$KINSHIP_BUILDDIR" -Wall -Wextra -o "$NOSYS" "$KINSHIP_SRCDIR/shell/nosys.c" \
			>"$SB_BIN/nosys.log" 2>&1 || true
	fi
	export LISTEN NOSYS
}

teardown_file() {
	rm -rf "$SB_BIN"
}

setup() {
	kin_scratch
	MARK=kinship-hostile-$$-$RANDOM
}

teardown() {
	[ -n "${LPORT:-}" ] && "$LISTEN" --ask "$LPORT" >/dev/null 2>&1
	[ -n "${LSOCK:-}" ] && "$LISTEN" --ask "$LSOCK" >/dev/null 2>&1
	rm -rf "$SCRATCH" "/var/tmp/$MARK" "${HOME:-/nonexistent}/$MARK" "/etc/$MARK" "$KINSHIP_SRCDIR/$MARK" "/tmp/$MARK"
	[ -n "${OUTSIDE:-}" ] && rm -rf "$OUTSIDE"
	true
}

# as MODE CMD...: run CMD as the caller (MODE caller) or as nobody
as() {
	local mode=$1
	shift
	if [ "$mode" = nobody ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}

# needs MODE: skip what this system cannot do as MODE, naming why
needs() {
	if [ "$1" = nobody ]; then
		[ "$(id -u)" -eq 0 ] || skip "needs root to become nobody"
		command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
		as nobody test -x "$RUNNER" || skip "the build tree is not reachable by nobody"
		chmod 0711 "$SCRATCH"
	fi
	mkdir -p "$SCRATCH/probe"
	[ "$1" = nobody ] && chown 65534:65534 "$SCRATCH/probe"
	run as "$1" "$RUNNER" --dir "$SCRATCH/probe" --summary "$SCRATCH/probe/s" -- true
	[ "$status" -ne 3 ] || skip "no sandbox here: ${lines[0]}"
	[ "$status" -eq 0 ]
	rm -rf "$SCRATCH/probe"
}

# the living processes named NAME (the fixtures have names of their own)
survivors() {
	grep -lx "$1" /proc/[0-9]*/comm 2>/dev/null || true
}

# the living processes of host uid UID
processes_of() {
	awk -v u="$1" '$1 == "Uid:" && $2 == u { print FILENAME }' /proc/[0-9]*/status 2>/dev/null || true
}

mounts() {
	wc -l </proc/self/mountinfo
}

# hostile MODE NAME [OPTION]... -- [ARG]...: run the fixture NAME in the
# sandbox as MODE, in $RD ($OUTSIDE/run when OUTSIDE is set, else under
# SCRATCH), its output in $RD/out and $RD/err, the summary in $RD/summary;
# $status and $output are the runner's.  Then: nothing of it is left.
hostile() {
	local mode=$1 name=$2
	shift 2
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	if [ -f "$SB_BIN/broken" ] && grep -qx "$name" "$SB_BIN/broken"; then
		cat "$SB_BIN/$name.log"
		false
	fi
	RD=${OUTSIDE:-$SCRATCH}/run
	mkdir -p "$RD"
	cp "$SB_BIN/$name" "$RD/"
	[ "$mode" = nobody ] && chown -R 65534:65534 "$RD"
	local before
	before=$(mounts)
	run as "$mode" "$RUNNER" --dir "$RD" --out "$RD/out" --err "$RD/err" --summary "$RD/summary" \
		"${opts[@]}" -- "./$name" "$@"
	echo "# runner: $status: $output"
	# nothing of the run outlives it, and it mounted nothing on the host
	[ -z "$(survivors "$name")" ]
	[ "$(mounts)" -eq "$before" ]
	HOST_UID=$(sed -n 's/.*host uid \([0-9]*\).*/\1/p' "$RD/summary" 2>/dev/null)
	if [ -n "$HOST_UID" ] && [ "$HOST_UID" -ne 65534 ] && [ "$HOST_UID" -ne "$(id -u)" ]; then
		[ -z "$(processes_of "$HOST_UID")" ]
	fi
}

# fact KEY: the summary's lines that start with KEY (and a tab)
fact() {
	grep "^$1	" "$RD/summary" || true
}

# ------------------------------------------------------------ the tests

check_sandbox_line() {
	needs "$1"
	hostile "$1" shadow --timeout 5 -- /dev/null
	[ "$status" -eq 0 ]
	line=$(fact sandbox)
	echo "$line"
	[[ "$line" == $'sandbox\tconfined\t'* ]]
	for piece in 'user namespace (uid 65534, host uid ' 'mount namespace (the host'"'"'s files read-only; writable: '"$RD"', a private /tmp, /dev/shm and /run)' \
		'PID namespace' 'network namespace (loopback only, up)' 'IPC namespace' 'UTS namespace' \
		'limits: 64 processes, 512 MiB address space, 6 s CPU, 16 MiB file size, 256 open files, no core files' \
		'no new privileges' 'environment: PATH, HOME'; do
		[[ "$line" == *"$piece"* ]] || { echo "missing: $piece"; false; }
	done
	# as root the uid is one of its own, not root's and not nobody's
	if [ "$1" = caller ] && [ "$(id -u)" -eq 0 ]; then
		[ "$HOST_UID" -ge $((0x70000000)) ]
	else
		[ "$HOST_UID" -eq "$(as "$1" id -u)" ]
	fi
}

@test "the sandbox line names every confinement (as the caller)" {
	check_sandbox_line caller
}

@test "the sandbox line names every confinement (as nobody)" {
	check_sandbox_line nobody
}

check_writes() {
	needs "$1"
	local targets=("/var/tmp/$MARK" "/etc/$MARK" "$KINSHIP_SRCDIR/$MARK" "/tmp/$MARK")
	[ -n "${HOME:-}" ] && [ -d "$HOME" ] && targets+=("$HOME/$MARK")
	hostile "$1" writes -- "${targets[@]}"
	[ "$status" -eq 0 ]
	cat "$RD/out"
	for t in "${targets[@]}"; do
		if [ "$t" = "/tmp/$MARK" ]; then
			# the sandbox's own /tmp: written there, never on the host
			grep -qx "$t: written" "$RD/out"
		else
			grep -q "^$t: refused (" "$RD/out"
		fi
		[ ! -e "$t" ]
	done
	grep -qx 'own-file: written' "$RD/out"
	grep -qx '/tmp/own-tmp-file: written' "$RD/out"
	grep -qx '/dev/shm/own-shm-file: written' "$RD/out"
	grep -q '^remount / read-write: refused (' "$RD/out"
	grep -q '^umount /tmp: refused (' "$RD/out"
	[ -f "$RD/own-file" ]
	[ ! -e /tmp/own-tmp-file ]
	[ ! -e /dev/shm/own-shm-file ]
	fact left | grep -qx $'left\t/tmp/own-tmp-file'
	# what it left in its directory is the caller's
	[ "$(stat -c %u "$RD/own-file")" -eq "$(as "$1" id -u)" ]
	[ "$(stat -c %u "$RD")" -eq "$(as "$1" id -u)" ]
}

@test "writing outside its directory fails everywhere; the host shows nothing (as the caller)" {
	check_writes caller
}

@test "writing outside its directory fails everywhere; the host shows nothing (as nobody)" {
	check_writes nobody
}

@test "a directory outside /tmp under a parent only root may enter: writable, and only it" {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a directory nobody else may enter"
	needs caller
	OUTSIDE=$(mktemp -d /var/tmp/kinship-sandbox.XXXXXX)
	chmod 0700 "$OUTSIDE"
	hostile caller writes -- "$OUTSIDE/$MARK" "/var/tmp/$MARK"
	[ "$status" -eq 0 ]
	cat "$RD/out"
	grep -q "^$OUTSIDE/$MARK: refused (" "$RD/out"
	grep -q "^/var/tmp/$MARK: refused (" "$RD/out"
	grep -qx 'own-file: written' "$RD/out"
	[ ! -e "$OUTSIDE/$MARK" ]
	[ "$(stat -c %u "$RD/own-file")" -eq 0 ]
}

check_shadow() {
	needs "$1"
	[ -e /etc/shadow ] || skip "no /etc/shadow here"
	hostile "$1" shadow --timeout 5 -- /etc/shadow
	[ "$status" -eq 0 ]
	cat "$RD/out"
	grep -q '^/etc/shadow: refused (Permission denied)$' "$RD/out"
}

@test "reading a root-only file fails (as the caller)" {
	check_shadow caller
}

@test "reading a root-only file fails (as nobody)" {
	check_shadow nobody
}

# refused MODE ADDR SHOWN WHY: the hostile client, run as MODE, tried the
# host's listener at ADDR, printed "SHOWN: refused (WHY)", and the listener
# saw no connection (the question asked here is not counted)
refused() {
	hostile "$1" connect --timeout 5 -- "$2"
	[ "$status" -eq 0 ]
	cat "$RD/out"
	grep -qx "$3: refused ($4)" "$RD/out"
	[ "$("$LISTEN" --ask "$2")" = "connections 0" ]
}

check_connect() {
	needs "$1"
	[ -x "$LISTEN" ] || { cat "$SB_BIN/listen.log"; false; }
	read -r LPORT lpid < <("$LISTEN")
	[ -n "$LPORT" ]
	refused "$1" "$LPORT" "127.0.0.1:$LPORT" "Connection refused"
	LPORT=
	[ -n "$lpid" ]
}

@test "a listener on the host's loopback is unreachable (as the caller)" {
	check_connect caller
}

@test "a listener on the host's loopback is unreachable (as nobody)" {
	check_connect nobody
}

# a service's unix socket, open to all (as D-Bus's and journald's are), in /run
check_run_socket() {
	needs "$1"
	[ "$(id -u)" -eq 0 ] || skip "needs root to put a socket in /run"
	[ -d /run ] || skip "no /run here"
	[ -x "$LISTEN" ] || { cat "$SB_BIN/listen.log"; false; }
	LSOCK=/run/$MARK.sock
	read -r lpid < <("$LISTEN" --unix "$LSOCK")
	[ -S "$LSOCK" ]
	refused "$1" "$LSOCK" "$LSOCK" "No such file or directory"
	LSOCK=
	[ -n "$lpid" ]
}

@test "a service's socket in the host's /run, open to all, is out of reach (as the caller)" {
	check_run_socket caller
}

@test "a service's socket in the host's /run, open to all, is out of reach (as nobody)" {
	check_run_socket nobody
}

check_forkbomb() {
	needs "$1"
	hostile "$1" forkbomb --timeout 2 --grace 0.2
	[ "$status" -eq 0 ]
	cat "$RD/out"
	n=$(sed -n 's/^forked \([0-9]*\), then: Resource temporarily unavailable$/\1/p' "$RD/out")
	[ -n "$n" ]
	[ "$n" -lt 64 ]
	# every one of them was stopped at the deadline and reaped
	fact timeout | grep -Eq $'^timeout\t2\t[0-9]+$'
	[ "$(fact timeout | cut -f3)" -le 64 ]
	[ "$(fact exit | grep -c $'\torphan\t')" -eq "$n" ]
	fact exit | grep -q $'\tmain\tkilled by SIGINT (2)\t'
	[ -z "$(fact unreaped)" ]
}

@test "a fork bomb stops well below 300 processes, all gone after the run (as the caller)" {
	check_forkbomb caller
}

@test "a fork bomb stops well below 300 processes, all gone after the run (as nobody)" {
	check_forkbomb nobody
}

check_memory() {
	needs "$1"
	hostile "$1" memory --timeout 20
	[ "$status" -eq 0 ]
	cat "$RD/out"
	mib=$(sed -n 's/^touched \([0-9]*\) MiB, then malloc failed$/\1/p' "$RD/out")
	[ -n "$mib" ]
	[ "$mib" -lt 512 ]
	fact exit | grep -q $'\tmain\texited 0\t'
	# a smaller limit stops it sooner
	hostile "$1" memory --timeout 20 --memory 128
	mib=$(sed -n 's/^touched \([0-9]*\) MiB, then malloc failed$/\1/p' "$RD/out")
	[ -n "$mib" ]
	[ "$mib" -lt 128 ]
}

@test "a memory hog fails at the address-space limit (as the caller)" {
	check_memory caller
}

@test "a memory hog fails at the address-space limit (as nobody)" {
	check_memory nobody
}

check_signal() {
	needs "$1"
	hostile "$1" signal --timeout 5 -- "$$" "$PPID"
	[ "$status" -eq 0 ]
	cat "$RD/out"
	grep -qx 'kill(-1, 0): No such process' "$RD/out"
	grep -qx "given pid $$: not reached (No such process)" "$RD/out"
	grep -qx "given pid $PPID: not reached (No such process)" "$RD/out"
	# all it sees is itself and the sandbox's own init
	grep -qx 'pid 1: reached' "$RD/out"
	grep -qx 'reached 1' "$RD/out"
}

@test "kill(-1, 0) and signal 0 to each process reach nothing outside the sandbox (as the caller)" {
	check_signal caller
}

@test "kill(-1, 0) and signal 0 to each process reach nothing outside the sandbox (as nobody)" {
	check_signal nobody
}

@test "unconfined, the same program does reach the host's processes (so the test can see it)" {
	hostile caller signal --no-sandbox --timeout 5 -- "$$"
	[ "$status" -eq 0 ]
	grep -qx "given pid $$: reached" "$RD/out"
	fact sandbox | grep -q $'^sandbox\tnone\t'
}

check_output() {
	needs "$1"
	hostile "$1" output --timeout 1 --grace 0.2
	[ "$status" -eq 0 ]
	cat "$RD/summary"
	[ "$(stat -c %s "$RD/out")" -eq 1048576 ]
	[ "$(stat -c %s "$RD/err")" -eq 1048576 ]
	fact cut | grep -qx $'cut\tstdout\t1048576'
	fact cut | grep -qx $'cut\tstderr\t1048576'
	[ "$(fact stdout | cut -f2)" -gt 1048576 ]
	fact timeout | grep -qx $'timeout\t1\t1'
	fact stop | grep -q $'^stop\tSIGINT\t1\\.[0-9]*\t1\tdeadline$'
	fact exit | grep -q $'\tmain\tkilled by SIGINT (2)\t'
}

@test "endless output is cut at 1 MiB per stream and stopped at the deadline (as the caller)" {
	check_output caller
}

@test "endless output is cut at 1 MiB per stream and stopped at the deadline (as nobody)" {
	check_output nobody
}

check_immortal() {
	needs "$1"
	hostile "$1" immortal --timeout 1 --grace 0.3
	[ "$status" -eq 0 ]
	cat "$RD/summary"
	[ "$(cat "$RD/out")" = "not stopping" ]
	[ "$(fact stop | cut -f2 | tr '\n' ' ')" = "SIGINT SIGTERM " ]
	fact exit | grep -q $'\tmain\tkilled by SIGTERM (15)\t'
	# SIGTERM came a grace after SIGINT
	fact stop | awk -F'\t' 'NR == 1 { t = $3 } NR == 2 { exit !($3 - t >= 0.29) }'
	hostile "$1" immortal --timeout 1 --grace 0.3 -- term
	cat "$RD/summary"
	[ "$(fact stop | cut -f2 | tr '\n' ' ')" = "SIGINT SIGTERM SIGKILL " ]
	fact exit | grep -q $'\tmain\tkilled by SIGKILL (9)\t'
	[ -z "$(fact unreaped)" ]
}

@test "a program that never exits is stopped by SIGINT, SIGTERM, SIGKILL in turn (as the caller)" {
	check_immortal caller
}

@test "a program that never exits is stopped by SIGINT, SIGTERM, SIGKILL in turn (as nobody)" {
	check_immortal nobody
}

check_ctrl_c() {
	needs "$1"
	hostile "$1" ctrl-c --timeout 1
	[ "$status" -eq 0 ]
	cat "$RD/summary"
	[ "$(cat "$RD/out")" = "$(printf 'press Ctrl-C to stop\nbye')" ]
	[ "$(fact stop | cut -f2,4,5)" = $'SIGINT\t1\tdeadline' ]
	fact exit | grep -q $'\tmain\texited 0\tnone-running\t'
}

@test "a program that waits for Ctrl-C ends on the SIGINT with its message (as the caller)" {
	check_ctrl_c caller
}

@test "a program that waits for Ctrl-C ends on the SIGINT with its message (as nobody)" {
	check_ctrl_c nobody
}

# serve MODE ADDR KIND WHERE: the server and its client, through --ready
serve() {
	hostile "$1" server --timeout 10 --grace 0.5 --server-out "$SCRATCH/run/sout" \
		--server-err "$SCRATCH/run/serr" --ready "$2" -- server "$3" "$4" --then ./server client "$3" "$4"
	[ "$status" -eq 0 ]
	cat "$RD/summary"
	[ "$(cat "$RD/out")" = "client: got pong" ]
	[ "$(cat "$RD/sout")" = "server: listening" ]
	fact ready | grep -Eq "^ready	$2	[0-9.]+\$"
	fact exit | grep -q $'\tmain\texited 0\tothers-running\t'
	fact stop | grep -q $'^stop\tSIGINT\t[0-9.]*\t1\tclient-ended$'
	fact exit | grep -q $'\tserver\tkilled by SIGINT (2)\t-\t'
	[ -z "$(fact timeout)" ]
	# the client started once the server was ready, the server stopped after it ended
	awk -F'\t' '$1 == "ready" { r = NR } $1 == "exit" && $3 == "main" { m = NR }
		$1 == "stop" { s = NR } END { exit !(r < m && m < s) }' "$RD/summary"
}

check_server() {
	needs "$1"
	mkdir -p "$SCRATCH/run"
	[ "$1" = nobody ] && chown 65534:65534 "$SCRATCH/run"
	serve "$1" unix:srv.sock unix srv.sock
	[ -S "$RD/srv.sock" ]
	serve "$1" unix:/tmp/srv.sock unix /tmp/srv.sock
	fact left | grep -qx $'left\t/tmp/srv.sock'
	[ ! -e /tmp/srv.sock ]
	serve "$1" "unix:@$MARK" unix "@$MARK"
	serve "$1" tcp:8080 tcp 8080
	serve "$1" udp:8080 udp 8080
}

@test "a server and its client: unix path, /tmp, abstract, TCP and UDP on its loopback (as the caller)" {
	check_server caller
}

@test "a server and its client: unix path, /tmp, abstract, TCP and UDP on its loopback (as nobody)" {
	check_server nobody
}

@test "--ready that never comes: the client is not started" {
	needs caller
	hostile caller immortal --timeout 1 --grace 0.2 --ready tcp:9 -- --then ./immortal
	[ "$status" -eq 0 ]
	cat "$RD/summary"
	fact ready | grep -qx $'ready\ttcp:9\tnever\tthe deadline passed'
	[ "$(fact exit | cut -f3)" = server ]
	hostile caller shadow --timeout 5 --ready unix:@none -- /dev/null --then ./shadow
	fact ready | grep -q $'^ready\tunix:@none\tnever\tthe server ended'
	[ "$(fact exit | cut -f3)" = server ]
	[ ! -s "$RD/out" ]
}

@test "as root, DIR and everything the program left there are the caller's after the run" {
	[ "$(id -u)" -eq 0 ] || skip "runs as root only"
	needs caller
	shadow_before=$(stat -c '%u %g %a %s %Y' /etc/shadow 2>/dev/null || true)
	mkdir -p "$SCRATCH/run"
	chown 0:0 "$SCRATCH/run"
	chmod 0750 "$SCRATCH/run"
	run "$RUNNER" --dir "$SCRATCH/run" --summary "$SCRATCH/s" -- sh -c \
		'mkdir -p sub/deeper && echo x > sub/deeper/f && ln -s /etc/shadow link && cp /bin/true suid && chmod 4755 suid && mkfifo fifo'
	[ "$status" -eq 0 ]
	[ "$(stat -c '%u %g %a' "$SCRATCH/run")" = "0 0 750" ]
	run find "$SCRATCH/run" ! -user 0 -o ! -group 0
	[ -z "$output" ]
	[ -L "$SCRATCH/run/link" ]
	[ "$(stat -c %a "$SCRATCH/run/suid")" = 755 ]
	[ "$(stat -c '%u %g %a %s %Y' /etc/shadow 2>/dev/null || true)" = "$shadow_before" ]
}

@test "an output file the program replaced in its directory is written anew, not through its trap" {
	needs caller
	target=$SCRATCH/precious
	echo precious >"$target"
	mkdir -p "$SCRATCH/run"
	run "$RUNNER" --dir "$SCRATCH/run" --out "$SCRATCH/run/out" --summary "$SCRATCH/run/summary" -- sh -c \
		"echo real; rm -f out summary; ln -s '$target' out; echo 'exit	1	main	exited 0' > summary"
	[ "$status" -eq 0 ]
	[ ! -L "$SCRATCH/run/out" ]
	[ "$(cat "$SCRATCH/run/out")" = real ]
	[ "$(cat "$target")" = precious ]
	head -n1 "$SCRATCH/run/summary" | grep -q $'^sandbox\tconfined\t'
	! grep -qx $'exit\t1\tmain\texited 0' "$SCRATCH/run/summary"
}

@test "stdin is --stdin FILE, else empty" {
	needs caller
	printf 'one\ntwo\n' >"$SCRATCH/in"
	mkdir -p "$SCRATCH/run"
	run "$RUNNER" --dir "$SCRATCH/run" --stdin "$SCRATCH/in" --out "$SCRATCH/run/out" -- sh -c 'cat; echo end'
	[ "$status" -eq 0 ]
	[ "$(cat "$SCRATCH/run/out")" = "$(printf 'one\ntwo\nend')" ]
	run "$RUNNER" --dir "$SCRATCH/run" --out "$SCRATCH/run/out" -- sh -c 'cat; echo end'
	[ "$(cat "$SCRATCH/run/out")" = end ]
}

@test "the caller's environment stays out, but for PATH, HOME, the locale and the terminal" {
	needs caller
	mkdir -p "$SCRATCH/run"
	KINSHIP_SECRET=s3cret LC_ALL=C run "$RUNNER" --dir "$SCRATCH/run" --out "$SCRATCH/run/out" -- env
	[ "$status" -eq 0 ]
	! grep -q s3cret "$SCRATCH/run/out"
	grep -qx 'LC_ALL=C' "$SCRATCH/run/out"
	grep -qx 'TMPDIR=/tmp' "$SCRATCH/run/out"
	grep -q '^PATH=' "$SCRATCH/run/out"
}

@test "where user namespaces cannot be made: status 3, the reason first, nothing run" {
	[ -x "$NOSYS" ] || { cat "$SB_BIN/nosys.log"; false; }
	mkdir -p "$SCRATCH/run"
	owner=$(stat -c '%u %g %a' "$SCRATCH/run")
	run "$NOSYS" --errno EPERM unshare -- "$RUNNER" --dir "$SCRATCH/run" --summary "$SCRATCH/s" -- touch ran
	[ "$status" -ne 77 ] || skip "no seccomp filter here: $output"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = "doccheck-run: cannot confine the program: user namespaces are not allowed (unshare: Operation not permitted); run with --no-sandbox to run it unconfined" ]
	[ ! -e "$SCRATCH/run/ran" ]
	[ "$(stat -c '%u %g %a' "$SCRATCH/run")" = "$owner" ]
	# unconfined it runs, and says so
	run "$NOSYS" --errno EPERM unshare -- "$RUNNER" --no-sandbox --dir "$SCRATCH/run" --summary "$SCRATCH/s" -- touch ran
	[ "$status" -eq 0 ]
	[ -e "$SCRATCH/run/ran" ]
	grep -q $'^sandbox\tnone\tunconfined (--no-sandbox)' "$SCRATCH/s"
	grep -q $'^exit\t[0-9]*\tmain\texited 0\t' "$SCRATCH/s"
}

# fallback CALL: the writes test with CALL absent, as on an older kernel
check_fallback() {
	[ -x "$NOSYS" ] || { cat "$SB_BIN/nosys.log"; false; }
	needs caller
	run "$NOSYS" "$1" -- true
	[ "$status" -ne 77 ] || skip "no seccomp filter here: $output"
	RD=$SCRATCH/run
	mkdir -p "$RD"
	cp "$SB_BIN/writes" "$RD/"
	run "$NOSYS" "$1" -- "$RUNNER" --dir "$RD" --out "$RD/out" --summary "$RD/summary" -- ./writes \
		"/var/tmp/$MARK" "/etc/$MARK" "$KINSHIP_SRCDIR/$MARK"
	echo "$output"
	[ "$status" -eq 0 ]
	cat "$RD/out"
	for t in "/var/tmp/$MARK" "/etc/$MARK" "$KINSHIP_SRCDIR/$MARK"; do
		case $t in
		# a tree under /tmp (a CI's clone) is hidden by the private /tmp
		/tmp/*) grep -Eq "^$t: refused \((Read-only file system|No such file or directory)\)" "$RD/out" ;;
		*) grep -q "^$t: refused (Read-only file system)" "$RD/out" ;;
		esac
		[ ! -e "$t" ]
	done
	grep -qx 'own-file: written' "$RD/out"
	grep -qx '/tmp/own-tmp-file: written' "$RD/out"
}

@test "without mount_setattr (before Linux 5.12) each mount is remounted read-only" {
	check_fallback mount_setattr
}

@test "without open_tree (before Linux 5.2) DIR is bound back by its path" {
	check_fallback open_tree
}

@test "--no-sandbox runs as the caller and still stops and reaps everything" {
	mkdir -p "$SCRATCH/run"
	run "$RUNNER" --no-sandbox --dir "$SCRATCH/run" --out "$SCRATCH/run/out" --summary "$SCRATCH/run/summary" -- id -u
	[ "$status" -eq 0 ]
	[ "$(cat "$SCRATCH/run/out")" = "$(id -u)" ]
	RD=$SCRATCH/run
	fact sandbox | grep -q $'^sandbox\tnone\t'
	hostile caller immortal --no-sandbox --timeout 1 --grace 0.2 -- term
	[ "$status" -eq 0 ]
	[ "$(fact stop | cut -f2 | tr '\n' ' ')" = "SIGINT SIGTERM SIGKILL " ]
}

@test "--private-tmp is accepted and changes nothing" {
	needs caller
	mkdir -p "$SCRATCH/run"
	run "$RUNNER" --private-tmp --dir "$SCRATCH/run" --summary "$SCRATCH/run/summary" -- sh -c "echo x > /tmp/$MARK"
	[ "$status" -eq 0 ]
	grep -q $'^sandbox\tconfined\t' "$SCRATCH/run/summary"
	grep -qx $'left\t/tmp/'"$MARK" "$SCRATCH/run/summary"
	[ ! -e "/tmp/$MARK" ]
}

@test "a runner stopped by SIGTERM ends the sandbox and gives DIR back" {
	needs caller
	RD=$SCRATCH/run
	mkdir -p "$RD"
	cp "$SB_BIN/immortal" "$RD/"
	owner=$(stat -c '%u %g %a' "$RD")
	"$RUNNER" --timeout 60 --dir "$RD" --summary "$RD/summary" -- ./immortal term &
	pid=$!
	# wait (bounded) until the program runs, then stop the runner
	for _ in $(seq 1 5000); do
		[ -n "$(survivors immortal)" ] && break
		[ -d "/proc/$pid" ] || break
	done
	[ -n "$(survivors immortal)" ]
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 143 ]
	[ -z "$(survivors immortal)" ]
	[ "$(stat -c '%u %g %a' "$RD")" = "$owner" ]
}

@test "usage errors are one line on stderr and status 2" {
	mkdir -p "$SCRATCH/run"
	usage_error 'unknown option' "$RUNNER" --bogus -- true
	usage_error '--ready' "$RUNNER" --ready tcp:0 -- true --then true
	usage_error '--ready' "$RUNNER" --ready ftp:21 -- true --then true
	usage_error '--then' "$RUNNER" --ready tcp:80 -- true
	usage_error '--then' "$RUNNER" --ready tcp:80 -- true --then
	usage_error '--server-out' "$RUNNER" --server-out "$SCRATCH/x" -- true
	usage_error 'timeout' "$RUNNER" --timeout 0 -- true
	usage_error 'grace' "$RUNNER" --grace -1 -- true
	usage_error 'memory' "$RUNNER" --memory lots -- true
	usage_error 'directory' "$RUNNER" --dir "$SCRATCH/none" -- true
	usage_error 'cannot write' "$RUNNER" --out "$SCRATCH/none/out" -- true
	usage_error 'cannot read' "$RUNNER" --stdin "$SCRATCH/none" -- true
	usage_error 'program' "$RUNNER" --timeout 1
	usage_error 'missing argument' "$RUNNER" --dir
	run "$RUNNER" --help
	[ "$status" -eq 0 ]
	[[ "$output" == Usage:* ]]
	[[ "$output" == *--ready* ]]
	[[ "$output" == *--memory* ]]
}
