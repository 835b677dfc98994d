/*
 * kin-system.c - what the cases ask of the system they run on: the page
 * size, /proc and /sys values, the kernel release, the libc, capabilities,
 * becoming an unprivileged user, the suite's own path (and the emulator it
 * may run under), which implementation of Linux this is, and where the
 * probe programs are.
 */
#include "config.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

#define KIN_NO_LOCATION_MACROS
#include "kin.h"
#include "kin-internal.h"

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

/*
 * The first "MAJOR.MINOR.PATCH" in text whose major and minor are v[0] and
 * v[1], preceded by a space or at its start: its patch level, or -1.
 */
static int patch_in(const char *text, const int v[2])
{
	for (const char *p = text; *p; p++) {
		int a, b, c;
		if ((p == text || p[-1] == ' ') && sscanf(p, "%d.%d.%d", &a, &b, &c) == 3 &&
		    a == v[0] && b == v[1])
			return c;
	}
	return -1;
}

bool kin_kernel_semver(int v[3], bool *patch_known, char *how, size_t len)
{
	struct utsname u;
	int n = 0;
	*patch_known = false;
	v[0] = v[1] = v[2] = 0;
	if (uname(&u) != 0 || sscanf(u.release, "%d.%d%n", &v[0], &v[1], &n) != 2) {
		snprintf(how, len, "uname -r is \"%s\"", u.release);
		return false;
	}
	int patch = -1, used = 0;
	if (sscanf(u.release + n, ".%d%n", &patch, &used) == 1) {
		/* X.Y.0-N is a distribution's ABI, not a stable release */
		const char *after = u.release + n + used;
		*patch_known = !(patch == 0 && after[0] == '-' && after[1] >= '0' && after[1] <= '9');
	}
	if (*patch_known) {
		v[2] = patch;
		snprintf(how, len, "%d.%d.%d, from uname -r", v[0], v[1], v[2]);
		return true;
	}
	char sig[256] = "";
	int p;
	if ((p = patch_in(u.version, v)) >= 0) {
		v[2] = p;
		*patch_known = true;
		snprintf(how, len, "%d.%d.%d, from uname -v", v[0], v[1], v[2]);
	} else if (kin_read_line("/proc/version_signature", sig, sizeof(sig)) == 0 &&
		   (p = patch_in(sig, v)) >= 0) {
		v[2] = p;
		*patch_known = true;
		snprintf(how, len, "%d.%d.%d, from /proc/version_signature", v[0], v[1], v[2]);
	} else {
		snprintf(how, len, "%d.%d, from uname -r \"%s\", its stable patch level not named",
			 v[0], v[1], u.release);
	}
	return true;
}

int kin_kernel_config(const char *option, char *where, size_t len)
{
	char path[PATH_MAX], line[256];
	snprintf(path, sizeof(path), "/boot/config-%s", kin_kernel_release());
	FILE *f = fopen(path, "re");
	if (!f) {
		snprintf(where, len, "no %s", path);
		return -1;
	}
	size_t n = strlen(option);
	int found = 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, option, n) == 0 && line[n] == '=') {
			found = line[n + 1] == 'y' || line[n + 1] == 'm';
			break;
		}
	}
	fclose(f);
	snprintf(where, len, "%s", path);
	return found;
}

/* ------------------------------------------------------------------ libc */

#if !defined(__GLIBC__) && defined(__linux__)
/*
 * musl has no call that returns its version, but its dynamic loader prints
 * it ("Version 1.2.5") when run with no arguments.  The loader is the
 * mapping of this process whose file is ld-musl-ARCH.so.1 or musl's
 * libc.so; a static binary has none, and says the version configure found
 * in the musl it was built with, where it found one.
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
#ifdef KIN_MUSL_BUILT_VERSION
		snprintf(buf, size, "musl %s (the version built with)",
			 KIN_MUSL_BUILT_VERSION);
#else
		snprintf(buf, size, "musl (static; version not recorded)");
#endif
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

/* ------------------------------------------------------------ the program */

/* a weak reference: a static, non-PIE program has no dynamic section */
extern char _DYNAMIC[] __attribute__((weak));

