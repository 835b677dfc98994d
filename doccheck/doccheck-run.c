/*
 * doccheck-run - run the example programs of a document, untrusted code from
 * anywhere, the way kinship-doccheck needs them run: confined, with a
 * deadline, their output read to its end and every process they started
 * reaped, the ones their parents never waited for included.
 *
 *   doccheck-run [OPTION]... -- PROGRAM [ARG]...
 *   doccheck-run [OPTION]... --ready ADDR -- SERVER [ARG]... --then CLIENT [ARG]...
 *
 * (the options are in usage() below).  With --then, CLIENT is the main
 * program: when it ends, the server has GRACE s to end on its own (it may
 * still be reading what the client sent), then everything left gets the
 * stop.  Without,
 * PROGRAM is the main program and its orphans may run on until the deadline.
 * The stop is SIGINT to every process of the run, SIGTERM GRACE s later,
 * SIGKILL GRACE s after that (--grace 0: SIGKILL alone).
 *
 * The summary is one fact per line, tab-separated, for the shell to read:
 *   sandbox  confined|none  DETAIL     every confinement in force, or why none
 *   stale    PATH                     a socket file left at PATH before the run
 *   exit     PID  main|server|orphan  STATUS  others-running|none-running|-  SECONDS
 *   outlived N                        processes still running when main exited
 *   ready    ADDR  SECONDS            or: ready ADDR never REASON (no client then)
 *   stop     SIGNAL  SECONDS  N  deadline|client-ended   a stop signal sent to N processes
 *   timeout  SECONDS  N               the deadline passed with N processes running
 *   unreaped N                        processes still there after the SIGKILL (a failure)
 *   stdout   BYTES  BYTES-AFTER-MAIN-EXITED
 *   stderr   BYTES   (and server-stdout, server-stderr with --then)
 *   cut      STREAM  KEPT             more came on STREAM than the KEPT bytes kept
 *   left     /tmp/NAME                a file the program left in its private /tmp
 *   elapsed  SECONDS
 * PIDs are the ones the sandbox sees.  An orphan is a process that the run's
 * init reaped: its parent exited (or never waited for it) before it ended.
 *
 * Exit status: 0 when the program was run (whatever it did), 1 when the
 * runner itself failed, 2 for a usage error, 3 when the sandbox cannot be set
 * up here (the program is not run; the first line of stderr says what is
 * missing).
 *
 * Three processes of ours take part; none of them runs the document's code.
 *   The supervisor (this process: the caller's uid, outside every namespace)
 *   reads the programs' output, and writes the summary and the output files
 *   once the run is over.  As root it first hands DIR to the sandbox's own
 *   host uid and gives back, afterwards, what that uid left there.
 *   The keeper (that host uid, in the new user, mount, network, IPC and UTS
 *   namespaces, outside the new PID namespace) sets them up, forks the init
 *   and waits for it.
 *   The init (PID 1 of the new PID namespace) mounts a fresh /proc, starts the
 *   programs, reaps every process, sends the stops and reports each fact to
 *   the supervisor as a summary line over a pipe.
 * When the supervisor dies the keeper is killed (PR_SET_PDEATHSIG), which
 * kills the init, whose end makes the kernel kill every process of the
 * namespace: nothing of the program outlives the run.  With --no-sandbox the
 * init is a plain child subreaper and the programs run as the caller.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kin-syscalls.h"

/* the kernel's values (linux/mount.h, linux/fcntl.h), not all in older headers */
#define KIN_OPEN_TREE_CLONE 1u
#define KIN_MOVE_MOUNT_F_EMPTY_PATH 0x04u
#define KIN_MOVE_MOUNT_T_EMPTY_PATH 0x40u
#define KIN_MOUNT_ATTR_RDONLY 0x01u
#define KIN_AT_RECURSIVE 0x8000
struct kin_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

#define KEEP_MAX (1 << 20)          /* bytes of each stream kept; the rest is counted */
#define SANDBOX_UID_BASE 0x70000000u /* + the supervisor's pid: see sandbox_host_uid() */
#define INSIDE_ID 65534             /* the program's uid and gid in its namespace */
#define LIMIT_NPROC 64
#define LIMIT_FSIZE_MIB 16
#define LIMIT_NOFILE 256
#define KILL_WAIT 5.0               /* after SIGKILL, how long the reaping may take */
#define TMPFS_OPTS "mode=1777,size=64m,nr_inodes=16384"

enum { S_OUT, S_ERR, S_SOUT, S_SERR, NSTREAMS };
static const char *const stream_names[NSTREAMS] = { "stdout", "stderr", "server-stdout", "server-stderr" };
enum { ADDR_UNIX, ADDR_TCP, ADDR_UDP };

static const char *prog = "doccheck-run";

/* an address that --ready waits for */
struct addr {
	const char *text;       /* as given: the summary repeats it */
	int kind;
	char name[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* unix: a path, or @NAME */
	unsigned port;
};

struct options {
	double timeout, grace;
	long memory;            /* MiB of address space, 0 for no limit */
	bool sandbox;
	const char *dir, *stdin_path, *stale, *summary;
	const char *path[NSTREAMS];
	bool has_ready;
	struct addr ready;
	char **server, **client; /* client: the main program (PROGRAM without --then) */
};

/* what the keeper and the init need, set up by the supervisor before it forks */
struct run {
	const struct options *o;
	double t0, deadline;
	const char *wd;         /* DIR's real path: where the sandbox sees it too */
	int dirfd;              /* DIR, held open: a private /tmp may hide its path */
	int in_fd;              /* the main program's standard input */
	int null_fd;            /* the server's */
	int wr[NSTREAMS];       /* write ends of the output pipes, -1 when not used */
	int rec;                /* write end of the record pipe to the supervisor */
	pid_t super_pid;
	bool switch_uid;        /* root: become sandbox_uid first */
	uid_t host_uid;
	gid_t host_gid;
	bool ns;                /* the init is PID 1 of its own namespace */
	long nproc;             /* RLIMIT_NPROC for the programs */
};

/* a usage error: one line on stderr, status 2 */
static _Noreturn void usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s\n", prog, msg, arg ? " " : "", arg ? arg : "");
	exit(2);
}

/* the runner itself failed (not the program): one line, status 1 */
static _Noreturn void runner_failed(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

/* seconds of CLOCK_MONOTONIC, the one clock of the run (no namespace changes it) */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* milliseconds from now until T, for poll: 0 when past, -1 for "no limit" */
static int ms_until(double t)
{
	if (t > 1e17)
		return -1;
	double ms = (t - now()) * 1000;
	if (ms <= 0)
		return 0;
	return ms > 86400000 ? 86400000 : (int)ms + 1;
}

/* write all of BUF, through EINTR and short writes; false on an error */
static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* TEXT into the (small, procfs) file PATH in one write */
static bool write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)strlen(text);
}

/*
 * One line to the supervisor over the record pipe.  A line is at most
 * PIPE_BUF bytes, so that the write is atomic and lines never interleave.
 */
static void record(const struct run *r, const char *fmt, ...)
{
	char line[PIPE_BUF];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	(void)write_all(r->rec, line, (size_t)n);
}

/*
 * A piece of the sandbox cannot be set up: say which (WHAT), through which
 * call and why, and end with status 3; the program is not run.
 */
static _Noreturn void setup_failed(const struct run *r, const char *what, const char *call)
{
	record(r, "fail\t%s (%s: %s)\n", what, call, strerror(errno));
	_exit(3);
}

/* the runner broke inside the run (an exec failed, say): status 1 */
static _Noreturn void run_failed(const struct run *r, const char *what, int err)
{
	record(r, "error\t%s: %s\n", what, strerror(err));
	_exit(1);
}

/* a system call by number (NR -1: unknown here, taken as ENOSYS) */
static long kin_syscall(long nr, long a, long b, long c, long d, long e)
{
	if (nr < 0) {
		errno = ENOSYS;
		return -1;
	}
	return syscall(nr, a, b, c, d, e);
}

/*
 * Close every fd from LOW up: close_range (Linux 5.9), else each fd that
 * /proc/self/fd lists, else every number below the fd limit.
 */
