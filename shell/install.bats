#!/usr/bin/env bats
# make install into a temporary prefix, then each tool run from there as a
# user of the package runs it: from PATH, outside any build tree, with none
# of the KINSHIP_* variables that point make check at the build tree.  One
# build for the whole file (setup_file): the sources as make distdir lists
# them, configured with --prefix under the file's scratch directory.

load helpers

setup_file() {
	# a directory of its own (bats before 1.4 has no BATS_FILE_TMPDIR)
	INST=$(mktemp -d "${TMPDIR:-/tmp}/kinship-install.XXXXXX")
	export INST
	mkdir -p "$INST/b" "$INST/run"
	make -s -C "$KINSHIP_BUILDDIR" distdir distdir="$INST/src" >"$INST/distdir.log" 2>&1 || return 0
	(cd "$INST/b" && "$INST/src/configure" -q --prefix="$INST/p" >"$INST/configure.log" 2>&1 &&
		make -s -j"$(nproc)" >"$INST/make.log" 2>&1 &&
		make -s install >"$INST/install.log" 2>&1) && : >"$INST/installed"
}

teardown_file() {
	rm -rf "$INST"
}

# the installed tool, run as a user would: PATH first, no build tree in sight
as_user() {
	run env -u KINSHIP_SRCDIR -u KINSHIP_BUILDDIR -u KINSHIP_CASES -u KINSHIP_LEDGER \
		-u KINSHIP_SELFTEST -u KINSHIP_SHIMS -u KINSHIP_NOSYS -u KINSHIP_DOCCHECK_RUN \
		PATH="$INST/p/bin:$PATH" "$@"
}

installed() {
	[ -f "$INST/installed" ] || {
		tail -n 20 "$INST"/*.log
		false
	}
}

@test "make install puts the three tools, their man pages and what each needs under the prefix" {
	installed
	local p=$INST/p f
	for f in bin/kinship-cases bin/kinship-doccheck bin/kinship-kernels \
		libexec/kinship/doccheck-run libexec/kinship/kinship-probe-sigreg-default \
		share/kinship/harness/kinship-kernels share/kinship/harness/kinship-userland; do
		[ -x "$p/$f" ] || { echo "not installed, or not executable: $f"; false; }
	done
	for f in share/kinship/ledger.tsv share/kinship/expected-deviations.tsv \
		share/kinship/harness/kinship-lib.sh share/kinship/harness/architectures.tsv \
		share/kinship/harness/expected-failures.tsv share/kinship/src/configure \
		share/kinship/src/cases/pipe.c share/man/man1/kinship-cases.1 \
		share/man/man1/kinship-kernels.1 share/man/man1/kinship-doccheck.1 \
		share/kinship/examples/pipe-example.md; do
		[ -s "$p/$f" ] || { echo "not installed: $f"; false; }
	done
	# the installed harness knows where the rest went
	grep -qxF "installed_cases='$p/bin/kinship-cases'" "$p/share/kinship/harness/installed.sh"
	[ "$(readlink "$p/bin/kinship-kernels")" = "$p/share/kinship/harness/kinship-kernels" ]
	if [ -x "$INST/b/cases/kinship-cases-static" ]; then
		[ -x "$p/libexec/kinship/guest/harness/kinship-init" ]
		[ -x "$p/libexec/kinship/guest/cases/kinship-cases-static" ]
		[ -x "$p/libexec/kinship/guest/cases/kinship-probe-sigreg-default-static" ]
	fi
	# each man page names its tool and its options
	grep -q '^\.TH KINSHIP-KERNELS "1"' "$p/share/man/man1/kinship-kernels.1"
	grep -q 'baseline' "$p/share/man/man1/kinship-kernels.1"
	grep -q 'matrix' "$p/share/man/man1/kinship-cases.1"
}

@test "kinship-cases from the prefix runs the suite, its probes found where they were installed" {
	installed
	cd "$INST/run"
	as_user kinship-cases --claim SIG-REGISTER --claim PIPE-ENDS
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^ok .*\[SIG-REGISTER\]' <<<"$output"
	! grep -q '^not ok' <<<"$output"
	as_user kinship-cases --report
	[ "$status" -eq 0 ]
	[[ "$output" == *"regression sentinels:"* ]]
}

@test "kinship-doccheck from the prefix checks the installed example with the installed runner and ledger" {
	installed
	cd "$INST/run"
	as_user kinship-doccheck --results dc.tsv "$INST/p/share/kinship/examples/pipe-example.md"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -s dc.tsv ]
	! grep -q $'\terror\t' dc.tsv
}

@test "kinship-kernels from the prefix boots a kernel with the installed guest programs" {
	installed
	[ -x "$INST/p/libexec/kinship/guest/harness/kinship-init" ] ||
		skip "no static cases in this build (static libc and Check are needed)"
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
	command -v cpio >/dev/null || skip "cpio is not installed"
	[ "$(uname -m)" = x86_64 ] || skip "the guest of this test is an x86-64 kernel"
	cd "$INST/run"
	as_user kinship-kernels --help
	[ "$status" -eq 0 ]
	local line kernel
	line=$(env -u KINSHIP_SRCDIR -u KINSHIP_BUILDDIR "$INST/p/bin/kinship-kernels" --fetch-only \
		--kernel debian:bookworm 2>"$INST/fetch.err") ||
		skip "no Debian kernel in the cache and none could be fetched: $(tail -n 1 "$INST/fetch.err")"
	kernel=$(printf '%s\n' "$line" | cut -f2)
	as_user kinship-kernels --accel tcg --kernel "$kernel" --claim PIPE-ENDS --out km
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q $'^PIPE-ENDS\tbytes_written_to_fd1_are_read_from_fd0\tpass$' km/matrix.tsv
	# nothing written into the prefix: the cross builds go to the cache
	[ -z "$(find "$INST/p" -newer "$INST/installed" -print -quit)" ]
}

@test "make uninstall takes away every file make install put there" {
	installed
	make -s -C "$INST/b" uninstall >"$INST/uninstall.log" 2>&1 || { cat "$INST/uninstall.log"; false; }
	run find "$INST/p" -type f -o -type l
	echo "$output"
	[ -z "$output" ]
	rm -f "$INST/installed"
}
