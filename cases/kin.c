/*
 * kin.c - the helper library behind kin.h, and the per-test context that the
 * runner (runner.c) sets up around each test body.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
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
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

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
} kin;

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

void kin_at(const char *file, int line)
{
	caller_file = file;
	caller_line = line;
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

const char *kin_task_state_str(const struct kin_task_state *st)
{
	static __thread char buf[160];
	int n = snprintf(buf, sizeof(buf), "state %c", st->state ? st->state : '?');
	if (st->wchan[0])
		n += snprintf(buf + n, sizeof(buf) - n, ", wchan %s", st->wchan);
	if (st->syscall_known)
		snprintf(buf + n, sizeof(buf) - n, ", syscall %ld", st->syscall_nr);
	return buf;
}

int kin_wait_blocked(pid_t pid, long syscall_nr, long ms, struct kin_task_state *st)
{
	long long deadline = kin_deadline(ms);
	long nap_ns = 0;
	for (int polls = 0;; polls++) {
		if (kin_task_state(pid, st) < 0)
			return -1;
		if (st->state == 'Z' || st->state == 'X')
			return -1;
		if (st->state == 'S' &&
		    (syscall_nr == -1 || !st->syscall_known || st->syscall_nr == syscall_nr))
			return 0;
		if (kin_now_ms() >= deadline)
			return -1;
		/* back off: yield first, then naps doubling up to 1 ms */
		if (polls < 16) {
			sched_yield();
			continue;
		}
		nap_ns = nap_ns ? nap_ns * 2 : 20000;
		if (nap_ns > 1000000)
			nap_ns = 1000000;
		struct timespec ts = { 0, nap_ns };
		nanosleep(&ts, NULL);
	}
}

