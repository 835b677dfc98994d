/*
 * signal.c - signals between related processes (document section 3,
 * signal(7), sigaction(2), signal(2)).
 *
 * A signal is a number the kernel marks pending on a process; when the
 * process next returns to user space with the signal unblocked, its
 * disposition decides: a handler runs, or the default action (for SIGUSR1:
 * terminate) happens.  A standard signal is one bit, so repeats collapse;
 * real-time signals queue.  A handler interrupts a blocking system call,
 * which then fails with EINTR or restarts (SA_RESTART).
 *
 * The children here tell the test what happens through a pipe of fixed-size
 * records, written with write() only (async-signal-safe) from handlers too.
 * Nothing sleeps: the test waits for a child to be asleep in a given call
 * (/proc/PID/stat, and /proc/PID/syscall as this environment shows a known
 * sleeper in that call) before it sends a signal.  Masks and pending sets
 * are read from inside the process (sigprocmask, sigpending, sigaction),
 * and from /proc/PID/status as well where it has them.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kin.h"

#define WAIT_MS 2000

/* ------------------------------------------------- the child's reports */

/*
 * One record per event: 'R' ready, 'H' a handler ran (a = signo, b = the
 * sigqueue value or the run count), 'P' a call returned (a = result,
 * b = errno or the byte read).  12 bytes: a pipe write that small is atomic.
 */
struct rec {
	int tag;
	int a;
	int b;
};

/* the child's end of the report pipe, for handlers (volatile: a handler
   must see the store made just before the signal) */
static volatile sig_atomic_t report_fd = -1;
/* handler runs counted in memory shared with the test (SIG-HANDLER) */
static volatile sig_atomic_t *shared_runs;

static void send_rec(int fd, int tag, int a, int b)
{
	struct rec r = { tag, a, b };
	if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r)) {
		/* the test sees the record missing */
	}
}

/* a handler that counts and reports: async-signal-safe calls only */
static void reporting_handler(int sig)
{
	int saved = errno;
	int runs = 0;
	if (shared_runs)
		runs = (int)++*shared_runs;
	send_rec(report_fd, 'H', sig, runs);
	errno = saved;
}

static void queued_handler(int sig, siginfo_t *si, void *ctx)
{
	int saved = errno;
	(void)ctx;
	send_rec(report_fd, 'H', sig, si->si_value.sival_int);
	errno = saved;
}

/* install the reporting handler with sigaction() and these flags */
static void catch_with(int sig, int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = reporting_handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	KIN_CHECK(sigaction(sig, &sa, NULL));
}

static void get_rec(int fd, struct rec *r, const char *what)
{
	if (!kin_poll_in(fd, WAIT_MS))
		kin_fail("%s: no report from the child within %ld ms", what,
			 kin_scaled_ms(WAIT_MS));
	kin_read_all(fd, r, sizeof(*r), what);
}

/* the next record must have this tag (and signo/result a); returns b */
static int expect_rec(int fd, int tag, int a, const char *what)
{
	struct rec r;
	get_rec(fd, &r, what);
	if (r.tag != tag || r.a != a)
		kin_fail("%s: child reported '%c' %d %d, expected '%c' %d", what, r.tag, r.a,
			 r.b, tag, a);
	return r.b;
}

/* nothing more has been reported so far (no data, no end of file) */
static bool report_quiet(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 0) == 0;
}

/* --------------------------------------------------------- the children */

/*
 * A child with two pipes: it reports on `report' and reads orders from
 * `ctl'.  The parent keeps report[0] and ctl[1].
 */
struct peer {
	pid_t pid;
	int report;     /* parent reads the child's records */
	int ctl;        /* parent writes bytes the child reads */
};

static void start_peer(struct peer *p, void (*body)(int ctl))
{
	int rep[2], ctl[2];
	KIN_CHECK(pipe(rep));
	KIN_CHECK(pipe(ctl));
	p->pid = kin_fork();
	if (p->pid == 0) {
		close(rep[0]);
		close(ctl[1]);
		report_fd = rep[1];
		body(ctl[0]);
		_exit(0);
	}
	kin_close(&rep[1]);
	kin_close(&ctl[0]);
	p->report = rep[0];
	p->ctl = ctl[1];
}

static void end_peer(struct peer *p)
{
	kin_close(&p->report);
	kin_close(&p->ctl);
}

/*
 * Start a child, wait for its 'R' and until it sleeps in read() of its
 * control pipe, then send it SIGUSR1: a signal that lands while the child
 * is busy with something else, at a moment the test knows.
 */
static void start_and_signal_in_read(struct peer *p, void (*body)(int ctl),
				     struct kin_task_state *st, const char *what)
{
	start_peer(p, body);
	expect_rec(p->report, 'R', 0, what);
	kin_expect_blocked(p->pid, KIN_IN_READ, WAIT_MS, st, what);
	KIN_CHECK(kill(p->pid, SIGUSR1));
}

