/* SIG-ASYNC: sigaction() drops SA_RESTART, so interrupted calls fail with EINTR. */
#include <signal.h>
#include "shim.h"

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	REAL(int, sigaction, int, const struct sigaction *, struct sigaction *);
	if (!act)
		return real_sigaction(sig, act, old);
	struct sigaction a = *act;
	a.sa_flags &= ~SA_RESTART;
	return real_sigaction(sig, &a, old);
}
