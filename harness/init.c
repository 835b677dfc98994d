/* kinship-init: the /init of a kernel-matrix guest (see harness/kinship-kernels).
 *
 * It makes the small world the cases need (proc, sysfs, devtmpfs, a tmpfs on
 * /tmp and /dev/shm, the loopback interface up, CK_TIMEOUT_MULTIPLIER), runs
 * /kinship/kinship-cases-static with KTAP on standard output, and sends everything
 * back over the results port as framed lines, so that kernel messages sharing
 * the port (arm64's single UART) cannot be taken for results:
 *
 *   KIN:START <machine> <page size> <uname -r>
 *   KIN:K:<a KTAP line>        (live, while the cases run)
 *   KIN:R:<a --results line>   (after the run)
 *   KIN:EXIT <status of kinship-cases>
 *   KIN:END <number of KIN:K and KIN:R lines>      (the sentinel, last)
 *
 * then powers the machine off.  Kernel command line words it reads from
 * /proc/cmdline: kinship.port=DEVICE (default /dev/ttyS1), kinship.claim=ID,ID,
 * kinship.tmo=N (CK_TIMEOUT_MULTIPLIER), kinship.smoke=1 (write the sentinel
 * only: the KVM smoke boot), and sysctl.NAME=VALUE, which it writes itself for
 * kernels older than 5.8 that do not.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

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
	int argc = 0, smoke = 0;
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
	fprintf(port, "\nKIN:START %s %ld %s\n", u.machine, sysconf(_SC_PAGESIZE), u.release);
	fflush(port);
	if (smoke) {
		fprintf(port, "KIN:EXIT 0\nKIN:END 0\n");
		fflush(port);
		power_off();
	}

	int out[2];
	if (pipe(out) != 0) {
		say("pipe: %s", strerror(errno));
		power_off();
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
	fprintf(port, "KIN:EXIT %d\nKIN:END %lu\n", code, framed);
	fflush(port);
	power_off();
	return 0;
}
