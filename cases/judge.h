/*
 * judge.h - what the runner (runner.c) and the matrix writer (matrix.c)
 * share: the rows and claims of a kernel matrix, and the one judge that
 * turns a results file into a verdict per claim.
 */
#ifndef KIN_JUDGE_H
#define KIN_JUDGE_H

#include <stddef.h>

#include "ledger.h"

/* one row of the matrix: a claim and one of its tests, in --list order */
struct kin_row {
	const char *claim;
	const char *test;
};

/* one claim's verdict from one results file, as --from-results FILE
   --verdicts writes it: the verdict's word and the evidence (malloc'd) */
struct kin_judged {
	const char *verdict;
	char *evidence;
};

/*
 * The one judge (runner.c), for the matrix: each test takes its record from
 * the results file PATH (a missing or unreadable file: no test ran), and each
 * of the claims gets its verdict and evidence in out[0..nclaims).
 */
void kin_judge_results(const char *path, const struct kin_claim *const *claims, size_t nclaims,
		       struct kin_judged *out);

/* what --matrix DIR is asked to do */
struct kin_matrix_job {
	const char *prog;                     /* for messages */
	const char *dir;                      /* DIR: reads DIR/collected, writes the matrix */
	const char *xfail_path;               /* --expected-failures FILE, or NULL */
	const char *baseline;                 /* --baseline OLD: an earlier DIR, or NULL */
	const struct kin_row *rows;           /* the tests, as --list gives them */
	size_t nrows;
	const struct kin_claim *const *claims; /* the claims judged, in ledger order */
	size_t nclaims;
};

/*
 * --matrix DIR (matrix.c): judge every kernel's results, write DIR/matrix.tsv,
 * matrix.md, junit.xml and kcidb.json, print the count of unexpected and
 * expected failures; 0 when nothing failed unexpectedly, else 1.  A usage
 * error (no kernels.tsv, DIR unwritable, a bad expected-failures line) is one
 * line on stderr and exit status 2.
 */
int kin_matrix(const struct kin_matrix_job *job);

#endif
