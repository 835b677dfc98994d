/* MMAP-SHARED-FORK: mmap(MAP_SHARED|MAP_ANONYMOUS) quietly makes a private mapping. */
#include <sys/mman.h>
#include "shim.h"

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	REAL(void *, mmap, void *, size_t, int, int, int, off_t);
	if ((flags & MAP_ANONYMOUS) && (flags & MAP_SHARED))
		flags = (flags & ~MAP_SHARED) | MAP_PRIVATE;
	return real_mmap(addr, len, prot, flags, fd, off);
}
