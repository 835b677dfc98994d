/*
 * pipe.c - anonymous pipes (document section 1, pipe(7)).
 *
 * pipe() gives two fds: fd[0] reads, fd[1] writes.  The pipe is a byte
 * stream kept in the kernel in a ring of page-sized slots (16 by default),
 * so its capacity is a number of pages, not of bytes.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kin.h"
#include "kin-compat.h"

/* the default number of page slots of a new pipe (PIPE_DEF_BUFFERS) */
#define PIPE_DEF_PAGES 16

/* CAP_SYS_RESOURCE 24, CAP_SYS_ADMIN 21 (linux/capability.h) */
#define CAP_SYS_RESOURCE_NR 24
#define CAP_SYS_ADMIN_NR 21

static void make_pipe(int fd[2])
{
	if (pipe(fd) < 0)
		kin_fail("pipe: %s", strerror(errno));
}

static void close_pipe(int fd[2])
{
	kin_close(&fd[0]);
	kin_close(&fd[1]);
}

/* bytes queued in a pipe (FIONREAD) */
static int queued(int fd)
{
	int n = -1;
	if (ioctl(fd, FIONREAD, &n) < 0)
		kin_fail("ioctl(FIONREAD): %s", strerror(errno));
	return n;
}

/* F_GETPIPE_SZ, or a skip naming the kernel that brought it */
static int pipe_size(int fd)
{
	int sz = fcntl(fd, F_GETPIPE_SZ);
	if (sz < 0 && errno == EINVAL)
		kin_skip("F_GETPIPE_SZ is not supported (Linux 2.6.35 brought it)");
	if (sz < 0)
		kin_fail("fcntl(F_GETPIPE_SZ): %s", strerror(errno));
	return sz;
}

/* PIPE-ENDS */
KIN_TEST(bytes_written_to_fd1_are_read_from_fd0, "PIPE-ENDS", 5)
{
	static const char msg[] = "Hello from parent";
	char buf[64];
	int fd[2];

	make_pipe(fd);
	ssize_t w = write(fd[1], msg, 17);
	KIN_EXPECT_EQ(w, 17, "write(fd[1], 17 bytes)");
	KIN_EXPECT_EQ(queued(fd[0]), 17, "FIONREAD on fd[0] after the write");
	ssize_t r = read(fd[0], buf, sizeof(buf));
	KIN_EXPECT_EQ(r, 17, "read(fd[0])");
	KIN_EXPECT_MEM(buf, msg, 17, "bytes read from fd[0]");
	KIN_EXPECT_EQ(queued(fd[0]), 0, "FIONREAD after the read");
	close_pipe(fd);
	kin_pass("17 bytes written to fd[1] read back from fd[0] intact");
}

/* PIPE-ENDS */
KIN_TEST(read_end_cannot_write_and_write_end_cannot_read, "PIPE-ENDS", 5)
{
	char c = 'x';
	int fd[2];

	make_pipe(fd);
	KIN_EXPECT_EQ(fcntl(fd[0], F_GETFL) & O_ACCMODE, O_RDONLY, "access mode of fd[0]");
	KIN_EXPECT_EQ(fcntl(fd[1], F_GETFL) & O_ACCMODE, O_WRONLY, "access mode of fd[1]");
	KIN_EXPECT_ERRNO(write(fd[0], &c, 1), EBADF);
	KIN_EXPECT_ERRNO(read(fd[1], &c, 1), EBADF);
	close_pipe(fd);
	kin_pass("fd[0] is O_RDONLY, fd[1] O_WRONLY; write(fd[0]) and read(fd[1]) fail with EBADF");
}

/*
 * What capacity a new pipe of this process should get, and why when it is
 * not the default: *reason is set for the soft-limit and pipe-max-size cases.
 */
