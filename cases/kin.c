/*
 * kin.c - the helper library behind kin.h, and the per-test context that the
 * runner (runner.c) sets up around each test body.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KIN_NO_LOCATION_MACROS
#include "kin.h"
#include "kin-internal.h"

#define KIN_MAX_CHILDREN 256
#define KIN_MAX_FDS 1024
/* a child that calls kin_fail exits with this status; its message is in the
   page shared with the test process */
#define KIN_CHILD_FAILED 99

struct kin_shared {
	char child_msg[1024];
};

static struct {
	bool active;
	pid_t test_pid;
	sigjmp_buf jb;
	struct kin_record rec;
	pid_t children[KIN_MAX_CHILDREN];
	int nchildren;
	char tmpdir[PATH_MAX];
	unsigned char fds_at_start[KIN_MAX_FDS / 8];
	struct kin_shared *shared;
	const struct kin_test *test;
} kin;

const struct kin_test *kin_current_test(void)
{
	return kin.active ? kin.test : NULL;
}

const char *kin_run_dir;
sigset_t kin_test_mask;
bool kin_test_mask_set;

/* -------------------------------------------------------------- helpers */

static void vformat(char *buf, size_t len, const char *fmt, va_list ap)
{
	vsnprintf(buf, len, fmt, ap);
	/* one line, no tabs: the results file is TSV */
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\t' || *p == '\r')
			*p = ' ';
}

static bool in_test_process(void)
{
	return kin.active && getpid() == kin.test_pid;
}