static void close_from(int low)
{
	if (kin_syscall(KIN_NR_CLOSE_RANGE, low, ~0L & 0xffffffffL, 0, 0, 0) == 0)
		return;
	DIR *d = opendir("/proc/self/fd");
	if (d) {
		int dfd = dirfd(d), fds[1024], n = 0;
		struct dirent *e;
		while ((e = readdir(d)) && n < 1024) {
			int fd = atoi(e->d_name);
			if (e->d_name[0] != '.' && fd >= low && fd != dfd)
				fds[n++] = fd;
		}
		closedir(d);
		for (int i = 0; i < n; i++)
			close(fds[i]);
		if (n < 1024)
			return;
	}
	struct rlimit rl;
	long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (long)rl.rlim_cur : 65536;
	for (long fd = low; fd < max; fd++)
		close((int)fd);
}

/* "SIGINT" for SIGINT: sigabbrev_np() is glibc 2.32 and later only */
static const char *signal_name(int sig)
{
	static const struct { int sig; const char *name; } names[] = {
		{ SIGHUP, "SIGHUP" }, { SIGINT, "SIGINT" }, { SIGQUIT, "SIGQUIT" },
		{ SIGILL, "SIGILL" }, { SIGTRAP, "SIGTRAP" }, { SIGABRT, "SIGABRT" },
		{ SIGBUS, "SIGBUS" }, { SIGFPE, "SIGFPE" }, { SIGKILL, "SIGKILL" },
		{ SIGUSR1, "SIGUSR1" }, { SIGSEGV, "SIGSEGV" }, { SIGUSR2, "SIGUSR2" },
		{ SIGPIPE, "SIGPIPE" }, { SIGALRM, "SIGALRM" }, { SIGTERM, "SIGTERM" },
		{ SIGSYS, "SIGSYS" }, { SIGXCPU, "SIGXCPU" }, { SIGXFSZ, "SIGXFSZ" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].sig == sig)
			return names[i].name;
	return "signal";
}

/* a wait status in words, as the summary's exit lines give it */
static void describe_status(int status, char *out, size_t len)
{
	if (WIFEXITED(status))
		snprintf(out, len, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, len, "killed by %s (%d)%s", signal_name(WTERMSIG(status)),
			 WTERMSIG(status), WCOREDUMP(status) ? ", core dumped" : "");
	else
		snprintf(out, len, "status 0x%x", (unsigned)status);
}

/* ------------------------------------------------------------ processes */

/* state and parent of PID from /proc/PID/stat (after the parenthesised name) */
static bool proc_stat(pid_t pid, char *state, pid_t *ppid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	int pp;
	char st;
	if (!p || sscanf(p + 1, " %c %d", &st, &pp) != 2)
		return false;
	*state = st;
	*ppid = (pid_t)pp;
	return true;
}

/*
 * The living processes of the run (zombies left out): in a PID namespace
 * every process but its init; else the init's descendants, found by walking
 * /proc PID -> PPID up to it.  Each gets SIG when SIG != 0 (in a namespace
 * through one kill(-1), which no fork can slip past).  Returns how many.
 */
static int each_process(const struct run *r, int sig)
{
	pid_t self = getpid();
	int found = 0;
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		pid_t pid = (pid_t)atoi(e->d_name);
		char st;
		pid_t p;
		if (pid <= 0 || pid == self || !proc_stat(pid, &st, &p) || st == 'Z' || st == 'X')
			continue;
		if (r->ns) {
			found++;
			continue;
		}
		for (int depth = 0; p > 1 && depth < 64; depth++) {
			if (p == self) {
				found++;
				if (sig)
					kill(pid, sig);
				break;
			}
			char s2;
			if (!proc_stat(p, &s2, &p))
				break;
		}
	}
	closedir(d);
	if (r->ns && sig && found)
		kill(-1, sig);
	return found;
}

/* SIG to every process of the run; SIGKILL again while a fork slipped past */
static int signal_all(const struct run *r, int sig)
{
	int n = each_process(r, sig);
	if (sig == SIGKILL && !r->ns)
		for (int round = 0; round < 8 && each_process(r, SIGKILL) > 0; round++)
			;
	return n;
}

/* ------------------------------------------------------------ --ready */

/* NAME as an absolute path seen from CWD (abstract names as they are) */
static void absolute_name(const char *name, const char *cwd, char *out, size_t len)
{
	if (name[0] == '/' || name[0] == '@')
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "%s/%s", cwd, strncmp(name, "./", 2) == 0 ? name + 2 : name);
}

/* a unix socket bound at A (and listening, for a stream) in /proc/net/unix */
static bool unix_ready(const struct addr *a, const char *cwd)
{
	FILE *f = fopen("/proc/net/unix", "re");
	if (!f)
		return false;
	char line[4096 + 128], want[4200], have[4200];
	absolute_name(a->name, cwd, want, sizeof(want));
	bool found = false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned flags, type, st;
		int pos = 0;
		if (sscanf(line, "%*s %*x %*x %x %x %x %*u %n", &flags, &type, &st, &pos) != 3 || pos == 0)
			continue;
		char *path = line + pos;
		path[strcspn(path, "\n")] = 0;
		if (!*path)
			continue;
		absolute_name(path, cwd, have, sizeof(have));
		if (strcmp(have, want) != 0)
			continue;
		/* __SO_ACCEPTCON: a stream or seqpacket socket that listens */
		found = type == SOCK_DGRAM || (flags & 0x10000u);
	}
	fclose(f);
	return found;
}

/*
 * A socket of /proc/net/FILE (tcp, udp, tcp6, udp6) bound to PORT on an
 * address that 127.0.0.1 reaches (127.0.0.1 or any), listening for TCP.
 */
static bool inet_ready(const char *file, unsigned port, bool tcp, bool v6)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/net/%s", file);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	bool found = false;
	char loop4[9];
	snprintf(loop4, sizeof(loop4), "%08X", (unsigned)htonl(INADDR_LOOPBACK));
	while (!found && fgets(line, sizeof(line), f)) {
		char addr[64];
		unsigned p, st;
		if (sscanf(line, " %*d: %40[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", addr, &p, &st) != 3)
			continue;
		if (p != port || (tcp && st != 0x0A))
			continue;
		if (!v6)
			found = strcmp(addr, loop4) == 0 || strcmp(addr, "00000000") == 0;
		else
			found = strcmp(addr, "00000000000000000000000000000000") == 0 ||
				(strncmp(addr, "0000000000000000FFFF0000", 24) == 0 && strcmp(addr + 24, loop4) == 0);
	}
	fclose(f);
	return found;
}

/* whether the address --ready waits for is there, in this network namespace */
static bool ready_seen(const struct addr *a, const char *cwd)
{
	switch (a->kind) {
	case ADDR_UNIX:
		return unix_ready(a, cwd);
	case ADDR_TCP:
		return inet_ready("tcp", a->port, true, false) || inet_ready("tcp6", a->port, true, true);
	default:
		return inet_ready("udp", a->port, false, false) || inet_ready("udp6", a->port, false, true);
	}
}

/* ------------------------------------------------------------ the programs */

/* keep only what a program needs of the environment: no caller's secrets */
static char **clean_environment(void)
{
	static const char *const keep[] = { "PATH=", "HOME=", "LANG=", "LANGUAGE=", "TZ=", "TERM=", "LC_" };
	static char *env[64];
	int n = 0;
	for (char **e = environ; *e && n < 62; e++)
		for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++)
			if (strncmp(*e, keep[k], strlen(keep[k])) == 0) {
				env[n++] = *e;
				break;
			}
	env[n++] = (char *)"TMPDIR=/tmp";
	env[n] = NULL;
	return env;
}

/* one limit, never above the hard limit already there */
static bool limit(int resource, rlim_t soft, rlim_t hard)
{
	struct rlimit old, l = { soft, hard };
	if (getrlimit(resource, &old) == 0 && old.rlim_max != RLIM_INFINITY) {
		if (l.rlim_max > old.rlim_max)
			l.rlim_max = old.rlim_max;
		if (l.rlim_cur > l.rlim_max)
			l.rlim_cur = l.rlim_max;
	}
	return setrlimit(resource, &l) == 0;
}

