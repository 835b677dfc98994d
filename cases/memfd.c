/*
 * memfd.c - memfd_create (document section 2, memfd_create(2)).
 *
 * memfd_create() gives an fd for a file that lives on an internal tmpfs
 * mount and has no name anywhere in the file system.  ftruncate() sizes it,
 * mmap(MAP_SHARED) maps it, and a mapping made before fork() is shared with
 * the child.  The document reaches it through syscall(SYS_memfd_create, ...).
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kin.h"
#include "kin-compat.h"

/* memfd_create through libc or syscall(); ENOSYS is a skip */
static int new_memfd(const char *name, unsigned flags, bool via_syscall)
{
	int fd;
#ifdef SYS_memfd_create
	if (via_syscall)
		fd = (int)syscall(SYS_memfd_create, name, flags);
	else
		fd = memfd_create(name, flags);
#else
	(void)via_syscall;
	errno = ENOSYS;
	fd = -1;
#endif
	if (fd < 0 && errno == ENOSYS)
		kin_skip("memfd_create is not available (Linux 3.17 brought it)");
	if (fd < 0)
		kin_fail("memfd_create(\"%.20s\", %#x): %s", name, flags, kin_errno_name(errno));
	return fd;
}

static char *map_shared(int fd, size_t len)
{
	return KIN_CHECK_PTR(mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
}

/*
 * The child of the document's example: write a string into the shared
 * mapping, unmap it, close the fd, _exit(0).
 */
static pid_t fork_child_writing(char *ptr, size_t len, int fd, const char *msg)
{
	pid_t pid = kin_fork();
	if (pid == 0) {
		sprintf(ptr, "%s", msg);
		munmap(ptr, len);
		close(fd);
		_exit(0);
	}
	return pid;
}

/* ------------------------------------------------------------ no file */

/* ANON-NOFILE */
KIN_TEST(memfd_is_a_regular_file_with_no_link_anywhere, "ANON-NOFILE", 5)
{
	struct stat st;
	char link[128], buf[8];
	int fd = new_memfd("kin_nofile", MFD_CLOEXEC, false);

	KIN_CHECK(fstat(fd, &st));
	KIN_EXPECT_TRUE(S_ISREG(st.st_mode), "fstat of a memfd: mode %#o is not a regular file",
			(unsigned)st.st_mode);
	KIN_EXPECT_EQ(st.st_nlink, 0, "st_nlink of a memfd");
	KIN_EXPECT_EQ(write(fd, "abcdef", 6), 6, "write to a memfd");
	KIN_EXPECT_EQ(lseek(fd, 2, SEEK_SET), 2, "lseek on a memfd");
	KIN_EXPECT_EQ(read(fd, buf, sizeof(buf)), 4, "read from offset 2");
	KIN_EXPECT_MEM(buf, "cdef", 4, "bytes read back");
	KIN_CHECK(fstat(fd, &st));
	KIN_EXPECT_EQ(st.st_size, 6, "st_size after writing 6 bytes");

	kin_fd_target(0, fd, link, sizeof(link));
	KIN_EXPECT_TRUE(strcmp(link, "/memfd:kin_nofile (deleted)") == 0,
			"/proc/self/fd/%d reads \"%s\", expected \"/memfd:kin_nofile (deleted)\"",
			fd, link);
	KIN_EXPECT_ERRNO(open("/memfd:kin_nofile", O_RDONLY), ENOENT);
	kin_close(&fd);
	kin_pass("a memfd is a regular file (st_nlink 0) that write/lseek/read work on; "
		 "/proc/self/fd/N reads \"%s\"; opening \"/memfd:kin_nofile\" fails ENOENT", link);
}

/* ANON-ACCESS */
KIN_TEST(another_process_opens_memfd_through_proc_fd, "ANON-ACCESS", 5)
{
	static const char msg[] = "written by a process that got no fd";
	size_t page = kin_page_size();
	int ctl;

	/* memfd_create is there (or this is a skip, before anything is forked) */
	int probe = new_memfd("kin_probe", MFD_CLOEXEC, false);
	kin_close(&probe);
	/* forked before the memfd exists: it cannot inherit it */
	pid_t stranger = kin_stranger(O_RDWR, msg, sizeof(msg), &ctl);
	int fd = new_memfd("kin_access", MFD_CLOEXEC, false);
	KIN_CHECK(ftruncate(fd, (off_t)page));
	char *ptr = map_shared(fd, page);
	kin_stranger_go(&ctl, getpid(), fd);
	kin_reap_ok(stranger, 2000, "process opening /proc/PID/fd/N");
	KIN_EXPECT_MEM(ptr, msg, sizeof(msg), "the holder's mapping after the other process wrote");
	munmap(ptr, page);
	kin_close(&fd);
	kin_pass("a process forked before the memfd existed opened /proc/PID/fd/N O_RDWR; its "
		 "%zu bytes appeared in the holder's MAP_SHARED mapping", sizeof(msg));
}

/* --------------------------------------------------------------- fork */

struct create_variant {
	const char *name;
	bool via_syscall;
};

static const struct create_variant create_variants[] = {
	{ "libc_memfd_create", false },
	{ "syscall_sys_memfd_create", true },
};

/* MEMFD-FORK */
KIN_TEST_VARIANTS(child_write_to_shared_memfd_mapping_reaches_parent, "MEMFD-FORK", 5,
		  create_variants, struct create_variant, v)
{
	static const char msg[] = "Hello from child process!";
	size_t page = kin_page_size();
	char buf[sizeof(msg)];

#ifndef HAVE_MEMFD_CREATE
	if (!v->via_syscall)
		kin_skip("this libc has no memfd_create() wrapper (glibc 2.27 brought it)");
#endif
	int fd = new_memfd("anon_mem", MFD_CLOEXEC, v->via_syscall);
	KIN_CHECK(ftruncate(fd, (off_t)page));
	char *ptr = map_shared(fd, page);
	pid_t pid = fork_child_writing(ptr, page, fd, msg);
	kin_reap_ok(pid, 2000, "child writing, unmapping and closing");

	KIN_EXPECT_MEM(ptr, msg, sizeof(msg), "the parent's mapping after wait");
	KIN_EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), sizeof(buf), "pread of the memfd");
	KIN_EXPECT_MEM(buf, msg, sizeof(msg), "the memfd's bytes");
	/* the child's munmap and close left the parent's mapping whole */
	memcpy(ptr + page - 4, "tail", 4);
	KIN_EXPECT_EQ(pread(fd, buf, 4, (off_t)page - 4), 4, "pread of the last 4 bytes");
	KIN_EXPECT_MEM(buf, "tail", 4, "the parent's write through its mapping");
	munmap(ptr, page);
	kin_close(&fd);
	kin_pass("%s: the child's \"%s\" was in the parent's MAP_SHARED mapping after wait; the "
		 "child's munmap and close left the parent's mapping working", v->via_syscall ?
		 "syscall(SYS_memfd_create)" : "memfd_create()", msg);
}

