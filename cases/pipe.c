/*
 * pipe.c - anonymous pipes (document section 1, pipe(7)).
 *
 * pipe() gives two fds: fd[0] reads, fd[1] writes.  The pipe is a byte
 * stream kept in the kernel in a ring of page-sized slots (16 by default),
 * so its capacity is a number of pages, not of bytes.
 */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
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


/* ------------------------------------------------------------ helpers */

/* n bytes of a pattern with a period of 89 bytes (prime: no page or write
   size is a multiple of it), so a byte out of place shows */
static char *pattern(size_t n, unsigned seed)
{
	char *buf = malloc(n ? n : 1);
	KIN_EXPECT_TRUE(buf != NULL, "malloc(%zu) failed", n);
	size_t have = n < 89 ? n : 89;
	for (size_t i = 0; i < have; i++)
		buf[i] = (char)('!' + (i * 7 + seed) % 89);
	/* the rest by doubling copies of whole periods */
	for (size_t period = 89; have < n;) {
		size_t c = have / period * period;
		if (c > n - have)
			c = n - have;
		memcpy(buf + have, buf, c);
		have += c;
	}
	return buf;
}

/* drain n bytes from fd and check they are buf */
static void expect_drain(int fd, const char *buf, size_t n, const char *what)
{
	char *got = malloc(n ? n : 1);
	KIN_EXPECT_TRUE(got != NULL, "malloc(%zu) failed", n);
	if (!kin_poll_in(fd, 2000))
		kin_fail("%s: nothing to read within 2 s", what);
	kin_read_all(fd, got, n, what);
	KIN_EXPECT_MEM(got, buf, n, what);
	free(got);
}

