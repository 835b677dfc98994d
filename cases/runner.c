/*
 * runner.c - the main program of kinship-cases.
 *
 * It collects the tests that the case files declared (KIN_TEST puts them in
 * the kin_tests section), selects them by claim, runs each in its own Check
 * TCase in fork mode (its own timeout, its claim IDs as tags), reads back the
 * record each test left in the side channel, and prints TAP, KTAP, the
 * results TSV or the claim-by-claim report.  See ../shared/architecture.md
 * for the interface; `kinship-cases --help' for the options.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "judge.h"
#include "kin.h"
#include "kin-internal.h"
#include "ledger.h"

extern const struct kin_test __start_kin_tests[], __stop_kin_tests[];
extern const struct kin_probe __start_kin_probes[], __stop_kin_probes[];

struct entry {
	const struct kin_test *t;
	const void *variant;
	char name[160];
	bool selected;
	struct kin_record rec;
	bool ran;
	long long ms;         /* wall time of the test, Check's fork included */
	const char *deviation; /* failed as this implementation is known to: why */
};

static struct entry *entries;
static size_t nentries;
static const char *prog = "kinship-cases";

static _Noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTION]...\n"
		"Run kinship's test cases for IPC between related processes on the running\n"
		"kernel and libc, and say claim by claim whether the document holds.\n"
		"\n"
		"  --list            print CLAIM-ID<TAB>test-name for each test, run nothing\n"
		"  --claim ID        run only the tests of claim ID (repeatable)\n"
		"  --test NAME       run only the test NAME (repeatable)\n"
		"  --results FILE    write claim<TAB>test<TAB>result<TAB>detail per test and claim\n"
		"  --report          print the document verdict and evidence per claim instead of TAP\n"
		"  --format tap|ktap standard output format (default tap)\n"
		"  --verdicts FILE   write claim<TAB>verdict<TAB>evidence per claim the cases own\n"
		"  --from-results FILE  run nothing: judge the claims from a results file of an\n"
		"                    earlier run (another kernel, say) for --report and --verdicts\n"
		"  --judge FILE      run nothing: rank the findings of another tool, lines\n"
		"                    ID<TAB>SOURCE<TAB>VERDICT<TAB>EVIDENCE, into ID<TAB>VERDICT<TAB>EVIDENCE\n"
		"                    per ID (the gravest verdict), on stdout or into --verdicts FILE\n"
		"  --expected-deviations FILE  lines IMPLEMENTATION<TAB>TEST<TAB>REASON: a listed\n"
		"                    test failing on that implementation (gvisor, qemu-user,\n"
		"                    valgrind, ...) is an expected failure (TAP TODO)\n"
		"  --matrix DIR      run nothing: judge each kernel's results that the kernel\n"
		"                    harness collected in DIR/collected (kernels.tsv,\n"
		"                    results-INDEX.tsv, meta.tsv) and write DIR/matrix.tsv,\n"
		"                    matrix.md, junit.xml and kcidb.json; with --claim ID\n"
		"                    the rows of those claims only\n"
		"  --baseline OLD    with --matrix: compare with the matrix in OLD (an earlier\n"
		"                    DIR): every cell and verdict that changed, with both\n"
		"                    details, into DIR/changes.tsv and DIR/changes.md\n"
		"  --expected-failures FILE  with --matrix: lines KERNEL<TAB>TEST<TAB>REASON,\n"
		"                    KERNEL a SPEC, *, a uname -r glob or a version range\n"
		"                    LOW..HIGH (LOW <= version < HIGH, either side may be\n"
		"                    empty), TEST a test name, a claim ID or a glob of test\n"
		"                    or CLAIM/test: a listed failure is an expected one\n"
		"  --help            this text\n"
		"\n"
		"Exit status: 0 if no test failed or errored (expected deviations aside), 1\n"
		"otherwise, 2 for a usage error.  With --matrix: 0 if no cell of any kernel\n"
		"failed or errored (expected failures aside), 1 otherwise.\n"
		"CK_TIMEOUT_MULTIPLIER scales every test's timeout and deadline.\n"
		"Claims checked on the document's own code (DOC-*) belong to kinship-doccheck.\n",
		prog);
}

/* ------------------------------------------------------------- the tests */

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->t->file, y->t->file);
	if (c)
		return c;
	if (x->t->line != y->t->line)
		return x->t->line - y->t->line;
	return strcmp(x->name, y->name);
}

static bool claim_list_has(const char *list, const char *id)
{
	size_t n = strlen(id);
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && strncmp(p, id, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

/* call fn for each claim ID of a test */
#define FOR_EACH_CLAIM(list, buf, p)                                          \
	for (const char *p = (list); *p; p += strcspn(p, ","), p += (*p == ','))    \
		if (snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(p, ","), p) > 0)

static void collect(void)
{
	size_t cap = 0;
	for (const struct kin_test *t = __start_kin_tests; t < __stop_kin_tests; t++) {
		size_t n = t->variants ? t->variant_count : 1;
		for (size_t i = 0; i < n; i++) {
			if (nentries == cap) {
				cap = cap ? cap * 2 : 64;
				entries = realloc(entries, cap * sizeof(*entries));
				if (!entries) {
					perror("realloc");
					exit(1);
				}
			}
			struct entry *e = &entries[nentries++];
			memset(e, 0, sizeof(*e));
			e->t = t;
			if (t->variants) {
				e->variant = (const char *)t->variants + i * t->variant_size;
				snprintf(e->name, sizeof(e->name), "%s/%s", t->name,
					 *(const char *const *)e->variant);
			} else {
				snprintf(e->name, sizeof(e->name), "%s", t->name);
			}
		}
	}
	qsort(entries, nentries, sizeof(*entries), cmp_entry);

	/* the ledger and the tests must agree: a defect of the build, not of
	   the kernel, so it stops the run */
	for (size_t i = 0; i < nentries; i++) {
		char id[64];
		FOR_EACH_CLAIM(entries[i].t->claims, id, p) {
			const struct kin_claim *c = kin_claim_find(id);
			if (!c || strcmp(c->owner, "doccheck") == 0) {
				fprintf(stderr, "%s: internal error: test %s (%s) names %s claim %s\n",
					prog, entries[i].name, entries[i].t->file,
					c ? "the document checker's" : "the unknown", id);
				exit(1);
			}
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(entries[i].name, entries[j].name) == 0) {
				fprintf(stderr, "%s: internal error: two tests named %s\n", prog,
					entries[i].name);
				exit(1);
			}
	}
}

/* --------------------------------------------------------- running one */

static struct entry *current;
static char record_path[PATH_MAX];

static void write_record(const struct kin_record *rec)
{
	int fd = open(record_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, rec, sizeof(*rec)) != (ssize_t)sizeof(*rec))
		unlink(record_path);
	close(fd);
}

