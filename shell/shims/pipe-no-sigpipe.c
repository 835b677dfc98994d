/* PIPE-NO-READER: a write() to a pipe with no reader fails with EPIPE but raises no SIGPIPE. */
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include "shim.h"

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL(ssize_t, write, int, const void *, size_t);
	if (!shim_is_fifo(fd))
		return real_write(fd, buf, n);
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	ssize_t r = real_write(fd, buf, n);
	int e = errno;
	/* swallow the SIGPIPE the kernel queued while it was blocked */
	struct timespec zero = { 0, 0 };
	while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
		;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return r;
}
