/* kinship-init: the /init of a kernel-matrix guest (see harness/kinship-kernels).
 *
 * It makes the small world the cases need (proc, sysfs, devtmpfs, a tmpfs on
 * /tmp and /dev/shm, the loopback interface up, CK_TIMEOUT_MULTIPLIER), runs
 * /kinship/kinship-cases-static with KTAP on standard output, and sends everything
 * back over the results port as framed lines, so that kernel messages sharing
 * the port (arm64's single UART) cannot be taken for results:
 *
 *   KIN:START <machine> <page size> <uname -r> <word size> <byte order> <libc>
 *   KIN:K:<a KTAP line>        (live, while the cases run)
 *   KIN:R:<a --results line>   (after the run)
 *   KIN:EXIT <status of kinship-cases>
 *   KIN:P:<name>:<a line the program printed>      (kinship.programs=1)
 *   KIN:E:<name>:<a line it wrote to standard error>
 *   KIN:PX:<name>:<how it ended>
 *   KIN:END <number of KIN:K, R, P, E and PX lines>  (the sentinel, last)
 *
 * then powers the machine off.  Kernel command line words it reads from
 * /proc/cmdline: kinship.port=DEVICE (default /dev/ttyS1), kinship.claim=ID,ID,
 * kinship.tmo=N (CK_TIMEOUT_MULTIPLIER), kinship.smoke=1 (write the sentinel
 * only: the KVM smoke boot), kinship.cases=0 (run no cases), kinship.programs=1
 * (then run each program of /kinship/programs, in name order, in a directory
 * of its own under /tmp, stdin from NAME.stdin beside it or empty, its
 * standard output and error framed apart as they come, for at most kinship.ptmo=N
 * seconds (10): then every process but this one gets SIGINT, and SIGKILL a
 * second later), and sysctl.NAME=VALUE, which it writes itself for kernels
 * older than 5.8 that do not.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

/* the cases and every probe they execute live together in /kinship */
#define KINSHIP_DIR "/kinship"
#define CASES KINSHIP_DIR "/kinship-cases-static"
#define MAX_ARGS 64

static FILE *port;
static unsigned long framed;

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("kinship-init: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* one framed line on the results port; tabs and text as they are */
static void frame(const char *tag, const char *line, size_t len)
{
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	fprintf(port, "KIN:%s:%.*s\n", tag, (int)len, line);
	fflush(port);
	framed++;
}

static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	/* still here (no ACPI, say): the harness stops QEMU on the sentinel */
	for (;;)
		pause();
}

static void do_mount(const char *src, const char *dir, const char *type, const char *opts)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, 0, opts) != 0 && errno != EBUSY)
		say("mount %s on %s: %s", type, dir, strerror(errno));
}

static void loopback_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;

	if (s < 0) {
		say("socket: %s", strerror(errno));
		return;
	}
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
			say("lo up: %s", strerror(errno));
	} else {
		say("lo flags: %s", strerror(errno));
	}
	close(s);
}

/* sysctl.fs.pipe-max-size=N -> /proc/sys/fs/pipe-max-size (dots or slashes) */
static void write_sysctl(const char *word)
{
	char path[256] = "/proc/sys/";
	const char *eq = strchr(word, '=');
	size_t n = strlen(path);

	if (!eq || (size_t)(eq - word) + n >= sizeof path)
		return;
	for (const char *p = word; p < eq; p++)
		path[n++] = *p == '.' ? '/' : *p;
	path[n] = '\0';
	int fd = open(path, O_WRONLY);
	if (fd < 0) {
		say("%s: %s", path, strerror(errno));
		return;
	}
	if (write(fd, eq + 1, strlen(eq + 1)) < 0)
		say("%s: %s", path, strerror(errno));
	close(fd);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* one output stream of a program: KIN:P (stdout) or KIN:E (stderr) lines */
struct stream {
	int fd;
	const char *tag;
	size_t used;
	char line[8192];
};

static void frame_stream(struct stream *s, const char *name)
{
	char tag[300];
	snprintf(tag, sizeof tag, "%s:%s", s->tag, name);
	frame(tag, s->line, s->used);
	s->used = 0;
}

/* what is there to read, framed line by line; the stream closed at its end */
static void drain_stream(struct stream *s, const char *name)
{
	char buf[4096];
	ssize_t n = read(s->fd, buf, sizeof buf);
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || s->used == sizeof s->line - 1)
			frame_stream(s, name);
		if (buf[i] != '\n')
			s->line[s->used++] = buf[i];
	}
	if (n <= 0) {
		close(s->fd);
		s->fd = -1;
	}
}

