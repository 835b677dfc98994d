/*
 * shim.h - what the deviation shims share.  Each shim is a tiny LD_PRELOAD
 * library that bends ONE libc behaviour a claim pins down; shell/deviations.bats
 * runs the cases under it and checks that the suite reports that claim as
 * failed.  A shim touches only the objects of its mechanism (a pipe, an
 * AF_UNIX socket, an anonymous mapping), never the runner's own files.
 * The observe-* shims are the other kind: see observe.h.
 */
#ifndef KIN_SHIM_H
#define KIN_SHIM_H

#include <dlfcn.h>
#include <stdlib.h>
#include <sys/stat.h>

/* the next definition of a libc function, looked up once */
#define REAL(ret, name, ...)                                                 \
	static ret (*real_##name)(__VA_ARGS__);                              \
	if (!real_##name)                                                    \
		real_##name = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name);  \
	if (!real_##name)                                                    \
		abort()

static inline int shim_is_fifo(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

static inline int shim_is_socket(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

#endif
