/* SIG-REGISTER: signal() installs a one-shot handler (System V semantics) whatever the build. */
#include <signal.h>
#include <string.h>
#include "shim.h"

static sighandler_t oneshot(int sig, sighandler_t h)
{
	REAL(int, sigaction, int, const struct sigaction *, struct sigaction *);
	struct sigaction a, old;
	memset(&a, 0, sizeof(a));
	a.sa_handler = h;
	a.sa_flags = SA_RESETHAND | SA_NODEFER;
	if (real_sigaction(sig, &a, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}

sighandler_t signal(int sig, sighandler_t h)
{
	return oneshot(sig, h);
}

sighandler_t bsd_signal(int sig, sighandler_t h)
{
	return oneshot(sig, h);
}
