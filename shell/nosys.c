/*
 * kinship-nosys - run a command with one system call made to fail, as on a
 * kernel that lacks it, through a seccomp filter.
 *
 *   kinship-nosys [--errno NAME] SYSCALL[:ARG=VALUE] -- COMMAND [ARG]...
 *
 * SYSCALL is a name from the table below; ":ARG=VALUE" narrows the filter to
 * calls whose argument number ARG (0-5) equals VALUE (for instance
 * fcntl:1=1032 is fcntl(fd, F_GETPIPE_SZ)).  The call fails with ENOSYS, or
 * with --errno EINVAL / EPERM / EOPNOTSUPP.  shell/absences.bats uses it, and
 * shell/sandbox.bats (unshare, mount_setattr, open_tree).
 */
#include "config.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kin-syscalls.h"

#if defined(__x86_64__)
#define KIN_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define KIN_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define KIN_AUDIT_ARCH AUDIT_ARCH_I386
#endif

static const struct {
	const char *name;
	long nr;
} calls[] = {
#ifdef SYS_memfd_create
	{ "memfd_create", SYS_memfd_create },
#endif
#ifdef SYS_fcntl
	{ "fcntl", SYS_fcntl },
#endif
#ifdef SYS_pidfd_open
	{ "pidfd_open", SYS_pidfd_open },
#endif
#ifdef SYS_pipe2
	{ "pipe2", SYS_pipe2 },
#endif
#ifdef SYS_socketpair
	{ "socketpair", SYS_socketpair },
#endif
#ifdef SYS_rt_sigqueueinfo
	{ "rt_sigqueueinfo", SYS_rt_sigqueueinfo },
#endif
	/* doccheck-run's sandbox (shell/sandbox.bats): no user namespaces, and
	 * the kernels before mount_setattr (5.12) and open_tree (5.2) */
#ifdef SYS_unshare
	{ "unshare", SYS_unshare },
#endif
	/* numbers older headers lack (kin-compat.h); -1 where unknown */
	{ "mount_setattr", KIN_NR_MOUNT_SETATTR },
	{ "open_tree", KIN_NR_OPEN_TREE },
};

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "ENOSYS", ENOSYS }, { "EINVAL", EINVAL }, { "EPERM", EPERM },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "EAFNOSUPPORT", EAFNOSUPPORT },
};

static void usage_error(const char *what)
{
	fprintf(stderr, "kinship-nosys: %s (usage: kinship-nosys [--errno NAME] SYSCALL[:ARG=VALUE] -- COMMAND...)\n",
		what);
	exit(2);
}

int main(int argc, char **argv)
{
	int err = ENOSYS, i = 1;
	if (i < argc && strcmp(argv[i], "--help") == 0) {
		printf("usage: kinship-nosys [--errno NAME] SYSCALL[:ARG=VALUE] -- COMMAND [ARG]...\n");
		return 0;
	}
	if (i + 1 < argc && strcmp(argv[i], "--errno") == 0) {
		size_t k;
		for (k = 0; k < sizeof(errnos) / sizeof(errnos[0]); k++)
			if (strcmp(errnos[k].name, argv[i + 1]) == 0)
				break;
		if (k == sizeof(errnos) / sizeof(errnos[0]))
			usage_error("unknown errno name");
		err = errnos[k].value;
		i += 2;
	}
	if (i + 2 >= argc || strcmp(argv[i + 1], "--") != 0)
		usage_error("missing SYSCALL or COMMAND");

	char spec[64];
	snprintf(spec, sizeof(spec), "%s", argv[i]);
	int argno = -1;
	unsigned long argval = 0;
	char *colon = strchr(spec, ':');
	if (colon) {
		*colon = 0;
		if (sscanf(colon + 1, "%d=%lu", &argno, &argval) != 2 || argno < 0 || argno > 5)
			usage_error("bad :ARG=VALUE");
	}
	long nr = -1;
	for (size_t k = 0; k < sizeof(calls) / sizeof(calls[0]); k++)
		if (strcmp(calls[k].name, spec) == 0)
			nr = calls[k].nr;
	if (nr < 0)
		usage_error("unknown system call name");

#ifndef KIN_AUDIT_ARCH
	fprintf(stderr, "kinship-nosys: no seccomp filter for this architecture\n");
	return 77;
#else
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, KIN_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* the low 32 bits of the argument, when one is named */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args) + 8 * (argno < 0 ? 0 : argno)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)argval, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, argno < 0 ? SECCOMP_RET_ERRNO | (unsigned)err : SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err),
	};
	struct sock_fprog prog = { sizeof(filter) / sizeof(filter[0]), filter };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("kinship-nosys: seccomp");
		return 77;
	}
	execvp(argv[i + 2], argv + i + 2);
	perror(argv[i + 2]);
	return 127;
#endif
}
