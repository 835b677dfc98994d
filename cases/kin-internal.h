/*
 * kin-internal.h - what the runner and the helper library share; case files
 * do not include it.
 */
#ifndef KIN_INTERNAL_H
#define KIN_INTERNAL_H

#include "kin.h"

enum kin_result {
	KIN_RESULT_NONE = 0,
	KIN_RESULT_PASS,
	KIN_RESULT_FAIL,
	KIN_RESULT_SKIP,
	KIN_RESULT_ERROR,
};

/* what a test hands to the runner through the side channel */
struct kin_record {
	enum kin_result result;
	enum kin_verdict verdict;
	enum kin_side side;     /* a sentinel's: the side of its change seen */
	char detail[1024];
	char evidence[1024];
	char notes[512];
};

/* the run's private directory; each test's kin_tmpdir() lives below it */
extern const char *kin_run_dir;

/* the signal mask a test body starts with (the runner blocks some signals
   around Check; see run_one in runner.c) */
#include <signal.h>
extern sigset_t kin_test_mask;
extern bool kin_test_mask_set;

/* the test whose body is running, or NULL */
const struct kin_test *kin_current_test(void);

/* run one test body with its context (children, fds, temp dir) around it */
void kin_run_body(const struct kin_test *t, const void *variant, struct kin_record *out);

/*
 * Check's timeout of a test is its own plus this many seconds (both scaled
 * by CK_TIMEOUT_MULTIPLIER): the test's watchdog ends it first, with a
 * diagnosis; Check's kill is the last resort.
 */
#define KIN_CHECK_GRACE 2

/* at start: find the suite's own path and the emulator it runs under */
void kin_self_init(const char *argv0);

/* before the first test: how this environment shows a process asleep in
   each call (see enum kin_call); and that, in words, for the report */
void kin_calibrate(void);
const char *kin_calibration_str(void);

/* remove a directory tree; -1 if something stayed */
int kin_remove_tree(const char *dir);

#endif
