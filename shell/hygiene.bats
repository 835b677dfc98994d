#!/usr/bin/env bats
# Nothing left behind, checked rather than hoped for: after a passing run and
# after a failing one, no file in TMPDIR or the working directory, no process
# of the run still alive, no fd left open by the runner (it checks itself and
# exits 1 if one is).  And the privilege split: the suite runs as an
# unprivileged user, and as root its permission claims still test an
# unprivileged process.

load helpers

setup() {
	kin_scratch
	mkdir "$SCRATCH/tmp" "$SCRATCH/cwd"
	MARK="kinship-hygiene-$$-$RANDOM"
}

teardown() {
	rm -rf "$SCRATCH"
}

# processes still carrying this test's mark in their environment
marked_processes() {
	grep -l -a "KINSHIP_MARK=$MARK" /proc/[0-9]*/environ 2>/dev/null || true
}

run_marked() {
	cd "$SCRATCH/cwd"
	run env KINSHIP_MARK="$MARK" TMPDIR="$SCRATCH/tmp" "$@"
	cd - > /dev/null
}

nothing_left() {
	[ -z "$(ls -A "$SCRATCH/tmp")" ]
	[ -z "$(ls -A "$SCRATCH/cwd")" ]
	[ -z "$(marked_processes)" ]
	! grep -q 'left open at the end of the run' <<< "$output"
}

@test "a passing run leaves no file, process or fd behind" {
	run_marked "$KINSHIP_CASES"
	[ "$status" -eq 0 ]
	nothing_left
}

@test "a failing run leaves no file, process or fd behind" {
	shims=${KINSHIP_SHIMS:-}
	[ -f "$shims/pipe-write-never-returns.so" ] || skip "the shims are not built"
	# one shim makes tests fail, the other leaves writers hanging in the kernel
	run_marked env LD_PRELOAD="$shims/pipe-swapped-ends.so $shims/pipe-write-never-returns.so" \
		"$KINSHIP_CASES" --claim PIPE-ENDS --claim PIPE-WRITE-BLOCKS --results "$SCRATCH/r.tsv"
	[ "$status" -eq 1 ]
	nothing_left
}

@test "a run killed midway by SIGTERM removes its private directory" {
	cd "$SCRATCH/cwd"
	env KINSHIP_MARK="$MARK" TMPDIR="$SCRATCH/tmp" "$KINSHIP_CASES" > "$SCRATCH/out" 2>&1 &
	pid=$!
	# wait until the run has made its private directory, then stop it
	for _ in $(seq 1 2000); do
		[ -n "$(ls -A "$SCRATCH/tmp")" ] && break
		[ -d "/proc/$pid" ] || break
	done
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" || true
	cd - > /dev/null
	[ -z "$(ls -A "$SCRATCH/tmp")" ]
	for _ in $(seq 1 200); do
		[ -z "$(marked_processes)" ] && break
	done
	[ -z "$(marked_processes)" ]
}

@test "as an unprivileged user the suite runs and nothing fails" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to become another user"
	command -v setpriv > /dev/null || skip "setpriv (util-linux) is not installed"
	# nobody must be able to reach the binary
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$KINSHIP_CASES" ||
		skip "the build tree is not reachable by nobody"
	chmod 0711 "$SCRATCH"
	chown 65534:65534 "$SCRATCH/tmp"
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		env TMPDIR="$SCRATCH/tmp" "$KINSHIP_CASES" --results "$SCRATCH/tmp/r.tsv"
	echo "$output" | grep -E '^(not ok|# )' | sed 's/^/# /' >&3 || true
	[ "$status" -eq 0 ]
	rm -f "$SCRATCH/tmp/r.tsv"
	[ -z "$(ls -A "$SCRATCH/tmp")" ]
}

@test "as root the permission claim still tests an unprivileged process" {
	[ "$(id -u)" -eq 0 ] || skip "runs as root only"
	"$KINSHIP_CASES" --list | cut -f1 | grep -qx UDS-PERM || skip "no UDS-PERM test in this build"
	run "$KINSHIP_CASES" --claim UDS-PERM --results "$SCRATCH/r.tsv"
	[ "$status" -eq 0 ]
	# with CAP_SETUID the test drops to nobody and passes, never skips
	if grep -q '^CapEff:.*' /proc/self/status && [ "$(awk '/^CapEff/ { print $2 }' /proc/self/status)" != 0000000000000000 ]; then
		! awk -F'\t' '$3 == "skip"' "$SCRATCH/r.tsv" | grep -q .
	fi
}