const char *kin_errno_name(int err)
{
	static __thread char buf[32];
	switch (err) {
#define E(x) case x: return #x
	E(EPERM); E(ENOENT); E(ESRCH); E(EINTR); E(EIO); E(ENXIO); E(E2BIG);
	E(ENOEXEC); E(EBADF); E(ECHILD); E(EAGAIN); E(ENOMEM); E(EACCES);
	E(EFAULT); E(EBUSY); E(EEXIST); E(EXDEV); E(ENODEV); E(ENOTDIR);
	E(EISDIR); E(EINVAL); E(ENFILE); E(EMFILE); E(ENOTTY); E(ETXTBSY);
	E(EFBIG); E(ENOSPC); E(ESPIPE); E(EROFS); E(EMLINK); E(EPIPE);
	E(ERANGE); E(ENAMETOOLONG); E(ENOSYS); E(ENOTEMPTY); E(ELOOP);
	E(ENOTSOCK); E(EDESTADDRREQ); E(EMSGSIZE); E(EPROTOTYPE);
	E(ENOPROTOOPT); E(EPROTONOSUPPORT); E(EOPNOTSUPP); E(EAFNOSUPPORT);
	E(EADDRINUSE); E(EADDRNOTAVAIL); E(ENETDOWN); E(ECONNABORTED);
	E(ECONNRESET); E(ENOBUFS); E(EISCONN); E(ENOTCONN); E(ETIMEDOUT);
	E(ECONNREFUSED); E(EALREADY); E(EINPROGRESS); E(ERESTART);
#undef E
	case 0:
		return "no error";
	}
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

const char *kin_signal_name(int sig)
{
	static __thread char buf[32];
	switch (sig) {
#define S(x) case x: return #x
	S(SIGHUP); S(SIGINT); S(SIGQUIT); S(SIGILL); S(SIGTRAP); S(SIGABRT);
	S(SIGBUS); S(SIGFPE); S(SIGKILL); S(SIGUSR1); S(SIGSEGV); S(SIGUSR2);
	S(SIGPIPE); S(SIGALRM); S(SIGTERM); S(SIGCHLD); S(SIGCONT);
	S(SIGSTOP); S(SIGTSTP); S(SIGTTIN); S(SIGTTOU); S(SIGURG); S(SIGXCPU);
	S(SIGXFSZ); S(SIGVTALRM); S(SIGPROF); S(SIGWINCH); S(SIGIO); S(SIGSYS);
#undef S
	}
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, sizeof(buf), "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, sizeof(buf), "signal %d", sig);
	return buf;
}

size_t kin_memdiff(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return i;
	return (size_t)-1;
}

/* ------------------------------------------------------------ recording */

static _Noreturn void finish(enum kin_result result, const char *fmt, va_list ap)
{
	char msg[sizeof(kin.rec.detail)];
	vformat(msg, sizeof(msg), fmt, ap);

	if (!in_test_process()) {
		/* a child of the test: hand the message to the test process and
		   end with a status that says what happened */
		if (result == KIN_RESULT_PASS)
			_exit(0);
		if (kin.shared)
			snprintf(kin.shared->child_msg, sizeof(kin.shared->child_msg),
				 "%s", msg);
		fprintf(stderr, "kinship: child %d: %s\n", (int)getpid(), msg);
		_exit(KIN_CHILD_FAILED);
	}
	kin.rec.result = result;
	if (kin.rec.notes[0] && result != KIN_RESULT_SKIP)
		snprintf(kin.rec.detail, sizeof(kin.rec.detail), "%s (%s)", msg,
			 kin.rec.notes);
	else
		snprintf(kin.rec.detail, sizeof(kin.rec.detail), "%s", msg);
	siglongjmp(kin.jb, 1);
}

void kin_pass(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	finish(KIN_RESULT_PASS, fmt, ap);
}

void kin_skip(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	finish(KIN_RESULT_SKIP, fmt, ap);
}

static _Noreturn void finish_fmt(enum kin_result r, const char *fmt, ...)
	KIN_PRINTF(2, 3);
static _Noreturn void finish_fmt(enum kin_result r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	finish(r, fmt, ap);
}

static __thread const char *caller_file;
static __thread int caller_line;

/* the test's last step: a helper or a checked call, where it was made */
static struct {
	const char *what, *file;
	int line;
} step;

void kin_step(const char *what, const char *file, int line)
{
	step.what = what;
	step.file = file;
	step.line = line;
}

void kin_at(const char *what, const char *file, int line)
{
	caller_file = file;
	caller_line = line;
	kin_step(what, file, line);
}

void kin_fail_at(const char *file, int line, const char *fmt, ...)
{
	char msg[sizeof(kin.rec.detail)];
	va_list ap;

	/* a helper of this file failing for its caller: name the caller */
	if (strcmp(file, __FILE__) == 0 && caller_file) {
		file = caller_file;
		line = caller_line;
	}
	const char *base = strrchr(file, '/');

	va_start(ap, fmt);
	vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	finish_fmt(KIN_RESULT_FAIL, "%s (%s:%d)", msg, base ? base + 1 : file, line);
}

void kin_verdict(enum kin_verdict v, const char *fmt, ...)
{
	va_list ap;
	if (!in_test_process())
		return;
	kin.rec.verdict = v;
	va_start(ap, fmt);
	vformat(kin.rec.evidence, sizeof(kin.rec.evidence), fmt, ap);
	va_end(ap);
}

void kin_side(enum kin_side side, const char *fmt, ...)
{
	va_list ap;
	if (!in_test_process())
		return;
	kin.rec.side = side;
	va_start(ap, fmt);
	vformat(kin.rec.evidence, sizeof(kin.rec.evidence), fmt, ap);
	va_end(ap);
}

void kin_note(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	size_t used = strlen(kin.rec.notes);

	va_start(ap, fmt);
	vformat(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	snprintf(kin.rec.notes + used, sizeof(kin.rec.notes) - used, "%s%s",
		 used ? "; " : "", buf);
}

/* ------------------------------------------------------------------ time */

long kin_scaled_ms(long ms)
{
	const char *m = getenv("CK_TIMEOUT_MULTIPLIER");
	double f = m ? strtod(m, NULL) : 1.0;
	if (!(f >= 1.0))
		f = 1.0;
	return (long)(ms * f);
}

long long kin_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long kin_deadline(long ms)
{
	return kin_now_ms() + kin_scaled_ms(ms);
}

/* ------------------------------------------------------------- children */

static void forget_child(pid_t pid)
{
	for (int i = 0; i < kin.nchildren; i++)
		if (kin.children[i] == pid) {
			kin.children[i] = kin.children[--kin.nchildren];
			return;
		}
}

pid_t kin_fork(void)
{
	fflush(NULL);
	if (kin.nchildren == KIN_MAX_CHILDREN)
		kin_fail("too many children (%d) in one test", KIN_MAX_CHILDREN);
	pid_t pid = fork();
	if (pid < 0)
		kin_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		/* the child owns none of its siblings */
		kin.nchildren = 0;
		return 0;
	}
	kin.children[kin.nchildren++] = pid;
	return pid;
}

pid_t kin_spawn(int (*fn)(void *arg), void *arg)
{
	pid_t pid = kin_fork();
	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

int kin_wait(pid_t pid, int *status, long ms)
{
	long long deadline = kin_deadline(ms);
	sigset_t chld, old;
	int st, ret = -1, err = 0;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid) {
			forget_child(pid);
			if (status)
				*status = st;
			ret = 0;
			break;
		}
		if (r < 0 && errno != EINTR) {
			err = errno;
			break;
		}
		long long left = deadline - kin_now_ms();
		if (left <= 0) {
			err = ETIMEDOUT;
			break;
		}
		struct timespec ts = { left / 1000, (left % 1000) * 1000000 };
		/* SIGCHLD is blocked, so it waits here rather than being
		   discarded by its default disposition */
		sigtimedwait(&chld, NULL, &ts);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return ret;
}

int kin_reap(pid_t pid, long ms)
{
	int status;
	if (kin_wait(pid, &status, ms) < 0) {
		struct kin_task_state st;
		if (errno == ETIMEDOUT && kin_task_state(pid, &st) == 0)
			kin_fail("child %d did not end within %ld ms: %s", (int)pid,
				 kin_scaled_ms(ms), kin_task_state_str(&st));
		kin_fail("waitpid(%d): %s", (int)pid, strerror(errno));
	}
	return status;
}

const char *kin_status_str(int status)
{
	static __thread char buf[64];
	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by %s%s",
			 kin_signal_name(WTERMSIG(status)),
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else if (WIFSTOPPED(status))
		snprintf(buf, sizeof(buf), "stopped by %s",
			 kin_signal_name(WSTOPSIG(status)));
	else
		snprintf(buf, sizeof(buf), "status 0x%x", status);
	return buf;
}

void kin_reap_ok(pid_t pid, long ms, const char *what)
{
	int status = kin_reap(pid, ms);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	if (WIFEXITED(status) && WEXITSTATUS(status) == KIN_CHILD_FAILED &&
	    kin.shared && kin.shared->child_msg[0])
		kin_fail("%s: %s", what, kin.shared->child_msg);
	kin_fail("%s: child %s", what, kin_status_str(status));
}

void kin_kill(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	forget_child(pid);
}

/* ------------------------------------------------------------ observing */

int kin_task_state(pid_t pid, struct kin_task_state *st)
{
	char path[64], buf[512];
	memset(st, 0, sizeof(*st));
	st->syscall_nr = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (kin_read_line(path, buf, sizeof(buf)) < 0)
		return -1;
	/* the state follows the last ')': the command name may hold anything */
	char *rp = strrchr(buf, ')');
	if (!rp || rp[1] != ' ')
		return -1;
	st->state = rp[2];

	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	if (kin_read_line(path, st->wchan, sizeof(st->wchan)) < 0)
		st->wchan[0] = 0;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if (kin_read_line(path, buf, sizeof(buf)) == 0) {
		st->syscall_known = true;
		if (strncmp(buf, "running", 7) != 0)
			st->syscall_nr = strtol(buf, NULL, 10);
	}
	return 0;
}

const char *kin_call_name(enum kin_call call)
{
	switch (call) {
	case KIN_IN_READ: return "read()";
	case KIN_IN_WRITE: return "write()";
	case KIN_IN_PAUSE: return "pause()";
	default: return "any call";
	}
}

const char *kin_task_state_str(const struct kin_task_state *st)
{
	static __thread char buf[192];
	int n = snprintf(buf, sizeof(buf), "state %c", st->state ? st->state : '?');
	if (st->wchan[0])
		n += snprintf(buf + n, sizeof(buf) - n, ", wchan %s", st->wchan);
	if (st->syscall_known)
		n += snprintf(buf + n, sizeof(buf) - n, ", syscall %ld", st->syscall_nr);
	else
		n += snprintf(buf + n, sizeof(buf) - n, ", no /proc/PID/syscall");
	if (st->call != KIN_IN_ANY)
		snprintf(buf + n, sizeof(buf) - n, " = %s as calibrated", kin_call_name(st->call));
	return buf;
}

/*
 * The calibration: what this environment shows for a process known to sleep
 * in each call.  Made by the runner before the first test (kin_calibrate);
 * each test process inherits it.
 */
static struct {
	bool done;
	struct {
		bool asleep;                  /* the sleeper showed state S */
		struct kin_task_state st;     /* as it showed */
		char why[160];                /* when it did not */
	} call[KIN_CALLS];
} cal;

#define KIN_CALIBRATION_MS 5000

/* in the child: get to the call, having said "about to" on ready */
static _Noreturn void calibration_sleeper(enum kin_call call, int ready, int obj[2])
{
	char c = 'r';
	if (call == KIN_IN_WRITE) {
		/* fill the pipe: page-sized writes, then single bytes, until EAGAIN */
		static char page[4096];
		close(obj[0]);
		fcntl(obj[1], F_SETFL, O_NONBLOCK);
		while (write(obj[1], page, sizeof(page)) > 0)
			;
		while (write(obj[1], page, 1) > 0)
			;
		fcntl(obj[1], F_SETFL, 0);
	} else {
		close(obj[1]);
	}
	if (write(ready, &c, 1) != 1)
		_exit(1);
	switch (call) {
	case KIN_IN_READ:
		if (read(obj[0], &c, 1) < 0)
			_exit(1);
		break;
	case KIN_IN_WRITE:
		if (write(obj[1], &c, 1) < 0)
			_exit(1);
		break;
	default:
		pause();
		break;
	}
	_exit(0);
}

static bool same_sleep(const struct kin_task_state *a, const struct kin_task_state *b)
{
	return a->state == 'S' && b->state == 'S' && a->syscall_known == b->syscall_known &&
	       a->syscall_nr == b->syscall_nr && strcmp(a->wchan, b->wchan) == 0;
}

/* a nap of the back-off: yield first, then sleeps doubling up to 1 ms */
static void back_off(int polls, long *nap_ns)
{
	if (polls < 16) {
		sched_yield();
		return;
	}
	*nap_ns = *nap_ns ? *nap_ns * 2 : 20000;
	if (*nap_ns > 1000000)
		*nap_ns = 1000000;
	struct timespec ts = { 0, *nap_ns };
	nanosleep(&ts, NULL);
}

static void calibrate_one(enum kin_call call)
{
	int ready[2], obj[2];
	char *why = cal.call[call].why;
	size_t wlen = sizeof(cal.call[call].why);
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(obj, O_CLOEXEC) < 0) {
		snprintf(why, wlen, "pipe2: %s", strerror(errno));
		return;
	}
	fflush(NULL);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		/* a runner stopped while it calibrates takes its sleepers along */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != parent)
			_exit(1);
		close(ready[0]);
		calibration_sleeper(call, ready[1], obj);
	}
	close(ready[1]);
	if (pid < 0) {
		snprintf(why, wlen, "fork: %s", strerror(errno));
		close(ready[0]);
		close(obj[0]);
		close(obj[1]);
		return;
	}
	struct pollfd p = { .fd = ready[0], .events = POLLIN };
	char c;
	struct kin_task_state now, first;
	memset(&first, 0, sizeof(first));
	long long deadline = kin_deadline(KIN_CALIBRATION_MS), since = 0;
	long nap_ns = 0;
	if (poll(&p, 1, (int)kin_scaled_ms(KIN_CALIBRATION_MS)) != 1 || read(ready[0], &c, 1) != 1) {
		snprintf(why, wlen, "the child never got to %s", kin_call_name(call));
	} else {
		/* asleep, and still the same a millisecond later: in the call */
		for (int polls = 0;; polls++) {
			if (kin_task_state(pid, &now) < 0) {
				snprintf(why, wlen, "the child in %s is gone", kin_call_name(call));
				break;
			}
			if (now.state == 'S' && since && same_sleep(&now, &first) &&
			    kin_now_ms() - since >= 1) {
				cal.call[call].asleep = true;
				cal.call[call].st = now;
				break;
			}
			if (now.state != 'S') {
				since = 0;
			} else if (!(since && same_sleep(&now, &first))) {
				first = now;
				since = kin_now_ms();
			}
			if (kin_now_ms() >= deadline) {
				snprintf(why, wlen, "a child in %s showed %s, not a steady state S, for %ld ms",
					 kin_call_name(call), kin_task_state_str(&now),
					 kin_scaled_ms(KIN_CALIBRATION_MS));
				break;
			}
			back_off(polls, &nap_ns);
		}
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	close(ready[0]);
	close(obj[0]);
	close(obj[1]);
}

