/*
 * sigreg-driver.c - the driver linked with each build of sigreg.c: it lets
 * sigreg_install() put a handler on SIGUSR1, then tells on standard output,
 * one line per event, what happens when the test process signals it while
 * it is blocked reading standard input:
 *
 *   libc glibc 2.36                       the libc it runs on
 *   setting -std=c11                      how sigreg.c was compiled (signal.am)
 *   flags SA_RESTART                      sa_flags signal() set (sigaction query)
 *   ready                                 the handler is installed
 *   handler 10                            the handler ran, with this signo
 *   read 1 | read -1 EINTR | read 0       what each read() of stdin returned
 *   after SIG_DFL | after handler         the disposition after round 1
 *
 * Round 1 reads until a byte arrives (so an EINTR shows as its own line);
 * round 2 reads once more: there a System V signal() has reset the handler
 * and the second SIGUSR1 kills the process.
 */
#define _GNU_SOURCE 1
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

#ifndef KIN_MUSL_BUILT_VERSION
#define KIN_MUSL_BUILT_VERSION ""
#endif
#ifndef KIN_SIGREG_SETTING
#error "KIN_SIGREG_SETTING: cases/signal.am tells each probe its build setting"
#endif

int sigreg_install(int sig, void (*handler)(int));

/* async-signal-safe: formats the number itself and calls write() only */
static void on_signal(int sig)
{
	int saved = errno;
	char line[24] = "handler ";
	char digits[12];
	int n = 0, len = 8;
	unsigned v = (unsigned)sig;
	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < (int)sizeof(digits));
	while (n)
		line[len++] = digits[--n];
	line[len++] = '\n';
	if (write(STDOUT_FILENO, line, (size_t)len) < 0) {
		/* nothing to do in a handler */
	}
	errno = saved;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	if (write(STDOUT_FILENO, line, (size_t)n) < 0)
		_exit(3);
}

static const char *libc_name(void)
{
#ifdef __GLIBC__
	static char buf[32];
	snprintf(buf, sizeof(buf), "glibc %s", gnu_get_libc_version());
	return buf;
#else
	/* a static program: the version of the musl it was built with, where
	   configure found it */
	static char buf[32];
	snprintf(buf, sizeof(buf), "musl%s%s", KIN_MUSL_BUILT_VERSION[0] ? " " : "",
		 KIN_MUSL_BUILT_VERSION);
	return buf;
#endif
}

/* one read() of stdin, told; returns its result */
static ssize_t read_once(void)
{
	char c;
	ssize_t n = read(STDIN_FILENO, &c, 1);
	int e = errno;
	if (n < 0)
		say("read -1 %s\n", e == EINTR ? "EINTR" : strerror(e));
	else
		say("read %zd\n", n);
	errno = e;
	return n;
}

int main(void)
{
	struct sigaction sa;

	say("libc %s\n", libc_name());
	say("setting %s\n", KIN_SIGREG_SETTING);
	if (sigreg_install(SIGUSR1, on_signal) < 0) {
		say("error signal: %s\n", strerror(errno));
		return 1;
	}
	if (sigaction(SIGUSR1, NULL, &sa) < 0 || sa.sa_handler != on_signal) {
		say("error the handler is not installed\n");
		return 1;
	}
	say("flags%s%s%s\n", sa.sa_flags & SA_RESTART ? " SA_RESTART" : "",
	    sa.sa_flags & SA_RESETHAND ? " SA_RESETHAND" : "",
	    sa.sa_flags & SA_NODEFER ? " SA_NODEFER" : "");
	say("ready\n");

	ssize_t n;
	do
		n = read_once();
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return 1;
	sigaction(SIGUSR1, NULL, &sa);
	say("after %s\n", sa.sa_handler == on_signal ? "handler" :
			  sa.sa_handler == SIG_DFL ? "SIG_DFL" : "other");
	n = read_once();
	return n == 1 || n == 0 ? 0 : 1;
}
