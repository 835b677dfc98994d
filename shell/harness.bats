#!/usr/bin/env bats
# harness/kinship-kernels seen from the command line: usage errors, kernels
# that are missing or are no kernels, and small test-only guests (a /init
# that hangs, one that exits) on a real Debian kernel from the cache.

load helpers

KK="$KINSHIP_SRCDIR/harness/kinship-kernels"
export KINSHIP_SRCDIR KINSHIP_BUILDDIR

setup() {
	kin_scratch
}

teardown() {
	rm -rf "$SCRATCH"
}

# A real x86-64 kernel, from the cache or fetched into it; skip with the
# reason when neither works.  Sets KERNEL to the image.
real_kernel() {
	[ -x "$KINSHIP_BUILDDIR/harness/kinship-init" ] ||
		skip "harness/kinship-init is not built (static libc and Check are needed)"
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
	command -v cpio >/dev/null || skip "cpio is not installed"
	local line
	line=$("$KK" --fetch-only --kernel "debian:${KINSHIP_TEST_SUITE:-bookworm}" 2>"$SCRATCH/fetch.err") ||
		skip "no Debian kernel in the cache and none could be fetched: $(tail -n 1 "$SCRATCH/fetch.err")"
	KERNEL=$(printf '%s\n' "$line" | cut -f2)
	[ -s "$KERNEL" ]
}

test_guest() {
	[ -x "$KINSHIP_BUILDDIR/harness/kinship-test-guest" ] ||
		skip "harness/kinship-test-guest is not built"
	export KINSHIP_GUEST_INIT="$KINSHIP_BUILDDIR/harness/kinship-test-guest"
}

@test "--help prints usage and exits 0" {
	run "$KK" --help
	[ "$status" -eq 0 ]
	[[ "$output" == Usage:* ]]
	[[ "$output" == *--expected-failures* ]]
}

@test "usage errors are one line on stderr and status 2" {
	local bad
	for bad in "--no-such-option" "--accel xen" "--jobs 0" "--timeout soon" \
		"--kernel debian:sid:ppc64el" "--arch riscv64" "--claim" "stray" \
		"--claim PIPE-NOPE" "--out /proc/no/such/dir"; do
		# shellcheck disable=SC2086
		run "$KK" $bad
		echo "$bad -> $status: $output"
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
	done
}

@test "an expected-failures entry without a reason is a usage error naming the line" {
	printf '# comment\ndebian:sid\tPIPE-ENDS\n' >"$SCRATCH/xf"
	run "$KK" --expected-failures "$SCRATCH/xf" --kernel "$SCRATCH/none" --out "$SCRATCH/out"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *xf:2:* ]]
}

@test "a missing kernel image is an error column headed by its SPEC, with the reason" {
	run "$KK" --kernel "$SCRATCH/no-such-bzImage" --claim PIPE-ENDS --out "$SCRATCH/out"
	[ "$status" -eq 1 ]
	head -n 1 "$SCRATCH/out/matrix.tsv" | grep -qF "	$SCRATCH/no-such-bzImage"
	# every cell of that column is error, none is missing
	run awk -F'\t' 'NR > 1 && $3 != "error" { bad++ } NR > 1 { n++ } END { print n + 0, bad + 0 }' "$SCRATCH/out/matrix.tsv"
	[ "$output" = "3 0" ]
	grep -q "no such kernel image: $SCRATCH/no-such-bzImage" "$SCRATCH/out/matrix.md"
	grep -q '<error message="no such kernel image' "$SCRATCH/out/junit.xml"
}

@test "a file that is no kernel is reported as such, and an expected-failures entry excuses it" {
	printf 'just text, no kernel\n' >"$SCRATCH/notakernel"
	run "$KK" --kernel "$SCRATCH/notakernel" --claim PIPE-ENDS --out "$SCRATCH/out"
	[ "$status" -eq 1 ]
	grep -q "not a kernel image: $SCRATCH/notakernel" "$SCRATCH/out/matrix.md"
	printf '%s\t*\tthe harness test feeds it a text file\n' "$SCRATCH/notakernel" >"$SCRATCH/xf"
	run "$KK" --kernel "$SCRATCH/notakernel" --claim PIPE-ENDS --out "$SCRATCH/out" \
		--expected-failures "$SCRATCH/xf"
	[ "$status" -eq 0 ]
	grep -q "expected: the harness test feeds it a text file" "$SCRATCH/out/matrix.md"
}