static void order(struct peer *p, char c)
{
	kin_write_all(p->ctl, &c, 1, "order to the child");
}

/* the child's handler ran, then `call' returned -1 with EINTR, and the child exited 0 */
static void expect_handler_then_eintr(struct peer *p, const char *call)
{
	char what[64];
	snprintf(what, sizeof(what), "handler run inside %s", call);
	expect_rec(p->report, 'H', SIGUSR1, what);
	int e = expect_rec(p->report, 'P', -1, call);
	if (e != EINTR)
		kin_fail("%s failed with %s, expected EINTR", call, kin_errno_name(e));
	kin_reap_ok(p->pid, WAIT_MS, "child");
	end_peer(p);
}

/* in a child: read one byte from ctl and report the result as 'P' */
static void read_and_report(int ctl)
{
	char c = 0;
	ssize_t n = read(ctl, &c, 1);
	send_rec(report_fd, 'P', (int)n, n < 0 ? errno : c);
}

/* in a child: read ctl until end of file, restarting after handlers */
static void read_until_eof(int ctl)
{
	char c;
	while (read(ctl, &c, 1) != 0)
		;
}

/*
 * A mask field of /proc/PID/status (SigPnd, SigBlk, ...) into *mask: 0, or
 * -1 where this system's /proc has no such field (gVisor has none of them).
 */
static int status_mask(pid_t pid, const char *field, unsigned long long *mask)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	int found = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			found = sscanf(line + flen + 1, "%llx", mask) == 1 ? 0 : -1;
			break;
		}
	fclose(f);
	return found;
}

#define BIT(sig) (1ULL << ((sig) - 1))

/* is `sig' pending for pid as /proc/PID/status tells (SigPnd or ShdPnd):
   1 or 0, or -1 where /proc does not tell */
static int proc_pending(pid_t pid, int sig)
{
	unsigned long long own, shared;
	if (status_mask(pid, "SigPnd", &own) < 0 || status_mask(pid, "ShdPnd", &shared) < 0)
		return -1;
	return ((own | shared) & BIT(sig)) != 0;
}

/*
 * Where /proc tells it too, it must agree with what the process itself
 * saw, on Linux; an emulator's /proc shows the emulator's own state, so
 * there it is only noted.
 */
static void proc_agrees(int proc, int inside, const char *what)
{
	if (proc < 0) {
		kin_note("/proc/PID/status has no %s here: read from inside only", what);
	} else if (proc != inside) {
		if (strcmp(kin_implementation()->name, "linux") == 0)
			kin_fail("%s: the process itself saw %d, /proc/PID/status shows %d", what,
				 inside, proc);
		kin_note("%s in /proc/PID/status is %d under %s, the process itself saw %d", what,
			 proc, kin_implementation()->name, inside);
	}
}

/* ------------------------------------------------------------ SIG-HANDLER */

static void handler_child(int ctl)
{
	signal(SIGUSR1, reporting_handler);
	send_rec(report_fd, 'R', 0, 0);
	read_until_eof(ctl);
}