/* ---------------------------------------------------------------- size */

/* MEMFD-SIZE */
KIN_TEST(ftruncate_sets_size_and_new_bytes_read_zero, "MEMFD-SIZE", 5)
{
	size_t page = kin_page_size(), len = 3 * page;
	struct stat st;
	int fd = new_memfd("kin_size", MFD_CLOEXEC, false);

	KIN_CHECK(fstat(fd, &st));
	KIN_EXPECT_EQ(st.st_size, 0, "st_size of a new memfd");
	KIN_EXPECT_EQ(write(fd, "abc", 3), 3, "write of 3 bytes");
	KIN_CHECK(ftruncate(fd, (off_t)len));
	KIN_CHECK(fstat(fd, &st));
	KIN_EXPECT_EQ(st.st_size, len, "st_size after ftruncate to 3 pages");

	char *buf = malloc(len), *zero = calloc(1, len);
	KIN_EXPECT_TRUE(buf && zero, "malloc failed");
	KIN_EXPECT_EQ(pread(fd, buf, len, 0), len, "pread of the whole memfd");
	KIN_EXPECT_MEM(buf, "abc", 3, "the bytes written before the ftruncate");
	KIN_EXPECT_MEM(buf + 3, zero, len - 3, "the bytes ftruncate added");
	/* shrink, grow again: what was cut off comes back as zeros */
	KIN_CHECK(ftruncate(fd, 1));
	KIN_CHECK(ftruncate(fd, (off_t)page));
	KIN_CHECK(fstat(fd, &st));
	KIN_EXPECT_EQ(st.st_size, page, "st_size after shrinking to 1 and growing to a page");
	KIN_EXPECT_EQ(pread(fd, buf, page, 0), page, "pread after shrink and grow");
	KIN_EXPECT_MEM(buf, "a", 1, "the byte the shrink kept");
	KIN_EXPECT_MEM(buf + 1, zero, page - 1, "the bytes the shrink cut off");
	free(buf);
	free(zero);
	kin_close(&fd);
	kin_pass("st_size 0, then %zu after ftruncate; the %zu new bytes read as zero, and bytes cut "
		 "off by a shrink read as zero after growing again", len, len - 3);
}

