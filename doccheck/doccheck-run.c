/*
 * doccheck-run - run one program of a document the way kinship-doccheck
 * needs it run: in a private working directory and (where the system lets
 * it) a private /tmp, with a deadline, as a child subreaper that reads the
 * program's output to end of file and reaps every process it started, the
 * ones their parents never waited for included.
 *
 *   doccheck-run [--timeout SEC] [--dir DIR] [--out FILE] [--err FILE]
 *                [--summary FILE] [--private-tmp] [--stale-socket PATH]
 *                -- PROGRAM [ARG]...
 *
 * The summary is one fact per line, tab-separated, for the shell to read:
 *   sandbox  KIND  DETAIL          KIND: mount-namespace, user-namespace, none
 *   stale    PATH                  a socket file left at PATH before the run
 *   exit     PID  main|orphan  STATUS  running-when-main-exited=yes|no  SECONDS
 *   timeout  SECONDS  N           the deadline passed; N processes were killed
 *   unreaped N                    processes still there after the kill (a failure)
 *   stdout   BYTES  BYTES-AFTER-MAIN-EXITED
 *   stderr   BYTES
 *   left     NAME                  a file the program left in the private /tmp
 *   elapsed  SECONDS
 * An orphan is a process that the subreaper reaped: its parent exited (or
 * never waited for it) before it was collected.
 *
 * Exit status: 0 when the program was run (whatever it did), 1 when the run
 * could not be set up, 2 for a usage error.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *prog = "doccheck-run";

static _Noreturn void usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s\n", prog, msg, arg ? " " : "", arg ? arg : "");
	exit(2);
}

static _Noreturn void setup_failed(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text);
}

/*
 * A private /tmp: a new mount namespace with a tmpfs on /tmp.  Without
 * CAP_SYS_ADMIN, a user namespace (mapping our own uid) gives the right to
 * mount in it where the system allows unprivileged user namespaces.
 */
static const char *private_tmp(char *detail, size_t len, const char *dir, int *wdfd)
{
	const char *kind = "mount-namespace";
	if (unshare(CLONE_NEWNS) != 0) {
		int first = errno;
		uid_t uid = getuid();
		gid_t gid = getgid();
		char map[64];
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
			snprintf(detail, len, "no mount namespace (%s; user namespace: %s)",
				 strerror(first), strerror(errno));
			return "none";
		}
		write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
		if (!write_file("/proc/self/uid_map", map))
			setup_failed("writing uid_map");
		snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
		if (!write_file("/proc/self/gid_map", map))
			setup_failed("writing gid_map");
		kind = "user-namespace";
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		setup_failed("making / private");
	/* a bind mount's source must be in this namespace: open it again here */
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		setup_failed(dir);
	close(*wdfd);
	*wdfd = fd;
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m") != 0)
		setup_failed("mounting a tmpfs on /tmp");
	snprintf(detail, len, "a tmpfs on /tmp in a %s", kind);
	return kind;
}

/* a socket file whose socket is gone: bind, then close without unlink */
static void stale_socket(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(a.sun_path))
		usage_error("socket path too long:", path);
	strcpy(a.sun_path, path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		setup_failed("socket");
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) != 0)
		setup_failed(path);
	close(s);
}

/* ppid of PID from /proc/PID/stat (the field after the parenthesised name) */
static pid_t ppid_of(pid_t pid, char *state)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	int pp;
	char st;
	if (!p || sscanf(p + 1, " %c %d", &st, &pp) != 2)
		return -1;
	if (state)
		*state = st;
	return (pid_t)pp;
}

/*
 * The living descendants of this process (zombies left out), found by
 * walking /proc: PID -> PPID until it reaches us.  Returns how many were
 * found; when sig != 0 each is sent that signal.
 */
static int descendants(int sig)
{
	pid_t self = getpid();
	int found = 0;
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		pid_t pid = (pid_t)atoi(e->d_name);
		if (pid <= 0 || pid == self)
			continue;
		char st = 0;
		pid_t p = ppid_of(pid, &st);
		if (st == 'Z' || st == 'X')
			continue;
		for (int depth = 0; p > 1 && depth < 64; depth++) {
			if (p == self) {
				found++;
				if (sig)
					kill(pid, sig);
				break;
			}
			p = ppid_of(p, NULL);
		}
	}
	closedir(d);
	return found;
}