@test "a Debian kernel that cannot be fetched is an error column saying why" {
	KINSHIP_CACHE="$SCRATCH/cache" KINSHIP_DEBIAN_MIRROR=http://127.0.0.1:9/debian \
		run "$KK" --kernel debian:bookworm --claim PIPE-ENDS --out "$SCRATCH/out"
	[ "$status" -eq 1 ]
	head -n 1 "$SCRATCH/out/matrix.tsv" | grep -qF "	debian:bookworm"
	grep -q "bookworm is not on http://127.0.0.1:9/debian" "$SCRATCH/out/matrix.md"
	grep -q '\[debian:bookworm\] *error:' "$SCRATCH/out/progress.log"
}

@test "a real kernel runs the cases: matrix, KTAP, junit, kcidb, progress; a missing one beside it still errors" {
	real_kernel
	run "$KK" --kernel "$KERNEL" --kernel "$SCRATCH/gone" --claim PIPE-ENDS --out "$SCRATCH/out"
	echo "$output"
	[ "$status" -eq 1 ]
	local uname
	uname=$(head -n 1 "$SCRATCH/out/matrix.tsv" | cut -f3)
	[[ "$uname" == [0-9]*.[0-9]* ]]
	[ "$(head -n 1 "$SCRATCH/out/matrix.tsv" | cut -f4)" = "$SCRATCH/gone" ]
	grep -q "^PIPE-ENDS	bytes_written_to_fd1_are_read_from_fd0	pass	error$" "$SCRATCH/out/matrix.tsv"
	grep -q "^KERNEL-LOG	console_shows_no_panic_bug_or_warning	pass	error$" "$SCRATCH/out/matrix.tsv"
	grep -q '^KTAP version 1' "$SCRATCH/out/$uname.ktap"
	grep -q '^ok 1 ' "$SCRATCH/out/$uname.ktap"
	[ -s "$SCRATCH/out/$uname.console.log" ]
	grep -q "<testsuite name=\"kinship on $uname\"" "$SCRATCH/out/junit.xml"
	grep -q '"version": {"major": 4, "minor": 3}' "$SCRATCH/out/kcidb.json"
	grep -q '"status": "PASS"' "$SCRATCH/out/kcidb.json"
	grep -q "| PIPE-ENDS | holds |" "$SCRATCH/out/matrix.md"
	local step
	for step in fetch boot run: finish:; do
		grep -q "\] *$step" "$SCRATCH/out/progress.log"
	done
}

@test "a guest that never finishes is stopped at its timeout and reported" {
	real_kernel
	test_guest
	local t0=$SECONDS
	run "$KK" --kernel "$KERNEL" --append kinship_test=hang --timeout 12 --out "$SCRATCH/out"
	echo "$output"
	[ "$status" -eq 1 ]
	[ $((SECONDS - t0)) -lt 40 ]
	grep -q "timed out after 12 s" "$SCRATCH/out/matrix.md"
	awk -F'\t' 'NR > 1 && $3 != "error" { exit 1 }' "$SCRATCH/out/matrix.tsv"
}

@test "a TERM stops the harness: its guests are killed and reaped, its work directory removed" {
	real_kernel
	test_guest
	mkdir "$SCRATCH/tmp"
	# QEMU's command line names its initrd in the work directory; the
	# harness's own helpers (mktemp, cpio) name that directory too
	local qemu="^qemu-system-.*$SCRATCH/tmp/kinship-kernels" t0=$SECONDS nap status=0
	TMPDIR="$SCRATCH/tmp" "$KK" --kernel "$KERNEL" --append kinship_test=hang --timeout 120 \
		--out "$SCRATCH/out" >/dev/null 2>&1 &
	local pid=$!
	# observe the guest running
	exec {nap}<> <(:)
	until pgrep -f "$qemu" >/dev/null; do
		kill -0 "$pid" 2>/dev/null && [ $((SECONDS - t0)) -lt 60 ] || break
		read -r -t 0.05 -u "$nap" _ || true
	done
	exec {nap}>&-
	local qemus
	qemus=$(pgrep -f "$qemu")
	[ -n "$qemus" ]
	kill -TERM "$pid"
	wait "$pid" || status=$?
	[ "$status" -eq 130 ]
	# each QEMU was reaped by the harness before it exited, not left as an
	# orphan (or a zombie) for init: its /proc entry is gone already
	local q
	for q in $qemus; do
		echo "QEMU $q: $(cat "/proc/$q/stat" 2>/dev/null || echo gone)"
		[ ! -e "/proc/$q" ]
	done
	[ -z "$(ls -A "$SCRATCH/tmp")" ]
}