void kin_calibrate(void)
{
	if (cal.done)
		return;
	for (enum kin_call c = KIN_IN_READ; c < KIN_CALLS; c++)
		calibrate_one(c);
	cal.done = true;
}

const char *kin_calibration_str(void)
{
	static char buf[768];
	size_t used = 0;
	buf[0] = 0;
	for (enum kin_call c = KIN_IN_READ; cal.done && c < KIN_CALLS; c++) {
		const struct kin_task_state *st = &cal.call[c].st;
		char one[256], nr[32] = "no /proc/PID/syscall";
		if (st->syscall_known)
			snprintf(nr, sizeof(nr), "syscall %ld", st->syscall_nr);
		if (!cal.call[c].asleep)
			snprintf(one, sizeof(one), "%s: not observable (%s)", kin_call_name(c),
				 cal.call[c].why);
		else
			snprintf(one, sizeof(one), "%s: state S%s%s, %s", kin_call_name(c),
				 st->wchan[0] ? ", wchan " : "", st->wchan, nr);
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", used ? "; " : "", one);
		if (used >= sizeof(buf))
			break;
	}
	return cal.done ? buf : "not calibrated";
}

/* does this observation show a sleeper in `call', as the calibration saw one? */
static bool asleep_in(struct kin_task_state *st, enum kin_call call)
{
	if (st->state != 'S')
		return false;
	st->call = KIN_IN_ANY;
	if (call == KIN_IN_ANY || !cal.done || !cal.call[call].asleep)
		return true;
	const struct kin_task_state *c = &cal.call[call].st;
	if (!c->syscall_known || !st->syscall_known)
		return true;    /* state S is all this environment shows */
	if (st->syscall_nr != c->syscall_nr)
		return false;
	st->call = call;
	return true;
}