/* a child's one number for its parent: the result of a call, or -errno */
static void report_ll(int fd, long long v)
{
	if (write(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		_exit(3);
}

/* the number child `pid' reports on fd; a child that never reports is a
   failure that says where it is stuck */
static long long read_report(int fd, pid_t pid, const char *what)
{
	struct kin_task_state st;
	long long v;
	if (!kin_poll_in(fd, 2000)) {
		if (kin_task_state(pid, &st) == 0)
			kin_fail("%s: no answer within %ld ms, process %d is in %s", what,
				 kin_scaled_ms(2000), (int)pid, kin_task_state_str(&st));
		kin_fail("%s: no answer within %ld ms", what, kin_scaled_ms(2000));
	}
	kin_read_all(fd, &v, sizeof(v), what);
	return v;
}

/* CAP_SYS_RESOURCE lifts pipe-max-size; a test that needs the cap to bite skips */
static long long pipe_max_size(void)
{
	long long max = kin_read_ll("/proc/sys/fs/pipe-max-size");
	if (max <= 0)
		kin_skip("/proc/sys/fs/pipe-max-size is unreadable (%s)", strerror(errno));
	return max;
}

/*
 * Is this process's user over pipe-user-pages-soft?  Only an unprivileged
 * one can tell: its new pipes come out smaller than 16 pages (or than
 * pipe-max-size, when that is smaller).
 */
static bool user_over_soft_limit(void)
{
	long long def = PIPE_DEF_PAGES * (long long)kin_page_size();
	long long max = kin_read_ll("/proc/sys/fs/pipe-max-size");
	int fd[2];

	if (kin_has_cap(CAP_SYS_RESOURCE_NR) || kin_has_cap(CAP_SYS_ADMIN_NR))
		return false;
	if (max > 0 && max < def)
		def = max;
	make_pipe(fd);
	int sz = fcntl(fd[0], F_GETPIPE_SZ);
	close_pipe(fd);
	return sz > 0 && sz < def;
}

/* set a pipe's size with F_SETPIPE_SZ and check what the kernel made of it */
static int set_pipe_size(int fd, int request, int want)
{
	int r = fcntl(fd, F_SETPIPE_SZ, request);
	if (r < 0 && errno == EINVAL && request <= 1 << 30)
		kin_skip("F_SETPIPE_SZ is not supported (Linux 2.6.35 brought it)");
	if (r < 0 && errno == EPERM && request <= pipe_max_size() && user_over_soft_limit())
		kin_skip("this user is over pipe-user-pages-soft (new pipes get fewer than 16 "
			 "pages), so growing a pipe to %d bytes is refused (EPERM)", request);
	if (r < 0)
		kin_fail("fcntl(F_SETPIPE_SZ, %d): %s", request, kin_errno_name(errno));
	KIN_EXPECT_EQ(r, want, "F_SETPIPE_SZ result");
	KIN_EXPECT_EQ(pipe_size(fd), want, "F_GETPIPE_SZ after F_SETPIPE_SZ");
	return r;
}

/*
 * One non-blocking write of capacity+1 bytes into an empty pipe stores
 * exactly `capacity' bytes and returns that count; the next write, of one
 * byte, fails with EAGAIN.
 */
static void expect_nonblocking_fill(int fd[2], int cap)
{
	size_t len = (size_t)cap + 1;
	char *buf = pattern(len, 3);
	int fl = KIN_CHECK(fcntl(fd[1], F_GETFL));
	KIN_CHECK(fcntl(fd[1], F_SETFL, fl | O_NONBLOCK));

	ssize_t w = write(fd[1], buf, len);
	if (w < 0)
		kin_fail("non-blocking write of %zu bytes into an empty pipe: %s", len,
			 kin_errno_name(errno));
	KIN_EXPECT_EQ(w, cap, "bytes one non-blocking write of capacity+1 stored");
	KIN_EXPECT_EQ(queued(fd[0]), cap, "FIONREAD of the full pipe");
	KIN_EXPECT_ERRNO(write(fd[1], buf, 1), EAGAIN);
	expect_drain(fd[0], buf, (size_t)cap, "the bytes the non-blocking write stored");
	free(buf);
}

/* PIPE-CAPACITY */
KIN_TEST(nonblocking_write_stores_exactly_capacity_bytes, "PIPE-CAPACITY", 5)
{
	int fd[2];

	make_pipe(fd);
	int sz = pipe_size(fd[1]);
	expect_nonblocking_fill(fd, sz);
	close_pipe(fd);
	kin_pass("one non-blocking write of %d bytes stored %d (F_GETPIPE_SZ), the next got EAGAIN",
		 sz + 1, sz);
}

/* ------------------------------------------------------- blocking writes */

enum pipe_size_kind { PIPE_SIZE_DEFAULT, PIPE_SIZE_ONE_PAGE, PIPE_SIZE_MAX };

struct size_variant {
	const char *name;
	enum pipe_size_kind kind;
};

static const struct size_variant size_variants[] = {
	{ "default_size", PIPE_SIZE_DEFAULT },
	{ "one_page", PIPE_SIZE_ONE_PAGE },
	{ "pipe_max_size", PIPE_SIZE_MAX },
};

/* a new pipe of the variant's size; returns its capacity */
static int make_sized_pipe(int fd[2], enum pipe_size_kind kind)
{
	make_pipe(fd);
	switch (kind) {
	case PIPE_SIZE_ONE_PAGE:
		return set_pipe_size(fd[1], (int)kin_page_size(), (int)kin_page_size());
	case PIPE_SIZE_MAX: {
		long long max = pipe_max_size();
		return set_pipe_size(fd[1], (int)max, (int)max);
	}
	default:
		return pipe_size(fd[1]);
	}
}

/* PIPE-WRITE-BLOCKS */
KIN_TEST_VARIANTS(full_pipe_blocks_writer_after_capacity_bytes, "PIPE-WRITE-BLOCKS", 10,
		  size_variants, struct size_variant, v)
{
	struct kin_task_state st;
	int fd[2], rep[2];

	int cap = make_sized_pipe(fd, v->kind);
	size_t len = (size_t)cap + 1;
	char *buf = pattern(len, 1);
	make_pipe(rep);

	pid_t pid = kin_fork();
	if (pid == 0) {
		close(fd[0]);
		close(rep[0]);
		ssize_t w = write(fd[1], buf, len);
		report_ll(rep[1], w < 0 ? -errno : w);
		_exit(0);
	}
	kin_close(&fd[1]);
	kin_close(&rep[1]);

	kin_expect_blocked(pid, KIN_IN_WRITE, 2000, &st, "writer of capacity+1 bytes");
	KIN_EXPECT_EQ(queued(fd[0]), cap, "bytes queued (FIONREAD) while the writer sleeps");
	kin_note("wchan %s", st.wchan[0] ? st.wchan : "unreadable");
	expect_drain(fd[0], buf, len, "the capacity+1 bytes of the blocked write");
	KIN_EXPECT_EQ(read_report(rep[0], pid, "the writer's result"), (long long)len,
		      "return value of the blocking write after the drain");
	kin_reap_ok(pid, 2000, "writer");
	close_pipe(fd);
	kin_close(&rep[0]);

	/* the same write with O_NONBLOCK stores capacity bytes; then EAGAIN */
	make_sized_pipe(fd, v->kind);
	expect_nonblocking_fill(fd, cap);
	close_pipe(fd);
	free(buf);
	kin_pass("%d-byte pipe: a blocking write of %zu bytes slept (state S in write) with exactly "
		 "%d bytes queued and returned %zu once drained; with O_NONBLOCK it returned %d, "
		 "then EAGAIN", cap, len, cap, len, cap);
}

/* ------------------------------------------------------ the fill figures */

/*
 * What fits before a writer blocks, by the kernel's rule (fs/pipe.c,
 * pipe_write): a pipe has `slots' page-sized buffers; the part of a write
 * past a multiple of the page size (len % page) is first merged into the last
 * buffer if it fits there whole, the rest goes into fresh buffers of up to a
 * page each.  Starting with `full' slots already holding a page each, returns
 * the bytes that successive writes of `len' bytes add: for a blocking writer
 * until one write cannot finish (it sleeps there, with what it stored so far
 * in the pipe); for a non-blocking one until a write stores nothing (EAGAIN),
 * for a short write can be followed by more that each merge a little.
 */
static size_t pipe_fill_model(size_t page, size_t slots, size_t full, size_t len,
			      bool nonblocking)
{
	size_t used = full, last = full ? page : 0, total = 0;
	size_t rest = len % page;
	for (;;) {
		size_t done = 0;
		if (rest && used && last + rest <= page) {
			last += rest;
			done = rest;
		}
		while (done < len && used < slots) {
			size_t c = len - done < page ? len - done : page;
			used++;
			last = c;
			done += c;
		}
		total += done;
		if (done == 0 || (done < len && !nonblocking))
			return total;
	}
}

struct fill_variant {
	const char *name;
	size_t len;             /* bytes per write; 0: one write of capacity+1 */
	/* fill all slots but the last with page-sized writes first: 1-byte
	   writes fill every slot alike, and 65536 write() calls would cost
	   100 ms of the suite's second; 4096 show the same on the last slot */
	bool last_slot_only;
};

static const struct fill_variant fill_variants[] = {
	{ "1_byte_writes", 1, true },
	{ "100_byte_writes", 100, false },
	{ "4096_byte_writes", 4096, false },
	{ "4097_byte_writes", 4097, false },
	{ "one_large_write", 0, false },
};

/* PIPE-CAPACITY */
KIN_TEST_VARIANTS(pipe_fills_16_page_slots_not_65536_bytes, "PIPE-CAPACITY", 10,
		  fill_variants, struct fill_variant, v)
{
	size_t page = kin_page_size();
	struct kin_task_state st;
	int fd[2];

	make_pipe(fd);
	int cap = pipe_size(fd[1]);
	size_t slots = (size_t)cap / page;
	size_t len = v->len ? v->len : (size_t)cap + 1;
	size_t full = v->last_slot_only ? slots - 1 : 0;
	size_t want_blocking = full * page + pipe_fill_model(page, slots, full, len, false);
	size_t want_nonblocking = full * page + pipe_fill_model(page, slots, full, len, true);
	char *buf = pattern(len > page ? len : page, 5);

	/* a blocking writer in a loop: the bytes queued once it sleeps */
	for (size_t i = 0; i < full; i++)
		kin_write_all(fd[1], buf, page, "a page-sized write");
	pid_t pid = kin_fork();
	if (pid == 0) {
		close(fd[0]);
		signal(SIGPIPE, SIG_IGN);
		while (write(fd[1], buf, len) >= 0)
			;
		_exit(errno == EPIPE ? 0 : 1);
	}
	kin_close(&fd[1]);
	kin_expect_blocked(pid, KIN_IN_WRITE, 2000, &st, "writer in a loop");
	int blocked_at = queued(fd[0]);
	kin_close(&fd[0]);      /* wakes the writer: EPIPE ends its loop */
	kin_reap_ok(pid, 2000, "writer in a loop");
	KIN_EXPECT_EQ(blocked_at, want_blocking, "bytes queued when the blocking writer slept");

	/* non-blocking writes until EAGAIN */
	make_pipe(fd);
	for (size_t i = 0; i < full; i++)
		kin_write_all(fd[1], buf, page, "a page-sized write");
	KIN_CHECK(fcntl(fd[1], F_SETFL, O_NONBLOCK));
	size_t stored = full * page;
	for (size_t calls = 0;; calls++) {
		ssize_t w = write(fd[1], buf, len);
		if (w < 0 && errno == EAGAIN)
			break;
		if (w <= 0)
			kin_fail("non-blocking write %zu of %zu bytes: %s", calls + 1, len,
				 w < 0 ? kin_errno_name(errno) : "returned 0");
		stored += (size_t)w;
		KIN_EXPECT_TRUE(calls <= (size_t)cap, "over %d writes without EAGAIN", cap);
	}
	KIN_EXPECT_EQ(stored, want_nonblocking, "bytes non-blocking writes stored before EAGAIN");
	KIN_EXPECT_EQ(queued(fd[0]), stored, "FIONREAD after EAGAIN");
	close_pipe(fd);
	free(buf);

	char what[96], nb[64] = "";
	if (full)
		snprintf(what, sizeof(what), "%zu-byte writes (into the last slot, after %zu "
			 "page-sized writes)", len, full);
	else if (v->len)
		snprintf(what, sizeof(what), "%zu-byte writes", len);
	else
		snprintf(what, sizeof(what), "one write of %zu bytes", len);
	if (stored != (size_t)blocked_at)
		snprintf(nb, sizeof(nb), ", non-blocking ones %zu before EAGAIN", stored);
	/* 4 KiB pages: "64KB" is the right order with a caveat (a user over
	   pipe-user-pages-soft gets fewer slots: new_pipe_holds_16_pages says
	   so); other page sizes: not 64KB at all */
	if (page == 4096)
		kin_verdict(KIN_V_CAVEAT, "%s: %d bytes fit before the writer blocked%s (%zu page "
			    "slots of %zu bytes)", what, blocked_at, nb, slots, page);
	else
		kin_verdict(KIN_V_REFUTED, "%s: %d bytes fit before the writer blocked%s, not 64KB "
			    "(%d-byte pipe, %zu slots of %zu-byte pages)", what, blocked_at, nb, cap,
			    slots, page);
	kin_pass("%s: %d bytes queued when a blocking writer slept%s, in a %d-byte pipe of "
		 "%zu-byte pages", what, blocked_at, stored != (size_t)blocked_at ? nb :
		 ", the same before EAGAIN", cap, page);
}

/* ------------------------------------------------------ F_SETPIPE_SZ */

/* PIPE-CAPACITY */
KIN_TEST(setpipe_sz_rounds_up_to_a_power_of_two_pages, "PIPE-CAPACITY", 5)
{
	int page = (int)kin_page_size();
	long long max = pipe_max_size();
	static const struct { int pages, extra, want_pages; } req[] = {
		{ 0, 1, 1 }, { 1, 0, 1 }, { 1, 1, 2 }, { 3, 0, 4 }, { 5, 0, 8 }, { 16, 1, 32 },
	};
	char seen[256] = "";
	size_t used = 0;
	int fd[2];

	make_pipe(fd);
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		int request = req[i].pages * page + req[i].extra;
		int want = req[i].want_pages * page;
		if (want > max)
			continue;
		set_pipe_size(fd[1], request, want);
		used += (size_t)snprintf(seen + used, sizeof(seen) - used, "%s%d->%d",
					 used ? ", " : "", request, want);
	}
	close_pipe(fd);
	kin_pass("F_SETPIPE_SZ rounded requests up to a power of two pages of %d bytes: %s",
		 page, seen);
}

/* PIPE-CAPACITY */
KIN_TEST(setpipe_sz_below_occupied_slots_fails_ebusy, "PIPE-CAPACITY", 5)
{
	int page = (int)kin_page_size();
	int fd[2];

	make_pipe(fd);
	set_pipe_size(fd[1], 4 * page, 4 * page);
	char *buf = pattern((size_t)page * 3, 9);
	/* three page-sized writes take three slots */
	for (int i = 0; i < 3; i++)
		kin_write_all(fd[1], buf + (size_t)i * page, (size_t)page, "one page");
	KIN_EXPECT_ERRNO(fcntl(fd[1], F_SETPIPE_SZ, 2 * page), EBUSY);
	KIN_EXPECT_ERRNO(fcntl(fd[1], F_SETPIPE_SZ, page), EBUSY);
	KIN_EXPECT_EQ(pipe_size(fd[1]), 4 * page, "F_GETPIPE_SZ after the refused shrink");

	/* one slot read: two occupied, and two slots are enough */
	expect_drain(fd[0], buf, (size_t)page, "the first page");
	set_pipe_size(fd[1], 2 * page, 2 * page);
	expect_drain(fd[0], buf + page, (size_t)page * 2, "the pages kept across the shrink");
	free(buf);
	close_pipe(fd);
	kin_pass("with 3 of 4 slots occupied F_SETPIPE_SZ to 2 pages and to 1 page failed EBUSY; "
		 "with 2 occupied, 2 pages worked and kept the bytes");
}

/* PIPE-CAPACITY */
KIN_TEST(setpipe_sz_above_pipe_max_size_is_eperm_unprivileged, "PIPE-CAPACITY", 5)
{
	long long max = pipe_max_size();
	char why[160], tried;
	int ans[2];

	if (!kin_can_drop_privileges(why, sizeof(why)))
		kin_skip("%s", why);
	if (max > (1 << 29))
		kin_skip("pipe-max-size %lld leaves no room above it for a request", max);
	make_pipe(ans);
	pipe_size(ans[1]);      /* F_GETPIPE_SZ is there, or this is a skip */
	pid_t pid = kin_fork();
	if (pid == 0) {
		int fd[2];
		close(ans[0]);
		if (kin_drop_privileges(why, sizeof(why)) < 0)
			kin_fail("%s", why);
		/* a pipe of its own: pipe pages count against the creator */
		make_pipe(fd);
		KIN_EXPECT_ERRNO(fcntl(fd[1], F_SETPIPE_SZ, (int)max + 1), EPERM);
		KIN_EXPECT_ERRNO(fcntl(fd[1], F_SETPIPE_SZ, (int)max * 2), EPERM);
		/* up to pipe-max-size is allowed, unless this user is over
		   pipe-user-pages-soft (then any growth is EPERM) */
		bool over = user_over_soft_limit();
		if (!over)
			set_pipe_size(fd[1], (int)max, (int)max);
		kin_write_all(ans[1], over ? "n" : "y", 1, "child: was pipe-max-size tried");
		_exit(0);
	}
	kin_close(&ans[1]);
	kin_reap_ok(pid, 2000, "unprivileged child");
	kin_read_all(ans[0], &tried, 1, "the child's answer");
	kin_close(&ans[0]);
	if (tried == 'n')
		kin_pass("as uid %d without capabilities F_SETPIPE_SZ to %lld and %lld (above "
			 "pipe-max-size %lld) failed EPERM; up to pipe-max-size was not tried: the "
			 "user is over pipe-user-pages-soft", KIN_NOBODY, max + 1, max * 2, max);
	kin_pass("as uid %d without capabilities F_SETPIPE_SZ to pipe-max-size %lld worked and to "
		 "%lld and %lld failed EPERM", KIN_NOBODY, max, max + 1, max * 2);
}

/* ------------------------------------------------ pipe-user-pages-soft */

struct soft_outcome {
	int skip;               /* 1: the child could not run it; msg says why */
	char msg[200];
	long pipes;             /* pipes made until the first small one */
	int small_size;         /* F_GETPIPE_SZ of that pipe */
	int grow_errno;         /* F_SETPIPE_SZ back to the default */
};

/* in the unprivileged child: make pipes until one comes out small */
static void soft_limit_child(int out, long long soft, int def)
{
	struct soft_outcome o = { 0 };
	long page = (long)kin_page_size();
	long bound = (long)(soft / (def / page)) + 2;
	struct rlimit rl;
	char why[160];

	if (kin_drop_privileges(why, sizeof(why)) < 0)
		kin_fail("%s", why);
	getrlimit(RLIMIT_NOFILE, &rl);
	rlim_t need = (rlim_t)bound * 2 + 16;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		o.skip = 1;
		snprintf(o.msg, sizeof(o.msg), "passing pipe-user-pages-soft=%lld takes %ld pipes, "
			 "but the fd hard limit is %llu", soft, bound, (unsigned long long)rl.rlim_max);
	} else {
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			kin_fail("setrlimit(RLIMIT_NOFILE, %llu): %s", (unsigned long long)need,
				 strerror(errno));
		int p[2];
		for (o.pipes = 1; o.pipes <= bound; o.pipes++) {
			if (pipe(p) < 0)
				kin_fail("pipe %ld: %s", o.pipes, strerror(errno));
			int sz = fcntl(p[1], F_GETPIPE_SZ);
			if (sz < def) {
				o.small_size = sz;
				errno = 0;
				fcntl(p[1], F_SETPIPE_SZ, def);
				o.grow_errno = errno;
				break;
			}
			KIN_EXPECT_EQ(sz, def, "F_GETPIPE_SZ of a pipe under the soft limit");
		}
	}
	if (write(out, &o, sizeof(o)) != (ssize_t)sizeof(o))
		_exit(3);
	_exit(0);
}

