/* PIPE-ORDER: read() from a pipe hands the bytes it got back in reverse order. */
#include <unistd.h>
#include "shim.h"

ssize_t read(int fd, void *buf, size_t n)
{
	REAL(ssize_t, read, int, void *, size_t);
	ssize_t r = real_read(fd, buf, n);
	if (r > 1 && shim_is_fifo(fd)) {
		unsigned char *b = buf;
		for (ssize_t i = 0, j = r - 1; i < j; i++, j--) {
			unsigned char t = b[i];
			b[i] = b[j];
			b[j] = t;
		}
	}
	return r;
}
