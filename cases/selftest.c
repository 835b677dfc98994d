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