/* PIPE-CAPACITY */
KIN_TEST(user_over_pipe_user_pages_soft_gets_2_pages, "PIPE-CAPACITY", 10)
{
	long page = (long)kin_page_size();
	long long soft = kin_read_ll("/proc/sys/fs/pipe-user-pages-soft");
	struct soft_outcome o;
	char why[160];
	int out[2];
	int def = PIPE_DEF_PAGES * (int)page;

	if (soft < 0)
		kin_skip("/proc/sys/fs/pipe-user-pages-soft is unreadable (Linux 4.5 brought it)");
	if (soft == 0)
		kin_skip("pipe-user-pages-soft is 0: no soft limit on this system");
	if (pipe_max_size() < def)
		kin_skip("pipe-max-size is below 16 pages: new pipes are capped by it instead");
	if (soft / PIPE_DEF_PAGES > 16384)
		kin_skip("pipe-user-pages-soft=%lld would take over %lld pipes", soft,
			 soft / PIPE_DEF_PAGES);
	if (!kin_can_drop_privileges(why, sizeof(why)))
		kin_skip("%s", why);

	make_pipe(out);
	pipe_size(out[1]);      /* F_GETPIPE_SZ is there, or this is a skip */
	pid_t pid = kin_fork();
	if (pid == 0) {
		close(out[0]);
		soft_limit_child(out[1], soft, def);
	}
	kin_close(&out[1]);
	kin_read_all(out[0], &o, sizeof(o), "the unprivileged child's outcome");
	kin_reap_ok(pid, 5000, "unprivileged child making pipes");
	kin_close(&out[0]);
	if (o.skip)
		kin_skip("%s", o.msg);

	long first_small_max = (long)(soft / PIPE_DEF_PAGES) + 1;
	KIN_EXPECT_TRUE(o.small_size != 0, "%ld pipes as uid %d, all of 16 pages: "
			"pipe-user-pages-soft=%lld did not bite", o.pipes - 1, KIN_NOBODY, soft);
	KIN_EXPECT_TRUE(o.pipes <= first_small_max, "the first small pipe was number %ld, after "
			"the %ld that fit under pipe-user-pages-soft=%lld", o.pipes,
			first_small_max - 1, soft);
	KIN_EXPECT_TRUE(o.small_size == 2 * page || o.small_size == page,
			"a pipe over the soft limit got %d bytes, expected 2 pages (1 before Linux "
			"5.14) of %ld", o.small_size, page);
	KIN_EXPECT_EQ(o.grow_errno, EPERM, "errno of F_SETPIPE_SZ back to 16 pages over the soft limit");

	kin_verdict(KIN_V_CAVEAT, "as uid %d, pipe %ld got %d bytes (%ld page%s) once the user was "
		    "over pipe-user-pages-soft=%lld, and growing it failed EPERM", KIN_NOBODY,
		    o.pipes, o.small_size, o.small_size / page, o.small_size == page ? ", the "
		    "pre-5.14 rule" : "s", soft);
	kin_pass("as uid %d: %ld pipe%s of 16 pages before pipe %ld got %d bytes over "
		 "pipe-user-pages-soft=%lld (the user's other pipes count too); F_SETPIPE_SZ to %d: "
		 "EPERM", KIN_NOBODY, o.pipes - 1, o.pipes == 2 ? "" : "s", o.pipes, o.small_size,
		 soft, def);
}