int kin_wait_blocked(pid_t pid, enum kin_call call, long ms, struct kin_task_state *st)
{
	long long deadline = kin_deadline(ms);
	long nap_ns = 0;
	for (int polls = 0;; polls++) {
		if (kin_task_state(pid, st) < 0)
			return -1;
		if (st->state == 'Z' || st->state == 'X')
			return -1;
		if (asleep_in(st, call))
			return 0;
		if (kin_now_ms() >= deadline)
			return -1;
		back_off(polls, &nap_ns);
	}
}

void kin_expect_blocked(pid_t pid, enum kin_call call, long ms, struct kin_task_state *st,
			const char *what)
{
	if (cal.done) {
		/* this environment did not show a known sleeper as asleep */
		bool any = false;
		for (enum kin_call c = KIN_IN_READ; c < KIN_CALLS; c++)
			any |= cal.call[c].asleep;
		enum kin_call need = call;
		if (need == KIN_IN_ANY && !any)
			need = KIN_IN_READ;
		if (need != KIN_IN_ANY && !cal.call[need].asleep)
			kin_skip("%s: a sleep in %s cannot be observed here: %s", what,
				 kin_call_name(need), cal.call[need].why);
	}
	if (kin_wait_blocked(pid, call, ms, st) == 0)
		return;
	if (st->state == 0)
		kin_fail("%s: process %d is gone", what, (int)pid);
	char seen[224];
	snprintf(seen, sizeof(seen), "%s", kin_task_state_str(st));
	if (call != KIN_IN_ANY && cal.done)
		kin_fail("%s: process %d not asleep in %s within %ld ms: %s; a process asleep in %s "
			 "shows %s here", what, (int)pid, kin_call_name(call), kin_scaled_ms(ms), seen,
			 kin_call_name(call), kin_task_state_str(&cal.call[call].st));
	kin_fail("%s: process %d not asleep within %ld ms: %s", what, (int)pid, kin_scaled_ms(ms),
		 seen);
}