/* SIG-HANDLER */
KIN_TEST(kill_runs_child_handler_once_per_signal_with_signo_sigusr1, "SIG-HANDLER", 10)
{
	enum { KILLS = 3 };
	struct peer p;

	shared_runs = KIN_CHECK_PTR(mmap(NULL, sizeof(*shared_runs), PROT_READ | PROT_WRITE,
					 MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	start_peer(&p, handler_child);
	expect_rec(p.report, 'R', 0, "child installed its handler");
	for (int i = 1; i <= KILLS; i++) {
		KIN_CHECK(kill(p.pid, SIGUSR1));
		int runs = expect_rec(p.report, 'H', SIGUSR1, "handler run after kill(SIGUSR1)");
		KIN_EXPECT_EQ(runs, i, "handler runs counted by the child after this kill");
		KIN_EXPECT_EQ(*shared_runs, i, "handler runs in shared memory after this kill");
	}
	kin_close(&p.ctl);
	kin_reap_ok(p.pid, WAIT_MS, "child after its handler ran");
	struct rec extra;
	KIN_EXPECT_EQ(read(p.report, &extra, sizeof(extra)), 0, "reports after the last handler run");
	KIN_EXPECT_EQ(*shared_runs, KILLS, "handler runs in all");
	end_peer(&p);
	munmap((void *)shared_runs, sizeof(*shared_runs));
	shared_runs = NULL;
	kin_pass("%d kill(pid, SIGUSR1) ran the child's signal() handler %d times (count in "
		 "MAP_SHARED memory), each with signo %d (SIGUSR1)", KILLS, KILLS, SIGUSR1);
}

/* -------------------------------------------------------------- SIG-ASYNC */

struct async_variant {
	const char *name;
	int flags;
	bool restarts;
};

static const struct async_variant async_variants[] = {
	{ "sigaction_without_sa_restart", 0, false },
	{ "sigaction_with_sa_restart", SA_RESTART, true },
};

static int async_flags;

static void async_child(int ctl)
{
	catch_with(SIGUSR1, async_flags);
	send_rec(report_fd, 'R', 0, 0);
	read_and_report(ctl);
}

/* SIG-ASYNC, SIG-REGISTER */
KIN_TEST_VARIANTS(signal_interrupts_blocked_read, "SIG-ASYNC,SIG-REGISTER", 10,
		  async_variants, struct async_variant, v)
{
	struct kin_task_state st;
	struct peer p;

	async_flags = v->flags;
	start_and_signal_in_read(&p, async_child, &st, "child reading an empty pipe");
	expect_rec(p.report, 'H', SIGUSR1, "handler run while the child was in read()");
	if (v->restarts) {
		kin_expect_blocked(p.pid, KIN_IN_READ, WAIT_MS, &st,
				   "child after its handler returned (SA_RESTART)");
		KIN_EXPECT_TRUE(report_quiet(p.report), "read() returned although SA_RESTART is set");
		order(&p, 'g');
		int c = expect_rec(p.report, 'P', 1, "the restarted read()");
		KIN_EXPECT_EQ(c, 'g', "byte the restarted read() got");
	} else {
		int e = expect_rec(p.report, 'P', -1, "the interrupted read()");
		if (e != EINTR)
			kin_fail("the interrupted read() failed with %s, expected EINTR",
				 kin_errno_name(e));
	}
	kin_reap_ok(p.pid, WAIT_MS, "child");
	end_peer(&p);
	if (v->restarts)
		kin_pass("sigaction() with SA_RESTART: SIGUSR1 ran the handler of a child asleep in "
			 "read() (%s), then read() slept again and returned the byte written later",
			 kin_task_state_str(&st));
	kin_pass("sigaction() without SA_RESTART: SIGUSR1 ran the handler of a child asleep in "
		 "read() (%s), then read() returned -1 with EINTR", kin_task_state_str(&st));
}

/* ----------------------------------------------------------- SIG-REGISTER */

/* how each probe was built is in cases/signal.am, and the probe says it */
struct sigreg_variant {
	const char *name;       /* the probe is kinship-probe-sigreg-NAME */
	bool glibc_bsd;         /* BSD semantics under glibc */
	bool needs_musl_gcc;
};

static const struct sigreg_variant sigreg_variants[] = {
	{ "gnu11", true, false },
	{ "c11", false, false },
	{ "posix", false, false },
	{ "default", true, false },
	{ "musl", true, true },
};

/* one line of the probe's output, without the newline */
static void probe_line(int fd, char *buf, size_t len, const char *what)
{
	size_t n = 0;
	for (;;) {
		char c;
		if (kin_read_within(fd, &c, 1, WAIT_MS, what) != 1)
			kin_fail("%s: the probe's output ended after \"%.*s\"", what, (int)n, buf);
		if (c == '\n')
			break;
		if (n + 1 < len)
			buf[n++] = c;
	}
	buf[n] = 0;
}

static void probe_expect(int fd, const char *want, const char *what)
{
	char line[128];
	probe_line(fd, line, sizeof(line), what);
	if (strcmp(line, want) != 0)
		kin_fail("%s: the probe said \"%s\", expected \"%s\"", what, line, want);
}

/* SIG-REGISTER */
KIN_TEST_VARIANTS(signal_semantics_depend_on_build_setting, "SIG-REGISTER", 10,
		  sigreg_variants, struct sigreg_variant, v)
{
	char path[4096], name[64], libc[64], setting[128], flags[128], line[128], handler_line[32];
	struct kin_task_state st;
	int in[2], out[2];

#ifndef HAVE_MUSL_GCC
	if (v->needs_musl_gcc)
		kin_skip("%s, so the musl build of the signal() probe does not exist",
			 KIN_NO_MUSL_PROBE);
#endif
	snprintf(name, sizeof(name), "sigreg-%s", v->name);
	kin_probe_path(name, path, sizeof(path));
	snprintf(handler_line, sizeof(handler_line), "handler %d", SIGUSR1);

	KIN_CHECK(pipe(in));
	KIN_CHECK(pipe(out));
	pid_t pid = kin_fork();
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		signal(SIGUSR1, SIG_DFL);
		char *argv[] = { path, NULL };
		kin_execv(path, argv);
		_exit(127);
	}
	kin_close(&in[0]);
	kin_close(&out[1]);

	probe_line(out[0], line, sizeof(line), "probe's libc");
	if (strncmp(line, "libc ", 5) != 0)
		kin_fail("%s: first line \"%s\", expected \"libc ...\"", path, line);
	snprintf(libc, sizeof(libc), "%s", line + 5);
	probe_line(out[0], line, sizeof(line), "the probe's build setting");
	if (strncmp(line, "setting ", 8) != 0)
		kin_fail("%s: second line \"%s\", expected \"setting ...\"", path, line);
	snprintf(setting, sizeof(setting), "%s", line + 8);
	probe_line(out[0], flags, sizeof(flags), "sa_flags signal() set");
	if (strncmp(flags, "flags", 5) != 0)
		kin_fail("%s: third line \"%s\", expected \"flags ...\"", path, flags);
	probe_expect(out[0], "ready", "probe installed its handler");

	bool musl = strncmp(libc, "musl", 4) == 0;
	bool glibc = strncmp(libc, "glibc", 5) == 0;
	if (v->needs_musl_gcc && !musl)
		kin_fail("the musl probe runs on %s", libc);
	bool want_bsd = musl || v->glibc_bsd;

	/* round 1: a SIGUSR1 while it sleeps in read() */
	kin_expect_blocked(pid, KIN_IN_READ, WAIT_MS, &st, "probe reading its stdin");
	KIN_CHECK(kill(pid, SIGUSR1));
	probe_expect(out[0], handler_line, "handler of the first SIGUSR1");
	kin_write_all(in[1], "g", 1, "byte to the probe");
	probe_line(out[0], line, sizeof(line), "read() after the first SIGUSR1");
	bool restarted = strcmp(line, "read 1") == 0;
	if (!restarted) {
		if (strcmp(line, "read -1 EINTR") != 0)
			kin_fail("read() after the first SIGUSR1: \"%s\"", line);
		probe_expect(out[0], "read 1", "read() again");
	}
	probe_line(out[0], line, sizeof(line), "disposition after the first delivery");
	bool kept = strcmp(line, "after handler") == 0;
	if (!kept && strcmp(line, "after SIG_DFL") != 0)
		kin_fail("disposition after the first delivery: \"%s\"", line);

	/* round 2: the second SIGUSR1 */
	kin_expect_blocked(pid, KIN_IN_READ, WAIT_MS, &st, "probe reading its stdin again");
	KIN_CHECK(kill(pid, SIGUSR1));
	bool survived;
	int status;
	if (kept) {
		probe_expect(out[0], handler_line, "handler of the second SIGUSR1");
		kin_write_all(in[1], "g", 1, "byte to the probe");
		probe_expect(out[0], "read 1", "read() after the second SIGUSR1");
	}
	kin_close(&in[1]);
	status = kin_reap(pid, WAIT_MS);
	survived = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!survived && !(WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1))
		kin_fail("probe %s after the second SIGUSR1", kin_status_str(status));
	kin_close(&out[0]);

	bool bsd = restarted && kept && survived;
	bool sysv = !restarted && !kept && !survived;
	const char *sem = bsd ? "BSD" : sysv ? "System V" : "mixed";
	kin_verdict(KIN_V_CAVEAT, "signal() compiled with %s on %s: %s semantics (flags:%s; read() "
		    "%s; the second SIGUSR1 %s)", setting, libc, sem,
		    flags[5] ? flags + 5 : " none", restarted ? "restarted" : "failed with EINTR",
		    survived ? "ran the handler again" : "killed the process");
	if (!bsd && !sysv)
		kin_fail("signal() built with %s on %s gave mixed semantics: read() %s, handler %s, "
			 "second SIGUSR1 %s", setting, libc, restarted ? "restarted" : "EINTR",
			 kept ? "kept" : "reset", kin_status_str(status));
	if ((glibc || musl) && bsd != want_bsd)
		kin_fail("signal() built with %s on %s gave %s semantics, expected %s", setting,
			 libc, sem, want_bsd ? "BSD" : "System V");
	if (!glibc && !musl)
		kin_note("libc %s: no expectation, semantics reported as measured", libc);
	const char *base = strrchr(path, '/');
	kin_pass("%s (%s, %s): %s semantics", base ? base + 1 : path, setting, libc, sem);
}