void kin_expect_blocked(pid_t pid, long syscall_nr, long ms, struct kin_task_state *st,
			const char *what)
{
	if (kin_wait_blocked(pid, syscall_nr, ms, st) == 0)
		return;
	if (st->state == 0)
		kin_fail("%s: process %d is gone", what, (int)pid);
	kin_fail("%s: process %d not asleep%s%ld within %ld ms: %s", what, (int)pid,
		 syscall_nr == -1 ? "" : " in syscall ", syscall_nr == -1 ? 0L : syscall_nr,
		 kin_scaled_ms(ms), kin_task_state_str(st));
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

/* ---------------------------------------------------------------- system */

size_t kin_page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

int kin_read_line(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	int e = errno;
	close(fd);
	if (n < 0) {
		errno = e;
		return -1;
	}
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

long long kin_read_ll(const char *path)
{
	char buf[64], *end;
	if (kin_read_line(path, buf, sizeof(buf)) < 0)
		return -1;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (end == buf) {
		errno = EINVAL;
		return -1;
	}
	return v;
}

const char *kin_kernel_release(void)
{
	static char rel[sizeof(((struct utsname *)0)->release)];
	if (!rel[0]) {
		struct utsname u;
		if (uname(&u) == 0)
			snprintf(rel, sizeof(rel), "%s", u.release);
	}
	return rel;
}

unsigned kin_kernel_version(void)
{
	unsigned a = 0, b = 0, c = 0;
	sscanf(kin_kernel_release(), "%u.%u.%u", &a, &b, &c);
	return a * 65536u + b * 256u + (c > 255 ? 255 : c);
}

#if !defined(__GLIBC__) && defined(__linux__)
/*
 * musl has no call that returns its version, but its dynamic loader prints
 * it ("Version 1.2.5") when run with no arguments.  The loader is the
 * mapping of this process whose file is ld-musl-ARCH.so.1 or musl's
 * libc.so; a static binary has none, and says so.
 */
static void kin_musl_version(char *buf, size_t size)
{
	char line[512], path[PATH_MAX] = "";
	FILE *maps = fopen("/proc/self/maps", "re");
	if (maps) {
		while (fgets(line, sizeof(line), maps)) {
			char *p = strchr(line, '/');
			if (!p)
				continue;
			p[strcspn(p, "\n")] = '\0';
			const char *base = strrchr(p, '/') + 1;
			if (strncmp(base, "ld-musl-", 8) == 0 ||
			    (strstr(p, "musl") && strncmp(base, "libc.", 5) == 0)) {
				snprintf(path, sizeof(path), "%s", p);
				break;
			}
		}
		fclose(maps);
	}
	if (!path[0]) {
		snprintf(buf, size, "musl (static; version not recorded)");
		return;
	}
	snprintf(buf, size, "musl (version unknown)");
	int fd[2];
	if (pipe2(fd, O_CLOEXEC) != 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 1);
		dup2(fd[1], 2);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	char out[512];
	size_t len = 0;
	ssize_t n;
	while (pid > 0 && len < sizeof(out) - 1 &&
	       (n = read(fd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fd[0]);
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	const char *v = strstr(out, "Version ");
	if (v) {
		v += 8;
		snprintf(buf, size, "musl %.*s", (int)strcspn(v, " \n"), v);
	}
}
#endif

const char *kin_libc(void)
{
	static char buf[64];
	if (buf[0])
		return buf;
#ifdef __GLIBC__
	snprintf(buf, sizeof(buf), "glibc %s", gnu_get_libc_version());
#elif defined(__linux__)
	kin_musl_version(buf, sizeof(buf));
#else
	snprintf(buf, sizeof(buf), "unknown libc");
#endif
	return buf;
}

bool kin_has_cap(int cap)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");
	unsigned long long eff = 0;
	bool found = false;
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = true;
			break;
		}
	fclose(f);
	return found && cap >= 0 && cap < 64 && (eff >> cap & 1);
}

static bool cap_eff_empty(void)
{
	for (int c = 0; c < 64; c++)
		if (kin_has_cap(c))
			return false;
	return true;
}

/* CAP_SETGID 6, CAP_SETUID 7: numbers from linux/capability.h, stable */
#define KIN_CAP_SETGID 6
#define KIN_CAP_SETUID 7

bool kin_can_drop_privileges(char *why, size_t len)
{
	if (getuid() != 0 && geteuid() != 0 && cap_eff_empty())
		return true;    /* already unprivileged */
	if (kin_has_cap(KIN_CAP_SETUID) && kin_has_cap(KIN_CAP_SETGID))
		return true;
	snprintf(why, len, "cannot become an unprivileged user: uid %d lacks CAP_SETUID/CAP_SETGID",
		 (int)getuid());
	return false;
}

int kin_drop_privileges(char *why, size_t len)
{
	if (getuid() != 0 && geteuid() != 0 && cap_eff_empty())
		return 0;
	if (setgroups(0, NULL) < 0) {
		snprintf(why, len, "setgroups: %s", strerror(errno));
		return -1;
	}
	if (setgid(KIN_NOBODY) < 0 || setuid(KIN_NOBODY) < 0) {
		snprintf(why, len, "setgid/setuid(%d): %s", KIN_NOBODY, strerror(errno));
		return -1;
	}
	/* a uid change clears the dumpable flag; the parent needs /proc/PID/ */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (!cap_eff_empty()) {
		snprintf(why, len, "still holds capabilities after setuid(%d)", KIN_NOBODY);
		return -1;
	}
	return 0;
}

const char *kin_self_exe(void)
{
	return "/proc/self/exe";
}

static bool probe_in(const char *dir, const char *name, const char *suffix, char *buf,
		     size_t len)
{
	if (!dir || !*dir ||
	    (size_t)snprintf(buf, len, "%s/kinship-probe-%s%s", dir, name, suffix) >= len)
		return false;
	return access(buf, X_OK) == 0;
}

const char *kin_probe_path(const char *name, char *buf, size_t len)
{
	char self[PATH_MAX] = "", where[PATH_MAX];
	const char *env = getenv("KINSHIP_PROBE_DIR");
	const char *dirs[2] = { NULL, NULL };
	bool want_static = false;

	ssize_t n = readlink(kin_self_exe(), self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	char *slash = strrchr(self, '/');
	if (slash) {
		size_t blen = strlen(slash);
		want_static = blen >= 7 && strcmp(slash + blen - 7, "-static") == 0;
		/* a binary in / keeps its directory: "/" rather than "" */
		slash[slash == self ? 1 : 0] = 0;
	}
	if (env && *env) {
		dirs[0] = env;
	} else {
		dirs[0] = slash ? self : NULL;
#ifdef KIN_PROBE_LIBEXECDIR
		dirs[1] = KIN_PROBE_LIBEXECDIR;
#endif
	}
	const char *first = want_static ? "-static" : "", *second = want_static ? "" : "-static";
	for (int i = 0; i < 2; i++)
		if (probe_in(dirs[i], name, first, buf, len) ||
		    probe_in(dirs[i], name, second, buf, len))
			return buf;
	snprintf(where, sizeof(where), "%s%s%s", dirs[0] ? dirs[0] : "?", dirs[1] ? " or " : "",
		 dirs[1] ? dirs[1] : "");
	kin_skip("probe kinship-probe-%s%s not found in %s: build it with `make "
		 "cases/kinship-probe-%s%s'", name, first, where, name, first);
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

void kin_run_body(const struct kin_test *t, const void *variant, struct kin_record *out)
{
	static bool registered;

	if (kin_test_mask_set)
		sigprocmask(SIG_SETMASK, &kin_test_mask, NULL);
	memset(&kin.rec, 0, sizeof(kin.rec));
	caller_file = NULL;
	kin.nchildren = 0;
	kin.tmpdir[0] = 0;
	kin.test_pid = getpid();
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
		t->fn(variant);
		kin.rec.result = KIN_RESULT_ERROR;
		snprintf(kin.rec.detail, sizeof(kin.rec.detail),
			 "the test body returned without recording pass, skip or fail");
	}
	cleanup();
	kin.active = false;
	if (kin.shared)
		munmap(kin.shared, sizeof(struct kin_shared));
	kin.shared = NULL;
	*out = kin.rec;
}