START_TEST(kin_check_test)
{
	struct kin_record rec;
	kin_run_body(current->t, current->variant, &rec);
	write_record(&rec);
	if (rec.result == KIN_RESULT_FAIL || rec.result == KIN_RESULT_ERROR)
		ck_abort_msg("%s", rec.detail);
}
END_TEST

/*
 * The runner is a child subreaper: whatever a test left behind (a grandchild
 * orphaned when Check killed the test at its timeout, say) becomes our child.
 * Reap the dead; kill and reap the living and report them.
 */
static int reap_orphans(char *what, size_t len)
{
	int alive = 0;
	size_t used = 0;
	what[0] = 0;
	/* the usual case: no child at all, nothing to look for */
	if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
		return 0;
	for (;;) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		int found = 0;
		while (d && (de = readdir(d))) {
			char path[64], buf[512];
			int pid = atoi(de->d_name);
			if (pid <= 0)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/stat", pid);
			if (kin_read_line(path, buf, sizeof(buf)) < 0)
				continue;
			char *rp = strrchr(buf, ')');
			char state;
			int ppid;
			if (!rp || sscanf(rp + 1, " %c %d", &state, &ppid) != 2 || ppid != getpid())
				continue;
			found++;
			if (state != 'Z') {
				alive++;
				used += (size_t)snprintf(what + used, len > used ? len - used : 0,
							 "%sprocess %d (state %c)", used ? ", " : "",
							 pid, state);
				kill(pid, SIGKILL);
			}
			waitpid(pid, NULL, 0);
		}
		if (d)
			closedir(d);
		if (!found)
			break;
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return alive;
}

static void run_one(struct entry *e)
{
	char tags[256] = "";
	char id[64];
	size_t used = 0;

	FOR_EACH_CLAIM(e->t->claims, id, p)
		used += (size_t)snprintf(tags + used, sizeof(tags) - used, "%s%s",
					 used ? " " : "", id);

	Suite *s = suite_create("kinship");
	TCase *tc = tcase_create(e->name);
	tcase_set_tags(tc, tags);
	/* the test's own watchdog ends it at its timeout; Check's kill, later, is
	   for a test that got past the watchdog */
	int timeout = e->t->timeout > 0 ? e->t->timeout : KIN_DEFAULT_TIMEOUT;
	tcase_set_timeout(tc, timeout + KIN_CHECK_GRACE);
	tcase_add_test(tc, kin_check_test);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_FORK);

	unlink(record_path);
	current = e;
	fflush(NULL);
	/*
	 * While Check runs a test it handles SIGTERM and SIGINT by killing the
	 * test and then its own process group, which is our caller's (make's,
	 * a harness's).  Keep those signals pending until the test has ended;
	 * then our own handler cleans up and ends the run.  The test itself
	 * starts with the mask the runner had (kin_test_mask).
	 */
	sigset_t stop, old;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	kin_test_mask = old;
	kin_test_mask_set = true;
	long long start = kin_now_ms();
	srunner_run_all(sr, CK_SILENT);
	e->ms = kin_now_ms() - start;
	sigprocmask(SIG_SETMASK, &old, NULL);

	struct kin_record rec;
	bool have = false;
	int fd = open(record_path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		have = read(fd, &rec, sizeof(rec)) == (ssize_t)sizeof(rec);
		close(fd);
		unlink(record_path);
	}

	memset(&e->rec, 0, sizeof(e->rec));
	if (srunner_ntests_run(sr) == 0) {
		e->rec.result = KIN_RESULT_SKIP;
		snprintf(e->rec.detail, sizeof(e->rec.detail),
			 "Check ran nothing (CK_RUN_CASE, CK_RUN_SUITE or CK_*_TAGS set?)");
	} else if (have) {
		e->rec = rec;
	} else {
		TestResult **tr = srunner_results(sr);
		const char *msg = tr[0] ? tr_msg(tr[0]) : "no result";
		int rtype = tr[0] ? tr_rtype(tr[0]) : CK_ERROR;
		/* a failure Check saw but no record: a Check assertion; a crash,
		   a timeout or an early exit: an error */
		e->rec.result = rtype == CK_FAILURE ? KIN_RESULT_FAIL : KIN_RESULT_ERROR;
		snprintf(e->rec.detail, sizeof(e->rec.detail), "%s%s",
			 rtype == CK_PASS ? "passed in Check but left no record: " : "",
			 msg ? msg : "");
		if (msg && strcmp(msg, "Test timeout expired") == 0) {
			const char *m = getenv("CK_TIMEOUT_MULTIPLIER");
			snprintf(e->rec.detail, sizeof(e->rec.detail),
				 "killed by Check after its timeout of %d s (x%s CK_TIMEOUT_MULTIPLIER)"
				 ": the test never finished, and its own watchdog at %d s did not "
				 "end it (SIGALRM blocked?)",
				 timeout + KIN_CHECK_GRACE, m && *m ? m : "1", timeout);
		}
		for (char *q = e->rec.detail; *q; q++)
			if (*q == '\n' || *q == '\t')
				*q = ' ';
		free(tr);
	}
	char orphans[256];
	if (reap_orphans(orphans, sizeof(orphans)) && e->rec.result == KIN_RESULT_PASS) {
		e->rec.result = KIN_RESULT_FAIL;
		snprintf(e->rec.detail, sizeof(e->rec.detail),
			 "left behind: %s still running after the test", orphans);
	}
	e->ran = true;
	srunner_free(sr);
}

/* ----------------------------------------------------------------- output */

enum format { FMT_TAP, FMT_KTAP, FMT_NONE };

static const char *result_word(enum kin_result r)
{
	switch (r) {
	case KIN_RESULT_PASS: return "pass";
	case KIN_RESULT_FAIL: return "fail";
	case KIN_RESULT_SKIP: return "skip";
	default: return "error";
	}
}