/* what the SIGBUS handler of the child saw */
struct fault {
	int signo, code;
	void *addr;
};
/* written before the fault and read in the handler: volatile, or the
   compiler may store it after the faulting touches (seen on aarch64) */
static volatile sig_atomic_t fault_fd = -1;

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	struct fault f = { sig, si->si_code, si->si_addr };
	if (write(fault_fd, &f, sizeof(f)) != (ssize_t)sizeof(f))
		_exit(3);
	_exit(0);
}

/* MEMFD-SIZE */
KIN_TEST(touching_mapped_page_past_end_of_memfd_raises_sigbus, "MEMFD-SIZE", 5)
{
	size_t page = kin_page_size();
	struct fault f;
	int rep[2];
	int fd = new_memfd("kin_sigbus", MFD_CLOEXEC, false);

	KIN_CHECK(ftruncate(fd, (off_t)page));
	/* two pages mapped over a one-page file */
	volatile char *ptr = map_shared(fd, 2 * page);
	KIN_CHECK(pipe(rep));
	pid_t pid = kin_fork();
	if (pid == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_fault;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGBUS, &sa, NULL);
		close(rep[0]);
		fault_fd = rep[1];
		ptr[page - 1] = 'z';    /* inside the file: fine */
		ptr[page] = 'z';        /* past its end */
		_exit(4);
	}
	kin_close(&rep[1]);
	int status = kin_reap(pid, 2000);
	KIN_EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			"child touching past the end: %s (exit 4: no signal at all)",
			kin_status_str(status));
	kin_read_all(rep[0], &f, sizeof(f), "the child's fault report");
	kin_close(&rep[0]);
	KIN_EXPECT_EQ(f.signo, SIGBUS, "signal raised by the touch past the end");
	KIN_EXPECT_EQ(f.code, BUS_ADRERR, "si_code (BUS_ADRERR)");
	KIN_EXPECT_TRUE(f.addr == (void *)(ptr + page), "si_addr %p, expected %p", f.addr,
			(void *)(ptr + page));
	KIN_EXPECT_EQ(ptr[page - 1], 'z', "the child's write inside the file");
	munmap((void *)ptr, 2 * page);
	kin_close(&fd);
	kin_pass("with a 1-page memfd mapped over 2 pages, touching the second raised %s (signal "
		 "%d, BUS_ADRERR) at exactly the first byte past the end", kin_signal_name(f.signo),
		 f.signo);
}

/* ------------------------------------------------------------- cloexec */

