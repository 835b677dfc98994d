/* UDS-TYPES: recv() on a datagram socket glues the next queued message onto the first. */
#include <errno.h>
#include <sys/socket.h>
#include "shim.h"

static ssize_t glue(int fd, char *buf, size_t n, ssize_t r)
{
	REAL(ssize_t, recv, int, void *, size_t, int);
	int type = 0;
	socklen_t len = sizeof(type);
	if (r <= 0 || (size_t)r >= n ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    (type != SOCK_DGRAM && type != SOCK_SEQPACKET))
		return r;
	int e = errno;
	ssize_t more = real_recv(fd, buf + r, n - (size_t)r, MSG_DONTWAIT);
	errno = e;
	return more > 0 ? r + more : r;
}

ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	REAL(ssize_t, recv, int, void *, size_t, int);
	return glue(fd, buf, n, real_recv(fd, buf, n, flags));
}

ssize_t read(int fd, void *buf, size_t n)
{
	REAL(ssize_t, read, int, void *, size_t);
	ssize_t r = real_read(fd, buf, n);
	return shim_is_socket(fd) ? glue(fd, buf, n, r) : r;
}