/* the sandbox's limits, set in the program's process just before its exec */
static bool set_limits(const struct run *r)
{
	rlim_t cpu = (rlim_t)r->o->timeout + 1;
	rlim_t as = r->o->memory ? (rlim_t)r->o->memory << 20 : RLIM_INFINITY;
	return limit(RLIMIT_NPROC, (rlim_t)r->nproc, (rlim_t)r->nproc) &&
	       limit(RLIMIT_AS, as, as) &&
	       limit(RLIMIT_CPU, cpu, cpu + 1) &&
	       limit(RLIMIT_FSIZE, (rlim_t)LIMIT_FSIZE_MIB << 20, (rlim_t)LIMIT_FSIZE_MIB << 20) &&
	       limit(RLIMIT_NOFILE, LIMIT_NOFILE, LIMIT_NOFILE);
}

/*
 * Start ARGV with IN, OUT and ERR as its standard streams.  Between the
 * fork and the exec the child is ours: default signal dispositions, no fd
 * but the three, no core files, and in the sandbox the limits, no new
 * privileges and a clean environment.  A failure before or at the exec
 * comes back through a close-on-exec pipe.  Returns the pid.
 */
static pid_t start_program(const struct run *r, char **argv, int in, int out, int err)
{
	int px[2];
	if (pipe2(px, O_CLOEXEC) != 0)
		run_failed(r, "pipe2", errno);
	pid_t pid = fork();
	if (pid < 0)
		run_failed(r, "fork", errno);
	if (pid == 0) {
		int fail[2] = { 0, 0 }; /* stage (0 setup, 1 limits, 2 no new privileges, 3 exec), errno */
		int wfd = px[1];
		sigset_t none;
		sigemptyset(&none);
		for (int sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setsid();
		if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 ||
		    (px[1] != 3 && dup3(px[1], 3, O_CLOEXEC) < 0))
			goto failed;
		wfd = 3;
		close_from(4);
		struct rlimit nocore = { 0, 0 };
		setrlimit(RLIMIT_CORE, &nocore);
		char **envp = environ;
		if (r->ns) {
			fail[0] = 1;
			if (!set_limits(r))
				goto failed;
			fail[0] = 2;
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
				goto failed;
			envp = clean_environment();
		}
		fail[0] = 3;
		execvpe(argv[0], argv, envp);
failed:
		fail[1] = errno;
		(void)!write(wfd, fail, sizeof(fail));
		_exit(127);
	}
	close(px[1]);
	int fail[2];
	ssize_t n;
	while ((n = read(px[0], fail, sizeof(fail))) < 0 && errno == EINTR)
		;
	close(px[0]);
	if (n == (ssize_t)sizeof(fail)) {
		waitpid(pid, NULL, 0);
		signal_all(r, SIGKILL);
		while (waitpid(-1, NULL, __WALL) > 0)
			;
		errno = fail[1];
		if (fail[0] == 1)
			setup_failed(r, "the limits cannot be set", "setrlimit");
		if (fail[0] == 2)
			setup_failed(r, "no new privileges cannot be asked for", "PR_SET_NO_NEW_PRIVS");
		run_failed(r, argv[0], fail[1]);
	}
	return pid;
}

/* ------------------------------------------------------------ the init */

/* a socket file whose socket is gone: bind, then close without unlink */
static void stale_socket(const struct run *r, const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		run_failed(r, "socket", errno);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) != 0)
		run_failed(r, path, errno);
	close(s);
	record(r, "stale\t%s\n", path);
}


/* the stop sequence: which signal went last, when the next is due, and why */
struct stop {
	int step;               /* 0 none yet, 1 SIGINT, 2 SIGTERM, 3 SIGKILL sent */
	double next;
	const char *why;
};

/* send SIG to everyone as the STEP of the stop, and say so when anyone got it */
static void stop_send(const struct run *r, struct stop *s, int step, int sig)
{
	int n = signal_all(r, sig);
	if (n)
		record(r, "stop\t%s\t%.3f\t%d\t%s\n", signal_name(sig), now() - r->t0, n, s->why);
	s->step = step;
	s->next = now() + (step == 3 ? KILL_WAIT : r->o->grace);
}

/* the stop begins: SIGINT, or SIGKILL alone without grace */
static void stop_begin(const struct run *r, struct stop *s, const char *why)
{
	s->why = why;
	if (r->o->grace <= 0)
		stop_send(r, s, 3, SIGKILL);
	else
		stop_send(r, s, 1, SIGINT);
}

/* its next step once GRACE has passed */
static void stop_advance(const struct run *r, struct stop *s)
{
	if (s->step == 1)
		stop_send(r, s, 2, SIGTERM);
	else if (s->step == 2)
		stop_send(r, s, 3, SIGKILL);
}

/* the files the program left in its private /tmp (the bound-back DIR excepted) */
static void report_left(const struct run *r)
{
	char top[PATH_MAX] = "";
	if (strncmp(r->wd, "/tmp/", 5) == 0) {
		snprintf(top, sizeof(top), "%s", r->wd + 5);
		top[strcspn(top, "/")] = 0;
	}
	DIR *d = opendir("/tmp");
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, top))
			record(r, "left\t/tmp/%s\n", e->d_name);
	if (d)
		closedir(d);
}

/*
 * The init: PID 1 of the sandbox's PID namespace (else a child subreaper).
 * It starts the server and, once its address is ready, the client (or the
 * one program), reaps every process and reports how each ended, and runs the
 * stop at the deadline or when the client has ended.  It waits on a
 * signalfd for SIGCHLD and on poll's timeout for the next deadline; only
 * while waiting for --ready does it look again every millisecond at most.
 */
static _Noreturn void init_main(struct run *r)
{
	const struct options *o = r->o;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!r->ns && getppid() != r->super_pid)
		_exit(1);
	setsid();
	if (!r->ns && prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		run_failed(r, "PR_SET_CHILD_SUBREAPER", errno);
	if (r->ns && mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
		setup_failed(r, "a fresh /proc for the PID namespace cannot be mounted", "mount proc");
	if (!r->ns) {
		if (fchdir(r->dirfd) != 0)
			run_failed(r, "fchdir", errno);
		close(r->dirfd);
		if (o->stale)
			stale_socket(r, o->stale);
	}
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0)
		run_failed(r, "signalfd", errno);
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "%s", r->wd);

	pid_t server = -1, client = -1;
	bool waiting = false;   /* for the server's address */
	if (o->server) {
		server = start_program(r, o->server, r->null_fd, r->wr[S_SOUT], r->wr[S_SERR]);
		waiting = true;
	} else {
		client = start_program(r, o->client, r->in_fd, r->wr[S_OUT], r->wr[S_ERR]);
	}
	int looks = 0;
	struct stop stop = { 0, 0, NULL };
	bool deadline_passed = false;
	double linger = 0;      /* the client ended: the others may end by then */
	for (;;) {
		bool children = true;
		int status;
		pid_t pid;
		while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) != 0) {
			if (pid < 0) {
				if (errno == EINTR)
					continue;
				children = false;
				break;
			}
			char what[96];
			describe_status(status, what, sizeof(what));
			const char *role = pid == client ? "main" : pid == server ? "server" : "orphan";
			int running = pid == client ? each_process(r, 0) : 0;
			record(r, "exit\t%d\t%s\t%s\t%s\t%.3f\n", (int)pid, role, what,
			       pid != client ? "-" : running ? "others-running" : "none-running", now() - r->t0);
			if (pid == client && running)
				record(r, "outlived\t%d\n", running);
			if (pid == client && o->server && running && stop.step == 0)
				linger = now() + (o->grace > 0 ? o->grace : 0);
		}
		if (waiting && ready_seen(&o->ready, cwd)) {
			waiting = false;
			record(r, "ready\t%s\t%.3f\n", o->ready.text, now() - r->t0);
			client = start_program(r, o->client, r->in_fd, r->wr[S_OUT], r->wr[S_ERR]);
			children = true;
		} else if (waiting && !children) {
			waiting = false;
			record(r, "ready\t%s\tnever\tthe server ended, and no process of it was left to bind it\n",
			       o->ready.text);
		}
		if (!waiting)
			for (int k = 0; k < NSTREAMS; k++)
				if (r->wr[k] >= 0) {
					close(r->wr[k]);
					r->wr[k] = -1;
				}
		if (!children)
			break;
		double t = now();
		if (!deadline_passed && t >= r->deadline) {
			deadline_passed = true;
			int n = each_process(r, 0);
			if (n)
				record(r, "timeout\t%g\t%d\n", o->timeout, n);
			if (waiting) {
				waiting = false;
				record(r, "ready\t%s\tnever\tthe deadline passed\n", o->ready.text);
			}
			if (stop.step == 0)
				stop_begin(r, &stop, "deadline");
			else if (stop.step < 3) {
				stop.why = "deadline";
				stop_send(r, &stop, 3, SIGKILL);
			}
			continue;
		}
		if (linger && stop.step == 0 && t >= linger) {
			stop_begin(r, &stop, "client-ended");
			continue;
		}
		if (stop.step && stop.step < 3 && t >= stop.next) {
			stop_advance(r, &stop);
			continue;
		}
		if (stop.step == 3 && t >= stop.next) {
			record(r, "unreaped\t%d\n", each_process(r, SIGKILL));
			break;
		}
		double until = deadline_passed ? 1e18 : r->deadline;
		if (stop.step && stop.next < until)
			until = stop.next;
		if (linger && stop.step == 0 && linger < until)
			until = linger;
		int ms = ms_until(until);
		if (waiting) {
			/* a wait for a state: yield at first, then look every millisecond */
			if (looks++ < 3) {
				sched_yield();
				ms = 0;
			} else if (ms < 0 || ms > 1) {
				ms = 1;
			}
		}
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
			run_failed(r, "poll", errno);
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			;
	}
	if (r->ns)
		report_left(r);
	record(r, "done\n");
	close(sfd);
	close(r->rec);
	close(r->in_fd);
	close(r->null_fd);
	_exit(0);
}

