/*
 * ledger.h - the claim ledger, compiled from cases/ledger.tsv (the one source
 * of truth for claim IDs, our statement of each, the caveat a verdict of
 * holds-with-caveat names, the document's own words, who checks the claim and
 * the rule that turns a measurement into a document verdict).
 */
#ifndef KIN_LEDGER_H
#define KIN_LEDGER_H

#include <stddef.h>

struct kin_claim {
	const char *id;
	int section;           /* the document's section; 0 for its code as a whole */
	const char *owner;     /* "cases", "doccheck", or "both" */
	const char *rule;      /* holds | caveat | refuted | measured */
	const char *statement;
	const char *caveat;
	const char *quote;     /* the document's own words that make the claim */
};

extern const struct kin_claim kin_claims[];
extern const size_t kin_nclaims;

const struct kin_claim *kin_claim_find(const char *id);

#endif