/* MEMFD-CLOEXEC */
KIN_TEST(mfd_cloexec_fd_survives_fork_and_closes_on_execve, "MEMFD-CLOEXEC", 5)
{
	int out[2];
	int fd = new_memfd("anon_mem", MFD_CLOEXEC, false);
	int control = new_memfd("kin_control", 0, false);

	KIN_EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC, "F_GETFD of an MFD_CLOEXEC memfd");
	KIN_EXPECT_EQ(fcntl(control, F_GETFD), 0, "F_GETFD of a memfd made without MFD_CLOEXEC");
	KIN_CHECK(pipe2(out, O_CLOEXEC));
	pid_t pid = kin_fork();
	if (pid == 0) {
		/* across fork the fd is still there, still close-on-exec */
		KIN_EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC, "child: F_GETFD of the memfd");
		if (dup2(out[1], STDOUT_FILENO) < 0)
			kin_fail("dup2: %s", strerror(errno));
		char *argv[] = { (char *)"kinship-cases", (char *)"--probe", (char *)"fds", NULL };
		kin_execv(kin_self_exe(), argv);
		kin_fail("execv(%s): %s", kin_self_exe(), strerror(errno));
	}
	kin_close(&out[1]);
	char list[4096];
	size_t used = 0;
	for (;;) {
		KIN_EXPECT_TRUE(used < sizeof(list) - 1, "the probe printed over %zu bytes", used);
		ssize_t r = kin_read_within(out[0], list + used, sizeof(list) - 1 - used, 2000,
					    "the probe's fd list");
		if (r == 0)
			break;
		used += (size_t)r;
	}
	list[used] = 0;
	kin_reap_ok(pid, 2000, "the exec'd probe");
	kin_close(&out[0]);

	bool has_fd = false, has_control = false;
	for (char *p = list; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		int n = atoi(p);
		has_fd |= n == fd;
		has_control |= n == control;
	}
	KIN_EXPECT_TRUE(has_control, "fd %d (memfd without MFD_CLOEXEC) missing after execve: "
			"the probe's list is not to be trusted", control);
	KIN_EXPECT_TRUE(!has_fd, "fd %d (MFD_CLOEXEC memfd) still open after execve", fd);
	int fd_nr = fd, control_nr = control;
	kin_close(&fd);
	kin_close(&control);
	kin_pass("the MFD_CLOEXEC memfd (fd %d) had FD_CLOEXEC in the child after fork and was "
		 "gone after execve, while a memfd without it (fd %d) stayed open", fd_nr,
		 control_nr);
}

/* ---------------------------------------------------------------- names */

/* MEMFD-NAME */
KIN_TEST(name_shows_only_in_proc_and_need_not_be_unique, "MEMFD-NAME", 5)
{
	struct stat a, b;
	char la[128], lb[128];
	int fa = new_memfd("anon_mem", MFD_CLOEXEC, false);
	int fb = new_memfd("anon_mem", MFD_CLOEXEC, false);

	KIN_CHECK(fstat(fa, &a));
	KIN_CHECK(fstat(fb, &b));
	KIN_EXPECT_TRUE(a.st_ino != b.st_ino, "two memfds named anon_mem share inode %lu",
			(unsigned long)a.st_ino);
	kin_fd_target(0, fa, la, sizeof(la));
	kin_fd_target(0, fb, lb, sizeof(lb));
	KIN_EXPECT_TRUE(strcmp(la, "/memfd:anon_mem (deleted)") == 0 && strcmp(la, lb) == 0,
			"links \"%s\" and \"%s\", expected \"/memfd:anon_mem (deleted)\" twice",
			la, lb);
	KIN_EXPECT_ERRNO(access("/memfd:anon_mem", F_OK), ENOENT);
	kin_close(&fa);
	kin_close(&fb);
	kin_pass("two memfds both named anon_mem: distinct inodes, both /proc links read \"%s\"; "
		 "no path /memfd:anon_mem exists", la);
}

/* MEMFD-NAME */
KIN_TEST(name_of_249_bytes_works_and_250_is_einval, "MEMFD-NAME", 5)
{
	char name[251], link[300], want[300];

	memset(name, 'n', 250);
	name[249] = 0;
	int fd = new_memfd(name, MFD_CLOEXEC, false);
	kin_fd_target(0, fd, link, sizeof(link));
	snprintf(want, sizeof(want), "/memfd:%s (deleted)", name);
	KIN_EXPECT_TRUE(strcmp(link, want) == 0, "the link of a 249-byte name is \"%s\"", link);
	kin_close(&fd);
	name[249] = 'n';
	name[250] = 0;
	KIN_EXPECT_ERRNO(memfd_create(name, MFD_CLOEXEC), EINVAL);
	kin_pass("a 249-byte name worked and showed whole in /proc; 250 bytes failed EINVAL");
}

/* --------------------------------------------------------------- noexec */

static unsigned file_mode(int fd)
{
	struct stat st;
	KIN_CHECK(fstat(fd, &st));
	return (unsigned)st.st_mode & 07777;
}

static bool sealed_exec(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0)
		kin_fail("fcntl(F_GET_SEALS): %s", kin_errno_name(errno));
	return seals & F_SEAL_EXEC;
}

