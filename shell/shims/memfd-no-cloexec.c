/* MEMFD-CLOEXEC: memfd_create() drops MFD_CLOEXEC, so the fd survives execve(). */
#include <sys/mman.h>
#include "shim.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 1U
#endif

int memfd_create(const char *name, unsigned int flags)
{
	REAL(int, memfd_create, const char *, unsigned int);
	return real_memfd_create(name, flags & ~MFD_CLOEXEC);
}