/* ----------------------------------------------------- one-way, in order */

/* PIPE-ONEWAY */
KIN_TEST(process_reading_its_own_pipe_gets_its_own_bytes_back, "PIPE-ONEWAY", 5)
{
	static const char ping[] = "ping from the parent";
	char buf[64];
	int fd[2], go[2];

	make_pipe(fd);
	make_pipe(go);
	/* a child that holds both ends, as after any fork, and reads nothing */
	pid_t pid = kin_fork();
	if (pid == 0) {
		close(go[1]);
		char c;
		_exit(read(go[0], &c, 1) == 0 ? 0 : 1);
	}
	kin_close(&go[0]);
	kin_write_all(fd[1], ping, sizeof(ping) - 1, "the parent's message");
	ssize_t r = kin_read_within(fd[0], buf, sizeof(buf), 2000, "the parent reading its pipe");
	KIN_EXPECT_EQ(r, sizeof(ping) - 1, "bytes the writer read back from its own pipe");
	KIN_EXPECT_MEM(buf, ping, sizeof(ping) - 1, "the bytes the writer read back");
	kin_close(&go[1]);
	kin_reap_ok(pid, 2000, "child holding both ends");
	close_pipe(fd);
	kin_pass("with a child holding both ends, the parent read back its own %zu bytes: one "
		 "pipe is one channel, whoever reads first gets the data", sizeof(ping) - 1);
}