static void print_tap(enum format fmt, size_t n, const struct entry *e)
{
	const struct kin_record *r = &e->rec;
	bool ok = r->result == KIN_RESULT_PASS || r->result == KIN_RESULT_SKIP;
	if (fmt == FMT_TAP)
		printf("%s %zu - %s [%s]", ok ? "ok" : "not ok", n, e->name, e->t->claims);
	else
		printf("%s %zu %s", ok ? "ok" : "not ok", n, e->name);
	if (r->result == KIN_RESULT_SKIP)
		printf(" # SKIP %s\n", r->detail);
	else
		printf("%s%s%s\n# %s%s%s (%lld ms): %s\n", e->deviation && !ok ? " # TODO " : "",
		       e->deviation && !ok ? "expected deviation: " : "",
		       e->deviation && !ok ? e->deviation : "", fmt == FMT_KTAP ? e->t->claims : "",
		       fmt == FMT_KTAP ? " " : "", result_word(r->result), e->ms, r->detail);
	fflush(stdout);
}

/* --------------------------------------------------- expected deviations */

/*
 * The deviations an implementation of the Linux interface really has
 * (gVisor's pipes count bytes, not page slots, say): lines
 * IMPLEMENTATION<TAB>TEST<TAB>REASON, TEST a test name or a glob.  A listed
 * test that fails on that implementation is an expected failure (TAP TODO,
 * not counted in the exit status); one that passes says it was listed.
 */
struct deviation {
	char *impl, *test, *reason;
};
static struct deviation *deviations;
static size_t ndeviations;

static const char *const implementations[] = { "linux", "gvisor", "qemu-user", "valgrind",
					       "interpreted" };

static void load_deviations(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	int n = 0;
	if (!f)
		usage_error("cannot read expected deviations from '%s': %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		n++;
		line[strcspn(line, "\n")] = 0;
		char *p = line + strspn(line, " \t");
		if (*p == '#' || *p == 0)
			continue;
		char *impl = line, *test = strchr(impl, '\t'), *reason = NULL;
		if (test) {
			*test++ = 0;
			reason = strchr(test, '\t');
			if (reason)
				*reason++ = 0;
		}
		if (!test || !*test || !reason || reason[strspn(reason, " ")] == 0)
			usage_error("%s:%d: want IMPLEMENTATION<TAB>TEST<TAB>REASON, with a reason",
				    path, n);
		bool known = false;
		for (size_t i = 0; i < sizeof(implementations) / sizeof(*implementations); i++)
			known |= strcmp(impl, implementations[i]) == 0;
		if (!known)
			usage_error("%s:%d: unknown implementation '%s' (linux, gvisor, qemu-user, "
				    "valgrind, interpreted)", path, n, impl);
		bool matches = false;
		for (size_t i = 0; i < nentries && !matches; i++)
			matches = fnmatch(test, entries[i].name, 0) == 0 ||
				  fnmatch(test, entries[i].t->name, 0) == 0;
		if (!matches)
			usage_error("%s:%d: no test matches '%s' (see --list)", path, n, test);
		deviations = realloc(deviations, (ndeviations + 1) * sizeof(*deviations));
		if (!deviations) {
			perror("realloc");
			exit(1);
		}
		deviations[ndeviations++] = (struct deviation){ strdup(impl), strdup(test),
								strdup(reason) };
	}
	fclose(f);
}

/* the reason this implementation fails the test, if listed */
static const char *deviation_of(const struct entry *e, const char *impl)
{
	for (size_t i = 0; i < ndeviations; i++)
		if (strcmp(deviations[i].impl, impl) == 0 &&
		    (fnmatch(deviations[i].test, e->name, 0) == 0 ||
		     fnmatch(deviations[i].test, e->t->name, 0) == 0))
			return deviations[i].reason;
	return NULL;
}

/* after the run of one test: mark it when this implementation is known to fail it */
static void judge_deviation(struct entry *e)
{
	const struct kin_implementation *impl = kin_implementation();
	const char *why = deviation_of(e, impl->name);
	struct kin_record *r = &e->rec;
	if (!why)
		return;
	size_t used = strlen(r->detail);
	if (r->result == KIN_RESULT_FAIL || r->result == KIN_RESULT_ERROR) {
		e->deviation = why;
		snprintf(r->detail + used, sizeof(r->detail) - used,
			 " [an expected deviation of %s: %s]", impl->name, why);
	} else if (r->result == KIN_RESULT_PASS) {
		snprintf(r->detail + used, sizeof(r->detail) - used,
			 " [listed as a deviation of %s (%s), but it behaved as Linux here]",
			 impl->name, why);
	}
}

static const char *verdict_word(enum kin_verdict v)
{
	switch (v) {
	case KIN_V_HOLDS: return "holds";
	case KIN_V_CAVEAT: return "holds-with-caveat";
	case KIN_V_REFUTED: return "refuted";
	case KIN_V_NA: return "not-applicable";
	default: return "not yet tested";
	}
}

static enum kin_verdict rule_verdict(const char *rule)
{
	if (strcmp(rule, "holds") == 0)
		return KIN_V_HOLDS;
	if (strcmp(rule, "refuted") == 0)
		return KIN_V_REFUTED;
	return KIN_V_CAVEAT;
}

/* how bad a verdict is for the document, to combine several tests' */
static int severity(enum kin_verdict v)
{
	switch (v) {
	case KIN_V_REFUTED: return 4;
	case KIN_V_CAVEAT: return 3;
	case KIN_V_HOLDS: return 2;
	case KIN_V_NA: return 1;
	default: return 0;
	}
}

struct claim_outcome {
	enum kin_verdict verdict;
	const char *side;       /* a sentinel's: before, after, both (tests disagree), or NULL */
	char evidence[4096];
	char tests[2048];
	int ntests, npass, nfail, nskip;
};

static void append(char *buf, size_t len, const char *sep, const char *fmt, ...)
	KIN_PRINTF(4, 5);
