/*
 * observe.h - what the observation shims share.  They do not bend a
 * behaviour a claim pins down: they take away or change what the suite
 * *observes* through /proc, the way other implementations of Linux do
 * (gVisor has no /proc/PID/syscall and no Sig* lines in /proc/PID/status;
 * QEMU user mode shows the host's system call numbers).  Under each, the
 * suite must still pass (shell/observation.bats).
 *
 * A shim defines bend_proc(): for each open of /proc/self/FILE or
 * /proc/PID/FILE (FILE one of stat, status, syscall, wchan) it sees the real
 * contents and says: -1 with errno to refuse the open, 1 to serve the
 * contents as edited in buf, 0 for the real file.  What it serves comes
 * through a pipe.
 */
#ifndef KIN_OBSERVE_H
#define KIN_OBSERVE_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "shim.h"

static int bend_proc(const char *file, char *buf, size_t *len, size_t cap);

/* "stat", "status", "syscall" or "wchan" of a /proc/PID path, else NULL */
static const char *proc_file(const char *path)
{
	if (!path || strncmp(path, "/proc/", 6) != 0)
		return NULL;
	const char *p = path + 6;
	if (strncmp(p, "self/", 5) == 0)
		p += 5;
	else {
		const char *d = p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == d || *p != '/')
			return NULL;
		p++;
	}
	static const char *const files[] = { "stat", "status", "syscall", "wchan" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strcmp(p, files[i]) == 0)
			return files[i];
	return NULL;
}

static int real_open_path(const char *path, int flags)
{
	REAL(int, open, const char *, int, ...);
	return real_open(path, flags);
}

/* -2: not ours; else the fd to hand out, or -1 with errno */
static int observe_open(const char *path, int flags)
{
	const char *file = proc_file(path);
	if (!file || (flags & O_ACCMODE) != O_RDONLY)
		return -2;
	char buf[8192];
	size_t len = 0;
	int fd = real_open_path(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n;
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = 0;
	int r = bend_proc(file, buf, &len, sizeof(buf));
	if (r < 0)
		return -1;
	if (r == 0)
		return -2;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if (write(p[1], buf, len) != (ssize_t)len) {
		close(p[0]);
		close(p[1]);
		errno = EIO;
		return -1;
	}
	close(p[1]);
	if (!(flags & O_CLOEXEC))
		fcntl(p[0], F_SETFD, 0);
	return p[0];
}

#define OBSERVE_OPEN(name)                                                   \
	int name(const char *path, int flags, ...)                           \
	{                                                                    \
		REAL(int, name, const char *, int, ...);                     \
		va_list ap;                                                  \
		va_start(ap, flags);                                         \
		int mode = va_arg(ap, int);                                  \
		va_end(ap);                                                  \
		int fd = observe_open(path, flags);                          \
		return fd == -2 ? real_##name(path, flags, mode) : fd;       \
	}

#define OBSERVE_FOPEN(name)                                                  \
	FILE *name(const char *path, const char *mode)                       \
	{                                                                    \
		REAL(FILE *, name, const char *, const char *);              \
		if (strpbrk(mode, "wa+"))                                    \
			return real_##name(path, mode);                      \
		int fd = observe_open(path, strchr(mode, 'e') ? O_RDONLY | O_CLOEXEC : O_RDONLY); \
		if (fd == -2)                                                \
			return real_##name(path, mode);                      \
		return fd < 0 ? NULL : fdopen(fd, "r");                      \
	}

OBSERVE_OPEN(open)
OBSERVE_OPEN(open64)
OBSERVE_FOPEN(fopen)
OBSERVE_FOPEN(fopen64)

#endif
