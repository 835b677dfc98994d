/*
 * kin-sentinel.c - regression sentinels: which side of a kernel change the
 * running kernel's version should show, from the sentinel's ledger entry,
 * and the end of a sentinel's test that asserts it.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kin.h"
#include "kin-internal.h"
#include "ledger.h"

const char *kin_side_word(enum kin_side s)
{
	switch (s) {
	case KIN_SIDE_BEFORE:
		return "before";
	case KIN_SIDE_AFTER:
		return "after";
	default:
		return "none";
	}
}

/* "6.13 5b0af621c3f6" or "5.5": major and minor; false if it is neither */
static bool parse_series(const char *s, int v[2])
{
	return s && sscanf(s, "%d.%d", &v[0], &v[1]) == 2;
}

static int cmp_series(const int a[2], const int b[2])
{
	return a[0] != b[0] ? (a[0] > b[0]) - (a[0] < b[0]) : (a[1] > b[1]) - (a[1] < b[1]);
}

/* the commit of "6.13 5b0af621c3f6" */
static const char *commit_of(const char *upstream)
{
	const char *sp = strchr(upstream, ' ');
	return sp ? sp + 1 : "";
}

/*
 * What the ledger's stable list ("6.12.9 6.1.124 5.10-") says of series
 * v[0].v[1]: the patch level of its first version that took the change,
 * STABLE_NEVER where the series is known not to have taken it, or
 * STABLE_UNKNOWN where the list does not name it.
 */
enum { STABLE_UNKNOWN = -1, STABLE_NEVER = -2 };
static int stable_patch(const char *stable, const int v[2])
{
	const char *p = stable;
	while (p && *p) {
		int a, b, c, n = 0;
		if (sscanf(p, "%d.%d%n", &a, &b, &n) == 2 && a == v[0] && b == v[1]) {
			if (p[n] == '-')
				return STABLE_NEVER;
			if (sscanf(p + n, ".%d", &c) == 1)
				return c;
		}
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return STABLE_UNKNOWN;
}

enum kin_side kin_sentinel_expect(const struct kin_claim *c, const int v[3], bool patch_known,
				  char *why, size_t len)
{
	int up[2], reg[2], series[2] = { v[0], v[1] };
	const char *commit = commit_of(c->upstream);
	if (!parse_series(c->upstream, up)) {
		snprintf(why, len, "the ledger gives no upstream version for %s", c->id);
		return KIN_SIDE_NONE;
	}
	bool regression = parse_series(c->regressed, reg);
	if (regression && cmp_series(series, reg) < 0) {
		snprintf(why, len, "%d.%d is older than %d.%d, where the regression that %s undid began",
			 v[0], v[1], reg[0], reg[1], commit);
		return KIN_SIDE_AFTER;
	}
	if (cmp_series(series, up) == 0) {
		snprintf(why, len, "%d.%d brought %s", up[0], up[1], commit);
		return KIN_SIDE_AFTER;
	}
	if (cmp_series(series, up) > 0) {
		snprintf(why, len, "%d.%d is newer than %d.%d, which brought %s", v[0], v[1], up[0],
			 up[1], commit);
		return KIN_SIDE_AFTER;
	}
	if (strcmp(c->stable, "none") == 0) {
		snprintf(why, len, "%d.%d is older than %d.%d, which brought %s, and no stable series "
			 "took it", v[0], v[1], up[0], up[1], commit);
		return KIN_SIDE_BEFORE;
	}
	int bp = stable_patch(c->stable, series);
	if (bp == STABLE_NEVER) {
		snprintf(why, len, "%d.%d is older than %d.%d, which brought %s, and its stable series "
			 "did not take it", v[0], v[1], up[0], up[1], commit);
		return KIN_SIDE_BEFORE;
	}
	if (bp == STABLE_UNKNOWN) {
		snprintf(why, len, "%d.%d is older than %d.%d, which brought %s, and whether the %d.%d "
			 "stable series took it is not known here%s%s%s", v[0], v[1], up[0], up[1],
			 commit, v[0], v[1], c->stable[0] ? " (known: " : "", c->stable,
			 c->stable[0] ? ")" : "");
		return KIN_SIDE_NONE;
	}
	if (!patch_known) {
		snprintf(why, len, "%d.%d.%d took %s, and this kernel's stable patch level is not "
			 "known", v[0], v[1], bp, commit);
		return KIN_SIDE_NONE;
	}
	if (v[2] >= bp) {
		snprintf(why, len, "%d.%d.%d took %s in the %d.%d stable series", v[0], v[1], bp,
			 commit, v[0], v[1]);
		return KIN_SIDE_AFTER;
	}
	snprintf(why, len, "%d.%d.%d is older than %d.%d.%d, the first of its series to take %s",
		 v[0], v[1], v[2], v[0], v[1], bp, commit);
	return KIN_SIDE_BEFORE;
}

void kin_sentinel(enum kin_side seen, const char *also_ok, const char *fmt, ...)
{
	char measured[512], why[384], how[128];
	const struct kin_test *t = kin_current_test();
	const struct kin_claim *c = t ? kin_claim_find(t->claims) : NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(measured, sizeof(measured), fmt, ap);
	va_end(ap);
	if (!c || !c->sentinel)
		kin_fail("kin_sentinel() in %s, whose claim %s is no sentinel of the ledger",
			 t ? t->name : "?", t ? t->claims : "?");
	int v[3];
	bool patch_known;
	if (!kin_kernel_semver(v, &patch_known, how, sizeof(how)))
		kin_fail("cannot tell the running kernel's version (%s)", how);
	enum kin_side want = kin_sentinel_expect(c, v, patch_known, why, sizeof(why));
	/* gVisor's uname is a fixed answer, no kernel's: its behaviour is its own */
	if (strcmp(kin_implementation()->name, "gvisor") == 0) {
		snprintf(why, sizeof(why), "under gVisor no version decides: its uname is a fixed "
			 "answer, not a kernel's");
		want = KIN_SIDE_NONE;
	}
	const char *saw = kin_side_word(seen);

	const char *commit = commit_of(c->upstream);
	kin_side(seen, "%s", measured);
	if (want == KIN_SIDE_NONE)
		kin_pass("%s %s (%s): %s; both sides are accepted: %s", saw, commit, how, measured, why);
	if (seen == want)
		kin_pass("%s %s, as this kernel's version says (%s): %s; %s", saw, commit, how, measured,
			 why);
	if (also_ok)
		kin_pass("%s %s where this kernel's version says %s (%s): %s; accepted, as %s: %s",
			 saw, commit, kin_side_word(want), how, measured, also_ok, why);
	/* the failure names the sentinel's test, not this file */
	kin_fail_at(t->file, t->line, "%s %s where this kernel's version says %s (%s): %s; %s: a "
		    "backport missing, or the change undone", saw, commit, kin_side_word(want), how,
		    measured, why);
}