static void append(char *buf, size_t len, const char *sep, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	if (used + 1 >= len)
		return;
	if (used) {
		snprintf(buf + used, len - used, "%s", sep);
		used = strlen(buf);
	}
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/*
 * The document verdict of a claim from the records of its tests:
 *  - no test of it ran: not yet tested;
 *  - every test skipped: not-applicable, the skip reasons as evidence;
 *  - a test failed or errored: the document's statement did not hold on this
 *    system (refuted), the failure as evidence;
 *  - otherwise the gravest verdict a test recorded from its measurement, or
 *    else the ledger's rule; the evidence is what the tests measured.
 */
static void judge(const struct kin_claim *c, struct claim_outcome *o)
{
	enum kin_verdict explicit_v = KIN_V_NONE;
	memset(o, 0, sizeof(*o));

	for (size_t i = 0; i < nentries; i++) {
		const struct entry *e = &entries[i];
		if (!e->ran || !claim_list_has(e->t->claims, c->id))
			continue;
		o->ntests++;
		append(o->tests, sizeof(o->tests), ", ", "%s %s", result_word(e->rec.result),
		       e->name);
		switch (e->rec.result) {
		case KIN_RESULT_PASS:
			o->npass++;
			break;
		case KIN_RESULT_SKIP:
			o->nskip++;
			break;
		default:
			o->nfail++;
			break;
		}
		if (e->rec.verdict && e->rec.result != KIN_RESULT_SKIP &&
		    severity(e->rec.verdict) > severity(explicit_v))
			explicit_v = e->rec.verdict;
		if (e->rec.side != KIN_SIDE_NONE) {
			const char *w = kin_side_word(e->rec.side);
			o->side = !o->side || strcmp(o->side, w) == 0 ? w : "both";
		}
	}
	if (o->ntests == 0) {
		o->verdict = KIN_V_NONE;
		return;
	}
	for (size_t i = 0; i < nentries; i++) {
		const struct entry *e = &entries[i];
		if (!e->ran || !claim_list_has(e->t->claims, c->id))
			continue;
		const struct kin_record *r = &e->rec;
		if (o->nfail && (r->result == KIN_RESULT_PASS || r->result == KIN_RESULT_SKIP))
			continue;
		if (!o->nfail && o->npass && r->result == KIN_RESULT_SKIP)
			continue;
		append(o->evidence, sizeof(o->evidence), "; ", "%s%s",
		       r->result == KIN_RESULT_FAIL || r->result == KIN_RESULT_ERROR
			       ? "FAILED: " : "",
		       r->evidence[0] && r->result == KIN_RESULT_PASS && !c->sentinel ? r->evidence
										       : r->detail);
	}
	if (o->nfail)
		o->verdict = KIN_V_REFUTED;
	else if (o->npass == 0)
		o->verdict = KIN_V_NA;
	else if (explicit_v != KIN_V_NONE)
		o->verdict = explicit_v;
	else
		o->verdict = rule_verdict(c->rule);
}

/*
 * What a claim's outcome is called: its document verdict; for a regression
 * sentinel, the side of its change the tests saw (before, after, or both
 * where its tests disagree), else not-applicable (all skipped), not yet
 * tested, or error (a test failed before it saw a side).
 */
static const char *outcome_word(const struct kin_claim *c, const struct claim_outcome *o)
{
	if (!c->sentinel)
		return verdict_word(o->verdict);
	if (o->ntests == 0)
		return verdict_word(KIN_V_NONE);
	if (o->side)
		return o->side;
	if (o->npass == 0 && o->nfail == 0)
		return verdict_word(KIN_V_NA);
	return "error";
}

static void print_wrapped(const char *label, const char *text)
{
	/* a label column, then the text folded at about 100 columns */
	const int width = 100;
	int col = printf("  %-10s", label);
	const char *p = text;
	while (*p) {
		size_t word = strcspn(p, " ");
		if (col + (int)word > width && col > 12) {
			printf("\n%12s", "");
			col = 12;
		}
		col += printf("%.*s", (int)word, p);
		p += word;
		while (*p == ' ')
			p++;
		if (*p)
			col += printf(" ");
	}
	printf("\n");
}

static bool claim_wanted(const char *id, const char **claims, size_t nclaims)
{
	if (nclaims == 0)
		return true;
	for (size_t j = 0; j < nclaims; j++)
		if (strcmp(claims[j], id) == 0)
			return true;
	return false;
}

/*
 * The report's second section: each regression sentinel, the side of its
 * change this kernel showed and whether that is the side its version should
 * show (the tests' results), with the change and what it broke.
 */
static void report_sentinels(const char **claims, size_t nclaims)
{
	int nsent = 0, npass = 0, nfail = 0, nskip = 0;
	for (size_t i = 0; i < kin_nclaims; i++) {
		const struct kin_claim *c = &kin_claims[i];
		if (!c->sentinel || !claim_wanted(c->id, claims, nclaims))
			continue;
		if (nsent++ == 0)
			printf("\nregression sentinels: behaviour the kernels changed in these mechanisms "
			       "(no words of the document)\n\n");
		struct claim_outcome o;
		judge(c, &o);
		const char *result = o.ntests == 0 ? "" : o.nfail ? "FAIL" :
				     o.npass ? "pass" : "skip";
		if (o.ntests)
			*(o.nfail ? &nfail : o.npass ? &npass : &nskip) += 1;
		printf("%-22s %s%s%s%s\n", c->id, outcome_word(c, &o), *result ? " (" : "", result,
		       *result ? ")" : "");
		print_wrapped("behaviour", c->statement);
		char change[384], took[192] = "", not[96] = "";
		/* "6.12.9 5.10-": taken by 6.12.9; not by 5.10 */
		for (const char *p = c->stable; *p;) {
			size_t n = strcspn(p, " ");
			if (n && p[n - 1] == '-')
				append(not, sizeof(not), ", ", "%.*s", (int)n - 1, p);
			else if (n && strncmp(p, "none", n) != 0)
				append(took, sizeof(took), ", ", "%.*s", (int)n, p);
			p += n;
			p += strspn(p, " ");
		}
		snprintf(change, sizeof(change), "upstream %s%s%s; stable: %s%s%s%s%s", c->upstream,
			 c->regressed[0] ? ", undoing a regression that began in " : "", c->regressed,
			 strcmp(c->stable, "none") == 0 ? "taken by no stable series" :
			 took[0] ? "taken by " : not[0] ? "" : "not known", took,
			 took[0] && not[0] ? "; " : "", not[0] ? "not taken by " : "", not);
		print_wrapped("change", change);
		print_wrapped("broke", c->broke);
		if (o.ntests) {
			print_wrapped("evidence", o.evidence);
			print_wrapped("tests", o.tests);
		}
		printf("\n");
	}
	if (nsent)
		printf("sentinels: %d as their kernel's version says (or either side accepted), "
		       "%d not, %d skipped\n", npass, nfail, nskip);
}

static void report(const char **claims, size_t nclaims, const char *from)
{
	struct utsname u;
	uname(&u);
	printf("kinship %s report: IPC between related processes (ipc-related-processes.md)\n",
	       PACKAGE_VERSION);
	if (from) {
		printf("results: %s (an earlier run; kernel and libc are those of that run)\n\n",
		       from);
	} else {
		printf("kernel: %s (%s, %zu-byte pages)\n", u.release, u.machine,
		       kin_page_size());
		printf("libc:   %s\n", kin_libc());
		printf("binary: %s\n", kin_program_kind());
		printf("system: %s\n", kin_implementation()->description);
		printf("user:   uid %d%s\n", (int)getuid(),
		       kin_has_cap(21) ? ", CAP_SYS_ADMIN" : ", no CAP_SYS_ADMIN");
		printf("asleep: %s\n\n", kin_calibration_str());
	}

	int counts[5] = { 0 };
	int ndoc = 0;
	for (size_t i = 0; i < kin_nclaims; i++) {
		const struct kin_claim *c = &kin_claims[i];
		if (!claim_wanted(c->id, claims, nclaims))
			continue;
		if (strcmp(c->owner, "doccheck") == 0) {
			printf("%-18s checked by kinship-doccheck (run it on the document)\n\n", c->id);
			ndoc++;
			continue;
		}
		if (c->sentinel)
			continue;
		struct claim_outcome o;
		judge(c, &o);
		counts[o.verdict]++;
		printf("%-18s %s\n", c->id, verdict_word(o.verdict));
		print_wrapped("document", c->quote);
		print_wrapped("claim", c->statement);
		if (o.verdict == KIN_V_CAVEAT && c->caveat[0])
			print_wrapped("caveat", c->caveat);
		if (o.ntests) {
			print_wrapped("evidence", o.evidence);
			print_wrapped("tests", o.tests);
		}
		if (strcmp(c->owner, "both") == 0)
			print_wrapped("also", "kinship-doccheck runs the document's own example");
		printf("\n");
	}
	printf("verdicts: %d holds, %d holds-with-caveat, %d refuted, %d not-applicable, "
	       "%d not yet tested, %d for kinship-doccheck\n",
	       counts[KIN_V_HOLDS], counts[KIN_V_CAVEAT], counts[KIN_V_REFUTED], counts[KIN_V_NA],
	       counts[KIN_V_NONE], ndoc);
	report_sentinels(claims, nclaims);
}

/*
 * The results file: claim, test, result, detail.  Where a test's measurement
 * decided the verdict, the detail ends in " => VERDICT: evidence", so that a
 * results file carried out of a guest can be judged again (--from-results);
 * a sentinel's test ends in " => SIDE: evidence" (before or after).
 */
#define VERDICT_MARK " => "

static void write_results(FILE *f, const struct entry *e)
{
	char id[64];
	FOR_EACH_CLAIM(e->t->claims, id, p) {
		fprintf(f, "%s\t%s\t%s\t%s", id, e->name, result_word(e->rec.result),
			e->rec.detail);
		if (e->rec.verdict != KIN_V_NONE)
			fprintf(f, VERDICT_MARK "%s: %s", verdict_word(e->rec.verdict),
				e->rec.evidence[0] ? e->rec.evidence : e->rec.detail);
		else if (e->rec.side != KIN_SIDE_NONE)
			fprintf(f, VERDICT_MARK "%s: %s", kin_side_word(e->rec.side),
				e->rec.evidence[0] ? e->rec.evidence : e->rec.detail);
		fputc('\n', f);
	}
	fflush(f);
}

static enum kin_result result_from_word(const char *w)
{
	if (strcmp(w, "pass") == 0)
		return KIN_RESULT_PASS;
	if (strcmp(w, "fail") == 0)
		return KIN_RESULT_FAIL;
	if (strcmp(w, "skip") == 0)
		return KIN_RESULT_SKIP;
	return KIN_RESULT_ERROR;
}

static enum kin_verdict verdict_from_word(const char *w, size_t n)
{
	for (enum kin_verdict v = KIN_V_HOLDS; v <= KIN_V_NA; v++)
		if (strlen(verdict_word(v)) == n && strncmp(verdict_word(v), w, n) == 0)
			return v;
	return KIN_V_NONE;
}

static enum kin_side side_from_word(const char *w, size_t n)
{
	for (enum kin_side s = KIN_SIDE_BEFORE; s <= KIN_SIDE_AFTER; s++)
		if (strlen(kin_side_word(s)) == n && strncmp(kin_side_word(s), w, n) == 0)
			return s;
	return KIN_SIDE_NONE;
}

/*
 * Where a detail's verdict begins: the first VERDICT_MARK followed by a
 * verdict's or a side's word and ": " (a detail may hold " => " of its
 * own); NULL where none is.
 */
static char *verdict_mark(char *detail)
{
	for (char *m = strstr(detail, VERDICT_MARK); m; m = strstr(m + 1, VERDICT_MARK)) {
		char *v = m + strlen(VERDICT_MARK);
		char *colon = strstr(v, ": ");
		if (colon && (verdict_from_word(v, (size_t)(colon - v)) != KIN_V_NONE ||
			      side_from_word(v, (size_t)(colon - v)) != KIN_SIDE_NONE))
			return m;
	}
	return NULL;
}

/*
 * Read a results file instead of running: each known test takes its record
 * from its first line (lines of any length; the detail is the rest of the
 * line, tabs included).  -1 when the file cannot be read.
 */
static int read_results(const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	if (!f)
		return -1;
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *fields[4];
		char *p = line;
		line[strcspn(line, "\n")] = 0;
		int n = 0;
		for (; n < 4 && p; n++) {
			fields[n] = p;
			p = n < 3 ? strchr(p, '\t') : NULL;
			if (p)
				*p++ = 0;
		}
		if (n < 4)
			continue;
		for (size_t i = 0; i < nentries; i++) {
			struct entry *e = &entries[i];
			if (strcmp(e->name, fields[1]) != 0 || e->ran)
				continue;
			e->ran = true;
			e->rec.result = result_from_word(fields[2]);
			char *mark = verdict_mark(fields[3]);
			if (mark) {
				char *v = mark + strlen(VERDICT_MARK);
				char *colon = strstr(v, ": ");
				e->rec.verdict = verdict_from_word(v, (size_t)(colon - v));
				e->rec.side = side_from_word(v, (size_t)(colon - v));
				snprintf(e->rec.evidence, sizeof(e->rec.evidence), "%s", colon + 2);
				*mark = 0;
			}
			snprintf(e->rec.detail, sizeof(e->rec.detail), "%s", fields[3]);
		}
	}
	free(line);
	fclose(f);
	return 0;
}

