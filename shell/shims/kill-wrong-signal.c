/* SIG-HANDLER: kill(pid, SIGUSR1) sends SIGUSR2 instead. */
#include <signal.h>
#include "shim.h"

int kill(pid_t pid, int sig)
{
	REAL(int, kill, pid_t, int);
	return real_kill(pid, sig == SIGUSR1 ? SIGUSR2 : sig);
}