const char *kin_program_kind(void)
{
	static char buf[128];
	if (buf[0])
		return buf;
	const char *isa =
#if defined(__x86_64__) && defined(__ILP32__)
		"x32";
#elif defined(__x86_64__)
		"x86-64";
#elif defined(__i386__)
		"i386";
#elif defined(__aarch64__)
		"aarch64";
#elif defined(__arm__)
		"arm";
#elif defined(__powerpc64__)
		"ppc64";
#elif defined(__powerpc__)
		"ppc";
#elif defined(__s390x__)
		"s390x";
#elif defined(__riscv)
		"riscv";
#else
		"an unnamed architecture";
#endif
	snprintf(buf, sizeof(buf), "a %zu-bit %s %s program, %s", sizeof(void *) * 8,
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		 "big-endian",
#else
		 "little-endian",
#endif
		 isa, _DYNAMIC ? "dynamically linked" : "statically linked");
	return buf;
}

/* --------------------------------------------------- capabilities, users */

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

/* ----------------------------------------------------- the suite itself */

/*
 * Found once, at start, while nothing has moved: the suite's own file, and
 * the program it runs under when that is not the kernel itself.  Under
 * valgrind, execve("/proc/self/exe") starts valgrind's tool, not the suite;
 * under QEMU user mode, the kernel cannot run a foreign binary at all
 * without a binfmt_misc entry.  Both translate what /proc/self/exe reads
 * for the process itself, but not what a child reads of its parent: that
 * names the emulator, and its command line up to the suite's own path is
 * how to start the suite again.
 */
#define KIN_MAX_INTERP_ARGS 16

static struct {
	bool done;
	char path[PATH_MAX];          /* the suite's binary, absolute */
	char how[32];                 /* how it was found */
	char interp[PATH_MAX];        /* the emulator's binary, or "" */
	char interp_args[1024];       /* its arguments before the suite's path, NUL-separated */
	size_t interp_args_len;
} self;

static bool executable_file(const char *p)
{
	struct stat st;
	return p && *p && stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

static bool same_file(const char *a, const char *b)
{
	struct stat x, y;
	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* argv[0] as a shell would have found it: a path, or a name on PATH; out
   holds PATH_MAX bytes (realpath) */
static bool find_on_path(const char *name, char out[PATH_MAX])
{
	if (strchr(name, '/'))
		return realpath(name, out) && executable_file(out);
	const char *path = getenv("PATH");
	for (const char *p = path ? path : ""; *p;) {
		size_t n = strcspn(p, ":");
		char cand[PATH_MAX];
		if (snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, p, name) < (int)sizeof(cand) &&
		    executable_file(cand) && realpath(cand, out))
			return true;
		p += n;
		if (*p == ':')
			p++;
	}
	return false;
}

/*
 * In a child: the parent's /proc/PID/exe and /proc/PID/cmdline, as the
 * kernel tells them (an emulator only translates its own process's).
 * Sends "EXE\0ARG\0ARG\0..." on fd.
 */
static void tell_parent_exe(int fd, pid_t parent)
{
	char path[64], buf[PATH_MAX + 4096];
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)parent);
	ssize_t n = readlink(path, buf, PATH_MAX - 1);
	if (n <= 0)
		_exit(1);
	buf[n++] = 0;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)parent);
	int c = open(path, O_RDONLY | O_CLOEXEC);
	if (c >= 0) {
		ssize_t m = read(c, buf + n, sizeof(buf) - (size_t)n);
		if (m > 0)
			n += m;
		close(c);
	}
	_exit(write(fd, buf, (size_t)n) == n ? 0 : 1);
}