/* --from-results FILE: a file that cannot be read is a usage error */
static void load_results(const char *path)
{
	if (read_results(path) < 0)
		usage_error("cannot read results from '%s': %s", path, strerror(errno));
}

/* the verdict and evidence of one claim as --verdicts writes them */
static void judged(const struct kin_claim *c, struct kin_judged *out)
{
	struct claim_outcome o;
	judge(c, &o);
	out->verdict = outcome_word(c, &o);
	out->evidence = strdup(o.ntests ? o.evidence : "no test of this claim ran");
	if (!out->evidence) {
		perror("strdup");
		exit(1);
	}
}

/*
 * The one judge for the matrix (judge.h): forget what the tests recorded,
 * read PATH as --from-results does (a missing file: no test ran), and judge
 * each claim as --verdicts does.
 */
void kin_judge_results(const char *path, const struct kin_claim *const *claims, size_t nclaims,
		       struct kin_judged *out)
{
	for (size_t i = 0; i < nentries; i++) {
		entries[i].ran = false;
		memset(&entries[i].rec, 0, sizeof(entries[i].rec));
	}
	read_results(path);
	for (size_t i = 0; i < nclaims; i++)
		judged(claims[i], &out[i]);
}

/* claim<TAB>verdict<TAB>evidence for each claim the cases own */
static void write_verdicts(const char *path, const char **claims, size_t nclaims)
{
	FILE *f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "%s: cannot write verdicts to '%s': %s\n", prog, path,
			strerror(errno));
		exit(1);
	}
	for (size_t i = 0; i < kin_nclaims; i++) {
		const struct kin_claim *c = &kin_claims[i];
		if (strcmp(c->owner, "doccheck") == 0 || c->sentinel ||
		    !claim_wanted(c->id, claims, nclaims))
			continue;
		struct kin_judged j;
		judged(c, &j);
		fprintf(f, "%s\t%s\t%s\n", c->id, j.verdict, j.evidence);
		free(j.evidence);
	}
	fclose(f);
}