/* PIPE-ONEWAY */
KIN_TEST(two_pipes_carry_a_conversation_both_ways, "PIPE-ONEWAY", 5)
{
	static const char ping[] = "ping", pong[] = "pong";
	char buf[16];
	int down[2], up[2];

	make_pipe(down);
	make_pipe(up);
	pid_t pid = kin_fork();
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		kin_read_all(down[0], buf, 4, "child: the parent's ping");
		KIN_EXPECT_MEM(buf, ping, 4, "child: the ping");
		kin_write_all(up[1], pong, 4, "child: the pong");
		_exit(0);
	}
	kin_close(&down[0]);
	kin_close(&up[1]);
	kin_write_all(down[1], ping, 4, "the ping");
	kin_read_all(up[0], buf, 4, "the child's pong");
	KIN_EXPECT_MEM(buf, pong, 4, "the pong");
	kin_reap_ok(pid, 2000, "child");
	KIN_EXPECT_EQ(read(up[0], buf, sizeof(buf)), 0, "read after the child exited (EOF)");
	kin_close(&down[1]);
	kin_close(&up[0]);
	kin_pass("parent->child \"ping\" on one pipe, child->parent \"pong\" on a second, each side "
		 "closing the ends it does not use");
}

/* PIPE-ORDER */
KIN_TEST(bytes_arrive_in_write_order_across_many_writes, "PIPE-ORDER", 5)
{
	size_t total = 256 * 1024;
	char *buf = pattern(total, 11);
	int fd[2];

	make_pipe(fd);
	pid_t pid = kin_fork();
	if (pid == 0) {
		close(fd[0]);
		/* writes of changing sizes, none a multiple of another */
		static const size_t sizes[] = { 1, 7, 100, 4095, 4097, 13, 65521, 3 };
		for (size_t off = 0, i = 0; off < total; i++) {
			size_t n = sizes[i % 8];
			if (n > total - off)
				n = total - off;
			kin_write_all(fd[1], buf + off, n, "child: one write");
			off += n;
		}
		_exit(0);
	}
	kin_close(&fd[1]);
	/* reads of other sizes */
	char *got = malloc(total);
	KIN_EXPECT_TRUE(got != NULL, "malloc failed");
	static const size_t rsizes[] = { 5, 4096, 333, 12289 };
	size_t off = 0;
	for (size_t i = 0; off < total; i++) {
		size_t n = rsizes[i % 4];
		if (n > total - off)
			n = total - off;
		ssize_t r = kin_read_within(fd[0], got + off, n, 2000, "the stream");
		KIN_EXPECT_TRUE(r > 0, "end of file after %zu of %zu bytes", off, total);
		off += (size_t)r;
	}
	KIN_EXPECT_MEM(got, buf, total, "the stream read back");
	KIN_EXPECT_EQ(read(fd[0], got, 1), 0, "read after the writer exited (EOF)");
	kin_reap_ok(pid, 2000, "writer");
	free(got);
	free(buf);
	kin_close(&fd[0]);
	kin_pass("%zu bytes in writes of 1 to 65521 bytes came back in order through reads of "
		 "other sizes", total);
}

/* PIPE-ORDER */
KIN_TEST(two_writes_come_back_in_one_read, "PIPE-ORDER", 5)
{
	char buf[64];
	int fd[2];

	make_pipe(fd);
	pid_t pid = kin_fork();
	if (pid == 0) {
		close(fd[0]);
		kin_write_all(fd[1], "first,", 6, "child: first write");
		kin_write_all(fd[1], "second", 6, "child: second write");
		_exit(0);
	}
	kin_close(&fd[1]);
	kin_reap_ok(pid, 2000, "writer");
	ssize_t r = read(fd[0], buf, sizeof(buf));
	KIN_EXPECT_EQ(r, 12, "bytes one read returned after two 6-byte writes");
	KIN_EXPECT_MEM(buf, "first,second", 12, "the bytes of the one read");
	kin_close(&fd[0]);
	kin_pass("two writes of 6 bytes came back as one read of 12 \"first,second\": a byte "
		 "stream keeps order, not message boundaries");
}

/* ------------------------------------------------------------ kinship */

/* PIPE-KIN */
KIN_TEST(siblings_share_a_pipe_inherited_from_their_parent, "PIPE-KIN", 5)
{
	static const char msg[] = "from one sibling to the other";
	int fd[2];

	make_pipe(fd);
	pid_t writer = kin_fork();
	if (writer == 0) {
		close(fd[0]);
		kin_write_all(fd[1], msg, sizeof(msg), "writer sibling");
		_exit(0);
	}
	pid_t reader = kin_fork();
	if (reader == 0) {
		close(fd[1]);
		expect_drain(fd[0], msg, sizeof(msg), "reader sibling: the message");
		_exit(0);
	}
	close_pipe(fd);
	kin_reap_ok(writer, 2000, "writer sibling");
	kin_reap_ok(reader, 2000, "reader sibling");
	kin_pass("two children of the pipe's creator, each holding one inherited end, passed %zu "
		 "bytes", sizeof(msg));
}

/* send one fd over a Unix socket (SCM_RIGHTS) */
static void send_fd(int sock, int fd)
{
	char byte = 'F';
	struct iovec iov = { &byte, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	memset(&u, 0, sizeof(u));
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &m, 0) != 1)
		kin_fail("sendmsg(SCM_RIGHTS): %s", strerror(errno));
}

/* receive one fd sent with send_fd, within a deadline */
static int recv_fd(int sock)
{
	char byte;
	struct iovec iov = { &byte, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	if (!kin_poll_in(sock, 2000))
		kin_fail("no fd arrived within 2 s");
	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		kin_fail("recvmsg: %s", strerror(errno));
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		kin_fail("recvmsg: no SCM_RIGHTS message");
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

enum reach { REACH_FORK, REACH_PROC_FD, REACH_SCM_RIGHTS };

struct reach_variant {
	const char *name;
	enum reach how;
	const char *said;       /* for the detail: how the writer got the write end */
};

static const struct reach_variant reach_variants[] = {
	{ "inherited_across_fork", REACH_FORK,
	  "a child of the holder, forked after pipe(), wrote through the inherited write end" },
	{ "opened_through_proc_fd", REACH_PROC_FD,
	  "a process forked before the pipe existed, sibling of its holder, opened "
	  "/proc/HOLDER/fd/N of the write end and wrote" },
	{ "received_with_scm_rights", REACH_SCM_RIGHTS,
	  "a process forked before the pipe existed received the write end with SCM_RIGHTS and "
	  "wrote" },
};

/* the receiver of REACH_SCM_RIGHTS: write msg to the fd that arrives */
static void write_to_received_fd(int sock, const char *msg, size_t len)
{
	struct stat st;
	int fd = recv_fd(sock);
	KIN_EXPECT_TRUE(fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode),
			"receiver: the fd received is not a pipe");
	KIN_EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_WRONLY, "receiver: access mode");
	kin_write_all(fd, msg, len, "receiver: write to the received fd");
	_exit(0);
}

