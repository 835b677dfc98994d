/*
 * kin-compat.h - constants and wrappers that old headers or another libc may
 * lack.  configure probes the headers (config.h); whatever is missing gets the
 * kernel's own value here, and the cases probe the feature at run time, so a
 * build on old headers still tests a new kernel.
 */
#ifndef KIN_COMPAT_H
#define KIN_COMPAT_H

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* F_GETPIPE_SZ / F_SETPIPE_SZ: Linux 2.6.35 */
#ifndef F_LINUX_SPECIFIC_BASE
#define F_LINUX_SPECIFIC_BASE 1024
#endif
#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ (F_LINUX_SPECIFIC_BASE + 7)
#endif
#ifndef F_GETPIPE_SZ
#define F_GETPIPE_SZ (F_LINUX_SPECIFIC_BASE + 8)
#endif

/* seals: Linux 3.17; F_SEAL_EXEC: Linux 6.3 */
#ifndef F_ADD_SEALS
#define F_ADD_SEALS (F_LINUX_SPECIFIC_BASE + 9)
#endif
#ifndef F_GET_SEALS
#define F_GET_SEALS (F_LINUX_SPECIFIC_BASE + 10)
#endif
#ifndef F_SEAL_SEAL
#define F_SEAL_SEAL 0x0001
#endif
#ifndef F_SEAL_SHRINK
#define F_SEAL_SHRINK 0x0002
#endif
#ifndef F_SEAL_GROW
#define F_SEAL_GROW 0x0004
#endif
#ifndef F_SEAL_WRITE
#define F_SEAL_WRITE 0x0008
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

/* memfd_create flags: MFD_CLOEXEC 3.17, MFD_NOEXEC_SEAL and MFD_EXEC 6.3 */
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#ifndef SYS_memfd_create
#ifdef __NR_memfd_create
#define SYS_memfd_create __NR_memfd_create
#endif
#endif

/* glibc gained memfd_create() in 2.27; older ones only have the system call */
#if !defined(HAVE_MEMFD_CREATE) && defined(SYS_memfd_create)
static inline int memfd_create(const char *name, unsigned int flags)
{
	return (int)syscall(SYS_memfd_create, name, flags);
}
#endif

/* AF_UNIX socket options: SO_PASSPIDFD and SO_PEERPIDFD Linux 6.5,
   SO_PASSRIGHTS 6.16 (asm-generic/socket.h, which every architecture the
   matrix runs uses for them) */
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83
#endif

#endif /* KIN_COMPAT_H */