/* ------------------------------------------------------- SIG-FORK-INHERIT */

static void inherit_child(int ctl)
{
	struct sigaction sa;
	sigaction(SIGUSR1, NULL, &sa);
	send_rec(report_fd, 'R', sa.sa_handler == reporting_handler, 0);
	read_until_eof(ctl);
}

/* SIG-FORK-INHERIT */
KIN_TEST(handler_installed_before_fork_runs_in_child, "SIG-FORK-INHERIT", 10)
{
	struct peer p;

	/* the document's order: signal() in the parent, then fork() */
	KIN_EXPECT_TRUE(signal(SIGUSR1, reporting_handler) != SIG_ERR, "signal: %s",
			strerror(errno));
	start_peer(&p, inherit_child);
	signal(SIGUSR1, SIG_DFL);
	expect_rec(p.report, 'R', 1, "child's SIGUSR1 disposition is the parent's handler");
	KIN_CHECK(kill(p.pid, SIGUSR1));
	expect_rec(p.report, 'H', SIGUSR1, "inherited handler run in the child");
	kin_close(&p.ctl);
	kin_reap_ok(p.pid, WAIT_MS, "child after its inherited handler ran");
	end_peer(&p);
	kin_pass("a handler installed with signal() before fork() is the child's disposition and "
		 "runs in the child on kill(child, SIGUSR1)");
}

