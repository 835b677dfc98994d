/*
 * selftest.c - tests of the runner itself, linked into kinship-selftest
 * (never into kinship-cases).  Each misbehaves in one way a real test could:
 * shell/runner.bats checks that the runner reports each one for what it is.
 * They borrow the claim PIPE-ENDS because every test must name a claim.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <check.h>

#include "kin.h"
#include "ledger.h"

/* PIPE-ENDS */
KIN_TEST(selftest_passes, "PIPE-ENDS", 5)
{
	kin_pass("measured 42");
}

/* PIPE-ENDS */
KIN_TEST(selftest_skips, "PIPE-ENDS", 5)
{
	kin_skip("feature X needs Linux 9.9");
}

/* PIPE-ENDS */
KIN_TEST(selftest_fails, "PIPE-ENDS", 5)
{
	KIN_EXPECT_EQ(1 + 1, 3, "arithmetic");
	kin_pass("unreachable");
}

/* PIPE-ENDS */
KIN_TEST(selftest_expects_errno, "PIPE-ENDS", 5)
{
	KIN_EXPECT_ERRNO(close(-1), EINVAL);
	kin_pass("unreachable");
}

/* PIPE-ENDS */
KIN_TEST(selftest_crashes, "PIPE-ENDS", 5)
{
	raise(SIGSEGV);
	kin_pass("unreachable");
}

/* PIPE-ENDS */
KIN_TEST(selftest_hangs, "PIPE-ENDS", 1)
{
	for (;;)
		pause();
}

/* PIPE-ENDS */
KIN_TEST(selftest_hangs_in_a_read, "PIPE-ENDS", 1)
{
	int fd[2];
	char c;
	KIN_CHECK(pipe(fd));
	pid_t pid = kin_fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	/* its own write end is open: the read never returns */
	kin_read_all(fd[0], &c, 1, "a byte nobody writes");
	kin_pass("unreachable");
}

/* PIPE-ENDS */
KIN_TEST(selftest_hangs_past_its_watchdog, "PIPE-ENDS", 1)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	for (;;)
		pause();
}

/* PIPE-ENDS */
KIN_TEST(selftest_returns_without_result, "PIPE-ENDS", 5)
{
}

/* PIPE-ENDS */
KIN_TEST(selftest_leaks_fd, "PIPE-ENDS", 5)
{
	int fd[2];
	KIN_CHECK(pipe(fd));
	kin_pass("left a pipe open");
}

/* PIPE-ENDS */
KIN_TEST(selftest_leaks_child, "PIPE-ENDS", 5)
{
	pid_t pid = kin_fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	kin_pass("left child %d", (int)pid);
}

/* PIPE-ENDS */
KIN_TEST(selftest_leaves_tmpdir_clean, "PIPE-ENDS", 5)
{
	char path[512];
	int fd = KIN_CHECK(open(kin_tmppath(path, sizeof(path), "f"), O_CREAT | O_WRONLY, 0600));
	kin_close(&fd);
	kin_pass("made %s", path);
}

/* PIPE-ENDS */
KIN_TEST(selftest_child_fails, "PIPE-ENDS", 5)
{
	pid_t pid = kin_fork();
	if (pid == 0)
		kin_fail("the child saw %d", 7);
	kin_reap_ok(pid, 2000, "child");
	kin_pass("unreachable");
}

/* PIPE-ENDS */
KIN_TEST(selftest_child_never_ends, "PIPE-ENDS", 5)
{
	pid_t pid = kin_fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	struct kin_task_state st;
	kin_expect_blocked(pid, KIN_IN_ANY, 2000, &st, "the child");
	kin_reap(pid, 50);
	kin_pass("unreachable");
}

/* PIPE-ENDS */
KIN_TEST(selftest_check_assertion, "PIPE-ENDS", 5)
{
	ck_assert_int_eq(2, 3);
	kin_pass("unreachable");
}

/* PIPE-ENDS */
KIN_TEST(selftest_measured_verdict, "PIPE-ENDS", 5)
{
	kin_verdict(KIN_V_REFUTED, "the page is %d bytes", 16384);
	kin_pass("measured");
}

