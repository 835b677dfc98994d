/* UDS-SEQUENCE: connect() to a listening AF_UNIX socket is refused. */
#include <errno.h>
#include <sys/socket.h>
#include "shim.h"

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	REAL(int, connect, int, const struct sockaddr *, socklen_t);
	if (addr && addr->sa_family == AF_UNIX) {
		errno = ECONNREFUSED;
		return -1;
	}
	return real_connect(fd, addr, len);
}
