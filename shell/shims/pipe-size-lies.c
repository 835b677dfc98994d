/* PIPE-CAPACITY: F_GETPIPE_SZ reports half of the pipe's real capacity. */
#include <fcntl.h>
#include <stdarg.h>
#include "shim.h"

#ifndef F_GETPIPE_SZ
#define F_GETPIPE_SZ 1032
#endif

int fcntl(int fd, int cmd, ...)
{
	REAL(int, fcntl, int, int, ...);
	va_list ap;
	va_start(ap, cmd);
	long arg = va_arg(ap, long);
	va_end(ap);
	int r = real_fcntl(fd, cmd, arg);
	if (cmd == F_GETPIPE_SZ && r > 0)
		r /= 2;
	return r;
}