/* SIG-FORK-INHERIT */
KIN_TEST(pending_signal_is_not_inherited_by_fork, "SIG-FORK-INHERIT", 10)
{
	sigset_t usr1, pending;
	int fd[2];

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	KIN_CHECK(sigprocmask(SIG_BLOCK, &usr1, NULL));
	KIN_CHECK(kill(getpid(), SIGUSR1));
	KIN_CHECK(sigpending(&pending));
	KIN_EXPECT_TRUE(sigismember(&pending, SIGUSR1) == 1,
			"SIGUSR1 sent to itself while blocked is not pending");
	KIN_CHECK(pipe(fd));
	pid_t pid = kin_fork();
	if (pid == 0) {
		sigset_t mask;
		close(fd[0]);
		sigpending(&pending);
		sigprocmask(SIG_BLOCK, NULL, &mask);
		send_rec(fd[1], 'P', sigismember(&pending, SIGUSR1), sigismember(&mask, SIGUSR1));
		_exit(0);
	}
	kin_close(&fd[1]);
	struct rec r;
	get_rec(fd[0], &r, "child's pending set");
	kin_reap_ok(pid, WAIT_MS, "child");
	kin_close(&fd[0]);
	KIN_EXPECT_EQ(r.a, 0, "SIGUSR1 in the child's sigpending()");
	KIN_EXPECT_EQ(r.b, 1, "SIGUSR1 in the child's blocked mask");
	/* the parent's own stays pending: take it */
	struct timespec zero = { 0, 0 };
	KIN_EXPECT_EQ(sigtimedwait(&usr1, NULL, &zero), SIGUSR1, "sigtimedwait in the parent");
	kin_pass("SIGUSR1 pending in the blocked parent at fork(): the child's sigpending() is "
		 "empty, its mask still blocks SIGUSR1; the parent's stays pending");
}

/*
 * sigstate: this process's blocked, ignored and caught signals, as it sees
 * them itself (sigprocmask, sigaction of each signal), one line
 * "inside BLK IGN CGT" in hex; then "proc BLK IGN CGT" from the SigBlk,
 * SigIgn and SigCgt lines of /proc/self/status where it has them.
 */
struct sigstate {
	unsigned long long blk, ign, cgt;
};

static void write_sigstate(int fd)
{
	struct sigstate in = { 0, 0, 0 }, proc;
	sigset_t mask;
	char line[160];
	sigprocmask(SIG_BLOCK, NULL, &mask);
	for (int sig = 1; sig <= 64 && sig < NSIG; sig++) {
		struct sigaction sa;
		if (sigismember(&mask, sig) == 1)
			in.blk |= BIT(sig);
		/* the libc's own signals (glibc's 32 and 33) answer EINVAL */
		if (sigaction(sig, NULL, &sa) < 0)
			continue;
		if (sa.sa_handler == SIG_IGN)
			in.ign |= BIT(sig);
		else if (sa.sa_handler != SIG_DFL)
			in.cgt |= BIT(sig);
	}
	int n = snprintf(line, sizeof(line), "inside %llx %llx %llx\n", in.blk, in.ign, in.cgt);
	if (status_mask(getpid(), "SigBlk", &proc.blk) == 0 &&
	    status_mask(getpid(), "SigIgn", &proc.ign) == 0 &&
	    status_mask(getpid(), "SigCgt", &proc.cgt) == 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "proc %llx %llx %llx\n", proc.blk,
			      proc.ign, proc.cgt);
	if (write(fd, line, (size_t)n) != n)
		_exit(3);
}

KIN_PROBE(sigstate)
{
	write_sigstate(STDOUT_FILENO);
	return 0;
}

/* one sigstate report: the process's own view, and /proc's if it had one */
static const char *parse_sigstate(const char *text, struct sigstate *in, struct sigstate *proc,
				  bool *has_proc, const char *what)
{
	int used = 0;
	if (sscanf(text, "inside %llx %llx %llx\n%n", &in->blk, &in->ign, &in->cgt, &used) != 3 ||
	    !used)
		kin_fail("%s: expected \"inside BLK IGN CGT\" at \"%.40s\"", what, text);
	text += used;
	used = 0;
	*has_proc = sscanf(text, "proc %llx %llx %llx\n%n", &proc->blk, &proc->ign, &proc->cgt,
			   &used) == 3 && used;
	return text + used;
}

/* the three bits the execve test is about, as /proc and the process saw
   them: true when /proc had them and agreed */