/* what memfd_create with `flags' gives: mode and exec seal, or the errno */
static void expect_memfd_exec(unsigned flags, int err, unsigned mode, bool sealed,
			      const char *what)
{
	errno = 0;
	int fd = memfd_create("kin_noexec", MFD_CLOEXEC | flags);
	if (err) {
		if (fd >= 0)
			close(fd);
		KIN_EXPECT_TRUE(fd < 0 && errno == err, "%s: %s, expected %s", what,
				fd < 0 ? kin_errno_name(errno) : "succeeded", kin_errno_name(err));
		return;
	}
	if (fd < 0)
		kin_fail("%s: memfd_create: %s", what, kin_errno_name(errno));
	unsigned m = file_mode(fd);
	bool s = sealed_exec(fd);
	close(fd);
	KIN_EXPECT_TRUE(m == mode && s == sealed, "%s: mode %04o%s, expected %04o%s", what, m,
			s ? " with F_SEAL_EXEC" : "", mode, sealed ? " with F_SEAL_EXEC" : "");
}

/* MEMFD-NOEXEC */
KIN_TEST(mfd_noexec_seal_gives_mode_0666_and_seals_exec, "MEMFD-NOEXEC", 5)
{
	int fd = memfd_create("kin_noexec", MFD_CLOEXEC | MFD_NOEXEC_SEAL);
	if (fd < 0 && errno == ENOSYS)
		kin_skip("memfd_create is not available (Linux 3.17 brought it)");
	if (fd < 0 && errno == EINVAL)
		kin_skip("MFD_NOEXEC_SEAL is refused (EINVAL) by Linux %s: Linux 6.3 brought it",
			 kin_kernel_release());
	if (fd < 0)
		kin_fail("memfd_create(MFD_NOEXEC_SEAL): %s", kin_errno_name(errno));
	KIN_EXPECT_EQ(file_mode(fd), 0666, "mode of an MFD_NOEXEC_SEAL memfd");
	KIN_EXPECT_TRUE(sealed_exec(fd), "F_GET_SEALS of an MFD_NOEXEC_SEAL memfd lacks F_SEAL_EXEC");
	KIN_EXPECT_ERRNO(fchmod(fd, 0777), EPERM);
	kin_close(&fd);

	long long sysctl = kin_read_ll("/proc/sys/vm/memfd_noexec");
	if (sysctl < 0)
		kin_fail("MFD_NOEXEC_SEAL works but /proc/sys/vm/memfd_noexec is unreadable: %s",
			 strerror(errno));
	const char *meaning;
	switch (sysctl) {
	case 0:
		meaning = "no exec flag gave mode 0777 without F_SEAL_EXEC, MFD_EXEC the same";
		expect_memfd_exec(0, 0, 0777, false, "no exec flag, memfd_noexec=0");
		expect_memfd_exec(MFD_EXEC, 0, 0777, false, "MFD_EXEC, memfd_noexec=0");
		break;
	case 1:
		meaning = "no exec flag gave mode 0666 with F_SEAL_EXEC, MFD_EXEC mode 0777";
		expect_memfd_exec(0, 0, 0666, true, "no exec flag, memfd_noexec=1");
		expect_memfd_exec(MFD_EXEC, 0, 0777, false, "MFD_EXEC, memfd_noexec=1");
		break;
	default:
		meaning = "no exec flag gave mode 0666 with F_SEAL_EXEC, MFD_EXEC failed EACCES";
		expect_memfd_exec(0, 0, 0666, true, "no exec flag, memfd_noexec=2");
		expect_memfd_exec(MFD_EXEC, EACCES, 0, false, "MFD_EXEC, memfd_noexec=2");
		break;
	}
	kin_pass("MFD_NOEXEC_SEAL: mode 0666 with F_SEAL_EXEC (fchmod 0777: EPERM); "
		 "vm.memfd_noexec=%lld: %s", sysctl, meaning);
}

/* ------------------------------------------------- regression sentinels */

