/*
 * kin-syscalls.h - numbers of system calls that old headers lack, for the
 * tools that call them through syscall() (doccheck-run's sandbox) or filter
 * them (kinship-nosys).  The cases themselves use libc's wrappers.
 */
#ifndef KIN_SYSCALLS_H
#define KIN_SYSCALLS_H

#include <sys/syscall.h>

/*
 * From 424 on, a call has one number on these architectures; elsewhere,
 * without the headers' number, the call is taken as absent (-1: ENOSYS for
 * doccheck-run, whose fallback then runs; unknown to kinship-nosys).
 */
#if (defined(__x86_64__) && !defined(__ILP32__)) || defined(__i386__) || defined(__aarch64__) || \
	defined(__arm__) || defined(__riscv) || defined(__powerpc__) || defined(__s390__)
#define KIN_UNIFIED_NR(n) (n)
#else
#define KIN_UNIFIED_NR(n) (-1)
#endif
#ifdef SYS_open_tree
#define KIN_NR_OPEN_TREE SYS_open_tree
#else
#define KIN_NR_OPEN_TREE KIN_UNIFIED_NR(428)
#endif
#ifdef SYS_move_mount
#define KIN_NR_MOVE_MOUNT SYS_move_mount
#else
#define KIN_NR_MOVE_MOUNT KIN_UNIFIED_NR(429)
#endif
#ifdef SYS_close_range
#define KIN_NR_CLOSE_RANGE SYS_close_range
#else
#define KIN_NR_CLOSE_RANGE KIN_UNIFIED_NR(436)
#endif
#ifdef SYS_mount_setattr
#define KIN_NR_MOUNT_SETATTR SYS_mount_setattr
#else
#define KIN_NR_MOUNT_SETATTR KIN_UNIFIED_NR(442)
#endif
#endif /* KIN_SYSCALLS_H */