/* ------------------------------------------------------------ the keeper */

/* a flag of the MS_ family for a per-mount option of mountinfo, or 0 */
static unsigned long mount_flag(const char *opt)
{
	static const struct { const char *name; unsigned long flag; } flags[] = {
		{ "nosuid", MS_NOSUID }, { "nodev", MS_NODEV }, { "noexec", MS_NOEXEC },
		{ "noatime", MS_NOATIME }, { "nodiratime", MS_NODIRATIME }, { "relatime", MS_RELATIME },
	};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strcmp(opt, flags[i].name) == 0)
			return flags[i].flag;
	return 0;
}

/* mountinfo's octal escapes (\040 for a space...) undone in place */
static void unescape(char *s)
{
	char *w = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*w++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*w++ = *p;
		}
	}
	*w = 0;
}

/*
 * Before Linux 5.12 (no mount_setattr): remount each mount of this
 * namespace read-only, one by one, keeping the flags it has (the ones the
 * namespace inherited locked must be given again, or the remount fails).  A
 * mount this uid cannot reach by its path it cannot write either.
 */
static void remount_each_read_only(const struct run *r)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		setup_failed(r, "the host's files cannot be made read-only", "/proc/self/mountinfo");
	char line[8192], mp[4096], opts[1024];
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*d %*d %*s %*s %4095s %1023s", mp, opts) != 2)
			continue;
		unescape(mp);
		unsigned long fl = MS_REMOUNT | MS_BIND | MS_RDONLY;
		for (char *save, *opt = strtok_r(opts, ",", &save); opt; opt = strtok_r(NULL, ",", &save))
			fl |= mount_flag(opt);
		if (mount(NULL, mp, NULL, fl, NULL) != 0 && errno != EACCES && errno != ENOENT &&
		    errno != ENOTDIR) {
			char what[4200];
			snprintf(what, sizeof(what), "the host's files cannot be made read-only: %s", mp);
			fclose(f);
			setup_failed(r, what, "mount MS_REMOUNT|MS_RDONLY");
		}
	}
	fclose(f);
}

/* every mount of the namespace read-only: mount_setattr, else one by one */
static void read_only_everywhere(const struct run *r)
{
	struct kin_mount_attr attr = { .attr_set = KIN_MOUNT_ATTR_RDONLY };
	if (kin_syscall(KIN_NR_MOUNT_SETATTR, AT_FDCWD, (long)"/", KIN_AT_RECURSIVE, (long)&attr,
			sizeof(attr)) == 0)
		return;
	if (errno != ENOSYS)
		setup_failed(r, "the host's files cannot be made read-only", "mount_setattr");
	remount_each_read_only(r);
}

/*
 * The directories that get a private tmpfs: /tmp and /dev/shm, and /run (and
 * /var/run where it is not a link to it), which hides the sockets of the
 * host's services (D-Bus, journald, /dev/log...): connecting to a socket
 * needs write permission on it, not a writable mount.
 */
static const char *const private_mounts[] = { "/tmp", "/dev/shm", "/run", "/var/run" };
#define NPRIVATE (sizeof(private_mounts) / sizeof(private_mounts[0]))

/* the private mount that hides PATH, or NULL */
static const char *hidden_under(const char *path)
{
	for (size_t i = 0; i < NPRIVATE; i++) {
		size_t n = strlen(private_mounts[i]);
		if (strncmp(path, private_mounts[i], n) == 0 && (path[n] == '/' || path[n] == 0))
			return private_mounts[i];
	}
	return NULL;
}

/* the directories of PATH below the private mount UNDER, made on its tmpfs */
static void make_path(const struct run *r, const char *path, const char *under)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + strlen(under) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			setup_failed(r, "DIR cannot be bound back into its private mount", "mkdir");
		*s = '/';
	}
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		setup_failed(r, "DIR cannot be bound back into its private mount", "mkdir");
}

/* the MS_ flags that statvfs shows on a mount, for a remount that keeps them */
static unsigned long flags_of(const char *path)
{
	static const struct { unsigned long st, ms; } kept[] = {
		{ ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV }, { ST_NOEXEC, MS_NOEXEC },
		{ ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME },
		{ ST_RELATIME, MS_RELATIME },
	};
	struct statvfs sv;
	unsigned long fl = 0;
	if (statvfs(path, &sv) != 0)
		return 0;
	for (size_t i = 0; i < sizeof(kept) / sizeof(*kept); i++)
		if (sv.f_flag & kept[i].st)
			fl |= kept[i].ms;
	return fl;
}

/*
 * The mounts: the host's files read-only (every mount), a private tmpfs on
 * /tmp, /dev/shm and /run, and DIR writable.  DIR is cloned (open_tree, Linux
 * 5.2) before the read-only pass, which leaves the detached clone alone, and
 * put back on DIR, or at DIR's own path inside the private /tmp when it lies
 * there (the work directories do); the clone's fd becomes the working
 * directory, so that no directory above DIR needs to be searchable.  Before
 * 5.2, a bind mount by path, made writable again.
 */
static void make_mounts(const struct run *r)
{
	const char *what = "DIR cannot be made writable";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		setup_failed(r, "the mount namespace cannot be made private", "mount MS_PRIVATE");
	/* the working directory moved into the new namespace with us */
	int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (here < 0)
		setup_failed(r, what, "open");
	int tree = (int)kin_syscall(KIN_NR_OPEN_TREE, AT_FDCWD, (long)".", KIN_OPEN_TREE_CLONE | O_CLOEXEC, 0, 0);
	if (tree < 0 && errno != ENOSYS)
		setup_failed(r, what, "open_tree");
	read_only_everywhere(r);
	for (size_t i = 0; i < NPRIVATE; i++) {
		struct stat st;
		/* /tmp and /dev/shm are a must; /run and /var/run where they are directories */
		if (i >= 2 && (lstat(private_mounts[i], &st) != 0 || !S_ISDIR(st.st_mode)))
			continue;
		if (mount("tmpfs", private_mounts[i], "tmpfs", MS_NOSUID | MS_NODEV, TMPFS_OPTS) != 0) {
			char w[64];
			snprintf(w, sizeof(w), "a private %s cannot be mounted", private_mounts[i]);
			setup_failed(r, w, "mount tmpfs");
		}
	}
	const char *under = hidden_under(r->wd);
	if (under && strcmp(r->wd, under) != 0)
		make_path(r, r->wd, under);
	if (tree >= 0) {
		long to = under ? AT_FDCWD : here;
		const char *to_path = under ? r->wd : "";
		unsigned fl = KIN_MOVE_MOUNT_F_EMPTY_PATH | (under ? 0 : KIN_MOVE_MOUNT_T_EMPTY_PATH);
		if (kin_syscall(KIN_NR_MOVE_MOUNT, tree, (long)"", to, (long)to_path, fl) != 0)
			setup_failed(r, what, "move_mount");
		if (fchdir(tree) != 0)
			setup_failed(r, what, "fchdir");
		close(tree);
	} else {
		char src[64];
		snprintf(src, sizeof(src), "/proc/self/fd/%d", here);
		if (mount(src, r->wd, NULL, MS_BIND, NULL) != 0)
			setup_failed(r, what, "mount MS_BIND");
		if (mount(NULL, r->wd, NULL, MS_REMOUNT | MS_BIND | flags_of(r->wd), NULL) != 0)
			setup_failed(r, what, "mount MS_REMOUNT");
		if (chdir(r->wd) != 0)
			setup_failed(r, what, "chdir");
	}
	close(here);
}