/* --------------------------------------------------------------- fd I/O */

void kin_write_all(int fd, const void *buf, size_t n, const char *what)
{
	const char *p = buf;
	sigset_t pipe_set, old;

	/* a peer that died is a failure to report, not a SIGPIPE that kills
	   the test before it can say what happened */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			if (w < 0 && e == EPIPE && !sigismember(&old, SIGPIPE)) {
				struct timespec zero = { 0, 0 };
				sigtimedwait(&pipe_set, NULL, &zero);
			}
			sigprocmask(SIG_SETMASK, &old, NULL);
			kin_fail("%s: write: %s", what,
				 w < 0 ? (e == EPIPE ? "EPIPE: the reader is gone" : strerror(e))
				       : "wrote 0");
		}
		p += w;
		n -= (size_t)w;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void kin_read_all(int fd, void *buf, size_t n, const char *what)
{
	char *p = buf;
	size_t want = n;
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			kin_fail("%s: read: %s", what, strerror(errno));
		if (r == 0)
			kin_fail("%s: end of file after %zu of %zu bytes", what, want - n, want);
		p += r;
		n -= (size_t)r;
	}
}

int kin_poll_in(int fd, long ms)
{
	long long deadline = kin_deadline(ms);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - kin_now_ms();
		int r = poll(&p, 1, left > 0 ? (int)left : 0);
		if (r > 0)
			return 1;
		if (r == 0)
			return 0;
		if (errno != EINTR)
			kin_fail("poll: %s", strerror(errno));
	}
}

