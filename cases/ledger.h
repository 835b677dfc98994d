/*
 * ledger.h - the claim ledger, compiled from cases/ledger.tsv (the one source
 * of truth for claim IDs, our statement of each, the caveat a verdict of
 * holds-with-caveat names, the document's own words, who checks the claim and
 * the rule that turns a measurement into a document verdict).
 *
 * Its second kind of entry, a regression sentinel, has no words of the
 * document: it states a behaviour a kernel change made, the upstream version
 * and commit of the change, the version from which the old side showed
 * where the change undid a regression, the stable series known to have
 * taken it and from which version ("6.1.124"), or not ("5.10-"), or "none"
 * where no stable series did (a series not named: not known), and what it
 * broke.
 */
#ifndef KIN_LEDGER_H
#define KIN_LEDGER_H

#include <stdbool.h>
#include <stddef.h>

struct kin_claim {
	const char *id;
	int section;           /* the document's section; 0 for its code as a whole */
	const char *owner;     /* "cases", "doccheck", or "both" */
	const char *rule;      /* holds | caveat | refuted | measured | sentinel */
	const char *statement;
	const char *caveat;
	const char *quote;     /* the document's own words that make the claim */
	bool sentinel;         /* a regression sentinel, not a claim of the document */
	const char *upstream;  /* sentinels: "6.13 5b0af621c3f6", the change */
	const char *regressed; /* sentinels: "5.5", where the change undid a regression */
	const char *stable;    /* sentinels: "6.12.9 6.1.124 5.10-", "none", or "" */
	const char *broke;     /* sentinels: what the change (or the regression) broke */
};

extern const struct kin_claim kin_claims[];
extern const size_t kin_nclaims;

const struct kin_claim *kin_claim_find(const char *id);

#endif