/* the network namespace's own loopback interface, up */
static void loopback_up(const struct run *r)
{
	const char *what = "the loopback interface cannot be brought up";
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		setup_failed(r, what, "socket");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		setup_failed(r, what, "SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
		setup_failed(r, what, "SIOCSIFFLAGS");
	close(s);
}

/* Linux before 5.14 counts RLIMIT_NPROC per host uid, not per namespace */
static bool nproc_counts_host_uid(void)
{
	struct utsname u;
	int major = 0, minor = 0;
	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major < 5 || (major == 5 && minor < 14);
}

/* the tasks (threads) that UID has now, as RLIMIT_NPROC counts them */
static long tasks_of(uid_t uid)
{
	long n = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[300], line[256];
		if (atoi(e->d_name) <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		unsigned u = ~0u;
		long threads = 1;
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "Uid: %u", &u);
			sscanf(line, "Threads: %ld", &threads);
		}
		fclose(f);
		if (u == uid)
			n += threads;
	}
	if (d)
		closedir(d);
	return n;
}

/* the whole confinement, in one line, for the summary and the report */
static void describe_sandbox(const struct run *r)
{
	char as[64];
	if (r->o->memory)
		snprintf(as, sizeof(as), "%ld MiB address space", r->o->memory);
	else
		snprintf(as, sizeof(as), "address space unlimited");
	record(r, "sandbox\tconfined\tuser namespace (uid %d, host uid %u), mount namespace (the host's files "
	       "read-only; writable: %s, a private /tmp, /dev/shm and /run), PID namespace, network namespace "
	       "(loopback only, up), IPC namespace, UTS namespace, limits: %d processes, %s, %ld s CPU, "
	       "%d MiB file size, %d open files, no core files; no new privileges; environment: PATH, HOME, "
	       "LANG, LC_*, TZ, TERM, TMPDIR=/tmp\n",
	       INSIDE_ID, (unsigned)r->host_uid, r->wd, LIMIT_NPROC, as, (long)r->o->timeout + 1,
	       LIMIT_FSIZE_MIB, LIMIT_NOFILE);
}

/*
 * The keeper: it makes the sandbox and holds it.  As root it first becomes
 * the sandbox's own host uid (no capability left in the host's namespace);
 * then, as that user, it makes a user namespace where the program's uid
 * (65534) is that host uid, and in it the mount, network, IPC, UTS and PID
 * namespaces, their mounts and the loopback; then forks the init (PID 1) and
 * waits for it.  It is not dumpable, so that the program, the same host uid,
 * cannot ptrace it or the init (which hold the namespaces' capabilities).
 */
static _Noreturn void keeper_main(struct run *r)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != r->super_pid)
		_exit(1);
	setsid();
	if (fchdir(r->dirfd) != 0)
		setup_failed(r, "DIR cannot be entered", "fchdir");
	close(r->dirfd);
	char what[256];
	if (r->switch_uid) {
		snprintf(what, sizeof(what), "root cannot become the sandbox's own uid %u", (unsigned)r->host_uid);
		if (setgroups(0, NULL) != 0)
			setup_failed(r, what, "setgroups");
		if (setresgid(r->host_gid, r->host_gid, r->host_gid) != 0)
			setup_failed(r, what, "setresgid");
		if (setresuid(r->host_uid, r->host_uid, r->host_uid) != 0)
			setup_failed(r, what, "setresuid");
		/* a uid change makes us undumpable: /proc/self/uid_map would be root's */
		prctl(PR_SET_DUMPABLE, 1);
	}
	r->nproc = LIMIT_NPROC;
	if (!r->switch_uid && nproc_counts_host_uid())
		r->nproc += tasks_of(getuid());
	if (unshare(CLONE_NEWUSER) != 0) {
		const char *why = errno == EINVAL || errno == ENOSYS ? "user namespaces are not available"
			: errno == ENOSPC || errno == EUSERS ? "no more user namespaces may be made"
			: "user namespaces are not allowed";
		setup_failed(r, why, "unshare");
	}
	char map[64];
	if (!write_file("/proc/self/setgroups", "deny") && errno != ENOENT)
		setup_failed(r, "the user namespace's groups cannot be set", "/proc/self/setgroups");
	snprintf(map, sizeof(map), "%d %u 1", INSIDE_ID, (unsigned)r->host_uid);
	if (!write_file("/proc/self/uid_map", map))
		setup_failed(r, "the sandbox's uid cannot be mapped", "/proc/self/uid_map");
	snprintf(map, sizeof(map), "%d %u 1", INSIDE_ID, (unsigned)r->host_gid);
	if (!write_file("/proc/self/gid_map", map))
		setup_failed(r, "the sandbox's gid cannot be mapped", "/proc/self/gid_map");
	static const struct { int flag; const char *what; } spaces[] = {
		{ CLONE_NEWNS, "a mount namespace cannot be made" },
		{ CLONE_NEWNET, "a network namespace cannot be made" },
		{ CLONE_NEWIPC, "an IPC namespace cannot be made" },
		{ CLONE_NEWUTS, "a UTS namespace cannot be made" },
		{ CLONE_NEWPID, "a PID namespace cannot be made" },
	};
	for (size_t i = 0; i < sizeof(spaces) / sizeof(spaces[0]); i++)
		if (unshare(spaces[i].flag) != 0)
			setup_failed(r, spaces[i].what, "unshare");
	make_mounts(r);
	loopback_up(r);
	describe_sandbox(r);
	if (r->o->stale)
		stale_socket(r, r->o->stale);
	prctl(PR_SET_DUMPABLE, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != r->super_pid)
		_exit(1);
	pid_t init = fork();
	if (init < 0)
		run_failed(r, "fork", errno);
	if (init == 0)
		init_main(r);
	for (int k = 0; k < NSTREAMS; k++)
		if (r->wr[k] >= 0)
			close(r->wr[k]);
	close(r->in_fd);
	close(r->null_fd);
	close(r->rec);
	int status;
	while (waitpid(init, &status, 0) < 0)
		if (errno != EINTR)
			_exit(1);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

/* ------------------------------------------------------------ the supervisor */

/* one output pipe: what came, and the first KEEP_MAX bytes of it */
struct stream {
	int fd;                 /* read end, -1 once at end of file */
	long long bytes;
	char *kept;
	size_t nkept;
};

/* an output file: opened (so checked) before the run, written after it */
struct output {
	const char *path;
	int fd;
	struct stat st;
};

/* read what the pipe has now; at end of file close it */
static void drain(struct stream *s)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(s->fd, buf, sizeof(buf));
		if (n > 0) {
			s->bytes += n;
			if (s->kept && s->nkept < KEEP_MAX) {
				size_t k = (size_t)n < KEEP_MAX - s->nkept ? (size_t)n : KEEP_MAX - s->nkept;
				memcpy(s->kept + s->nkept, buf, k);
				s->nkept += k;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || errno != EAGAIN) {
			close(s->fd);
			s->fd = -1;
		}
		return;
	}
}

