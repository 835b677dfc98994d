/*
 * An environment that shows no process as asleep: /proc/PID/stat always
 * says state R.  The suite cannot observe a blocked process there, and
 * must skip what needs it, saying why, rather than fail.
 */
#include "observe.h"

static int bend_proc(const char *file, char *buf, size_t *len, size_t cap)
{
	(void)len;
	(void)cap;
	if (strcmp(file, "stat") != 0)
		return 0;
	char *rp = strrchr(buf, ')');
	if (rp && rp[1] == ' ' && rp[2] == 'S')
		rp[2] = 'R';
	return 1;
}