ssize_t kin_read_within(int fd, void *buf, size_t n, long ms, const char *what)
{
	if (!kin_poll_in(fd, ms))
		kin_fail("%s: nothing to read within %ld ms", what, kin_scaled_ms(ms));
	ssize_t r;
	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		kin_fail("%s: read: %s", what, strerror(errno));
	return r;
}

void kin_close(int *fd)
{
	if (*fd < 0)
		return;
	int r = close(*fd);
	int e = errno;
	*fd = -1;
	if (r < 0)
		kin_fail("close: %s", strerror(e));
}

const char *kin_fd_target(pid_t pid, int fd, char *buf, size_t len)
{
	char link[64];
	if (pid)
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, fd);
	else
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, len - 1);
	if (n < 0)
		kin_fail("readlink(%s): %s", link, strerror(errno));
	buf[n] = 0;
	return buf;
}

/* the stranger's side: wait for "PID FD", then reach the object by its link */
static void stranger_run(int ctl, int flags, const void *msg, size_t len)
{
	char req[64], link[64];
	ssize_t n = kin_read_within(ctl, req, sizeof(req) - 1, 5000, "stranger: holder's pid and fd");
	req[n > 0 ? n : 0] = 0;
	int holder, fd;
	if (sscanf(req, "%d %d", &holder, &fd) != 2)
		kin_fail("stranger: no pid and fd from the holder (got \"%s\")", req);
	close(ctl);
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", holder, fd);

	struct stat target, own;
	if (stat(link, &target) < 0)
		kin_fail("stranger: stat(%s): %s", link, strerror(errno));
	for (int i = 0; i < KIN_MAX_FDS; i++)
		if (fstat(i, &own) == 0 && own.st_dev == target.st_dev &&
		    own.st_ino == target.st_ino)
			kin_fail("stranger: already held the object as fd %d", i);

	int nfd = open(link, flags | O_CLOEXEC);
	if (nfd < 0)
		kin_fail("stranger: open(%s): %s", link, strerror(errno));
	if (fstat(nfd, &own) < 0 || own.st_dev != target.st_dev || own.st_ino != target.st_ino)
		kin_fail("stranger: open(%s) reached another object", link);
	kin_write_all(nfd, msg, len, "stranger: write to the opened fd");
	close(nfd);
	_exit(0);
}

pid_t kin_stranger(int flags, const void *msg, size_t len, int *ctl)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		kin_fail("pipe2: %s", strerror(errno));
	pid_t pid = kin_fork();
	if (pid == 0) {
		close(p[1]);
		stranger_run(p[0], flags, msg, len);
	}
	close(p[0]);
	*ctl = p[1];
	return pid;
}

void kin_stranger_go(int *ctl, pid_t holder, int fd)
{
	char req[64];
	int n = snprintf(req, sizeof(req), "%d %d", (int)holder, fd);
	kin_write_all(*ctl, req, (size_t)n, "telling the stranger where the object is");
	kin_close(ctl);
}

/* ------------------------------------------------------------ temp dirs */