/* whether PATH's directory is DIR (WD) or lies under it, as it resolves now */
static bool in_dir(const char *path, const char *wd)
{
	char parent[PATH_MAX], real[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", path);
	char *slash = strrchr(parent, '/');
	if (!slash)
		snprintf(parent, sizeof(parent), ".");
	else if (slash == parent)
		parent[1] = 0;
	else
		*slash = 0;
	size_t n = strlen(wd);
	if (n == 0)
		return false;
	return realpath(parent, real) && strncmp(real, wd, n) == 0 && (real[n] == 0 || real[n] == '/');
}

/* open an output file for writing now (a usage error if we cannot) */
static void open_output(struct output *f, const char *path)
{
	f->path = path;
	f->fd = -1;
	if (!path)
		return;
	f->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (f->fd < 0 || fstat(f->fd, &f->st) != 0)
		usage_error("cannot write", path);
}

/*
 * Write DATA into the output file, after the run.  The file may lie in DIR,
 * where the program could replace it (by a symlink to a file of root's, say):
 * if its path, in DIR (WD; "" for none), no longer names the file opened
 * before the run, whatever is there now is removed and the file made anew;
 * if it does, it is rewritten from its start, so that nothing the program
 * wrote into it stays.  Elsewhere the file opened before is written.
 */
static bool write_output(struct output *f, const char *wd, const char *data, size_t len)
{
	if (f->fd < 0)
		return true;
	struct stat now_st;
	bool same = stat(f->path, &now_st) == 0 && now_st.st_dev == f->st.st_dev && now_st.st_ino == f->st.st_ino;
	int fd = f->fd;
	if (!same && in_dir(f->path, wd)) {
		close(fd);
		if (unlink(f->path) != 0 && errno != ENOENT && rmdir(f->path) != 0)
			return false;
		fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd < 0)
			return false;
	} else if (S_ISREG(f->st.st_mode)) {
		if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
			return false;
	}
	bool ok = write_all(fd, data, len);
	close(fd);
	f->fd = -1;
	return ok;
}

/* whether we are in the first user namespace (a root there can setuid at will) */
static bool in_init_userns(void)
{
	char map[128] = "";
	int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	ssize_t n = read(fd, map, sizeof(map) - 1);
	close(fd);
	unsigned a, b, c;
	return n > 0 && sscanf(map, "%u %u %u", &a, &b, &c) == 3 && a == 0 && b == 0 && c == 4294967295u;
}

/*
 * The host uid the sandbox gets when root runs it: 0x70000000 plus the
 * supervisor's pid.  That range (0x70000000-0x7ffdffff) is the one systemd's
 * UID table leaves unused: no name, no package, no container range (those
 * are 0x80000-0x6fffffff) and not the 65534 of nobody, whose daemons would
 * count against the same RLIMIT_NPROC before Linux 5.14.  The pid makes it
 * one no other live run shares (a pid is below 2^22); the files it leaves are
 * handed back to the caller after the run, and its processes all die with it.
 */
static uid_t sandbox_host_uid(void)
{
	return SANDBOX_UID_BASE + (uid_t)getpid();
}

/*
 * What the sandbox's uid left under the directory DFD (its own uid and gid)
 * given back to the caller, without following a symlink or leaving DIR's
 * filesystem.  Root's chown also clears any set-user-ID bit on the way.
 */
static void give_back(int dfd, dev_t dev, uid_t from, uid_t to_uid, gid_t to_gid, int depth)
{
	int fd = dup(dfd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || st.st_dev != dev)
			continue;
		if (st.st_uid == from || st.st_gid == (gid_t)from)
			(void)!fchownat(dfd, e->d_name, st.st_uid == from ? to_uid : (uid_t)-1,
					st.st_gid == (gid_t)from ? to_gid : (gid_t)-1, AT_SYMLINK_NOFOLLOW);
		if (S_ISDIR(st.st_mode) && depth < 128) {
			int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				give_back(sub, dev, from, to_uid, to_gid, depth + 1);
				close(sub);
			}
		}
	}
	closedir(d);
}

/* --help */
static void usage(void)
{
	printf("Usage: %s [OPTION]... -- PROGRAM [ARG]...\n"
	       "       %s [OPTION]... --ready ADDR -- SERVER [ARG]... --then CLIENT [ARG]...\n"
	       "Run a document's program confined: an unprivileged uid in its own user, mount,\n"
	       "PID, network, IPC and UTS namespaces, the host's files read-only but DIR, a\n"
	       "private /tmp, /dev/shm and /run, only its own loopback, limits on processes,\n"
	       "memory,"
	       " CPU time, file size and open files; every process reaped, none left behind.\n"
	       "  --timeout SEC        deadline of the whole run (default 10)\n"
	       "  --grace SEC          the stop: SIGINT to every process, SIGTERM SEC later,\n"
	       "                       SIGKILL SEC after that (default 1; 0: SIGKILL alone)\n"
	       "  --dir DIR            the program's working directory, the one place of the\n"
	       "                       host it may write (default .)\n"
	       "  --out FILE --err FILE                the (last) program's stdout and stderr\n"
	       "  --server-out FILE --server-err FILE  the server's, with --then\n"
	       "  --stdin FILE         the (last) program's standard input (default: empty)\n"
	       "  --summary FILE       the facts of the run, one per line, tab-separated\n"
	       "  --ready ADDR         with --then: start CLIENT once ADDR is bound (and\n"
	       "                       listening): unix:PATH, unix:@NAME, tcp:PORT, udp:PORT;\n"
	       "                       when CLIENT ends the server has --grace SEC to end\n"
	       "                       on its own before the stop\n"
	       "  --memory MIB         address-space limit (default 512; 0: none, for ASan)\n"
	       "  --stale-socket PATH  leave a socket file whose socket is gone at PATH first\n"
	       "  --no-sandbox         run unconfined, as the caller (the summary says so)\n"
	       "  --private-tmp        accepted and ignored: the sandbox's /tmp is always private\n"
	       "Exit status: 0 the program ran, 1 the runner failed, 2 usage, 3 no sandbox here.\n",
	       prog, prog);
}

/* SEC of --timeout or --grace: a number of seconds (ZERO_OK: 0 allowed) */
static double parse_seconds(const char *opt, const char *v, bool zero_ok)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (end == v || *end || errno || !(d >= 0) || (!zero_ok && d == 0) || d > 1e6) {
		char msg[64];
		snprintf(msg, sizeof(msg), "bad %s (seconds):", opt);
		usage_error(msg, v);
	}
	return d;
}

/* ADDR of --ready */
static void parse_addr(const char *text, struct addr *a)
{
	a->text = text;
	const char *bad = "bad --ready address (unix:PATH, unix:@NAME, tcp:PORT or udp:PORT):";
	if (strncmp(text, "unix:", 5) == 0) {
		a->kind = ADDR_UNIX;
		if (!text[5] || strlen(text + 5) >= sizeof(a->name) || !strcmp(text + 5, "@"))
			usage_error(bad, text);
		snprintf(a->name, sizeof(a->name), "%s", text + 5);
		return;
	}
	if (strncmp(text, "tcp:", 4) == 0 || strncmp(text, "udp:", 4) == 0) {
		a->kind = text[0] == 't' ? ADDR_TCP : ADDR_UDP;
		char *end;
		long port = strtol(text + 4, &end, 10);
		if (end == text + 4 || *end || port < 1 || port > 65535)
			usage_error(bad, text);
		a->port = (unsigned)port;
		return;
	}
	usage_error(bad, text);
}