static bool sigstate_agrees(const struct sigstate *in, const struct sigstate *proc, bool has_proc,
			    const char *when)
{
	unsigned long long bits = BIT(SIGUSR1) | BIT(SIGUSR2) | BIT(SIGWINCH);
	char what[96];
	snprintf(what, sizeof(what), "SigBlk/SigIgn/SigCgt %s", when);
	bool same = (in->blk & bits) == (proc->blk & bits) && (in->ign & bits) == (proc->ign & bits) &&
		    (in->cgt & bits) == (proc->cgt & bits);
	proc_agrees(has_proc ? same : -1, 1, what);
	return has_proc && same;
}

/* SIG-FORK-INHERIT */
KIN_TEST(execve_resets_caught_signals_and_keeps_ignored, "SIG-FORK-INHERIT", 10)
{
	char out[1024];
	size_t used = 0;
	int fd[2];

	KIN_CHECK(pipe(fd));
	pid_t pid = kin_fork();
	if (pid == 0) {
		sigset_t winch;
		close(fd[0]);
		signal(SIGUSR1, reporting_handler);
		signal(SIGUSR2, SIG_IGN);
		sigemptyset(&winch);
		sigaddset(&winch, SIGWINCH);
		sigprocmask(SIG_BLOCK, &winch, NULL);
		write_sigstate(fd[1]);
		dup2(fd[1], STDOUT_FILENO);
		close(fd[1]);
		char *argv[] = { (char *)"kinship-cases", (char *)"--probe", (char *)"sigstate", NULL };
		kin_execv(kin_self_exe(), argv);
		kin_fail("execv(%s): %s", kin_self_exe(), strerror(errno));
	}
	kin_close(&fd[1]);
	for (;;) {
		ssize_t n = kin_read_within(fd[0], out + used, sizeof(out) - 1 - used, WAIT_MS,
					    "signal state before and after execve");
		if (n == 0 || used + (size_t)n >= sizeof(out) - 1)
			break;
		used += (size_t)n;
	}
	out[used] = 0;
	kin_close(&fd[0]);
	kin_reap_ok(pid, WAIT_MS, "child that ran the sigstate probe");

	struct sigstate before, after, proc_before, proc_after;
	bool proc_b, proc_a;
	const char *rest = parse_sigstate(out, &before, &proc_before, &proc_b, "before execve");
	parse_sigstate(rest, &after, &proc_after, &proc_a, "after execve (the sigstate probe)");
	KIN_EXPECT_TRUE(before.cgt & BIT(SIGUSR1), "SIGUSR1 before execve is not caught: "
			"caught set %llx", before.cgt);
	KIN_EXPECT_TRUE(!(after.cgt & BIT(SIGUSR1)) && !(after.ign & BIT(SIGUSR1)),
			"SIGUSR1 after execve is not default: caught %llx ignored %llx", after.cgt,
			after.ign);
	KIN_EXPECT_TRUE((before.ign & BIT(SIGUSR2)) && (after.ign & BIT(SIGUSR2)),
			"ignored SIGUSR2 did not stay ignored: ignored set %llx before, %llx after",
			before.ign, after.ign);
	KIN_EXPECT_TRUE(after.blk & BIT(SIGWINCH), "blocked SIGWINCH unblocked by execve: "
			"blocked set %llx", after.blk);
	bool agree = sigstate_agrees(&before, &proc_before, proc_b, "before execve");
	agree &= sigstate_agrees(&after, &proc_after, proc_a, "after execve");
	kin_pass("across execve (sigaction and sigprocmask in the process itself%s): caught SIGUSR1 "
		 "became default (caught set %016llx -> %016llx), ignored SIGUSR2 stayed ignored "
		 "(%016llx), blocked SIGWINCH stayed blocked", agree ?
		 "; /proc/self/status agrees" : "", before.cgt, after.cgt, after.ign);
}

/* ------------------------------------------------------ SIG-DEFAULT-KILLS */

static void no_handler_child(int ctl)
{
	sigset_t usr1;
	signal(SIGUSR1, SIG_DFL);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	send_rec(report_fd, 'R', 0, 0);
	/* where the document's child would be before its signal() call */
	read_until_eof(ctl);
}

/* SIG-DEFAULT-KILLS */
KIN_TEST(sigusr1_before_handler_is_installed_kills_child, "SIG-DEFAULT-KILLS", 10)
{
	struct kin_task_state st;
	struct peer p;

	start_and_signal_in_read(&p, no_handler_child, &st, "child without a handler yet");
	int status = kin_reap(p.pid, WAIT_MS);
	end_peer(&p);
	KIN_EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1,
			"child %s, expected killed by SIGUSR1", kin_status_str(status));
	kin_pass("SIGUSR1 sent before the child installed a handler: waitpid status %s "
		 "(WTERMSIG %d)", kin_status_str(status), WTERMSIG(status));
}

/* -------------------------------------------------------------- SIG-PAUSE */

/* whether the pause() child waits for an order before it calls pause() */
static bool pause_after_order;

