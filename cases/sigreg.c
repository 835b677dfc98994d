/*
 * sigreg.c - the one translation unit whose signal() call SIG-REGISTER
 * tests.  It includes nothing but <signal.h>, so what its signal() installs
 * is decided by the libc and the flags it was compiled with: make builds it
 * under several settings (cases/signal.am) and links each with
 * sigreg-driver.c into a probe program, kinship-probe-sigreg-SETTING.
 * Do not include config.h here: it would define _GNU_SOURCE.
 */
#include <signal.h>

int sigreg_install(int sig, void (*handler)(int));

int sigreg_install(int sig, void (*handler)(int))
{
	return signal(sig, handler) == SIG_ERR ? -1 : 0;
}