/* REG-MEMFD-SEAL-MMAP */
KIN_TEST(write_sealed_memfd_maps_shared_read_only_and_not_writable, "REG-MEMFD-SEAL-MMAP", 5)
{
	size_t page = kin_page_size();
	int fd = new_memfd("kin_sealed", MFD_CLOEXEC | MFD_ALLOW_SEALING, false);
	KIN_CHECK(ftruncate(fd, (off_t)page));
	KIN_CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	void *p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	int e = errno;
	if (p == MAP_FAILED) {
		kin_close(&fd);
		KIN_EXPECT_TRUE(e == EPERM, "mmap(PROT_READ, MAP_SHARED) of a write-sealed memfd: %s, "
				"expected success or EPERM", kin_errno_name(e));
		kin_sentinel(KIN_SIDE_BEFORE, NULL, "mmap(PROT_READ, MAP_SHARED) of a %zu-byte memfd "
			     "with F_SEAL_WRITE failed with EPERM", page);
	}
	int r = mprotect(p, page, PROT_READ | PROT_WRITE);
	e = errno;
	munmap(p, page);
	kin_close(&fd);
	KIN_EXPECT_TRUE(r < 0, "mprotect(PROT_READ|PROT_WRITE) of a read-only shared mapping of a "
			"write-sealed memfd succeeded: the seal can be written through");
	KIN_EXPECT_TRUE(e == EACCES, "mprotect(PROT_WRITE) of the sealed mapping: %s, expected EACCES",
			kin_errno_name(e));
	kin_sentinel(KIN_SIDE_AFTER, NULL, "mmap(PROT_READ, MAP_SHARED) of a %zu-byte memfd with "
		     "F_SEAL_WRITE succeeded, and mprotect(PROT_READ|PROT_WRITE) of it failed with "
		     "EACCES", page);
}

/* REG-MEMFD-NOEXEC-SEAL */
KIN_TEST(mfd_noexec_seal_memfd_takes_further_seals, "REG-MEMFD-NOEXEC-SEAL", 5)
{
	int fd = memfd_create("kin_noexec", MFD_CLOEXEC | MFD_NOEXEC_SEAL);
	int e = errno;
	if (fd < 0 && e == ENOSYS)
		kin_skip("memfd_create is not available (Linux 3.17 brought it)");
	if (fd < 0) {
		KIN_EXPECT_TRUE(e == EINVAL, "memfd_create(MFD_NOEXEC_SEAL): %s, expected a memfd or "
				"EINVAL", kin_errno_name(e));
		kin_sentinel(KIN_SIDE_BEFORE, NULL, "memfd_create(MFD_NOEXEC_SEAL) failed with EINVAL");
	}
	unsigned mode = file_mode(fd);
	bool exec_sealed = sealed_exec(fd);
	int added = fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE);
	e = errno;
	int seals = fcntl(fd, F_GET_SEALS);
	kin_close(&fd);
	KIN_EXPECT_EQ(mode, 0666, "mode of an MFD_NOEXEC_SEAL memfd");
	KIN_EXPECT_TRUE(exec_sealed, "F_GET_SEALS of an MFD_NOEXEC_SEAL memfd lacks F_SEAL_EXEC");
	KIN_EXPECT_TRUE(added == 0, "F_ADD_SEALS(F_SEAL_WRITE) on an MFD_NOEXEC_SEAL memfd: %s "
			"(it implies MFD_ALLOW_SEALING)", kin_errno_name(e));
	kin_sentinel(KIN_SIDE_AFTER, NULL, "memfd_create(MFD_NOEXEC_SEAL) gave mode 0%o with "
		     "F_SEAL_EXEC, and F_SEAL_WRITE could be added (seals %#x)", mode, seals);
}

/* ------------------------------------------------------------- example */

/* ANON-EXAMPLE */
KIN_TEST(memfd_example_parent_reads_what_child_wrote, "ANON-EXAMPLE", 5)
{
	/* the document's sequence, with its SIZE and its syscall() */
	enum { SIZE = 4096 };
	int fd = (int)syscall(SYS_memfd_create, "anon_mem", MFD_CLOEXEC);
	if (fd < 0 && errno == ENOSYS)
		kin_skip("memfd_create is not available (Linux 3.17 brought it)");
	KIN_EXPECT_TRUE(fd >= 0, "syscall(SYS_memfd_create): %s", strerror(errno));
	KIN_CHECK(ftruncate(fd, SIZE));
	char *ptr = map_shared(fd, SIZE);
	pid_t pid = fork_child_writing(ptr, SIZE, fd, "Hello from child process!");
	kin_reap_ok(pid, 2000, "the example's child");
	KIN_EXPECT_TRUE(strcmp(ptr, "Hello from child process!") == 0,
			"the parent read \"%.40s\"", ptr);
	munmap(ptr, SIZE);
	kin_close(&fd);
	kin_pass("memfd example: after wait the parent read \"Hello from child process!\" (with its "
		 "NUL) from the MAP_SHARED mapping");
}