static void pause_child(int ctl)
{
	char c;
	/* SA_RESTART, as glibc's default signal() sets: pause() is never restarted */
	catch_with(SIGUSR1, SA_RESTART);
	send_rec(report_fd, 'R', 0, 0);
	/* still on the way to pause(): where the document's sleep(1) is meant to wait */
	if (pause_after_order && read(ctl, &c, 1) != 1)
		_exit(3);
	int r = pause();
	send_rec(report_fd, 'P', r, errno);
}

/* SIG-PAUSE */
KIN_TEST(pause_sleeps_until_handler_ran_then_fails_with_eintr, "SIG-PAUSE", 10)
{
	struct kin_task_state st;
	struct peer p;

	pause_after_order = false;
	start_peer(&p, pause_child);
	expect_rec(p.report, 'R', 0, "child installed its handler");
	kin_expect_blocked(p.pid, KIN_IN_PAUSE, WAIT_MS, &st, "child in pause()");
	KIN_EXPECT_TRUE(report_quiet(p.report), "pause() returned before any signal");
	KIN_CHECK(kill(p.pid, SIGUSR1));
	expect_handler_then_eintr(&p, "pause()");
	kin_pass("child asleep in pause() (%s) until SIGUSR1; its handler ran, then pause() "
		 "returned -1 with EINTR (SA_RESTART set)", kin_task_state_str(&st));
}

/* --------------------------------------------------------- SIG-SLEEP-SYNC */

/* SIG-SLEEP-SYNC */
KIN_TEST(signal_before_pause_is_handled_and_child_sleeps_on, "SIG-SLEEP-SYNC", 10)
{
	struct kin_task_state st;
	struct peer p;

	pause_after_order = true;
	start_and_signal_in_read(&p, pause_child, &st, "child on its way to pause()");
	expect_rec(p.report, 'H', SIGUSR1, "handler run before pause()");
	order(&p, 'g');
	kin_expect_blocked(p.pid, KIN_IN_PAUSE, WAIT_MS, &st, "child in pause() after its handler ran");
	/* a pending SIGUSR1 would have woken pause(): where /proc has the
	   pending sets it must not show one; the sleep that goes on shows it too */
	if (proc_pending(p.pid, SIGUSR1) == 1)
		kin_fail("SIGUSR1 still pending in /proc/%d/status", (int)p.pid);
	/* look again: nothing is on its way to wake it */
	kin_expect_blocked(p.pid, KIN_IN_PAUSE, WAIT_MS, &st, "child still in pause()");
	KIN_EXPECT_TRUE(report_quiet(p.report), "pause() returned after the signal was consumed");
	KIN_CHECK(kill(p.pid, SIGKILL));
	int status = kin_reap(p.pid, WAIT_MS);
	end_peer(&p);
	KIN_EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
			"child %s, expected killed by SIGKILL", kin_status_str(status));
	kin_pass("SIGUSR1 landed before the child reached pause(): the handler ran, then the child "
		 "slept in pause() (%s) with nothing pending, until SIGKILL", kin_task_state_str(&st));
}