@test "a guest whose /init exits is reported with the panic line" {
	real_kernel
	test_guest
	run "$KK" --kernel "$KERNEL" --append kinship_test=exit --timeout 120 --out "$SCRATCH/out"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q "Kernel panic - not syncing: Attempted to kill init" "$SCRATCH/out/matrix.md"
}

@test "an aarch64 kernel without a cross compiler is an error column that names the packages" {
	# an arm64 Image header is enough: the guest programs are missing first
	{ head -c 56 /dev/zero; printf 'ARMd'; head -c 64 /dev/zero; } >"$SCRATCH/Image"
	KINSHIP_CROSS_COMPILE=/nonexistent/aarch64-linux-gnu- \
		run "$KK" --arch aarch64 --kernel "$SCRATCH/Image" --claim PIPE-ENDS --out "$SCRATCH/out"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q "no guest for aarch64: no aarch64 cross compiler /nonexistent/aarch64-linux-gnu-gcc (Debian: gcc-aarch64-linux-gnu libc6-dev-arm64-cross)" "$SCRATCH/out/matrix.md"
}

@test "an aarch64 sysroot without Check is an error column that says so" {
	command -v aarch64-linux-gnu-gcc >/dev/null || skip "aarch64-linux-gnu-gcc is not installed"
	{ head -c 56 /dev/zero; printf 'ARMd'; head -c 64 /dev/zero; } >"$SCRATCH/Image"
	mkdir "$SCRATCH/sysroot"
	KINSHIP_CROSS_SYSROOT="$SCRATCH/sysroot" \
		run "$KK" --arch aarch64 --kernel "$SCRATCH/Image" --claim PIPE-ENDS --out "$SCRATCH/out"
	[ "$status" -eq 1 ]
	grep -q "no guest for aarch64: the aarch64 sysroot $SCRATCH/sysroot has no check.pc" "$SCRATCH/out/matrix.md"
}

@test "an x86-64 bzImage given with --arch aarch64 is refused as the wrong architecture" {
	{ head -c 514 /dev/zero; printf 'HdrS'; head -c 64 /dev/zero; } >"$SCRATCH/bzImage"
	KINSHIP_CROSS_COMPILE=/nonexistent/ \
		run "$KK" --arch aarch64 --kernel "$SCRATCH/bzImage" --claim PIPE-ENDS --out "$SCRATCH/out"
	[ "$status" -eq 1 ]
	grep -q "is a bzimage, not a kernel for aarch64" "$SCRATCH/out/matrix.md"
}

@test "--fetch-only writes nothing but the cache, and a cached kernel serves while the mirror is unreachable" {
	real_kernel
	mkdir "$SCRATCH/cwd"
	cd "$SCRATCH/cwd"
	KINSHIP_DEBIAN_MIRROR=http://127.0.0.1:9/debian \
		run "$KK" --fetch-only --kernel "debian:${KINSHIP_TEST_SUITE:-bookworm}"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"	$KERNEL	"* ]]
	[ -z "$(ls -A "$SCRATCH/cwd")" ]
}

@test "booted with pipe-user-pages-soft=1, PIPE-CAPACITY shows the soft-limit caveat as an unprivileged process" {
	real_kernel
	run "$KK" --kernel "$KERNEL" --append sysctl.fs.pipe-user-pages-soft=1 \
		--claim PIPE-CAPACITY --out "$SCRATCH/out"
	echo "$output"
	[ "$status" -eq 0 ]
	local uname
	uname=$(head -n 1 "$SCRATCH/out/matrix.tsv" | cut -f3)
	# the unprivileged child is over the limit from its first pipe: 2 pages
	# (1 on kernels without the 5.14 change), and growing it is refused
	grep -E '^# PIPE-CAPACITY pass .*as uid 65534: .*pipe-user-pages-soft=1[^0-9].*F_SETPIPE_SZ to [0-9]+: EPERM' \
		"$SCRATCH/out/$uname.ktap"
	# root in the guest has CAP_SYS_ADMIN: its own new pipe keeps 16 pages
	grep -q "^PIPE-CAPACITY	new_pipe_holds_16_pages	pass$" "$SCRATCH/out/matrix.tsv"
	grep -q "| PIPE-CAPACITY | holds-with-caveat |" "$SCRATCH/out/matrix.md"
}