static const char *signal_name(int sig)
{
	/* sigabbrev_np() is glibc 2.32 and later only */
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

struct stream {
	int fd;
	FILE *to;
	long long bytes;
};

/* read what is there; returns false at end of file */
static bool drain(struct stream *s)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(s->fd, buf, sizeof(buf));
		if (n > 0) {
			if (s->to)
				fwrite(buf, 1, (size_t)n, s->to);
			s->bytes += n;
			continue;
		}
		if (n == 0) {
			close(s->fd);
			s->fd = -1;
			return false;
		}
		if (errno == EINTR)
			continue;
		return true; /* EAGAIN */
	}
}

static FILE *open_out(const char *path)
{
	if (!path)
		return NULL;
	FILE *f = fopen(path, "we");
	if (!f)
		usage_error("cannot write", path);
	return f;
}

int main(int argc, char **argv)
{
	double timeout = 10;
	const char *dir = NULL, *out_path = NULL, *err_path = NULL, *sum_path = NULL;
	const char *stale = NULL;
	bool want_private = false;
	int i;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "--private-tmp") == 0) {
			want_private = true;
			continue;
		}
		if (strcmp(a, "--help") == 0) {
			printf("Usage: %s [--timeout SEC] [--dir DIR] [--out FILE] [--err FILE]\n"
			       "       [--summary FILE] [--private-tmp] [--stale-socket PATH] -- PROGRAM [ARG]...\n",
			       prog);
			return 0;
		}
		if (i + 1 >= argc)
			usage_error("missing argument after", a);
		const char *v = argv[++i];
		if (strcmp(a, "--timeout") == 0) {
			char *end;
			timeout = strtod(v, &end);
			if (*end || timeout <= 0)
				usage_error("bad timeout", v);
		} else if (strcmp(a, "--dir") == 0)
			dir = v;
		else if (strcmp(a, "--out") == 0)
			out_path = v;
		else if (strcmp(a, "--err") == 0)
			err_path = v;
		else if (strcmp(a, "--summary") == 0)
			sum_path = v;
		else if (strcmp(a, "--stale-socket") == 0)
			stale = v;
		else
			usage_error("unknown option", a);
	}
	if (i >= argc)
		usage_error("no program to run", NULL);

	/* the working directory is held open: a private /tmp may hide its path */
	int wdfd = open(dir ? dir : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (wdfd < 0)
		usage_error("cannot open directory", dir ? dir : ".");
	char wd[4096] = "";
	if (!realpath(dir ? dir : ".", wd))
		wd[0] = 0;
	FILE *sum = open_out(sum_path);
	if (!sum)
		sum = fopen("/dev/null", "we");
	struct stream out = { .to = open_out(out_path) }, err = { .to = open_out(err_path) };

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		setup_failed("PR_SET_CHILD_SUBREAPER");

	char detail[256] = "the real /tmp (not asked for a private one)";
	const char *kind = "none";
	if (want_private)
		kind = private_tmp(detail, sizeof(detail), dir ? dir : ".", &wdfd);
	fprintf(sum, "sandbox\t%s\t%s\n", kind, detail);
	/*
	 * A working directory under /tmp would be hidden by the new tmpfs: bind
	 * it back at its own path, so that the program, valgrind reading its
	 * symbols, and getcwd() all still find it.
	 */
	if (strcmp(kind, "none") != 0 && strncmp(wd, "/tmp/", 5) == 0) {
		char src[64];
		snprintf(src, sizeof(src), "/proc/self/fd/%d", wdfd);
		for (char *p = wd + 5; (p = strchr(p, '/')); p++) {
			*p = 0;
			mkdir(wd, 0700);
			*p = '/';
		}
		mkdir(wd, 0700);
		if (mount(src, wd, NULL, MS_BIND, NULL) != 0)
			setup_failed("binding the working directory into the private /tmp");
		if (chdir(wd) != 0)
			setup_failed(wd);
		char *slash = strchr(wd + 5, '/');
		if (slash)
			*slash = 0; /* /tmp/TOP: ours, not the program's */
	} else {
		wd[0] = 0;
		if (fchdir(wdfd) != 0)
			setup_failed("fchdir");
	}
	close(wdfd);
	if (stale) {
		if (strcmp(kind, "none") == 0 && strncmp(stale, "/tmp/", 5) == 0)
			usage_error("--stale-socket under /tmp needs a private /tmp:", stale);
		stale_socket(stale);
		fprintf(sum, "stale\t%s\n", stale);
	}

	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0)
		setup_failed("signalfd");

	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0)
		setup_failed("pipe2");
	/* an exec failure reaches us through this pipe, as errno */
	int px[2];
	if (pipe2(px, O_CLOEXEC) != 0)
		setup_failed("pipe2");

	double t0 = now();
	pid_t main_pid = fork();
	if (main_pid < 0)
		setup_failed("fork");
	if (main_pid == 0) {
		sigprocmask(SIG_UNBLOCK, &chld, NULL);
		/* a crash is reported by its signal; no core file is left behind */
		struct rlimit nocore = { 0, 0 };
		setrlimit(RLIMIT_CORE, &nocore);
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(po[1], 1) < 0 || dup2(pe[1], 2) < 0) {
			int e = errno;
			(void)!write(px[1], &e, sizeof(e));
			_exit(127);
		}
		if (null > 2)
			close(null);
		execvp(argv[i], argv + i);
		int e = errno;
		(void)!write(px[1], &e, sizeof(e));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	close(px[1]);
	int exec_errno = 0;
	if (read(px[0], &exec_errno, sizeof(exec_errno)) == (ssize_t)sizeof(exec_errno)) {
		waitpid(main_pid, NULL, 0);
		errno = exec_errno;
		setup_failed(argv[i]);
	}
	close(px[0]);
	out.fd = po[0];
	err.fd = pe[0];
	fcntl(out.fd, F_SETFL, O_NONBLOCK);
	fcntl(err.fd, F_SETFL, O_NONBLOCK);

	double deadline = t0 + timeout;
	bool timed_out = false, children_left = true;
	double grace_end = 0;
	long long out_at_main_exit = -1;
	while (out.fd >= 0 || err.fd >= 0 || children_left) {
		/* reap whatever has ended */
		int status;
		pid_t pid;
		while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
			char what[96];
			describe_status(status, what, sizeof(what));
			bool is_main = pid == main_pid;
			int running = 0;
			if (is_main) {
				/* what the main process wrote is in the pipes now */
				if (out.fd >= 0)
					drain(&out);
				if (err.fd >= 0)
					drain(&err);
				out_at_main_exit = out.bytes;
				running = descendants(0);
			}
			fprintf(sum, "exit\t%d\t%s\t%s\t%s\t%.3f\n", (int)pid,
				is_main ? "main" : "orphan", what,
				is_main ? (running ? "others-running" : "none-running") : "-",
				now() - t0);
			if (is_main && running)
				fprintf(sum, "outlived\t%d\n", running);
		}
		if (pid < 0 && errno == ECHILD)
			children_left = false;
		if (!children_left && out.fd < 0 && err.fd < 0)
			break;

		double t = now();
		if (!timed_out && t >= deadline) {
			timed_out = true;
			int n = 0, round;
			for (round = 0; round < 8; round++) {
				int k = descendants(SIGKILL);
				if (k == 0)
					break;
				n = k > n ? k : n;
			}
			fprintf(sum, "timeout\t%g\t%d\n", timeout, n);
			grace_end = t + 5;
		}
		if (timed_out && t >= grace_end) {
			int left = descendants(SIGKILL);
			fprintf(sum, "unreaped\t%d\n", left);
			break;
		}
		struct pollfd fds[3] = {
			{ .fd = out.fd, .events = POLLIN },
			{ .fd = err.fd, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
		};
		double until = timed_out ? grace_end : deadline;
		int ms = (int)((until - t) * 1000) + 1;
		/* with no pipe open, only SIGCHLD wakes us; nothing sleeps on a clock */
		int r = poll(fds, 3, ms);
		if (r < 0 && errno != EINTR)
			setup_failed("poll");
		if (fds[0].revents && out.fd >= 0)
			drain(&out);
		if (fds[1].revents && err.fd >= 0)
			drain(&err);
		if (fds[2].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				;
		}
	}
	if (out.fd >= 0)
		drain(&out);
	if (err.fd >= 0)
		drain(&err);
	fprintf(sum, "stdout\t%lld\t%lld\n", out.bytes,
		out_at_main_exit < 0 ? 0 : out.bytes - out_at_main_exit);
	fprintf(sum, "stderr\t%lld\n", err.bytes);
	if (strcmp(kind, "none") != 0) {
		DIR *d = opendir("/tmp");
		struct dirent *e;
		while (d && (e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
			    !(wd[0] && strcmp(wd + 5, e->d_name) == 0))
				fprintf(sum, "left\t/tmp/%s\n", e->d_name);
		if (d)
			closedir(d);
	}
	fprintf(sum, "elapsed\t%.3f\n", now() - t0);
	if (out.to)
		fclose(out.to);
	if (err.to)
		fclose(err.to);
	fclose(sum);
	return 0;
}
