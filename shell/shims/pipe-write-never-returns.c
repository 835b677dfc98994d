/*
 * PIPE-WRITE-BLOCKS, as a hang: a write() of more than PIPE_BUF bytes to a
 * pipe does its work and then never returns.  The suite must turn that into
 * a fail with a diagnosis inside the test's deadline, not a hung run.
 */
#include <limits.h>
#include <signal.h>
#include <unistd.h>
#include "shim.h"

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL(ssize_t, write, int, const void *, size_t);
	ssize_t r = real_write(fd, buf, n);
	if (n > PIPE_BUF && r > 0 && shim_is_fifo(fd))
		for (;;)
			pause();
	return r;
}