static void sigsuspend_child(int ctl)
{
	sigset_t usr1, old;
	char c;
	catch_with(SIGUSR1, 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	sigdelset(&old, SIGUSR1);
	send_rec(report_fd, 'R', 0, 0);
	/* first order: say what is pending; second: sigsuspend() */
	if (read(ctl, &c, 1) != 1)
		_exit(3);
	sigset_t pending;
	sigpending(&pending);
	send_rec(report_fd, 'Q', sigismember(&pending, SIGUSR1), 0);
	if (read(ctl, &c, 1) != 1)
		_exit(3);
	int r = sigsuspend(&old);
	send_rec(report_fd, 'P', r, errno);
}

/* SIG-SLEEP-SYNC */
KIN_TEST(sigprocmask_and_sigsuspend_do_not_lose_early_signal, "SIG-SLEEP-SYNC", 10)
{
	struct kin_task_state st;
	struct peer p;

	start_and_signal_in_read(&p, sigsuspend_child, &st, "child on its way to sigsuspend()");
	int proc = proc_pending(p.pid, SIGUSR1);
	order(&p, 'q');
	expect_rec(p.report, 'Q', 1, "SIGUSR1 sent while blocked, in the child's sigpending()");
	proc_agrees(proc, 1, "SigPnd/ShdPnd of SIGUSR1");
	KIN_EXPECT_TRUE(report_quiet(p.report), "the handler ran while SIGUSR1 was blocked");
	order(&p, 'g');
	expect_handler_then_eintr(&p, "sigsuspend()");
	kin_pass("SIGUSR1 sent early stayed pending while blocked (the child's sigpending()); "
		 "sigsuspend() ran the handler and returned -1/EINTR at once");
}

/* ----------------------------------------------------------- SIG-COALESCE */

struct coalesce_variant {
	const char *name;
	bool realtime;          /* SIGRTMIN, else SIGUSR1 */
	int deliveries;         /* of three sends */
};

static const struct coalesce_variant coalesce_variants[] = {
	{ "standard_sigusr1", false, 1 },
	{ "realtime_sigrtmin", true, 3 },
};

static int coalesce_sig;

static void coalesce_child(int ctl)
{
	struct sigaction sa;
	sigset_t set;
	char c;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = queued_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(coalesce_sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, coalesce_sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
	send_rec(report_fd, 'R', 0, 0);
	if (read(ctl, &c, 1) != 1)
		_exit(3);
	/* still blocked: the sends must be pending, none delivered yet */
	sigset_t pending;
	sigpending(&pending);
	send_rec(report_fd, 'Q', sigismember(&pending, coalesce_sig), 0);
	/* every pending instance is delivered before sigprocmask returns */
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	send_rec(report_fd, 'P', 0, 0);
}

/* SIG-COALESCE */
KIN_TEST_VARIANTS(signal_sent_three_times_while_blocked, "SIG-COALESCE", 10,
		  coalesce_variants, struct coalesce_variant, v)
{
	char values[64] = "";
	size_t used = 0;
	struct peer p;

	coalesce_sig = v->realtime ? SIGRTMIN : SIGUSR1;
	start_peer(&p, coalesce_child);
	expect_rec(p.report, 'R', 0, "child blocked the signal");
	for (int i = 1; i <= 3; i++) {
		union sigval val = { .sival_int = i };
		KIN_CHECK(sigqueue(p.pid, coalesce_sig, val));
	}
	order(&p, 'g');
	expect_rec(p.report, 'Q', 1, "the signal is pending and undelivered while blocked");
	int n = 0;
	for (;;) {
		struct rec r;
		get_rec(p.report, &r, "deliveries after unblocking");
		if (r.tag == 'P')
			break;
		if (r.tag != 'H' || r.a != coalesce_sig)
			kin_fail("child reported '%c' %d, expected a handler of %s", r.tag, r.a,
				 kin_signal_name(coalesce_sig));
		n++;
		KIN_EXPECT_EQ(r.b, n, "sigqueue value of this delivery (sent in order 1, 2, 3)");
		used += (size_t)snprintf(values + used, sizeof(values) - used, "%s%d",
					 used ? "," : "", r.b);
	}
	kin_reap_ok(p.pid, WAIT_MS, "child");
	end_peer(&p);
	KIN_EXPECT_EQ(n, v->deliveries, "handler runs for three sends");
	kin_pass("%s (%d) sent 3 times with sigqueue while blocked: %d deliver%s on unblocking "
		 "(values %s)", kin_signal_name(coalesce_sig), coalesce_sig, n, n == 1 ? "y" : "ies",
		 values);
}

/* ------------------------------------------------------------ SIG-EXAMPLE */

static volatile sig_atomic_t example_signo;

/* the example's handler, minus printf: it only notes the number */
static void example_handler(int sig)
{
	example_signo = sig;
}

/* SIG-EXAMPLE */
KIN_TEST(example_child_prints_received_signal_10, "SIG-EXAMPLE", 10)
{
	struct kin_task_state st;
	char msg[64], want[64];
	int out[2];

	KIN_CHECK(pipe(out));
	/* the example: signal() before fork(); the child pause()s */
	KIN_EXPECT_TRUE(signal(SIGUSR1, example_handler) != SIG_ERR, "signal: %s",
			strerror(errno));
	pid_t pid = kin_fork();
	if (pid == 0) {
		close(out[0]);
		pause();
		/* what the example's handler prints, formatted outside it */
		int n = snprintf(msg, sizeof(msg), "Received signal %d\n", (int)example_signo);
		_exit(write(out[1], msg, (size_t)n) == n ? 0 : 1);
	}
	signal(SIGUSR1, SIG_DFL);
	kin_close(&out[1]);
	/* instead of sleep(1): wait until the child is asleep in pause() */
	kin_expect_blocked(pid, KIN_IN_PAUSE, WAIT_MS, &st, "example child in pause()");
	KIN_CHECK(kill(pid, SIGUSR1));
	kin_reap_ok(pid, WAIT_MS, "example child");       /* wait(NULL) */
	ssize_t n = kin_read_within(out[0], msg, sizeof(msg) - 1, WAIT_MS, "child's message");
	kin_close(&out[0]);
	msg[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof(want), "Received signal %d\n", SIGUSR1);
	KIN_EXPECT_TRUE(strcmp(msg, want) == 0, "child printed \"%s\", expected \"%s\"", msg, want);
	msg[strcspn(msg, "\n")] = 0;
	if (SIGUSR1 != 10)
		kin_verdict(KIN_V_REFUTED, "the child prints \"%s\": SIGUSR1 is %d here, not 10",
			    msg, SIGUSR1);
	kin_pass("the child printed \"%s\" (SIGUSR1 is %d here) once the parent's kill() reached "
		 "it in pause()", msg, SIGUSR1);
}
