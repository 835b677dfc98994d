/*
 * Observation as under QEMU user mode on another architecture: the system
 * call a sleeping process is in shows in /proc/PID/syscall with numbers
 * that are not this architecture's (here: 1000 more).
 */
#include <stdlib.h>
#include "observe.h"

static int bend_proc(const char *file, char *buf, size_t *len, size_t cap)
{
	char *rest;
	if (strcmp(file, "syscall") != 0 || buf[0] < '0' || buf[0] > '9')
		return 0;
	long nr = strtol(buf, &rest, 10);
	char tail[4096];
	snprintf(tail, sizeof(tail), "%s", rest);
	*len = (size_t)snprintf(buf, cap, "%ld%s", nr + 1000, tail);
	return 1;
}
