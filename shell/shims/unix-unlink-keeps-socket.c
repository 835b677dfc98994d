/* UDS-CLEANUP: unlink() of a socket file reports success and leaves the file. */
#include <unistd.h>
#include "shim.h"

int unlink(const char *path)
{
	REAL(int, unlink, const char *);
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		return 0;
	return real_unlink(path);
}