/* the command line into O; usage errors end here with status 2 */
static void parse_options(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout = 10;
	o->grace = 1;
	o->memory = 512;
	o->sandbox = true;
	int i;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "--help") == 0) {
			usage();
			exit(0);
		}
		if (strcmp(a, "--private-tmp") == 0)
			continue;
		if (strcmp(a, "--no-sandbox") == 0) {
			o->sandbox = false;
			continue;
		}
		static const char *const valued[] = {
			"--timeout", "--grace", "--dir", "--out", "--err", "--server-out", "--server-err",
			"--stdin", "--summary", "--ready", "--stale-socket", "--memory",
		};
		size_t k;
		for (k = 0; k < sizeof(valued) / sizeof(valued[0]); k++)
			if (strcmp(a, valued[k]) == 0)
				break;
		if (k == sizeof(valued) / sizeof(valued[0]))
			usage_error("unknown option", a);
		if (i + 1 >= argc)
			usage_error("missing argument after", a);
		const char *v = argv[++i];
		if (strcmp(a, "--timeout") == 0)
			o->timeout = parse_seconds(a, v, false);
		else if (strcmp(a, "--grace") == 0)
			o->grace = parse_seconds(a, v, true);
		else if (strcmp(a, "--memory") == 0) {
			char *end;
			o->memory = strtol(v, &end, 10);
			if (end == v || *end || o->memory < 0 || o->memory > (1L << 30))
				usage_error("bad --memory (MiB, 0 for no limit):", v);
		} else if (strcmp(a, "--dir") == 0)
			o->dir = v;
		else if (strcmp(a, "--out") == 0)
			o->path[S_OUT] = v;
		else if (strcmp(a, "--err") == 0)
			o->path[S_ERR] = v;
		else if (strcmp(a, "--server-out") == 0)
			o->path[S_SOUT] = v;
		else if (strcmp(a, "--server-err") == 0)
			o->path[S_SERR] = v;
		else if (strcmp(a, "--stdin") == 0)
			o->stdin_path = v;
		else if (strcmp(a, "--summary") == 0)
			o->summary = v;
		else if (strcmp(a, "--stale-socket") == 0) {
			o->stale = v;
			if (!*v || strlen(v) >= sizeof(((struct sockaddr_un *)0)->sun_path))
				usage_error("bad --stale-socket path (empty or too long):", v);
		} else {
			o->has_ready = true;
			parse_addr(v, &o->ready);
		}
	}
	if (i >= argc)
		usage_error("no program to run", NULL);
	o->client = argv + i;
	if (o->has_ready) {
		int j;
		for (j = i; j < argc && strcmp(argv[j], "--then") != 0; j++)
			;
		if (j == argc)
			usage_error("--ready needs -- SERVER [ARG]... --then CLIENT [ARG]...", NULL);
		if (j == i || j + 1 >= argc)
			usage_error("--then needs a SERVER before it and a CLIENT after it", NULL);
		argv[j] = NULL;
		o->server = argv + i;
		o->client = argv + j + 1;
	} else if (o->path[S_SOUT] || o->path[S_SERR]) {
		usage_error("--server-out and --server-err need --ready ... --then", NULL);
	}
	if (!o->sandbox && o->stale && strncmp(o->stale, "/tmp/", 5) == 0)
		usage_error("--stale-socket under /tmp needs the sandbox's private /tmp:", o->stale);
}

/* the state of the supervisor while the run goes on */
struct super {
	struct stream s[NSTREAMS];
	struct output out[NSTREAMS], sumf;
	int rec;                /* read end of the record pipe, -1 at end of file */
	char line[PIPE_BUF + 1];
	size_t nline;
	FILE *sum;              /* the summary, in memory until the end */
	char *sumbuf;
	size_t sumlen;
	char *left;             /* the "left" lines, which come after the byte counts */
	size_t leftlen;
	FILE *leftf;
	long long out_at_main_exit;
	char fail[PIPE_BUF], error[PIPE_BUF];
	bool done;              /* the init said it was done */
	char wd[PATH_MAX];
	struct stat dir_st;     /* DIR's owner and mode before the run */
	sigset_t sigs;
	int sfd;
	pid_t child;            /* the keeper (or, unconfined, the init) */
	bool reaped;
	int child_status;
	int interrupted;        /* the signal that stopped us, or 0 */
};

/* one record of the init or the keeper: a summary line, or news for us */
static void take_record(struct super *s, char *line)
{
	if (strncmp(line, "fail\t", 5) == 0) {
		snprintf(s->fail, sizeof(s->fail), "%s", line + 5);
		return;
	}
	if (strncmp(line, "error\t", 6) == 0) {
		snprintf(s->error, sizeof(s->error), "%s", line + 6);
		return;
	}
	if (strcmp(line, "done") == 0) {
		s->done = true;
		return;
	}
	if (strncmp(line, "left\t", 5) == 0) {
		fprintf(s->leftf, "%s\n", line);
		return;
	}
	if (strncmp(line, "exit\t", 5) == 0) {
		char *role = strchr(line + 5, '\t');
		if (role && strncmp(role, "\tmain\t", 6) == 0) {
			/* what the main program wrote is in the pipe by now */
			if (s->s[S_OUT].fd >= 0)
				drain(&s->s[S_OUT]);
			if (s->s[S_ERR].fd >= 0)
				drain(&s->s[S_ERR]);
			s->out_at_main_exit = s->s[S_OUT].bytes;
		}
	}
	fprintf(s->sum, "%s\n", line);
}

/* read the record pipe and take each whole line */
static void read_records(struct super *s)
{
	for (;;) {
		ssize_t n = read(s->rec, s->line + s->nline, sizeof(s->line) - 1 - s->nline);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN) {
				close(s->rec);
				s->rec = -1;
			}
			return;
		}
		s->nline += (size_t)n;
		char *nl;
		while ((nl = memchr(s->line, '\n', s->nline))) {
			*nl = 0;
			take_record(s, s->line);
			size_t used = (size_t)(nl - s->line) + 1;
			memmove(s->line, nl + 1, s->nline - used);
			s->nline -= used;
		}
		if (s->nline == sizeof(s->line) - 1)
			s->nline = 0; /* no line is that long: drop it */
	}
}

/*
 * Everything the run needs, opened before it starts, so that a bad
 * argument is a usage error and nothing runs: DIR, the output files, stdin,
 * the pipes, the signalfd.  As root, DIR is handed to the sandbox's uid
 * (status 3 when it cannot be).
 */
