#!/usr/bin/env bats
# The command lines of ci/install-deps, ci/build-and-check and
# ci/run-in-chroot, and what install-deps would install on each family
# (with --print, so nothing is installed and no root is needed).

load helpers

INSTALL_DEPS="$KINSHIP_SRCDIR/ci/install-deps"

setup() {
	kin_scratch
}

teardown() {
	rm -rf "$SCRATCH"
}

# an os-release file for a distribution; sets OS_RELEASE
fake_os() {
	OS_RELEASE="$SCRATCH/os-release"
	printf 'ID=%s\nID_LIKE="%s"\nPRETTY_NAME="%s test"\n' "$1" "${2:-}" "$1" >"$OS_RELEASE"
}

@test "install-deps --help prints usage and exits 0" {
	run "$INSTALL_DEPS" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *Usage:*--minimal* ]]
}

@test "install-deps: an unknown option is one line and status 2" {
	usage_error no-such-option "$INSTALL_DEPS" --no-such-option
}

@test "install-deps: a stray argument is one line and status 2" {
	usage_error qemu "$INSTALL_DEPS" --minimal qemu
}

@test "install-deps: an unknown distribution lists what to install and exits 1" {
	fake_os gentoo
	KINSHIP_OS_RELEASE=$OS_RELEASE run "$INSTALL_DEPS" --print
	[ "$status" -eq 1 ]
	[[ "$output" == *"Install by hand"* ]]
	[[ "$output" == *Check* ]]
	[[ "$output" == *bats* ]]
	[[ "$output" == *qemu-system-aarch64* ]]
}

@test "install-deps: each family gets its own package manager and Check package" {
	local id like pm check
	while read -r id like pm check; do
		fake_os "$id" "${like#-}"
		KINSHIP_OS_RELEASE=$OS_RELEASE run "$INSTALL_DEPS" --print
		echo "$id: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"$pm "*" $check "* ]]
	done <<'TXT'
debian - apt-get check
ubuntu debian apt-get check
fedora - dnf check-devel
alpine - apk check-dev
arch - pacman check
opensuse-tumbleweed suse zypper check-devel
TXT
}

@test "install-deps: Fedora asks for the static Check library, Debian for libsubunit" {
	fake_os fedora
	KINSHIP_OS_RELEASE=$OS_RELEASE run "$INSTALL_DEPS" --print --minimal
	[ "$status" -eq 0 ]
	[[ "$output" == *" check-static"* ]]
	[[ "$output" == *" musl-gcc"* ]]
	fake_os debian
	KINSHIP_OS_RELEASE=$OS_RELEASE run "$INSTALL_DEPS" --print --minimal
	[[ "$output" == *" libsubunit-dev"* ]]
	[[ "$output" == *" musl-tools"* ]]
}

@test "install-deps --minimal leaves out QEMU and cpio; the full install has both emulators" {
	local id
	for id in debian fedora alpine arch opensuse; do
		fake_os "$id"
		KINSHIP_OS_RELEASE=$OS_RELEASE run "$INSTALL_DEPS" --print --minimal
		[ "$status" -eq 0 ]
		[[ "$output" != *qemu* ]]
		[[ "$output" != *cpio* ]]
		KINSHIP_OS_RELEASE=$OS_RELEASE run "$INSTALL_DEPS" --print
		[ "$status" -eq 0 ]
		[[ "$output" == *cpio* ]]
		[[ "$output" == *qemu*x86* ]]
		[[ "$output" == *qemu-system-aarch64* || "$output" == *qemu*-arm* ]]
	done
}

@test "install-deps: the variants' compilers come with the full Debian install, never gcc-multilib; others say what will skip" {
	fake_os debian
	KINSHIP_OS_RELEASE=$OS_RELEASE run "$INSTALL_DEPS" --print
	[ "$status" -eq 0 ]
	[[ "$output" == *" gcc-i686-linux-gnu"* ]]
	[[ "$output" == *" libc6-dev-i386-cross"* ]]
	[[ "$output" == *" musl-tools"* ]]
	[[ "$output" != *multilib* ]]
	KINSHIP_OS_RELEASE=$OS_RELEASE run "$INSTALL_DEPS" --print --minimal
	[[ "$output" != *i686* ]]
	local id
	for id in fedora alpine arch opensuse; do
		fake_os "$id"
		KINSHIP_OS_RELEASE=$OS_RELEASE run "$INSTALL_DEPS" --print
		[ "$status" -eq 0 ]
		[[ "$output" == *"note: ci/build-variant i386 (no i686-linux-gnu cross compiler"*"that variant will skip"* ]]
	done
}

@test "build-and-check, run-in-chroot and build-package: --help is status 0, a bad option status 2" {
	local tool
	for tool in build-and-check run-in-chroot build-package; do
		run "$KINSHIP_SRCDIR/ci/$tool" --help
		[ "$status" -eq 0 ]
		[[ "$output" == *Usage:* ]]
		usage_error no-such-option "$KINSHIP_SRCDIR/ci/$tool" --no-such-option
	done
	usage_error many "$KINSHIP_SRCDIR/ci/build-and-check" --jobs many
}

@test "run-in-chroot: no release, two releases or a bad name are usage errors" {
	usage_error release "$KINSHIP_SRCDIR/ci/run-in-chroot"
	usage_error sid "$KINSHIP_SRCDIR/ci/run-in-chroot" bullseye sid
	usage_error ../etc "$KINSHIP_SRCDIR/ci/run-in-chroot" ../etc
}

@test "install-deps: help2man, which makes the man pages, on every family" {
	local id like
	while read -r id like; do
		fake_os "$id" "${like#-}"
		KINSHIP_OS_RELEASE=$OS_RELEASE run "$INSTALL_DEPS" --print --minimal
		echo "$id: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == *" help2man "* ]]
	done <<'TXT'
debian -
fedora -
alpine -
arch -
opensuse-tumbleweed suse
TXT
}

@test "the Debian package: its autopkgtests are the scripts debian/tests/control names, each executable" {
	local t
	for t in $(sed -n 's/^Tests: //p' "$KINSHIP_SRCDIR/debian/tests/control"); do
		[ -x "$KINSHIP_SRCDIR/debian/tests/$t" ] || { echo "not executable: debian/tests/$t"; false; }
		sh -n "$KINSHIP_SRCDIR/debian/tests/$t"
	done
	[ "$(sed -n 's/^Tests: //p' "$KINSHIP_SRCDIR/debian/tests/control" | wc -l)" -eq 4 ]
	# the package builds what make install installs: its Build-Depends name the build's tools
	grep -q 'help2man' "$KINSHIP_SRCDIR/debian/control"
	grep -q 'debhelper-compat (= 13)' "$KINSHIP_SRCDIR/debian/control"
}