/* PIPE-KIN */
KIN_TEST_VARIANTS(another_process_writes_to_the_holders_pipe, "PIPE-KIN", 5,
		  reach_variants, struct reach_variant, v)
{
	static const char msg[] = "reached the pipe of another process";
	pid_t other = 0;
	int ctl = -1, sv[2] = { -1, -1 };

	/* for /proc and SCM_RIGHTS the writer exists before the pipe, so it
	   cannot have inherited it, and is no descendant of the holder */
	if (v->how == REACH_PROC_FD)
		other = kin_stranger(O_WRONLY, msg, sizeof(msg), &ctl);
	if (v->how == REACH_SCM_RIGHTS) {
		KIN_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
		other = kin_fork();
		if (other == 0) {
			close(sv[0]);
			write_to_received_fd(sv[1], msg, sizeof(msg));
		}
	}
	pid_t holder = kin_fork();
	if (holder == 0) {
		pid_t child = 0;
		int fd[2];
		make_pipe(fd);
		if (v->how == REACH_FORK) {
			child = kin_fork();
			if (child == 0) {
				close(fd[0]);
				kin_write_all(fd[1], msg, sizeof(msg), "holder's child");
				_exit(0);
			}
		} else if (v->how == REACH_PROC_FD) {
			/* the write end stays open here: the link must lead somewhere */
			kin_stranger_go(&ctl, getpid(), fd[1]);
		} else {
			send_fd(sv[0], fd[1]);
		}
		if (v->how != REACH_PROC_FD)
			close(fd[1]);
		expect_drain(fd[0], msg, sizeof(msg), "holder: the other process's message");
		if (child)
			kin_reap_ok(child, 2000, "holder's child");
		_exit(0);
	}
	if (ctl >= 0)
		kin_close(&ctl);
	if (sv[0] >= 0) {
		kin_close(&sv[0]);
		kin_close(&sv[1]);
	}
	if (other)
		kin_reap_ok(other, 2000, "the writer that is no descendant");
	kin_reap_ok(holder, 2000, "holder");
	kin_pass("%s; its %zu bytes reached the holder's read end", v->said, sizeof(msg));
}

/* ------------------------------------------------------- empty pipes */

/* PIPE-READ-BLOCKS */
KIN_TEST(read_from_empty_pipe_sleeps_until_data_arrives, "PIPE-READ-BLOCKS", 5)
{
	static const char msg[] = "Hello from parent";
	struct kin_task_state st;
	int fd[2], rep[2];

	make_pipe(fd);
	make_pipe(rep);
	pid_t pid = kin_fork();
	if (pid == 0) {
		char buf[64];
		close(fd[1]);
		close(rep[0]);
		ssize_t r = read(fd[0], buf, sizeof(buf));
		report_ll(rep[1], r < 0 ? -errno : r);
		if (r > 0 && write(rep[1], buf, (size_t)r) != r)
			_exit(3);
		_exit(0);
	}
	kin_close(&fd[0]);
	kin_close(&rep[1]);
	kin_expect_blocked(pid, KIN_IN_READ, 2000, &st, "reader of an empty pipe");
	KIN_EXPECT_EQ(kin_poll_in(rep[0], 0), 0, "reader reported before any data was written");
	kin_note("wchan %s", st.wchan[0] ? st.wchan : "unreadable");
	kin_write_all(fd[1], msg, 17, "the message");
	KIN_EXPECT_EQ(read_report(rep[0], pid, "the reader's result"), 17, "bytes the woken read returned");
	char got[17];
	kin_read_all(rep[0], got, sizeof(got), "the bytes the reader got");
	KIN_EXPECT_MEM(got, msg, 17, "the bytes the reader got");
	kin_reap_ok(pid, 2000, "reader");
	kin_close(&fd[1]);
	kin_close(&rep[0]);
	kin_pass("a reader of an empty pipe slept in read (state S) and woke with exactly the 17 "
		 "bytes written");
}

/* PIPE-READ-BLOCKS */
KIN_TEST(read_returns_eof_at_once_when_no_write_end_is_open, "PIPE-READ-BLOCKS", 5)
{
	char c;
	int fd[2];

	make_pipe(fd);
	kin_write_all(fd[1], "ab", 2, "two bytes");
	kin_close(&fd[1]);
	/* what is queued still comes out, then end of file */
	KIN_EXPECT_EQ(read(fd[0], &c, 1), 1, "read of queued data after the writer closed");
	KIN_EXPECT_EQ(read(fd[0], &c, 1), 1, "read of queued data after the writer closed");
	KIN_EXPECT_EQ(kin_poll_in(fd[0], 0), 1, "poll(POLLIN|POLLHUP) of a pipe with no writer, 0 ms");
	KIN_EXPECT_EQ(read(fd[0], &c, 1), 0, "read with every write end closed");
	KIN_EXPECT_EQ(read(fd[0], &c, 1), 0, "a second read with every write end closed");
	kin_close(&fd[0]);
	kin_pass("with the only write end closed, queued bytes came out, then read returned 0 "
		 "at once (poll ready with a 0 ms timeout)");
}

/* PIPE-READ-BLOCKS */
KIN_TEST(reader_gets_eof_when_child_holding_last_write_end_exits, "PIPE-READ-BLOCKS", 5)
{
	struct kin_task_state st;
	int fd[2], go[2], rep[2];

	make_pipe(fd);
	make_pipe(go);
	make_pipe(rep);
	/* the holder of the last write end: waits for "go", then exits */
	pid_t holder = kin_fork();
	if (holder == 0) {
		char c;
		close(fd[0]);
		close(go[1]);
		close(rep[0]);
		close(rep[1]);
		_exit(read(go[0], &c, 1) == 1 ? 0 : 1);
	}
	kin_close(&go[0]);
	kin_close(&fd[1]);
	pid_t reader = kin_fork();
	if (reader == 0) {
		char c;
		close(go[1]);
		close(rep[0]);
		ssize_t r = read(fd[0], &c, 1);
		report_ll(rep[1], r < 0 ? -errno : r);
		_exit(0);
	}
	kin_close(&fd[0]);
	kin_close(&rep[1]);
	kin_expect_blocked(reader, KIN_IN_READ, 2000, &st, "reader while a child holds the write end");
	kin_write_all(go[1], "x", 1, "go");
	kin_reap_ok(holder, 2000, "holder of the write end");
	KIN_EXPECT_EQ(read_report(rep[0], reader, "the reader's result"), 0,
		      "read once the child holding the last write end exited");
	kin_reap_ok(reader, 2000, "reader");
	kin_close(&go[1]);
	kin_close(&rep[0]);
	kin_pass("a reader slept while a child held the last write end; when that child exited "
		 "its read returned 0 (EOF)");
}

/* ------------------------------------------------------------ atomicity */

#define ATOMIC_WRITERS 4
#define ATOMIC_RECORDS 32

