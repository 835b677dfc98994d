# helpers.bash - what the bats files share.  make check exports
# KINSHIP_SRCDIR, KINSHIP_BUILDDIR and KINSHIP_CASES; outside make the paths
# are guessed from this file's place.
: "${KINSHIP_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${KINSHIP_BUILDDIR:=$KINSHIP_SRCDIR}"
: "${KINSHIP_CASES:=$KINSHIP_BUILDDIR/cases/kinship-cases}"
LEDGER="$KINSHIP_SRCDIR/cases/ledger.tsv"

# the ledger's claim IDs (its document claims), optionally only those of
# one owner
ledger_ids() {
	awk -F'\t' -v owner="${1:-}" 'NR > 1 && $8 == "claim" && (owner == "" || $3 == owner) { print $1 }' "$LEDGER"
}
# the ledger's regression sentinels
sentinel_ids() {
	awk -F'\t' 'NR > 1 && $8 == "sentinel" { print $1 }' "$LEDGER"
}

# a private scratch dir for one test, removed in teardown
kin_scratch() {
	SCRATCH=$(mktemp -d "${BATS_TMPDIR:-/tmp}/kinship-bats.XXXXXX")
}

# usage_error WORD CMD...: CMD must fail as a usage error does, with status 2
# and one line that names WORD
usage_error() {
	local word=$1; shift
	run "$@"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"$word"* ]]
}