/*
 * --judge FILE: the ranking of verdicts for other tools (kinship-doccheck
 * hands its findings here, so that one judge ranks them): FILE holds lines
 * ID<TAB>SOURCE<TAB>VERDICT<TAB>EVIDENCE; for each ID, in the order of its
 * first line, print ID<TAB>VERDICT<TAB>EVIDENCE: the gravest verdict of its
 * lines (refuted, holds-with-caveat, holds, not-applicable, not yet tested)
 * and the evidence of the lines that give it, joined by "; ".
 */
struct finding {
	char *id, *evidence;
	enum kin_verdict verdict;
};

static int judge_findings(const char *path, FILE *out)
{
	FILE *f = fopen(path, "re");
	char line[16384];
	struct finding *fs = NULL;
	size_t n = 0;
	int lineno = 0;
	if (!f)
		usage_error("cannot read findings from '%s': %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *fields[4], *p = line;
		int k = 0;
		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (!line[0])
			continue;
		for (; k < 4 && p; k++) {
			fields[k] = p;
			p = k < 3 ? strchr(p, '\t') : NULL;
			if (p)
				*p++ = 0;
		}
		enum kin_verdict v = k == 4 ? verdict_from_word(fields[2], strlen(fields[2])) : KIN_V_NONE;
		if (k < 4 || !fields[0][0] ||
		    (v == KIN_V_NONE && strcmp(fields[2], verdict_word(KIN_V_NONE)) != 0))
			usage_error("%s:%d: want ID<TAB>SOURCE<TAB>VERDICT<TAB>EVIDENCE, VERDICT one of "
				    "holds, holds-with-caveat, refuted, not-applicable, not yet tested",
				    path, lineno);
		fs = realloc(fs, (n + 1) * sizeof(*fs));
		if (!fs) {
			perror("realloc");
			exit(1);
		}
		fs[n++] = (struct finding){ strdup(fields[0]), strdup(fields[3]), v };
	}
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		bool first = true;
		for (size_t j = 0; j < i && first; j++)
			first = strcmp(fs[j].id, fs[i].id) != 0;
		if (!first)
			continue;
		enum kin_verdict worst = KIN_V_NONE;
		for (size_t j = i; j < n; j++)
			if (strcmp(fs[j].id, fs[i].id) == 0 && severity(fs[j].verdict) > severity(worst))
				worst = fs[j].verdict;
		fprintf(out, "%s\t%s\t", fs[i].id, verdict_word(worst));
		const char *sep = "";
		for (size_t j = i; j < n; j++)
			if (strcmp(fs[j].id, fs[i].id) == 0 && fs[j].verdict == worst && fs[j].evidence[0]) {
				fprintf(out, "%s%s", sep, fs[j].evidence);
				sep = "; ";
			}
		fputc('\n', out);
	}
	for (size_t i = 0; i < n; i++) {
		free(fs[i].id);
		free(fs[i].evidence);
	}
	free(fs);
	return fflush(out) == 0 ? 0 : 1;
}

/*
 * --matrix DIR: the rows are the selected tests as --list prints them (a
 * claim and a test once each), the claims those the cases own that --claim
 * wants, in ledger order; matrix.c does the rest.
 */
