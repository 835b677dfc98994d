/*
 * SIG-COALESCE: sigprocmask(SIG_BLOCK) does not block the signals under test
 * (SIGUSR1, SIGUSR2, the real-time ones), so they are delivered at once.
 */
#include <signal.h>
#include "shim.h"

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	REAL(int, sigprocmask, int, const sigset_t *, sigset_t *);
	if (how != SIG_BLOCK || !set)
		return real_sigprocmask(how, set, old);
	sigset_t s = *set;
	sigdelset(&s, SIGUSR1);
	sigdelset(&s, SIGUSR2);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigdelset(&s, sig);
	return real_sigprocmask(SIG_BLOCK, &s, old);
}