/* unlinkat(), not unlink() and rmdir(): the deviation shims bend the calls
   the document uses (unix-unlink-keeps-socket makes unlink() of a socket a
   no-op), and the clean-up must still remove what a bent test left */
static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	bool dir = flag == FTW_DP || flag == FTW_D || flag == FTW_DNR;
	unlinkat(AT_FDCWD, path, dir ? AT_REMOVEDIR : 0);
	return 0;
}

static int open_up(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DNR)
		chmod(path, (sb->st_mode & 07777) | 0700);
	return 0;
}

int kin_remove_tree(const char *dir)
{
	/* a test may have left a directory unreadable: open it up first */
	nftw(dir, open_up, 16, FTW_PHYS);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return access(dir, F_OK) == 0 ? -1 : 0;
}

const char *kin_tmpdir(void)
{
	if (kin.tmpdir[0])
		return kin.tmpdir;
	snprintf(kin.tmpdir, sizeof(kin.tmpdir), "%s/t%d.XXXXXX",
		 kin_run_dir ? kin_run_dir : "/tmp", (int)getpid());
	if (!mkdtemp(kin.tmpdir)) {
		int e = errno;
		kin.tmpdir[0] = 0;
		kin_fail("mkdtemp: %s", strerror(e));
	}
	return kin.tmpdir;
}

char *kin_tmppath(char *buf, size_t len, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", kin_tmpdir(), name) >= len)
		kin_fail("temp path for %s is longer than %zu bytes", name, len);
	return buf;
}

/* ------------------------------------------------ the context of a test */

static void snapshot_fds(unsigned char *set)
{
	memset(set, 0, KIN_MAX_FDS / 8);
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return;
	int self = dirfd(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] == '.' || fd == self || fd >= KIN_MAX_FDS)
			continue;
		set[fd / 8] |= (unsigned char)(1u << (fd % 8));
	}
	closedir(d);
}

static void cleanup(void)
{
	char leaks[512] = "";
	size_t used = 0;

	/* children still running are a defect of the test: end them */
	for (int i = kin.nchildren - 1; i >= 0; i--) {
		pid_t pid = kin.children[i];
		struct kin_task_state st;
		int r = kin_task_state(pid, &st);
		used += (size_t)snprintf(leaks + used, sizeof(leaks) - used,
					 "%schild %d left running (%s)", used ? "; " : "",
					 (int)pid, r == 0 ? kin_task_state_str(&st) : "gone");
		if (used >= sizeof(leaks))
			used = sizeof(leaks) - 1;
		kin_kill(pid);
	}
	/* and any other child the test made without kin_fork */
	for (;;) {
		pid_t pid = waitpid(-1, NULL, WNOHANG);
		if (pid <= 0)
			break;
		used += (size_t)snprintf(leaks + used, sizeof(leaks) - used,
					 "%sunregistered child %d not reaped", used ? "; " : "",
					 (int)pid);
		if (used >= sizeof(leaks))
			used = sizeof(leaks) - 1;
	}

	unsigned char now[KIN_MAX_FDS / 8];
	snapshot_fds(now);
	for (int fd = 0; fd < KIN_MAX_FDS; fd++) {
		bool was = kin.fds_at_start[fd / 8] >> (fd % 8) & 1;
		bool is = now[fd / 8] >> (fd % 8) & 1;
		if (is && !was) {
			char link[64], target[128];
			ssize_t n;
			snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
			n = readlink(link, target, sizeof(target) - 1);
			target[n > 0 ? n : 0] = 0;
			used += (size_t)snprintf(leaks + used, sizeof(leaks) - used,
						 "%sfd %d left open (%s)", used ? "; " : "",
						 fd, target);
			if (used >= sizeof(leaks))
				used = sizeof(leaks) - 1;
			close(fd);
		}
	}

	if (kin.tmpdir[0]) {
		if (kin_remove_tree(kin.tmpdir) < 0)
			used += (size_t)snprintf(leaks + used, sizeof(leaks) - used,
						 "%scould not remove %s", used ? "; " : "",
						 kin.tmpdir);
		kin.tmpdir[0] = 0;
	}

	/* a skip may end a test midway, with its pipes still open: those are
	   closed above without blame; a pass must have cleaned up after itself */
	if (used && kin.rec.result == KIN_RESULT_PASS) {
		kin.rec.result = KIN_RESULT_FAIL;
		snprintf(kin.rec.detail, sizeof(kin.rec.detail), "left behind: %s", leaks);
	}
}