static void prepare(const struct options *o, struct run *r, struct super *s)
{
	/* fds 0-2 open, so that no pipe of ours takes their numbers */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", fd ? O_WRONLY : O_RDONLY) != fd)
			runner_failed("/dev/null");
	r->o = o;
	r->ns = o->sandbox;
	r->super_pid = getpid();
	const char *dir = o->dir ? o->dir : ".";
	r->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dirfd < 0)
		r->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->dirfd < 0)
		usage_error("cannot open directory", dir);
	if (!realpath(dir, s->wd))
		usage_error("cannot resolve directory", dir);
	r->wd = s->wd;
	if (o->sandbox && strcmp(s->wd, "/") == 0)
		usage_error("--dir / would make the whole host writable", NULL);
	if (fstat(r->dirfd, &s->dir_st) != 0)
		runner_failed(dir);
	for (int k = 0; k < NSTREAMS; k++)
		open_output(&s->out[k], o->path[k]);
	open_output(&s->sumf, o->summary);
	r->in_fd = open(o->stdin_path ? o->stdin_path : "/dev/null", O_RDONLY | O_CLOEXEC);
	if (r->in_fd < 0)
		usage_error("cannot read", o->stdin_path ? o->stdin_path : "/dev/null");
	r->null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (r->null_fd < 0)
		runner_failed("/dev/null");

	s->sum = open_memstream(&s->sumbuf, &s->sumlen);
	s->leftf = open_memstream(&s->left, &s->leftlen);
	if (!s->sum || !s->leftf)
		runner_failed("open_memstream");
	s->out_at_main_exit = -1;
	for (int k = 0; k < NSTREAMS; k++) {
		int p[2] = { -1, -1 };
		if ((k < 2 || o->server) && pipe2(p, O_CLOEXEC) != 0)
			runner_failed("pipe2");
		s->s[k].fd = p[0];
		r->wr[k] = p[1];
		if (o->path[k] && !(s->s[k].kept = malloc(KEEP_MAX)))
			runner_failed("malloc");
	}
	int rp[2];
	if (pipe2(rp, O_CLOEXEC) != 0)
		runner_failed("pipe2");
	s->rec = rp[0];
	r->rec = rp[1];

	/* SIGCHLD, and the signals that end us, through a signalfd */
	static const int ending[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	sigemptyset(&s->sigs);
	for (size_t k = 0; k < sizeof(ending) / sizeof(ending[0]); k++)
		sigaddset(&s->sigs, ending[k]);
	sigaddset(&s->sigs, SIGCHLD);
	sigprocmask(SIG_BLOCK, &s->sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	s->sfd = signalfd(-1, &s->sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sfd < 0)
		runner_failed("signalfd");

	r->switch_uid = o->sandbox && geteuid() == 0 && in_init_userns();
	r->host_uid = r->switch_uid ? sandbox_host_uid() : geteuid();
	r->host_gid = r->switch_uid ? (gid_t)r->host_uid : getegid();
	if (!o->sandbox) {
		fprintf(s->sum, "sandbox\tnone\tunconfined (--no-sandbox): the caller's uid, files and network, "
			"no namespaces, no limits but no core files\n");
		if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
			runner_failed("PR_SET_CHILD_SUBREAPER");
	}
	if (r->switch_uid &&
	    (fchown(r->dirfd, r->host_uid, r->host_gid) != 0 ||
	     fchmod(r->dirfd, (s->dir_st.st_mode | 0700) & 07777) != 0)) {
		int e = errno;
		(void)!fchown(r->dirfd, s->dir_st.st_uid, s->dir_st.st_gid);
		fprintf(stderr, "%s: cannot confine the program: DIR cannot be handed to the sandbox's uid %u "
			"(chown %s: %s); run with --no-sandbox to run it unconfined\n",
			prog, (unsigned)r->host_uid, s->wd, strerror(e));
		exit(3);
	}
}

/* fork the keeper (or, unconfined, the init); we keep only our pipe ends */
static void start_run(struct run *r, struct super *s)
{
	r->t0 = now();
	r->deadline = r->t0 + r->o->timeout;
	s->child = fork();
	if (s->child < 0)
		runner_failed("fork");
	if (s->child == 0) {
		close(s->sfd);
		close(s->rec);
		for (int k = 0; k < NSTREAMS; k++) {
			if (s->s[k].fd >= 0)
				close(s->s[k].fd);
			if (s->out[k].fd >= 0)
				close(s->out[k].fd);
		}
		if (s->sumf.fd >= 0)
			close(s->sumf.fd);
		if (r->o->sandbox)
			keeper_main(r);
		init_main(r);
	}
	close(r->rec);
	for (int k = 0; k < NSTREAMS; k++)
		if (r->wr[k] >= 0) {
			close(r->wr[k]);
			fcntl(s->s[k].fd, F_SETFL, O_NONBLOCK);
		}
	fcntl(s->rec, F_SETFL, O_NONBLOCK);
}

/*
 * The run, from outside: read the programs' output and the init's records
 * until every pipe is at its end and the keeper is reaped.  A signal that
 * ends us ends the run first (the keeper killed, the namespace with it).  The
 * init ends everything by the deadline and the stop; should it not, it is
 * killed some seconds later, and we give up waiting two seconds after that.
 */
static void supervise(struct run *r, struct super *s)
{
	const struct options *o = r->o;
	double give_up = r->deadline + 2 * o->grace + KILL_WAIT + 5;
	bool killed = false, swept = false;
	for (;;) {
		bool open_streams = false;
		for (int k = 0; k < NSTREAMS; k++)
			open_streams |= s->s[k].fd >= 0;
		if (s->reaped && s->rec < 0 && !open_streams)
			break;
		struct pollfd fds[NSTREAMS + 2];
		for (int k = 0; k < NSTREAMS; k++)
			fds[k] = (struct pollfd){ .fd = s->s[k].fd, .events = POLLIN };
		fds[NSTREAMS] = (struct pollfd){ .fd = s->rec, .events = POLLIN };
		fds[NSTREAMS + 1] = (struct pollfd){ .fd = s->sfd, .events = POLLIN };
		if (poll(fds, NSTREAMS + 2, ms_until(give_up)) < 0 && errno != EINTR)
			runner_failed("poll");
		for (int k = 0; k < NSTREAMS; k++)
			if (fds[k].revents && s->s[k].fd >= 0)
				drain(&s->s[k]);
		if (fds[NSTREAMS].revents && s->rec >= 0)
			read_records(s);
		struct signalfd_siginfo si;
		while (read(s->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			if (si.ssi_signo != SIGCHLD && !s->interrupted) {
				/* stopped from outside: end the run now, tidy up, then die of it */
				s->interrupted = (int)si.ssi_signo;
				kill(s->child, SIGKILL);
				give_up = now() + 2;
			}
		int st;
		pid_t pid;
		while ((pid = waitpid(-1, &st, WNOHANG | __WALL)) > 0)
			if (pid == s->child) {
				s->reaped = true;
				s->child_status = st;
			}
		if (!o->sandbox && !swept && (s->interrupted || (s->reaped && !s->done))) {
			/* orphans of an init that died come to us, the subreaper */
			swept = true;
			signal_all(&(struct run){ .o = o, .ns = false }, SIGKILL);
		}
		if (now() >= give_up) {
			if (killed || s->interrupted)
				break;
			/* the init should have ended everything by now: end it */
			killed = true;
			kill(s->child, SIGKILL);
			give_up = now() + 2;
		}
	}
	for (int k = 0; k < NSTREAMS; k++)
		if (s->s[k].fd >= 0) {
			drain(&s->s[k]);
			if (s->s[k].fd >= 0)
				close(s->s[k].fd);
		}
	if (s->rec >= 0) {
		read_records(s);
		if (s->rec >= 0)
			close(s->rec);
	}
	if (!s->reaped && waitpid(s->child, &s->child_status, WNOHANG | __WALL) == s->child)
		s->reaped = true;
	if (r->switch_uid) {
		give_back(r->dirfd, s->dir_st.st_dev, r->host_uid, getuid(), getgid(), 0);
		(void)!fchown(r->dirfd, s->dir_st.st_uid, s->dir_st.st_gid);
		(void)!fchmod(r->dirfd, s->dir_st.st_mode & 07777);
	}
	close(r->dirfd);
	close(s->sfd);
}

/*
 * After the run: the byte counts end the summary, then the summary and the
 * kept output go to their files.  Returns the exit status.
 */
static int finish(const struct run *r, struct super *s)
{
	const struct options *o = r->o;
	if (s->fail[0]) {
		fprintf(stderr, "%s: cannot confine the program: %s; run with --no-sandbox to run it unconfined\n",
			prog, s->fail);
		return 3;
	}
	if (s->error[0]) {
		fprintf(stderr, "%s: %s\n", prog, s->error);
		return 1;
	}
	if (!s->done) {
		char how[96];
		describe_status(s->child_status, how, sizeof(how));
		fprintf(stderr, "%s: the %s did not finish its work (%s)\n", prog,
			o->sandbox ? "sandbox's init" : "init", s->reaped ? how : "still running");
		return 1;
	}
	fprintf(s->sum, "stdout\t%lld\t%lld\n", s->s[S_OUT].bytes,
		s->out_at_main_exit < 0 ? 0 : s->s[S_OUT].bytes - s->out_at_main_exit);
	fprintf(s->sum, "stderr\t%lld\n", s->s[S_ERR].bytes);
	if (o->server) {
		fprintf(s->sum, "server-stdout\t%lld\n", s->s[S_SOUT].bytes);
		fprintf(s->sum, "server-stderr\t%lld\n", s->s[S_SERR].bytes);
	}
	for (int k = 0; k < NSTREAMS; k++)
		if (s->s[k].bytes > KEEP_MAX)
			fprintf(s->sum, "cut\t%s\t%d\n", stream_names[k], KEEP_MAX);
	fclose(s->leftf);
	s->leftf = NULL;
	fwrite(s->left, 1, s->leftlen, s->sum);
	fprintf(s->sum, "elapsed\t%.3f\n", now() - r->t0);
	fclose(s->sum);
	s->sum = NULL;
	const char *inside = o->sandbox ? r->wd : "";
	if (!write_output(&s->sumf, inside, s->sumbuf, s->sumlen)) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, s->sumf.path, strerror(errno));
		return 1;
	}
	for (int k = 0; k < NSTREAMS; k++)
		if (!write_output(&s->out[k], inside, s->s[k].kept, s->s[k].nkept)) {
			fprintf(stderr, "%s: cannot write %s: %s\n", prog, s->out[k].path, strerror(errno));
			return 1;
		}
	return 0;
}

/* parse, prepare, run, supervise, finish; every fd ours is closed by then */
int main(int argc, char **argv)
{
	static struct options o;
	static struct run r;
	static struct super s;
	parse_options(argc, argv, &o);
	prepare(&o, &r, &s);
	start_run(&r, &s);
	supervise(&r, &s);
	if (s.interrupted) {
		signal(s.interrupted, SIG_DFL);
		sigprocmask(SIG_UNBLOCK, &s.sigs, NULL);
		raise(s.interrupted);
		_exit(128 + s.interrupted);
	}
	int status = finish(&r, &s);
	for (int k = 0; k < NSTREAMS; k++) {
		free(s.s[k].kept);
		if (s.out[k].fd >= 0)
			close(s.out[k].fd);
	}
	if (s.sumf.fd >= 0)
		close(s.sumf.fd);
	if (s.sum)
		fclose(s.sum);
	if (s.leftf)
		fclose(s.leftf);
	free(s.sumbuf);
	free(s.left);
	close(r.in_fd);
	close(r.null_fd);
	return status;
}
