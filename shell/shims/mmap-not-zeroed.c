/* MMAP-ZERO: fresh anonymous memory from mmap() is handed out dirty (0xA5). */
#include <string.h>
#include <sys/mman.h>
#include "shim.h"

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	REAL(void *, mmap, void *, size_t, int, int, int, off_t);
	void *p = real_mmap(addr, len, prot, flags, fd, off);
	if (p != MAP_FAILED && (flags & MAP_ANONYMOUS) && (prot & PROT_WRITE) &&
	    !(flags & MAP_FIXED) && len <= (1u << 20))
		memset(p, 0xA5, len);
	return p;
}