static void cleanup_at_exit(void)
{
	/* a test that ended through exit() (a Check assertion, say) */
	if (in_test_process()) {
		cleanup();
		kin.active = false;
	}
}

/*
 * The watchdog: a test still running at its own timeout (a call that never
 * returns, a loop that never ends) is a fail with a diagnosis, made here in
 * the test process by SIGALRM from an interval timer (fork does not pass it
 * to the test's children), before Check's timeout, KIN_CHECK_GRACE seconds
 * later, would kill the process with nothing said.  The handler leaves the
 * interrupted call by siglongjmp to the clean-up; a test that blocks SIGALRM
 * is left to Check.
 */
static long watchdog_ms;
static int watchdog_s;

static void watchdog(int sig)
{
	char kids[384] = "", limit[96];
	size_t used = 0;
	(void)sig;
	if (!in_test_process())
		_exit(KIN_CHILD_FAILED);
	for (int i = 0; i < kin.nchildren && used < sizeof(kids); i++) {
		struct kin_task_state st;
		int r = kin_task_state(kin.children[i], &st);
		used += (size_t)snprintf(kids + used, sizeof(kids) - used, "%schild %d %s",
					 used ? ", " : "; ", (int)kin.children[i],
					 r == 0 ? kin_task_state_str(&st) : "gone");
	}
	const char *m = getenv("CK_TIMEOUT_MULTIPLIER");
	snprintf(limit, sizeof(limit), "%d s (x%s CK_TIMEOUT_MULTIPLIER: %ld ms)", watchdog_s,
		 m && *m ? m : "1", watchdog_ms);
	const char *base = step.file ? strrchr(step.file, '/') : NULL;
	if (step.what)
		finish_fmt(KIN_RESULT_FAIL,
			   "still running at its timeout of %s: the last step begun was %s "
			   "(%s:%d), which never ended%s", limit, step.what,
			   base ? base + 1 : step.file, step.line, kids);
	finish_fmt(KIN_RESULT_FAIL, "still running at its timeout of %s, before any step of "
		   "the helpers%s", limit, kids);
}

static void arm_watchdog(const struct kin_test *t, struct sigaction *old)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watchdog;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, old);
	watchdog_s = t->timeout > 0 ? t->timeout : KIN_DEFAULT_TIMEOUT;
	watchdog_ms = kin_scaled_ms(watchdog_s * 1000L);
	struct itimerval it = { { 0, 0 }, { watchdog_ms / 1000, (watchdog_ms % 1000) * 1000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm_watchdog(const struct sigaction *old)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, old, NULL);
}

void kin_run_body(const struct kin_test *t, const void *variant, struct kin_record *out)
{
	static bool registered;
	/* static: set after sigsetjmp, read after the siglongjmp */
	static struct sigaction old_alrm;

	if (kin_test_mask_set)
		sigprocmask(SIG_SETMASK, &kin_test_mask, NULL);
	memset(&kin.rec, 0, sizeof(kin.rec));
	caller_file = NULL;
	memset(&step, 0, sizeof(step));
	kin.nchildren = 0;
	kin.tmpdir[0] = 0;
	kin.test_pid = getpid();
	kin.test = t;
	kin.shared = mmap(NULL, sizeof(struct kin_shared), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (kin.shared == MAP_FAILED)
		kin.shared = NULL;
	snapshot_fds(kin.fds_at_start);
	if (!registered) {
		atexit(cleanup_at_exit);
		registered = true;
	}
	kin.active = true;

	if (sigsetjmp(kin.jb, 1) == 0) {
		arm_watchdog(t, &old_alrm);
		t->fn(variant);
		kin.rec.result = KIN_RESULT_ERROR;
		snprintf(kin.rec.detail, sizeof(kin.rec.detail),
			 "the test body returned without recording pass, skip or fail");
	}
	disarm_watchdog(&old_alrm);
	cleanup();
	kin.active = false;
	if (kin.shared)
		munmap(kin.shared, sizeof(struct kin_shared));
	kin.shared = NULL;
	*out = kin.rec;
}
