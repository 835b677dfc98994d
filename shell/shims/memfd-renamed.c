/* MEMFD-NAME: memfd_create() gives the memfd another name than the one asked for. */
#include <stdio.h>
#include <sys/mman.h>
#include "shim.h"

int memfd_create(const char *name, unsigned int flags)
{
	REAL(int, memfd_create, const char *, unsigned int);
	char other[300];
	snprintf(other, sizeof(other), "x%s", name);
	return real_memfd_create(other, flags);
}
