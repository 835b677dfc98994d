# debian/tests/common.sh - what the autopkgtests share: run a command as
# nobody when the test runs as root (autopkgtest's null runner does), in a
# scratch directory of its own that is removed on the way out.
set -eu
scratch=$(mktemp -d "${AUTOPKGTEST_TMP:-/tmp}/kinship-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
chmod 0755 "$scratch"
# nobody works here too
[ "$(id -u)" -ne 0 ] || chown 65534:65534 "$scratch"
cd "$scratch"
unprivileged() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			env HOME="$scratch" TMPDIR=/tmp "$@"
	else
		"$@"
	fi
}