static void find_interpreter(const char *argv0)
{
	int fd[2];
	char buf[PATH_MAX + 4096];
	if (pipe2(fd, O_CLOEXEC) < 0)
		return;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		close(fd[0]);
		tell_parent_exe(fd[1], parent);
	}
	close(fd[1]);
	size_t len = 0;
	ssize_t n;
	while (pid > 0 && len < sizeof(buf) - 1 &&
	       (n = read(fd[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd[0]);
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	buf[len] = 0;
	if (!len || !buf[0] || same_file(buf, self.path))
		return;
	snprintf(self.interp, sizeof(self.interp), "%s", buf);
	/* its arguments, up to the one that started the suite */
	const char *args = buf + strlen(buf) + 1, *end = buf + len;
	size_t used = 0;
	for (const char *a = args; a < end && *a; a += strlen(a) + 1) {
		if (strcmp(a, argv0) == 0 || same_file(a, self.path)) {
			self.interp_args_len = used;
			return;
		}
		size_t al = strlen(a) + 1;
		if (used + al > sizeof(self.interp_args))
			break;
		memcpy(self.interp_args + used, a, al);
		used += al;
	}
	/* the suite's path is not on its command line: the emulator alone */
	size_t il = strlen(self.interp) + 1;
	memcpy(self.interp_args, self.interp, il);
	self.interp_args_len = il;
}

void kin_self_init(const char *argv0)
{
	char buf[PATH_MAX];
	if (self.done)
		return;
	self.done = true;
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	if (n > 0 && executable_file(buf)) {
		snprintf(self.path, sizeof(self.path), "%s", buf);
		snprintf(self.how, sizeof(self.how), "/proc/self/exe");
	} else {
		const char *execfn = (const char *)getauxval(AT_EXECFN);
		if (execfn && realpath(execfn, buf) && executable_file(buf)) {
			snprintf(self.path, sizeof(self.path), "%s", buf);
			snprintf(self.how, sizeof(self.how), "AT_EXECFN");
		} else if (argv0 && find_on_path(argv0, buf)) {
			snprintf(self.path, sizeof(self.path), "%s", buf);
			snprintf(self.how, sizeof(self.how), "argv[0]");
		}
	}
	if (self.path[0])
		find_interpreter(argv0 ? argv0 : "");
}

const char *kin_self_exe(void)
{
	return self.path[0] ? self.path : "/proc/self/exe";
}

const char *kin_self_interpreter(void)
{
	return self.interp;
}

const char *kin_self_found_by(void)
{
	return self.how[0] ? self.how : "nothing: /proc/self/exe is all there is";
}

int kin_execv(const char *path, char *const argv[])
{
	execv(path, argv);
	if (errno != ENOEXEC || !self.interp[0])
		return -1;
	/* a binary this kernel cannot run: through the emulator the suite runs under */
	char *args[KIN_MAX_INTERP_ARGS + 64];
	size_t n = 0;
	for (size_t off = 0; off < self.interp_args_len && n < KIN_MAX_INTERP_ARGS;
	     off += strlen(self.interp_args + off) + 1)
		args[n++] = self.interp_args + off;
	args[n++] = (char *)path;
	for (size_t i = 1; argv[0] && argv[i] && n < sizeof(args) / sizeof(args[0]) - 1; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	execv(self.interp, args);
	return -1;
}

/* --------------------------------------------------- the implementation */

const struct kin_implementation *kin_implementation(void)
{
	static struct kin_implementation impl;
	static char desc[PATH_MAX + 64];
	if (impl.name)
		return &impl;
	struct utsname u;
	const char *interp = self.interp;
	const char *base = strrchr(interp, '/');
	base = base ? base + 1 : interp;
	/* gVisor answers uname with a fixed release and build string */
	if (uname(&u) == 0 && strcmp(u.release, "4.4.0") == 0 &&
	    strcmp(u.version, "#1 SMP Sun Jan 10 15:06:54 PST 2016") == 0) {
		impl.name = "gvisor";
		snprintf(desc, sizeof(desc), "gVisor (uname: %s %s, gVisor's fixed answer)", u.release,
			 u.version);
	} else if (interp[0] && fnmatch("qemu-*", base, 0) == 0) {
		impl.name = "qemu-user";
		snprintf(desc, sizeof(desc), "QEMU user mode (%s)", interp);
	} else if (interp[0] && strstr(interp, "valgrind")) {
		impl.name = "valgrind";
		snprintf(desc, sizeof(desc), "valgrind (%s)", interp);
	} else if (interp[0]) {
		impl.name = "interpreted";
		snprintf(desc, sizeof(desc), "Linux, under the program %s", interp);
	} else {
		impl.name = "linux";
		snprintf(desc, sizeof(desc), "Linux (native)");
	}
	impl.description = desc;
	return &impl;
}

/* ---------------------------------------------------------------- probes */

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
	char self_dir[PATH_MAX], where[PATH_MAX];
	const char *env = getenv("KINSHIP_PROBE_DIR");
	const char *dirs[2] = { NULL, NULL };
	bool want_static = false;

	snprintf(self_dir, sizeof(self_dir), "%s", self.path);
	char *slash = strrchr(self_dir, '/');
	if (slash) {
		size_t blen = strlen(slash);
		want_static = blen >= 7 && strcmp(slash + blen - 7, "-static") == 0;
		/* a binary in / keeps its directory: "/" rather than "" */
		slash[slash == self_dir ? 1 : 0] = 0;
	}
	if (env && *env) {
		dirs[0] = env;
	} else {
		dirs[0] = slash ? self_dir : NULL;
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