/*
 * Run one program of /kinship/programs: fork, a directory of its own, its
 * output framed line by line (KIN:P:NAME:), how it ended (KIN:PX:NAME:),
 * within the deadline; then nothing of it is left running.  SIGCHLD comes
 * through a signalfd, so that the wait is on events, never on a clock.
 */
static void run_program(const char *name, long limit_ms)
{
	char path[512], dir[512], in[512], tag[300];
	int out[2];
	sigset_t chld;

	snprintf(path, sizeof path, "%s/programs/%s", KINSHIP_DIR, name);
	snprintf(dir, sizeof dir, "/tmp/program-%s", name);
	snprintf(in, sizeof in, "%s/programs/%s.stdin", KINSHIP_DIR, name);
	mkdir(dir, 0755);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	int err[2];
	if (sfd < 0 || pipe(out) != 0 || pipe(err) != 0) {
		say("signalfd/pipe: %s", strerror(errno));
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		sigprocmask(SIG_UNBLOCK, &chld, NULL);
		int fd = open(in, O_RDONLY);
		if (fd < 0)
			fd = open("/dev/null", O_RDONLY);
		dup2(fd, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		if (chdir(dir) != 0)
			_exit(126);
		execl(path, name, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	long long deadline = now_ms() + limit_ms, kill_at = 0;
	struct stream streams[2] = { { out[0], "P", 0, "" }, { err[0], "E", 0, "" } };
	int status = 0, stopped = 0, ended = pid < 0, others = 1;
	while (streams[0].fd >= 0 || streams[1].fd >= 0 || !ended || others) {
		long long now = now_ms();
		if (!stopped && now >= deadline) {
			kill(-1, SIGINT);     /* every process but init */
			stopped = SIGINT;
			kill_at = now + 1000;
		} else if (stopped == SIGINT && now >= kill_at) {
			kill(-1, SIGKILL);
			stopped = SIGKILL;
		}
		/* (what the program left running may still finish: until the deadline) */
		struct pollfd p[3] = { { .fd = streams[0].fd, .events = POLLIN },
				       { .fd = sfd, .events = POLLIN },
				       { .fd = streams[1].fd, .events = POLLIN } };
		long long until = stopped == SIGINT ? kill_at : stopped ? now + 1000 : deadline;
		if (poll(p, 3, (int)(until - now) + 1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			drain_stream(&streams[0], name);
		if (p[2].revents)
			drain_stream(&streams[1], name);
		if (p[1].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
				;
		}
		/* the program and whatever it left: all reaped before the next */
		int st;
		pid_t w;
		while ((w = waitpid(-1, &st, WNOHANG)) > 0)
			if (w == pid) {
				status = st;
				ended = 1;
			}
		others = !(w < 0 && errno == ECHILD);
	}
	for (int i = 0; i < 2; i++) {
		if (streams[i].fd >= 0)
			close(streams[i].fd);
		if (streams[i].used)
			frame_stream(&streams[i], name);
	}
	close(sfd);
	sigprocmask(SIG_UNBLOCK, &chld, NULL);
	char how[160];
	if (pid < 0)
		snprintf(how, sizeof how, "not started: fork: %s", strerror(errno));
	else if (WIFEXITED(status))
		snprintf(how, sizeof how, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(how, sizeof how, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(how, sizeof how, "status 0x%x", (unsigned)status);
	if (stopped && now_ms() >= deadline)
		snprintf(how + strlen(how), sizeof how - strlen(how),
			 " (still running at the %ld s deadline: %s)", limit_ms / 1000,
			 stopped == SIGINT ? "SIGINT" : "SIGINT, then SIGKILL");
	snprintf(tag, sizeof tag, "PX:%s", name);
	frame(tag, how, strlen(how));
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_program(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return e->d_name[0] != '.' && !(n > 6 && strcmp(e->d_name + n - 6, ".stdin") == 0);
}

static void run_programs(long limit_ms)
{
	struct dirent **names;
	int n = scandir(KINSHIP_DIR "/programs", &names, is_program, by_name);
	for (int i = 0; i < n; i++) {
		run_program(names[i]->d_name, limit_ms);
		free(names[i]);
	}
	if (n > 0)
		free(names);
}

static int run_cases(char **argv);

/* "glibc 2.36", "musl", or what else this was linked with */
static const char *libc_name(void)
{
#ifdef __GLIBC__
	static char buf[32];
	snprintf(buf, sizeof buf, "glibc %s", gnu_get_libc_version());
	return buf;
#elif defined(KIN_MUSL_BUILT_VERSION)
	/* static: the version configure found in the musl it linked */
	return "musl " KIN_MUSL_BUILT_VERSION;
#else
	return "musl";
#endif
}

static int kernel_older_than(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 0;
	return ma < major || (ma == major && mi < minor);
}

int main(void)
{
	static char cmdline[4096];
	static char claims[1024];
	char *argv[MAX_ARGS];
	int argc = 0, smoke = 0, cases = 1, programs = 0;
	long ptmo = 10;
	const char *port_dev = "/dev/ttyS1";
	const char *tmo = "10";

	do_mount("proc", "/proc", "proc", NULL);
	do_mount("sysfs", "/sys", "sysfs", NULL);
	do_mount("devtmpfs", "/dev", "devtmpfs", NULL);
	do_mount("tmpfs", "/tmp", "tmpfs", "mode=1777");
	do_mount("tmpfs", "/dev/shm", "tmpfs", "mode=1777");
	loopback_up();

	/* the kernel's words for us */
	int fd = open("/proc/cmdline", O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, cmdline, sizeof cmdline - 1);
		cmdline[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	int old_sysctl = kernel_older_than(5, 8);
	argv[argc++] = CASES;
	argv[argc++] = "--format";
	argv[argc++] = "ktap";
	argv[argc++] = "--results";
	argv[argc++] = "/tmp/kinship-results.tsv";
	char *save = NULL;
	for (char *w = strtok_r(cmdline, " \n", &save); w; w = strtok_r(NULL, " \n", &save)) {
		if (strncmp(w, "kinship.port=", 13) == 0) {
			port_dev = w + 13;
		} else if (strncmp(w, "kinship.tmo=", 12) == 0) {
			tmo = w + 12;
		} else if (strcmp(w, "kinship.smoke=1") == 0) {
			smoke = 1;
		} else if (strcmp(w, "kinship.cases=0") == 0) {
			cases = 0;
		} else if (strcmp(w, "kinship.programs=1") == 0) {
			programs = 1;
		} else if (strncmp(w, "kinship.ptmo=", 13) == 0) {
			ptmo = atol(w + 13) > 0 ? atol(w + 13) : 10;
		} else if (strncmp(w, "kinship.claim=", 14) == 0) {
			snprintf(claims, sizeof claims, "%s", w + 14);
			char *csave = NULL;
			for (char *c = strtok_r(claims, ",", &csave); c && argc < MAX_ARGS - 2;
			     c = strtok_r(NULL, ",", &csave)) {
				argv[argc++] = "--claim";
				argv[argc++] = c;
			}
		} else if (old_sysctl && strncmp(w, "sysctl.", 7) == 0) {
			write_sysctl(w + 7);
		}
	}
	argv[argc] = NULL;
	setenv("CK_TIMEOUT_MULTIPLIER", tmo, 1);
	setenv("PATH", KINSHIP_DIR, 1);
	setenv("KINSHIP_PROBE_DIR", KINSHIP_DIR, 1);
	setenv("HOME", "/tmp", 1);
	setenv("TMPDIR", "/tmp", 1);

	port = fopen(port_dev, "w");
	if (!port) {
		say("results port %s: %s", port_dev, strerror(errno));
		port = stdout;
	}
	struct utsname u;
	uname(&u);
	/* what the cases binary is, built as this /init is: its word size,
	   byte order and libc, for the matrix */
	const union { unsigned short s; unsigned char c[2]; } order = { 1 };
	fprintf(port, "\nKIN:START %s %ld %s %zu %s %s\n", u.machine, sysconf(_SC_PAGESIZE), u.release,
		sizeof(long) * 8, order.c[0] ? "little" : "big", libc_name());
	fflush(port);
	if (smoke) {
		fprintf(port, "KIN:EXIT 0\nKIN:END 0\n");
		fflush(port);
		power_off();
	}

	int code = 0;
	if (cases)
		code = run_cases(argv);
	if (programs)
		run_programs(ptmo * 1000);
	fprintf(port, "KIN:EXIT %d\nKIN:END %lu\n", code, framed);
	fflush(port);
	power_off();
	return 0;
}

/* the cases, their KTAP framed live and their results after; their status */
static int run_cases(char **argv)
{
	int out[2];
	if (pipe(out) != 0) {
		say("pipe: %s", strerror(errno));
		return 127;
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execv(CASES, argv);
		say("%s: %s", CASES, strerror(errno));
		_exit(127);
	}
	close(out[1]);
	FILE *ktap = fdopen(out[0], "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while (ktap && (len = getline(&line, &cap, ktap)) >= 0)
		frame("K", line, (size_t)len);
	if (ktap)
		fclose(ktap);

	/* /init is the reaper of every orphan too: wait for our child */
	int status = 0;
	pid_t w;
	while ((w = wait(&status)) != pid && !(w < 0 && errno != EINTR))
		;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	FILE *res = fopen("/tmp/kinship-results.tsv", "r");
	while (res && (len = getline(&line, &cap, res)) >= 0)
		frame("R", line, (size_t)len);
	if (res)
		fclose(res);
	free(line);
	return code;
}