/* a PIPE_BUF record: writer, sequence number, then bytes derived from both */
static void make_record(char *rec, unsigned writer, unsigned seq)
{
	memcpy(rec, &writer, sizeof(writer));
	memcpy(rec + sizeof(writer), &seq, sizeof(seq));
	for (size_t i = 2 * sizeof(unsigned); i < PIPE_BUF; i++)
		rec[i] = (char)(writer * 37 + seq * 11 + i);
}

/* PIPE-ATOMIC */
KIN_TEST(pipe_buf_writes_from_several_writers_never_interleave, "PIPE-ATOMIC", 10)
{
	static char rec[PIPE_BUF], want[PIPE_BUF];
	unsigned next[ATOMIC_WRITERS] = { 0 };
	pid_t pids[ATOMIC_WRITERS];
	int fd[2];

	make_pipe(fd);
	KIN_EXPECT_EQ(PIPE_BUF, 4096, "PIPE_BUF from <limits.h>");
	KIN_EXPECT_EQ(fpathconf(fd[0], _PC_PIPE_BUF), 4096, "fpathconf(_PC_PIPE_BUF)");
	for (unsigned w = 0; w < ATOMIC_WRITERS; w++) {
		pids[w] = kin_fork();
		if (pids[w] == 0) {
			close(fd[0]);
			for (unsigned s = 0; s < ATOMIC_RECORDS; s++) {
				make_record(rec, w, s);
				/* one write() per record: no retry loop */
				if (write(fd[1], rec, PIPE_BUF) != PIPE_BUF)
					_exit(2);
			}
			_exit(0);
		}
	}
	kin_close(&fd[1]);
	for (unsigned n = 0; n < ATOMIC_WRITERS * ATOMIC_RECORDS; n++) {
		unsigned w, s;
		kin_read_all(fd[0], rec, PIPE_BUF, "a record");
		memcpy(&w, rec, sizeof(w));
		memcpy(&s, rec + sizeof(w), sizeof(s));
		KIN_EXPECT_TRUE(w < ATOMIC_WRITERS && s == next[w],
				"record %u: header says writer %u record %u, expected a writer's "
				"next record", n, w, s);
		make_record(want, w, s);
		KIN_EXPECT_MEM(rec, want, PIPE_BUF, "a record's bytes (interleaved with another?)");
		next[w]++;
	}
	KIN_EXPECT_EQ(read(fd[0], rec, 1), 0, "read after all records (EOF)");
	for (unsigned w = 0; w < ATOMIC_WRITERS; w++)
		kin_reap_ok(pids[w], 2000, "writer");
	kin_close(&fd[0]);
	kin_pass("%d writers x %d records of PIPE_BUF=%d bytes through one pipe: every record "
		 "arrived whole and in its writer's order", ATOMIC_WRITERS, ATOMIC_RECORDS, PIPE_BUF);
}

/* ---------------------------------------------------------- no reader */

/* PIPE-NO-READER */
KIN_TEST(write_with_no_reader_is_killed_by_sigpipe, "PIPE-NO-READER", 5)
{
	int fd[2];

	make_pipe(fd);
	kin_close(&fd[0]);
	pid_t pid = kin_fork();
	if (pid == 0) {
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		ssize_t r = write(fd[1], "x", 1);
		_exit(r < 0 ? 2 : 3);
	}
	int status = kin_reap(pid, 2000);
	kin_close(&fd[1]);
	KIN_EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE,
			"writer with no reader: %s, expected killed by SIGPIPE",
			kin_status_str(status));
	kin_pass("a write with no read end open killed the writer with SIGPIPE (signal %d)", SIGPIPE);
}

/* PIPE-NO-READER */
KIN_TEST(write_with_no_reader_fails_epipe_when_sigpipe_ignored, "PIPE-NO-READER", 5)
{
	int fd[2];

	make_pipe(fd);
	kin_close(&fd[0]);
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	KIN_EXPECT_ERRNO(write(fd[1], "x", 1), EPIPE);
	signal(SIGPIPE, old);
	kin_close(&fd[1]);
	kin_pass("with SIGPIPE ignored, a write with no read end open failed at once with EPIPE");
}

/* PIPE-NO-READER */
KIN_TEST(blocked_writer_wakes_when_last_reader_closes, "PIPE-NO-READER", 5)
{
	struct kin_task_state st;
	int fd[2], rep[2];

	make_pipe(fd);
	make_pipe(rep);
	int cap = pipe_size(fd[1]);
	size_t len = (size_t)cap + 1;
	char *buf = pattern(len, 13);
	pid_t pid = kin_fork();
	if (pid == 0) {
		close(fd[0]);
		close(rep[0]);
		signal(SIGPIPE, SIG_IGN);
		ssize_t w = write(fd[1], buf, len);
		report_ll(rep[1], w < 0 ? -errno : w);
		w = write(fd[1], buf, 1);
		report_ll(rep[1], w < 0 ? -errno : w);
		_exit(0);
	}
	kin_close(&fd[1]);
	kin_close(&rep[1]);
	kin_expect_blocked(pid, KIN_IN_WRITE, 2000, &st, "writer on a full pipe");
	kin_close(&fd[0]);
	KIN_EXPECT_EQ(read_report(rep[0], pid, "the woken write"), cap,
		      "return of the blocked write when the reader closed");
	KIN_EXPECT_EQ(read_report(rep[0], pid, "the next write"), -EPIPE, "the next write (-errno)");
	kin_reap_ok(pid, 2000, "writer");
	kin_close(&rep[0]);
	free(buf);
	kin_pass("a writer asleep on a full pipe woke when the reader closed: its write returned "
		 "the %d bytes stored, the next failed EPIPE (SIGPIPE ignored)", cap);
}

/* ------------------------------------------------------------ example */

/* PIPE-EXAMPLE */
KIN_TEST(example_child_receives_17_bytes_without_nul, "PIPE-EXAMPLE", 5)
{
	int fd[2];

	/* the document's sequence: pipe, fork, the child closes fd[1] and
	   reads into char buffer[20], the parent closes fd[0] and writes 17 */
	make_pipe(fd);
	pid_t pid = kin_fork();
	if (pid == 0) {
		char buffer[20];
		memset(buffer, 0xa5, sizeof(buffer)); /* what an uninitialised buffer may hold */
		close(fd[1]);
		ssize_t r = read(fd[0], buffer, sizeof(buffer));
		close(fd[0]);
		KIN_EXPECT_EQ(r, 17, "child: bytes of read(fd[0], buffer, 20)");
		KIN_EXPECT_MEM(buffer, "Hello from parent", 17, "child: the message");
		KIN_EXPECT_TRUE(memchr(buffer, 0, 17) == NULL, "child: a NUL among the 17 bytes");
		KIN_EXPECT_TRUE((unsigned char)buffer[17] == 0xa5,
				"child: read touched buffer[17] (0x%02x)", (unsigned char)buffer[17]);
		_exit(0);
	}
	close(fd[0]);
	ssize_t w = write(fd[1], "Hello from parent", 17);
	close(fd[1]);
	fd[0] = fd[1] = -1;
	KIN_EXPECT_EQ(w, 17, "the parent's write");
	kin_reap_ok(pid, 2000, "the example's child");
	kin_pass("the child's one read returned the 17 bytes \"Hello from parent\" whole; none is a "
		 "NUL and buffer[17..19] kept what they held, so printf(\"%%s\") reads past the "
		 "message");
}