/* PIPE-ENDS */
KIN_TEST(selftest_hangs_with_a_child, "PIPE-ENDS", 1)
{
	pid_t pid = kin_fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	char path[64];
	snprintf(path, sizeof(path), "%d\n", (int)pid);
	/* tell the bats test which child to look for after the run */
	if (getenv("KINSHIP_SELFTEST_PIDFILE")) {
		int fd = open(getenv("KINSHIP_SELFTEST_PIDFILE"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			kin_write_all(fd, path, strlen(path), "pid file");
			close(fd);
		}
	}
	for (;;)
		pause();
}

/*
 * Regression sentinels: the side a version should show, from a sentinel of
 * the ledger, decided for versions on each side of its change.  The table
 * is the ledger's REG-UDS-REUSEPORT (6.13; 6.12.9 6.6.70 6.1.124 5.15.176;
 * not 5.10, 5.4) and REG-PIPE-EPOLLET (5.14, a regression of 5.5; 5.13.8
 * 5.10.56).
 */
struct sentinel_case {
	const char *id;
	int v[3];
	bool patch_known;
	enum kin_side want;
};
static const struct sentinel_case sentinel_cases[] = {
	{ "REG-UDS-REUSEPORT", { 6, 13, 0 }, true, KIN_SIDE_AFTER },    /* the release itself */
	{ "REG-UDS-REUSEPORT", { 7, 2, 13 }, true, KIN_SIDE_AFTER },    /* newer */
	{ "REG-UDS-REUSEPORT", { 6, 12, 9 }, true, KIN_SIDE_AFTER },    /* the backport */
	{ "REG-UDS-REUSEPORT", { 6, 12, 8 }, true, KIN_SIDE_BEFORE },   /* just before it */
	{ "REG-UDS-REUSEPORT", { 6, 1, 192 }, true, KIN_SIDE_AFTER },
	{ "REG-UDS-REUSEPORT", { 6, 1, 0 }, false, KIN_SIDE_NONE },     /* ABI only: cannot tell */
	{ "REG-UDS-REUSEPORT", { 5, 10, 246 }, true, KIN_SIDE_BEFORE }, /* never taken */
	{ "REG-UDS-REUSEPORT", { 6, 8, 12 }, true, KIN_SIDE_NONE },     /* a series not known */
	{ "REG-PIPE-EPOLLET", { 5, 4, 300 }, true, KIN_SIDE_AFTER },    /* before the regression */
	{ "REG-PIPE-EPOLLET", { 5, 8, 1 }, true, KIN_SIDE_NONE },       /* regressed, not known */
	{ "REG-PIPE-EPOLLET", { 5, 10, 55 }, true, KIN_SIDE_BEFORE },
	{ "REG-PIPE-EPOLLET", { 5, 10, 56 }, true, KIN_SIDE_AFTER },
	{ "REG-PIPE-EPOLLET", { 5, 14, 0 }, true, KIN_SIDE_AFTER },
};

/* PIPE-ENDS */
KIN_TEST(selftest_sentinel_expectations, "PIPE-ENDS", 5)
{
	char why[384];
	size_t n = sizeof(sentinel_cases) / sizeof(sentinel_cases[0]);
	for (size_t i = 0; i < n; i++) {
		const struct sentinel_case *c = &sentinel_cases[i];
		const struct kin_claim *s = kin_claim_find(c->id);
		KIN_EXPECT_TRUE(s && s->sentinel, "%s is no sentinel of the ledger", c->id);
		enum kin_side got = kin_sentinel_expect(s, c->v, c->patch_known, why, sizeof(why));
		KIN_EXPECT_TRUE(got == c->want, "%s on %d.%d.%d%s: %s, expected %s (%s)", c->id, c->v[0],
				c->v[1], c->v[2], c->patch_known ? "" : " (patch unknown)",
				kin_side_word(got), kin_side_word(c->want), why);
	}
	kin_pass("%zu versions, each given the side the ledger says", n);
}

/* the side this kernel's version does not say for REG-UDS-REUSEPORT */
static enum kin_side wrong_side(void)
{
	char how[128], why[384];
	int v[3];
	bool known;
	kin_kernel_semver(v, &known, how, sizeof(how));
	enum kin_side want = kin_sentinel_expect(kin_claim_find("REG-UDS-REUSEPORT"), v, known, why,
						 sizeof(why));
	return want == KIN_SIDE_AFTER ? KIN_SIDE_BEFORE : KIN_SIDE_AFTER;
}

/* REG-UDS-REUSEPORT */
KIN_TEST(selftest_sentinel_sees_the_wrong_side, "REG-UDS-REUSEPORT", 5)
{
	kin_sentinel(wrong_side(), NULL, "measured the other side");
}

/* REG-UDS-REUSEPORT */
KIN_TEST(selftest_sentinel_wrong_side_excused, "REG-UDS-REUSEPORT", 5)
{
	kin_sentinel(wrong_side(), "a build option is off", "measured the other side");
}

/* PIPE-ENDS */
KIN_TEST(selftest_sentinel_in_a_claims_test, "PIPE-ENDS", 5)
{
	kin_sentinel(KIN_SIDE_AFTER, NULL, "a claim's test");
}