static int run_matrix(const char *dir, const char *xfail_path, const char *baseline,
		      const char **claims, size_t nclaims)
{
	struct kin_row *rows = NULL;
	size_t nrows = 0;
	const struct kin_claim **judged_claims = calloc(kin_nclaims, sizeof(*judged_claims));
	size_t njudged = 0;
	if (!judged_claims) {
		perror("calloc");
		exit(1);
	}
	for (size_t i = 0; i < nentries; i++) {
		char id[64];
		if (!entries[i].selected)
			continue;
		FOR_EACH_CLAIM(entries[i].t->claims, id, p) {
			const char *claim = kin_claim_find(id)->id;
			bool seen = false;
			for (size_t r = 0; r < nrows && !seen; r++)
				seen = rows[r].claim == claim && strcmp(rows[r].test, entries[i].name) == 0;
			if (seen)
				continue;
			rows = realloc(rows, (nrows + 1) * sizeof(*rows));
			if (!rows) {
				perror("realloc");
				exit(1);
			}
			rows[nrows++] = (struct kin_row){ claim, entries[i].name };
		}
	}
	for (size_t i = 0; i < kin_nclaims; i++)
		if (strcmp(kin_claims[i].owner, "doccheck") != 0 &&
		    claim_wanted(kin_claims[i].id, claims, nclaims))
			judged_claims[njudged++] = &kin_claims[i];
	struct kin_matrix_job job = {
		.prog = prog, .dir = dir, .xfail_path = xfail_path, .baseline = baseline,
		.rows = rows, .nrows = nrows, .claims = judged_claims, .nclaims = njudged,
	};
	int r = kin_matrix(&job);
	free(rows);
	free(judged_claims);
	return r;
}

/* ------------------------------------------------------------------ probes */

/* fds: print the numbers of the open fds, one per line (for exec tests) */
KIN_PROBE(fds)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 1;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			printf("%s\n", e->d_name);
	closedir(d);
	return 0;
}

static int run_probe(int argc, char **argv)
{
	for (const struct kin_probe *p = __start_kin_probes; p < __stop_kin_probes; p++)
		if (strcmp(p->name, argv[0]) == 0)
			return p->fn(argc, argv);
	usage_error("unknown probe '%s'", argv[0]);
}

/* ------------------------------------------------------------------- main */

/* the fds open now, as a bitmap of the first 1024 */
static void open_fds(unsigned char set[128])
{
	memset(set, 0, 128);
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (de->d_name[0] != '.' && fd != dirfd(d) && fd < 1024)
			set[fd / 8] |= (unsigned char)(1u << (fd % 8));
	}
	if (d)
		closedir(d);
}

/* the runner itself must end with the fds it started with */
static int fds_left_open(const unsigned char before[128])
{
	unsigned char now[128];
	int n = 0;
	open_fds(now);
	for (int fd = 0; fd < 1024; fd++)
		if ((now[fd / 8] & ~before[fd / 8]) >> (fd % 8) & 1) {
			fprintf(stderr, "%s: fd %d left open at the end of the run\n", prog, fd);
			n++;
		}
	return n;
}

static char run_dir[PATH_MAX];

static void remove_run_dir(void)
{
	if (run_dir[0] && kin_remove_tree(run_dir) < 0)
		fprintf(stderr, "%s: could not remove %s\n", prog, run_dir);
}