/* ------------------------------------------------- regression sentinels */

#define EOF_READERS 4

/* REG-PIPE-EOF-ALL */
KIN_TEST(every_reader_asleep_on_a_pipe_gets_eof_when_the_last_writer_closes, "REG-PIPE-EOF-ALL", 10)
{
	struct kin_task_state st;
	pid_t readers[EOF_READERS];
	int fd[2];

	make_pipe(fd);
	for (int i = 0; i < EOF_READERS; i++) {
		readers[i] = kin_fork();
		if (readers[i] == 0) {
			char c;
			close(fd[1]);
			ssize_t r = read(fd[0], &c, 1);
			_exit(r == 0 ? 0 : r > 0 ? 2 : 3);
		}
	}
	kin_close(&fd[0]);
	for (int i = 0; i < EOF_READERS; i++)
		kin_expect_blocked(readers[i], KIN_IN_READ, 2000, &st, "a reader of the empty pipe");
	/* the last writer goes: every reader must wake with end of file */
	kin_close(&fd[1]);
	long long deadline = kin_deadline(2000);
	int woke = 0;
	for (int i = 0; i < EOF_READERS; i++) {
		int status;
		long left = (long)(deadline - kin_now_ms());
		if (kin_wait(readers[i], &status, left > 0 ? left : 0) < 0)
			continue;
		KIN_EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
				"reader %d: %s (2: read data, 3: read failed)", i + 1, kin_status_str(status));
		woke++;
	}
	kin_sentinel(woke == EOF_READERS ? KIN_SIDE_AFTER : KIN_SIDE_BEFORE, NULL,
		     "%d of %d readers asleep in read() (%s) returned 0 when the last writer closed%s",
		     woke, EOF_READERS, kin_task_state_str(&st),
		     woke == EOF_READERS ? "" : "; the others slept on past 2 s");
}

/* REG-PIPE-EPOLLET */
KIN_TEST(edge_triggered_epoll_reports_each_write_to_an_unread_pipe, "REG-PIPE-EPOLLET", 5)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, got;
	int fd[2];

	make_pipe(fd);
	int ep = KIN_CHECK(epoll_create1(EPOLL_CLOEXEC));
	ev.data.fd = fd[0];
	KIN_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd[0], &ev));
	/* a write wakes its waiters before it returns, so each look is
	   epoll_wait with no timeout: what is ready now */
	KIN_EXPECT_EQ(epoll_wait(ep, &got, 1, 0), 0, "events of the empty pipe");
	kin_write_all(fd[1], "a", 1, "the first byte");
	KIN_EXPECT_EQ(epoll_wait(ep, &got, 1, 0), 1, "events after the first write");
	KIN_EXPECT_TRUE(got.events & EPOLLIN, "the first write gave events %#x, not EPOLLIN",
			got.events);
	KIN_EXPECT_EQ(epoll_wait(ep, &got, 1, 0), 0,
		      "edge-triggered: events on a second look with no new write");
	kin_write_all(fd[1], "b", 1, "the second byte, the first unread");
	int again = epoll_wait(ep, &got, 1, 0);
	int e = errno;
	int unread = queued(fd[0]);
	kin_close(&ep);
	close_pipe(fd);
	if (again < 0)
		kin_fail("epoll_wait after the second write: %s", kin_errno_name(e));
	kin_sentinel(again == 1 ? KIN_SIDE_AFTER : KIN_SIDE_BEFORE, NULL,
		     "EPOLLIN after the first write, none on a second look, and %s after a second "
		     "write with %d bytes unread", again == 1 ? "EPOLLIN again" : "no event",
		     unread);
}

/* a SIGIO, blocked, within MS ms (scaled): Linux raises it before the
   write returns, so the wait ends at once there; an implementation that
   delivers signals on its own schedule gets the bound */
static int sigio_within(const sigset_t *io, siginfo_t *si, long ms)
{
	long scaled = kin_scaled_ms(ms);
	struct timespec bound = { scaled / 1000, (scaled % 1000) * 1000000L };
	return sigtimedwait(io, si, &bound);
}

/* REG-PIPE-FASYNC */
KIN_TEST(every_write_to_a_pipe_raises_sigio_for_its_async_reader, "REG-PIPE-FASYNC", 5)
{
	static const struct timespec now = { 0, 0 };
	sigset_t io, old;
	siginfo_t si;
	int fd[2];

	/* SIGIO stays pending, where sigtimedwait() takes it */
	sigemptyset(&io);
	sigaddset(&io, SIGIO);
	KIN_CHECK(sigprocmask(SIG_BLOCK, &io, &old));
	make_pipe(fd);
	KIN_CHECK(fcntl(fd[0], F_SETOWN, getpid()));
	int fl = KIN_CHECK(fcntl(fd[0], F_GETFL));
	KIN_CHECK(fcntl(fd[0], F_SETFL, fl | O_ASYNC));
	kin_write_all(fd[1], "a", 1, "a byte to the empty pipe");
	int sig = sigio_within(&io, &si, 200);
	KIN_EXPECT_TRUE(sig == SIGIO, "no SIGIO within 200 ms of a write to the empty pipe "
			"(sigtimedwait: %s)", sig < 0 ? kin_errno_name(errno) : kin_signal_name(sig));
	int code = si.si_code;
	kin_write_all(fd[1], "b", 1, "a byte to the pipe that holds one");
	bool again = sigio_within(&io, &si, 200) == SIGIO;
	close_pipe(fd);
	/* whatever SIGIO the close left pending goes before the mask does: its
	   default action would end the test */
	while (sigtimedwait(&io, &si, &now) == SIGIO)
		;
	KIN_CHECK(sigprocmask(SIG_SETMASK, &old, NULL));
	/* without F_SETSIG the kernel sends plain SIGIO, no poll band */
	KIN_EXPECT_EQ(code, SI_KERNEL, "si_code of the first SIGIO (F_SETSIG not set)");
	kin_sentinel(again ? KIN_SIDE_AFTER : KIN_SIDE_BEFORE, NULL,
		     "the write to the empty pipe raised SIGIO (si_code SI_KERNEL), the write to the "
		     "pipe holding a byte %s", again ? "raised it again" : "raised none within 200 ms");
}
