/*
 * Observation as under gVisor: no /proc/PID/syscall, no /proc/PID/wchan,
 * and no signal lines (SigQ, SigPnd, ShdPnd, SigBlk, SigIgn, SigCgt) in
 * /proc/PID/status.
 */
#include "observe.h"

static int bend_proc(const char *file, char *buf, size_t *len, size_t cap)
{
	(void)cap;
	if (strcmp(file, "syscall") == 0 || strcmp(file, "wchan") == 0) {
		errno = ENOENT;
		return -1;
	}
	if (strcmp(file, "status") != 0)
		return 0;
	/* drop the signal lines, in place */
	char *out = buf;
	for (char *line = buf; *line;) {
		size_t n = strcspn(line, "\n");
		if (line[n] == '\n')
			n++;
		if (strncmp(line, "Sig", 3) != 0 && strncmp(line, "ShdPnd:", 7) != 0) {
			memmove(out, line, n);
			out += n;
		}
		line += n;
	}
	*out = 0;
	*len = (size_t)(out - buf);
	return 1;
}