static void on_signal(int sig)
{
	remove_run_dir();
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	enum { OPT_LIST = 256, OPT_CLAIM, OPT_TEST, OPT_RESULTS, OPT_REPORT, OPT_FORMAT,
	       OPT_HELP, OPT_VERDICTS, OPT_FROM, OPT_DEVIATIONS, OPT_JUDGE, OPT_MATRIX, OPT_XFAIL,
	       OPT_BASELINE };
	static const struct option opts[] = {
		{ "list", no_argument, NULL, OPT_LIST },
		{ "claim", required_argument, NULL, OPT_CLAIM },
		{ "test", required_argument, NULL, OPT_TEST },
		{ "results", required_argument, NULL, OPT_RESULTS },
		{ "report", no_argument, NULL, OPT_REPORT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "verdicts", required_argument, NULL, OPT_VERDICTS },
		{ "from-results", required_argument, NULL, OPT_FROM },
		{ "expected-deviations", required_argument, NULL, OPT_DEVIATIONS },
		{ "judge", required_argument, NULL, OPT_JUDGE },
		{ "matrix", required_argument, NULL, OPT_MATRIX },
		{ "expected-failures", required_argument, NULL, OPT_XFAIL },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ NULL, 0, NULL, 0 },
	};
	const char **claims = calloc((size_t)argc, sizeof(*claims));
	const char **tests = calloc((size_t)argc, sizeof(*tests));
	size_t nclaims = 0, ntests = 0;
	bool list = false, want_report = false;
	const char *results_path = NULL, *verdicts_path = NULL, *from_path = NULL;
	const char *deviations_path = NULL, *judge_path = NULL;
	const char *matrix_dir = NULL, *xfail_path = NULL, *baseline_dir = NULL;
	bool format_given = false;
	enum format fmt = FMT_TAP;
	FILE *results = NULL;

	/* the suite's own path, before anything moves (probes exec too) */
	kin_self_init(argv[0]);
	if (argc > 2 && strcmp(argv[1], "--probe") == 0)
		return run_probe(argc - 2, argv + 2);

	unsigned char fds_at_start[128];
	open_fds(fds_at_start);

	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, ":", opts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case OPT_LIST:
			list = true;
			break;
		case OPT_CLAIM: {
			const struct kin_claim *cl = kin_claim_find(optarg);
			if (!cl)
				usage_error("unknown claim ID '%s' (see --list)", optarg);
			if (strcmp(cl->owner, "doccheck") == 0)
				usage_error("claim %s is checked by kinship-doccheck, not by the cases",
					    optarg);
			claims[nclaims++] = optarg;
			break;
		}
		case OPT_TEST:
			tests[ntests++] = optarg;
			break;
		case OPT_RESULTS:
			results_path = optarg;
			break;
		case OPT_REPORT:
			want_report = true;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "tap") == 0)
				fmt = FMT_TAP;
			else if (strcmp(optarg, "ktap") == 0)
				fmt = FMT_KTAP;
			else
				usage_error("unknown format '%s' (tap or ktap)", optarg);
			format_given = true;
			break;
		case OPT_HELP:
			usage(stdout);
			return 0;
		case OPT_VERDICTS:
			verdicts_path = optarg;
			break;
		case OPT_FROM:
			from_path = optarg;
			break;
		case OPT_DEVIATIONS:
			deviations_path = optarg;
			break;
		case OPT_JUDGE:
			judge_path = optarg;
			break;
		case OPT_MATRIX:
			matrix_dir = optarg;
			break;
		case OPT_XFAIL:
			xfail_path = optarg;
			break;
		case OPT_BASELINE:
			baseline_dir = optarg;
			break;
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			usage_error("unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s' (see --help)", argv[optind]);
	if (judge_path) {
		if (list || want_report || results_path || from_path || nclaims || ntests ||
		    matrix_dir || xfail_path || baseline_dir)
			usage_error("--judge goes with --verdicts FILE only");
		FILE *out = stdout;
		if (verdicts_path && !(out = fopen(verdicts_path, "we")))
			usage_error("cannot write verdicts to '%s': %s", verdicts_path, strerror(errno));
		int r = judge_findings(judge_path, out);
		if (out != stdout && fclose(out) != 0)
			r = 1;
		return r;
	}
	if (xfail_path && !matrix_dir)
		usage_error("--expected-failures goes with --matrix DIR");
	if (baseline_dir && !matrix_dir)
		usage_error("--baseline goes with --matrix DIR");
	if (matrix_dir && (list || want_report || results_path || verdicts_path || from_path ||
			   deviations_path || ntests || format_given))
		usage_error("--matrix DIR goes with --expected-failures FILE, --baseline OLD and "
			    "--claim ID only");

	collect();
	for (size_t i = 0; i < nentries; i++) {
		struct entry *e = &entries[i];
		bool by_claim = nclaims == 0, by_test = ntests == 0;
		for (size_t j = 0; j < nclaims; j++)
			by_claim |= claim_list_has(e->t->claims, claims[j]);
		for (size_t j = 0; j < ntests; j++)
			by_test |= strcmp(e->name, tests[j]) == 0 ||
				   strcmp(e->t->name, tests[j]) == 0;
		e->selected = by_claim && by_test;
	}
	for (size_t j = 0; j < ntests; j++) {
		bool found = false;
		for (size_t i = 0; i < nentries; i++)
			found |= strcmp(entries[i].name, tests[j]) == 0 ||
				 strcmp(entries[i].t->name, tests[j]) == 0;
		if (!found)
			usage_error("unknown test '%s' (see --list)", tests[j]);
	}

	if (matrix_dir) {
		int r = run_matrix(matrix_dir, xfail_path, baseline_dir, claims, nclaims);
		free(claims);
		free(tests);
		free(entries);
		return r;
	}
	if (deviations_path)
		load_deviations(deviations_path);
	if (list) {
		for (size_t i = 0; i < nentries; i++) {
			char id[64];
			if (!entries[i].selected)
				continue;
			FOR_EACH_CLAIM(entries[i].t->claims, id, p)
				printf("%s\t%s\n", id, entries[i].name);
		}
		return 0;
	}

	if (verdicts_path) {
		/* refuse an unwritable path before running anything */
		FILE *f = fopen(verdicts_path, "ae");
		if (!f)
			usage_error("cannot write verdicts to '%s': %s", verdicts_path,
				    strerror(errno));
		fclose(f);
	}
	if (from_path) {
		if (results_path)
			usage_error("--from-results and --results do not go together");
		load_results(from_path);
		if (want_report || !verdicts_path)
			report(claims, nclaims, from_path);
		if (verdicts_path)
			write_verdicts(verdicts_path, claims, nclaims);
		return 0;
	}

	if (results_path) {
		results = fopen(results_path, "we");
		if (!results)
			usage_error("cannot write results to '%s': %s", results_path,
				    strerror(errno));
	}

	/* a private directory for the run: the side channel and each test's
	   temp dir live below it; 0711 so that an unprivileged child can reach
	   a directory a test opened to it */
	const char *tmp = getenv("TMPDIR");
	snprintf(run_dir, sizeof(run_dir), "%s/kinship.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(run_dir)) {
		fprintf(stderr, "%s: mkdtemp %s: %s\n", prog, run_dir, strerror(errno));
		return 1;
	}
	chmod(run_dir, 0711);
	kin_run_dir = run_dir;
	snprintf(record_path, sizeof(record_path), "%s/record", run_dir);
	/* orphans of a test come to us, to be reaped (Linux 3.4) */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	/* Check's own log files would write over our standard output */
	unsetenv("CK_TAP_LOG_FILE_NAME");
	unsetenv("CK_LOG_FILE_NAME");
	unsetenv("CK_XML_LOG_FILE_NAME");

	size_t nsel = 0;
	for (size_t i = 0; i < nentries; i++)
		nsel += entries[i].selected;
	/* how this environment shows a sleeper, learnt once for all tests */
	if (nsel)
		kin_calibrate();
	if (!want_report) {
		if (fmt == FMT_KTAP)
			printf("KTAP version 1\n");
		printf("1..%zu\n", nsel);
		printf("# system: %s\n", kin_implementation()->description);
		printf("# binary: %s (found by %s): %s, %s\n", kin_self_exe(), kin_self_found_by(),
		       kin_program_kind(), kin_libc());
		if (nsel)
			printf("# asleep: %s\n", kin_calibration_str());
		fflush(stdout);
	}

	int failed = 0;
	size_t n = 0;
	for (size_t i = 0; i < nentries; i++) {
		struct entry *e = &entries[i];
		if (!e->selected)
			continue;
		run_one(e);
		judge_deviation(e);
		n++;
		if ((e->rec.result == KIN_RESULT_FAIL || e->rec.result == KIN_RESULT_ERROR) &&
		    !e->deviation)
			failed++;
		if (!want_report)
			print_tap(fmt, n, e);
		if (results)
			write_results(results, e);
	}
	if (want_report)
		report(claims, nclaims, NULL);
	if (verdicts_path)
		write_verdicts(verdicts_path, claims, nclaims);

	remove_run_dir();
	if (results && fclose(results) != 0) {
		fprintf(stderr, "%s: writing %s: %s\n", prog, results_path, strerror(errno));
		return 1;
	}
	free(claims);
	free(tests);
	free(entries);
	if (fds_left_open(fds_at_start))
		return 1;
	return failed ? 1 : 0;
}
