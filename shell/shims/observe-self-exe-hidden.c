/*
 * A suite that cannot read its own path from /proc/self/exe nor from
 * AT_EXECFN, and for which execve("/proc/self/exe") fails with ENOEXEC
 * (as under QEMU user mode without a binfmt_misc entry): it must find
 * itself from argv[0].  What a child reads of its parent stays true.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>
#include "shim.h"

static int is_own_exe(const char *path)
{
	char own[64];
	snprintf(own, sizeof(own), "/proc/%d/exe", (int)getpid());
	return path && (strcmp(path, "/proc/self/exe") == 0 || strcmp(path, own) == 0);
}

ssize_t readlink(const char *path, char *buf, size_t len)
{
	REAL(ssize_t, readlink, const char *, char *, size_t);
	if (is_own_exe(path)) {
		errno = ENOENT;
		return -1;
	}
	return real_readlink(path, buf, len);
}

unsigned long getauxval(unsigned long type)
{
	REAL(unsigned long, getauxval, unsigned long);
	if (type == AT_EXECFN) {
		errno = ENOENT;
		return 0;
	}
	return real_getauxval(type);
}

int execv(const char *path, char *const argv[])
{
	REAL(int, execv, const char *, char *const[]);
	if (strcmp(path, "/proc/self/exe") == 0) {
		errno = ENOEXEC;
		return -1;
	}
	return real_execv(path, argv);
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	REAL(int, execve, const char *, char *const[], char *const[]);
	if (strcmp(path, "/proc/self/exe") == 0) {
		errno = ENOEXEC;
		return -1;
	}
	return real_execve(path, argv, envp);
}
