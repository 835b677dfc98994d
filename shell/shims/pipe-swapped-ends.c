/* PIPE-ENDS: pipe() hands back the write end as fd[0] and the read end as fd[1]. */
#include <unistd.h>
#include "shim.h"

int pipe(int fd[2])
{
	REAL(int, pipe, int *);
	int r = real_pipe(fd);
	if (r == 0) {
		int t = fd[0];
		fd[0] = fd[1];
		fd[1] = t;
	}
	return r;
}
