# ledger-to-c.awk - turn cases/ledger.tsv into the C table of ledger.h.
# Usage: awk -f ledger-to-c.awk ledger.tsv > ledger.c
function cstr(s) {
	gsub(/\\/, "\\\\\\\\", s)
	gsub(/"/, "\\\"", s)
	return "\"" s "\""
}
BEGIN {
	FS = "\t"
	print "/* generated from cases/ledger.tsv by ledger-to-c.awk: edit the TSV */"
	print "#include <stdbool.h>"
	print "#include <string.h>"
	print "#include \"ledger.h\""
	print "const struct kin_claim kin_claims[] = {"
}
NR == 1 {
	if ($1 != "id" || NF != 12 || $8 != "kind") {
		print "ledger.tsv: unexpected header" > "/dev/stderr"
		exit 1
	}
	next
}
/^#/ || NF == 0 { next }
{
	if (NF != 12) {
		printf "ledger.tsv:%d: %d fields, expected 12\n", NR, NF > "/dev/stderr"
		exit 1
	}
	if ($3 !~ /^(cases|doccheck|both)$/ || $4 !~ /^(holds|caveat|refuted|measured|sentinel)$/) {
		printf "ledger.tsv:%d: bad owner or rule\n", NR > "/dev/stderr"
		exit 1
	}
	# a claim has the document's words; a sentinel has none, but the
	# change: VERSION COMMIT, and how its rule is "sentinel"
	if ($8 == "claim" && $4 == "sentinel" || $8 == "sentinel" && ($4 != "sentinel" || $7 != "" ||
	    $9 !~ /^[0-9]+\.[0-9]+ [0-9a-f]+$/ || length(substr($9, index($9, " ") + 1)) != 12 ||
	    $10 !~ /^([0-9]+\.[0-9]+)?$/ ||
	    $11 !~ /^(none|([0-9]+\.[0-9]+(\.[0-9]+|-)( [0-9]+\.[0-9]+(\.[0-9]+|-))*)?)$/ || $12 == "") ||
	    $8 !~ /^(claim|sentinel)$/) {
		printf "ledger.tsv:%d: bad kind, or a sentinel without its change\n", NR > "/dev/stderr"
		exit 1
	}
	if ($1 in seen) {
		printf "ledger.tsv:%d: %s twice\n", NR, $1 > "/dev/stderr"
		exit 1
	}
	seen[$1] = 1
	printf "\t{ %s, %d, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s },\n", cstr($1), $2, cstr($3), cstr($4), cstr($5), cstr($6), cstr($7), $8 == "sentinel" ? "true" : "false", cstr($9), cstr($10), cstr($11), cstr($12)
	n++
}
END {
	print "};"
	print "const size_t kin_nclaims = " n ";"
	print "const struct kin_claim *kin_claim_find(const char *id)"
	print "{"
	print "\tfor (size_t i = 0; i < kin_nclaims; i++)"
	print "\t\tif (strcmp(kin_claims[i].id, id) == 0)"
	print "\t\t\treturn &kin_claims[i];"
	print "\treturn NULL;"
	print "}"
}
