#!/usr/bin/env bats
# harness/kinship-userland and ci/build-variant from the command line: usage
# errors, a userland this machine has no compiler for, and the musl build
# run on this kernel.

load helpers

KU="$KINSHIP_SRCDIR/harness/kinship-userland"
BV="$KINSHIP_SRCDIR/ci/build-variant"
export KINSHIP_SRCDIR KINSHIP_BUILDDIR

setup() {
	kin_scratch
}

teardown() {
	rm -rf "$SCRATCH"
}

# PATH as it is, without the compilers of the two variants
path_without_compilers() {
	mkdir -p "$SCRATCH/bin"
	local d f
	for d in ${PATH//:/ }; do
		for f in "$d"/*; do
			case ${f##*/} in musl-gcc | i686-linux-gnu-gcc*) continue ;; esac
			[ -x "$f" ] && [ ! -e "$SCRATCH/bin/${f##*/}" ] && ln -s "$f" "$SCRATCH/bin/${f##*/}"
		done
	done
	echo "$SCRATCH/bin"
}

@test "kinship-userland: --help is status 0; usage errors are one line and status 2" {
	run "$KU" --help
	[ "$status" -eq 0 ]
	[[ "$output" == Usage:* ]]
	usage_error USERLAND "$KU"
	usage_error vax "$KU" vax
	usage_error "one USERLAND" "$KU" musl i386
	usage_error "--jobs 0" "$KU" --jobs 0 musl
	usage_error "--bogus" "$KU" --bogus musl
	usage_error "/proc/no/such" "$KU" --out /proc/no/such musl
}

@test "kinship-userland: no compiler for the userland is status 3, naming its packages; nothing is built" {
	run "$KU" --cc "$SCRATCH/no-such-gcc" --out "$SCRATCH/v" musl
	echo "$output"
	[ "$status" -eq 3 ]
	[ "${lines[-1]}" = "no compiler $SCRATCH/no-such-gcc for musl (Debian: musl-tools)" ]
	[ ! -e "$SCRATCH/v/build" ]
	run "$KU" --cc "$SCRATCH/no-such-gcc" --out "$SCRATCH/v" i386
	[ "$status" -eq 3 ]
	[[ "${lines[-1]}" == *"(Debian: gcc-i686-linux-gnu libc6-dev-i386-cross)" ]]
}

@test "build-variant: --help is status 0; usage errors are one line and status 2" {
	run "$BV" --help
	[ "$status" -eq 0 ]
	[[ "$output" == Usage:* ]]
	usage_error "musl or i386" "$BV"
	usage_error vax "$BV" vax
	usage_error "one variant" "$BV" musl i386
	usage_error "--bogus" "$BV" --bogus musl
	usage_error "--out" "$BV" musl --out
}

@test "build-variant: a machine without the variant's compiler skips it, saying which packages bring it" {
	local bin
	bin=$(path_without_compilers)
	for v in musl i386; do
		PATH=$bin run "$BV" --out "$SCRATCH/$v" "$v"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ "${lines[-1]}" == "1..0 # SKIP the $v userland cannot be built here: no compiler "*"(Debian: "*")" ]]
	done
}

@test "build-variant musl: the whole suite against musl passes here, and its header says musl and 64-bit" {
	command -v musl-gcc >/dev/null || skip "musl-gcc is not installed (Debian: musl-tools)"
	mkdir -p "$SCRATCH/tmp"
	TMPDIR=$SCRATCH/tmp run "$BV" musl
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# nothing of the build or the run is left in its TMPDIR
	[ -z "$(ls -A "$SCRATCH/tmp")" ] || { ls -la "$SCRATCH/tmp"; false; }
	local plan
	plan=$(grep -m1 '^1\.\.' <<<"$output")
	[ "$plan" = "1..$("$KINSHIP_CASES" --list | cut -f2 | sort -u | wc -l)" ]
	grep -q '^# binary: .*harness/cross/musl/build/cases/kinship-cases.*: a 64-bit little-endian .* program, .*, musl 1\.' <<<"$output"
	! grep -q '^not ok' <<<"$output"
}