static long expected_pipe_pages(long got_pages, const char **reason)
{
	long page = (long)kin_page_size();
	long long max_size = kin_read_ll("/proc/sys/fs/pipe-max-size");
	long long soft = kin_read_ll("/proc/sys/fs/pipe-user-pages-soft");
	bool resource = kin_has_cap(CAP_SYS_RESOURCE_NR);
	bool admin = kin_has_cap(CAP_SYS_ADMIN_NR);

	*reason = NULL;
	/* without CAP_SYS_RESOURCE a pipe-max-size below the default caps it */
	if (!resource && max_size > 0 && PIPE_DEF_PAGES * page > max_size) {
		*reason = "pipe-max-size is below 16 pages";
		return (long)(max_size / page);
	}
	/* an unprivileged user over pipe-user-pages-soft gets 2 pages (1 before
	   Linux 5.14 and the stable kernels that took that change) */
	if (!resource && !admin && soft > 0 && (got_pages == 2 || got_pages == 1)) {
		*reason = "this user is over /proc/sys/fs/pipe-user-pages-soft";
		return got_pages;
	}
	return PIPE_DEF_PAGES;
}

/* PIPE-CAPACITY */
KIN_TEST(new_pipe_holds_16_pages, "PIPE-CAPACITY", 5)
{
	long page = (long)kin_page_size();
	const char *reason;
	int fd[2];

	make_pipe(fd);
	int sz = pipe_size(fd[1]);
	close_pipe(fd);
	KIN_EXPECT_TRUE(sz > 0 && sz % page == 0, "F_GETPIPE_SZ %d is not a whole number of %ld-byte pages",
			sz, page);
	long pages = sz / page;
	long want = expected_pipe_pages(pages, &reason);
	KIN_EXPECT_EQ(pages, want, "pages of a new pipe (F_GETPIPE_SZ / page size)");

	if (reason)
		kin_verdict(KIN_V_CAVEAT, "a new pipe holds %d bytes = %ld pages of %ld bytes, not the "
			    "default 16 pages, because %s", sz, pages, page, reason);
	else if (sz == 65536)
		kin_verdict(KIN_V_CAVEAT, "a new pipe holds 65536 bytes = 16 pages of %ld bytes "
			    "(F_GETPIPE_SZ): 64KB holds here because a page is 4 KiB", page);
	else
		kin_verdict(KIN_V_REFUTED, "a new pipe holds %d bytes = 16 pages of %ld bytes "
			    "(F_GETPIPE_SZ), not 64KB", sz, page);
	kin_pass("F_GETPIPE_SZ %d bytes = %ld pages of %ld bytes%s%s", sz, pages, page,
		 reason ? ": " : "", reason ? reason : "");
}

/* PIPE-CAPACITY */
KIN_TEST(nonblocking_write_stores_exactly_capacity_bytes, "PIPE-CAPACITY", 5)
{
	int fd[2];

	make_pipe(fd);
	int sz = pipe_size(fd[1]);
	size_t len = (size_t)sz + kin_page_size();
	char *buf = malloc(len);
	KIN_EXPECT_TRUE(buf != NULL, "malloc(%zu) failed", len);
	memset(buf, 'p', len);
	KIN_CHECK(fcntl(fd[1], F_SETFL, O_NONBLOCK));

	ssize_t w = write(fd[1], buf, len);
	int err = errno;
	free(buf);
	if (w < 0)
		kin_fail("write of %zu bytes into an empty pipe: %s", len, strerror(err));
	KIN_EXPECT_EQ(w, sz, "bytes one non-blocking write stored in an empty pipe");
	KIN_EXPECT_EQ(queued(fd[0]), sz, "FIONREAD of the full pipe");
	char c = 'q';
	KIN_EXPECT_ERRNO(write(fd[1], &c, 1), EAGAIN);
	close_pipe(fd);
	kin_pass("one non-blocking write of %zu bytes stored %d (F_GETPIPE_SZ), the next got EAGAIN",
		 len, sz);
}
