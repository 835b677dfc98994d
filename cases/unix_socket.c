/*
 * unix_socket.c - Unix domain sockets (document section 4, unix(7)).
 *
 * An AF_UNIX socket is named by a path (bind() makes a socket inode there)
 * or, on Linux, by an abstract name that starts with a NUL byte and lives in
 * no file system.  Data is copied from the sender's socket buffer into the
 * receiver's queue in the kernel: no protocol headers, checksums or
 * retransmission.  Stream sockets are byte streams; datagram and seqpacket
 * sockets keep message boundaries and, unlike UDP, never drop a message: a
 * sender whose peer's queue is full waits (or gets EAGAIN).
 *
 * Every socket file lives in the test's private directory (kin_tmpdir).
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kin.h"
#include "kin-compat.h"

#define WAIT_MS 2000

/* ---------------------------------------------------------- addresses */

/* a pathname address, passed with sizeof(struct sockaddr_un) as the document does */
static socklen_t path_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		kin_fail("socket path %s is longer than sun_path (%zu bytes)", path,
			 sizeof(a->sun_path));
	memcpy(a->sun_path, path, strlen(path) + 1);
	return (socklen_t)sizeof(*a);
}

/* an address in the test's directory */
static socklen_t tmp_addr(struct sockaddr_un *a, const char *name)
{
	char path[sizeof(a->sun_path)];
	return path_addr(a, kin_tmppath(path, sizeof(path), name));
}

/* an abstract address unique to this test: NUL, then the name, no NUL after it */
static socklen_t abstract_addr(struct sockaddr_un *a, const char *what, char *shown,
			       size_t shown_len)
{
	const char *dir = strrchr(kin_tmpdir(), '/');
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	int n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "kinship-%s-%s", what,
			 dir ? dir + 1 : "x");
	if (shown)
		snprintf(shown, shown_len, "@%s", a->sun_path + 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

static int unix_socket(int type)
{
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		kin_fail("socket(AF_UNIX, %d): %s", type, strerror(errno));
	return fd;
}

/* socket, bind, and listen unless it is a datagram socket */
static int server_socket(int type, const struct sockaddr_un *a, socklen_t len)
{
	int fd = unix_socket(type);
	KIN_CHECK(bind(fd, (const struct sockaddr *)a, len));
	if (type != SOCK_DGRAM)
		KIN_CHECK(listen(fd, 5));
	return fd;
}

static int client_socket(int type, const struct sockaddr_un *a, socklen_t len)
{
	int fd = unix_socket(type);
	KIN_CHECK(connect(fd, (const struct sockaddr *)a, len));
	return fd;
}

static void expect_recv(int fd, const char *want, size_t n, const char *what)
{
	char buf[256];
	ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (r < 0)
		kin_fail("%s: recv: %s", what, strerror(errno));
	KIN_EXPECT_EQ(r, n, what);
	KIN_EXPECT_MEM(buf, want, n, what);
}

/* the file type at a path: 's' socket, '-' absent, '?' something else */
static char file_kind(const char *path)
{
	struct stat sb;
	if (lstat(path, &sb) < 0)
		return errno == ENOENT ? '-' : '?';
	return S_ISSOCK(sb.st_mode) ? 's' : '?';
}

/* ---------------------------------------------------------------- UDS-PATH */

/* UDS-PATH */
KIN_TEST(bind_creates_socket_file_that_open_cannot_open, "UDS-PATH", 5)
{
	struct sockaddr_un a;
	struct stat sb;
	socklen_t len = tmp_addr(&a, "example.sock");

	KIN_EXPECT_EQ(file_kind(a.sun_path), '-', "a file at the path before bind()");
	int fd = server_socket(SOCK_STREAM, &a, len);
	KIN_CHECK(lstat(a.sun_path, &sb));
	KIN_EXPECT_TRUE(S_ISSOCK(sb.st_mode), "bind() made mode %o at %s, not a socket",
			(unsigned)sb.st_mode, a.sun_path);
	KIN_EXPECT_ERRNO(open(a.sun_path, O_RDONLY | O_CLOEXEC), ENXIO);
	KIN_EXPECT_ERRNO(open(a.sun_path, O_WRONLY | O_CLOEXEC), ENXIO);
	kin_close(&fd);
	KIN_CHECK(unlink(a.sun_path));
	kin_pass("bind() made a socket inode (S_ISSOCK, mode %04o) at the path; open() of it fails "
		 "with ENXIO", (unsigned)(sb.st_mode & 07777));
}

/* --------------------------------------------------------------- UDS-TYPES */

struct type_variant {
	const char *name;
	int type;
	bool abstract;
};

static const struct type_variant type_variants[] = {
	{ "stream_pathname", SOCK_STREAM, false },
	{ "stream_abstract", SOCK_STREAM, true },
	{ "dgram_pathname", SOCK_DGRAM, false },
	{ "dgram_abstract", SOCK_DGRAM, true },
	{ "seqpacket_pathname", SOCK_SEQPACKET, false },
	{ "seqpacket_abstract", SOCK_SEQPACKET, true },
};

/* UDS-TYPES */
KIN_TEST_VARIANTS(messages_arrive_in_order_with_boundaries_per_type, "UDS-TYPES", 5,
		  type_variants, struct type_variant, v)
{
	static const char *msgs[] = { "a", "bb", "ccc" };
	struct sockaddr_un a;
	socklen_t len = v->abstract ? abstract_addr(&a, "types", NULL, 0) : tmp_addr(&a, "s");

	int srv = server_socket(v->type, &a, len);
	int cli = client_socket(v->type, &a, len);
	int acc = v->type == SOCK_DGRAM ? srv : KIN_CHECK(accept4(srv, NULL, NULL, SOCK_CLOEXEC));
	for (int i = 0; i < 3; i++)
		KIN_EXPECT_EQ(send(cli, msgs[i], strlen(msgs[i]), 0), (long)strlen(msgs[i]),
			      "bytes send() took");
	if (v->type == SOCK_STREAM) {
		expect_recv(acc, "abbccc", 6, "one recv() of 256 bytes after three sends");
	} else {
		for (int i = 0; i < 3; i++)
			expect_recv(acc, msgs[i], strlen(msgs[i]), "one recv() per message");
	}
	KIN_EXPECT_ERRNO(recv(acc, &a, 1, MSG_DONTWAIT), EAGAIN);
	if (acc != srv)
		kin_close(&acc);
	kin_close(&cli);
	kin_close(&srv);
	if (!v->abstract)
		KIN_CHECK(unlink(a.sun_path));
	if (v->type == SOCK_STREAM)
		kin_pass("%s: sends of 1, 2, 3 bytes read by one recv() as 6 bytes \"abbccc\" "
			 "(a byte stream)", v->name);
	kin_pass("%s: sends of 1, 2, 3 bytes read by three recv() as 1, 2, 3 bytes in order "
		 "(boundaries kept)", v->name);
}

struct trunc_variant {
	const char *name;
	int type;
};

static const struct trunc_variant trunc_variants[] = {
	{ "dgram", SOCK_DGRAM },
	{ "seqpacket", SOCK_SEQPACKET },
};

/* UDS-TYPES */
KIN_TEST_VARIANTS(short_read_of_a_message_drops_the_rest, "UDS-TYPES", 5,
		  trunc_variants, struct trunc_variant, v)
{
	char buf[4];
	int sv[2];

	KIN_CHECK(socketpair(AF_UNIX, v->type | SOCK_CLOEXEC, 0, sv));
	KIN_EXPECT_EQ(send(sv[0], "0123456789", 10, 0), 10, "first message");
	KIN_EXPECT_EQ(send(sv[0], "next", 4, 0), 4, "second message");
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	KIN_EXPECT_EQ(recvmsg(sv[1], &mh, MSG_DONTWAIT), 4, "recvmsg() of the 10-byte message "
		      "into 4 bytes");
	KIN_EXPECT_MEM(buf, "0123", 4, "the part read");
	KIN_EXPECT_TRUE(mh.msg_flags & MSG_TRUNC, "recvmsg() did not set MSG_TRUNC (flags %#x)",
			(unsigned)mh.msg_flags);
	expect_recv(sv[1], "next", 4, "the next recv() gets the next message");
	kin_close(&sv[0]);
	kin_close(&sv[1]);
	kin_pass("%s: a 4-byte read of a 10-byte message returned 4 bytes with MSG_TRUNC, the other "
		 "6 were dropped, the next read got the next message", v->name);
}

/* UDS-TYPES */
KIN_TEST(datagrams_wait_for_a_full_receiver_instead_of_dropping, "UDS-TYPES", 10)
{
	enum { MAX = 100000 };
	struct sockaddr_un a;
	socklen_t len = tmp_addr(&a, "dgram");
	int sent = 0;

	int srv = server_socket(SOCK_DGRAM, &a, len);
	int cli = client_socket(SOCK_DGRAM, &a, len);
	/* a small send buffer: Linux stops at max_dgram_qlen or the bytes the
	   sender has in flight, gVisor (no max_dgram_qlen) only at the latter,
	   tens of thousands of datagrams with the default buffer */
	int sndbuf = 4096;
	KIN_CHECK(setsockopt(cli, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)));
	/* numbered datagrams until the receiver's queue is full, within the
	   test's own deadline */
	long long deadline = kin_deadline(5000);
	for (;;) {
		ssize_t w = send(cli, &sent, sizeof(sent), MSG_DONTWAIT);
		if (w < 0 && errno == EAGAIN)
			break;
		if (w < 0)
			kin_fail("send of datagram %d: %s", sent, strerror(errno));
		KIN_EXPECT_EQ(w, sizeof(sent), "bytes of a datagram sent");
		if (++sent == MAX)
			kin_fail("%d datagrams sent without the queue filling", MAX);
		if (sent % 1024 == 0 && kin_now_ms() > deadline)
			kin_fail("the queue was not full after %d datagrams in %ld ms", sent,
				 kin_scaled_ms(5000));
	}
	KIN_EXPECT_TRUE(sent > 0, "the first datagram got EAGAIN");
	for (int i = 0; i < sent; i++) {
		if (i % 1024 == 0 && kin_now_ms() > deadline)
			kin_fail("%d of %d queued datagrams read in %ld ms", i, sent,
				 kin_scaled_ms(5000));
		int got = -1;
		KIN_EXPECT_EQ(recv(srv, &got, sizeof(got), MSG_DONTWAIT), sizeof(got),
			      "bytes of a queued datagram");
		KIN_EXPECT_EQ(got, i, "number of the next datagram received");
	}
	KIN_EXPECT_ERRNO(recv(srv, &sent, sizeof(sent), MSG_DONTWAIT), EAGAIN);
	KIN_EXPECT_EQ(send(cli, &sent, sizeof(sent), MSG_DONTWAIT), sizeof(sent),
		      "a send once the queue was read");
	kin_close(&cli);
	kin_close(&srv);
	KIN_CHECK(unlink(a.sun_path));
	kin_pass("the sender (SO_SNDBUF 4096) got EAGAIN after %d queued datagrams (max_dgram_qlen "
		 "%lld); all %d "
		 "arrived, in order, none dropped", sent,
		 kin_read_ll("/proc/sys/net/unix/max_dgram_qlen"), sent);
}

/* ------------------------------------------------------------ UDS-SEQUENCE */

/* UDS-SEQUENCE */
KIN_TEST(connect_is_refused_before_listen_and_queued_after_it, "UDS-SEQUENCE", 5)
{
	struct sockaddr_un a;
	socklen_t len = tmp_addr(&a, "seq.sock");

	int srv = unix_socket(SOCK_STREAM);
	KIN_CHECK(bind(srv, (struct sockaddr *)&a, len));
	int early = unix_socket(SOCK_STREAM);
	KIN_EXPECT_ERRNO(connect(early, (struct sockaddr *)&a, len), ECONNREFUSED);
	kin_close(&early);
	KIN_CHECK(listen(srv, 5));
	/* connect() returns before the server calls accept(): the backlog holds it */
	int cli = client_socket(SOCK_STREAM, &a, len);
	KIN_EXPECT_EQ(send(cli, "ping", 4, 0), 4, "client send before accept()");
	int acc = KIN_CHECK(accept4(srv, NULL, NULL, SOCK_CLOEXEC));
	expect_recv(acc, "ping", 4, "server recv");
	KIN_EXPECT_EQ(send(acc, "pong", 4, 0), 4, "server send");
	expect_recv(cli, "pong", 4, "client recv");
	kin_close(&acc);
	kin_close(&cli);
	kin_close(&srv);
	KIN_CHECK(unlink(a.sun_path));
	kin_pass("connect() to a bound socket before listen() failed with ECONNREFUSED; after "
		 "listen() it succeeded before accept(), and data went both ways");
}

/* ------------------------------------------------------------- UDS-CLEANUP */

/* UDS-CLEANUP */
KIN_TEST(socket_file_outlives_its_sockets_until_unlinked, "UDS-CLEANUP", 5)
{
	struct sockaddr_un a;
	socklen_t len = tmp_addr(&a, "example.sock");

	int srv = server_socket(SOCK_STREAM, &a, len);
	kin_close(&srv);
	KIN_EXPECT_EQ(file_kind(a.sun_path), 's', "socket file after its socket was closed");
	int again = unix_socket(SOCK_STREAM);
	KIN_EXPECT_ERRNO(bind(again, (struct sockaddr *)&a, len), EADDRINUSE);
	int cli = unix_socket(SOCK_STREAM);
	KIN_EXPECT_ERRNO(connect(cli, (struct sockaddr *)&a, len), ECONNREFUSED);
	kin_close(&cli);
	KIN_CHECK(unlink(a.sun_path));
	KIN_CHECK(bind(again, (struct sockaddr *)&a, len));
	kin_close(&again);
	KIN_CHECK(unlink(a.sun_path));
	kin_pass("after close() the socket file stayed (S_ISSOCK); bind() to it failed with "
		 "EADDRINUSE and connect() with ECONNREFUSED until unlink(), then bind() succeeded");
}

/* UDS-CLEANUP */
KIN_TEST(unlink_while_listening_keeps_connections_and_hides_the_server, "UDS-CLEANUP", 5)
{
	struct sockaddr_un a;
	socklen_t len = tmp_addr(&a, "example.sock");

	int srv = server_socket(SOCK_STREAM, &a, len);
	int cli = client_socket(SOCK_STREAM, &a, len);
	int acc = KIN_CHECK(accept4(srv, NULL, NULL, SOCK_CLOEXEC));
	KIN_CHECK(unlink(a.sun_path));
	KIN_EXPECT_EQ(send(cli, "still", 5, 0), 5, "send on the existing connection");
	expect_recv(acc, "still", 5, "recv on the existing connection");
	KIN_EXPECT_EQ(send(acc, "here", 4, 0), 4, "reply on the existing connection");
	expect_recv(cli, "here", 4, "reply received");
	int late = unix_socket(SOCK_STREAM);
	KIN_EXPECT_ERRNO(connect(late, (struct sockaddr *)&a, len), ENOENT);
	kin_close(&late);
	kin_close(&acc);
	kin_close(&cli);
	kin_close(&srv);
	kin_pass("after unlink() of a listening socket's file the open connection carried data both "
		 "ways; a new connect() failed with ENOENT");
}

/* ---------------------------------------------------------- UDS-PATH-LIMIT */

#define LONG_NAME_LEN 120

struct long_sockaddr {
	struct sockaddr_un un;
	char beyond[16];
};

static int path_limit_child(void *arg)
{
	struct long_sockaddr big;
	char name[LONG_NAME_LEN + 1], cut[sizeof(big.un.sun_path) + 1];
	const size_t room = sizeof(big.un.sun_path);
	(void)arg;

	/* relative names, so the limit does not depend on where TMPDIR is */
	KIN_CHECK(chdir(kin_tmpdir()));
	memset(name, 'a', room);
	memcpy(name + room, "-cut-off-tai", LONG_NAME_LEN - room);
	name[LONG_NAME_LEN] = 0;
	memcpy(cut, name, room);
	cut[room] = 0;

	/* what strcpy() would do, without writing past the struct: copy only
	   what fits, and pass addrlen == sizeof(struct sockaddr_un) */
	memset(&big, 0, sizeof(big));
	big.un.sun_family = AF_UNIX;
	memcpy(big.un.sun_path, name, room);
	int fd = unix_socket(SOCK_STREAM);
	KIN_CHECK(bind(fd, (struct sockaddr *)&big, sizeof(big.un)));
	KIN_CHECK(listen(fd, 1));
	KIN_EXPECT_EQ(file_kind(cut), 's', "socket file under the first 108 bytes of the name");
	KIN_EXPECT_EQ(file_kind(name), '-', "a file under the full 120-byte name");
	int cli = client_socket(SOCK_STREAM, &big.un, sizeof(big.un));
	kin_close(&cli);

	/* an addrlen larger than the struct is refused */
	memcpy(big.beyond, name + room, LONG_NAME_LEN - room);
	int other = unix_socket(SOCK_STREAM);
	KIN_EXPECT_ERRNO(bind(other, (struct sockaddr *)&big, sizeof(big.un) + 1), EINVAL);
	KIN_EXPECT_ERRNO(connect(other, (struct sockaddr *)&big, sizeof(big.un) + 1), EINVAL);
	kin_close(&other);
	kin_close(&fd);
	KIN_CHECK(unlink(cut));
	return 0;
}

/* UDS-PATH-LIMIT */
KIN_TEST(sun_path_holds_108_bytes_and_longer_names_are_cut, "UDS-PATH-LIMIT", 5)
{
	struct sockaddr_un a;
	KIN_EXPECT_EQ(sizeof(a.sun_path), 108, "sizeof(sun_path)");
	KIN_EXPECT_EQ(sizeof(a), 110, "sizeof(struct sockaddr_un)");
	kin_reap_ok(kin_spawn(path_limit_child, NULL), WAIT_MS, "bind() of a 120-byte name");
	kin_pass("sun_path is 108 bytes: a %d-byte name with addrlen %zu was cut to its first 108 "
		 "bytes (the file appeared under that name, connect() with the long name reached it), "
		 "addrlen %zu failed with EINVAL; strcpy() of that name would write %d bytes past "
		 "sun_path", LONG_NAME_LEN, sizeof(a), sizeof(a) + 1,
		 LONG_NAME_LEN + 1 - (int)sizeof(a.sun_path));
}

/* ---------------------------------------------------------------- UDS-PERM */

static const char *perm_path;
static int perm_expect;   /* 0: connect succeeds, else the errno */

static int perm_child(void *arg)
{
	struct sockaddr_un a;
	char why[256];
	(void)arg;
	if (kin_drop_privileges(why, sizeof(why)) < 0)
		kin_fail("%s", why);
	socklen_t len = path_addr(&a, perm_path);
	int fd = unix_socket(SOCK_STREAM);
	if (perm_expect)
		KIN_EXPECT_ERRNO(connect(fd, (struct sockaddr *)&a, len), perm_expect);
	else
		KIN_CHECK(connect(fd, (struct sockaddr *)&a, len));
	close(fd);
	return 0;
}

/* the first directory above `path' that others cannot search, or NULL */
static const char *unsearchable_ancestor(const char *path, char *buf, size_t len)
{
	struct stat sb;
	snprintf(buf, len, "%s", path);
	for (char *slash; (slash = strrchr(buf, '/')) && slash != buf;) {
		*slash = 0;
		if (stat(buf, &sb) == 0 && !(sb.st_mode & S_IXOTH))
			return buf;
	}
	return NULL;
}

/* UDS-PERM */
KIN_TEST(connect_needs_write_permission_on_the_socket_file, "UDS-PERM", 5)
{
	char why[256], dir[256], path[256];
	struct sockaddr_un a;
	struct stat sb;

	if (!kin_can_drop_privileges(why, sizeof(why)))
		kin_skip("%s", why);
	if (unsearchable_ancestor(kin_tmpdir(), dir, sizeof(dir)) && stat(dir, &sb) == 0)
		kin_skip("%s (mode %04o, TMPDIR or above) is not searchable by others, so no "
			 "unprivileged process can reach a socket below it", dir,
			 (unsigned)(sb.st_mode & 07777));
	/* the test's directory and the socket's own: searchable by others, nothing more */
	KIN_CHECK(chmod(kin_tmpdir(), 0711));
	kin_tmppath(dir, sizeof(dir), "d");
	KIN_CHECK(mkdir(dir, 0711));
	KIN_CHECK(chmod(dir, 0711));
	snprintf(path, sizeof(path), "%s/perm.sock", dir);
	socklen_t len = path_addr(&a, path);
	int srv = server_socket(SOCK_STREAM, &a, len);
	KIN_CHECK(fcntl(srv, F_SETFL, O_NONBLOCK));
	perm_path = path;

	KIN_CHECK(chmod(path, 0555));
	perm_expect = EACCES;
	kin_reap_ok(kin_spawn(perm_child, NULL), WAIT_MS, "unprivileged connect() to a 0555 socket");
	KIN_EXPECT_ERRNO(accept(srv, NULL, NULL), EAGAIN);

	KIN_CHECK(chmod(path, 0777));
	perm_expect = 0;
	kin_reap_ok(kin_spawn(perm_child, NULL), WAIT_MS, "unprivileged connect() to a 0777 socket");
	int acc = KIN_CHECK(accept4(srv, NULL, NULL, SOCK_CLOEXEC));
	kin_close(&acc);
	kin_close(&srv);
	KIN_CHECK(unlink(path));
	kin_pass("uid %d without capabilities: connect() to a 0555 socket file in a 0711 directory "
		 "failed with EACCES; after chmod 0777 it connected (one connection accepted)",
		 getuid() == 0 ? KIN_NOBODY : (int)getuid());
}

/* ------------------------------------------------------------ UDS-ABSTRACT */

/* does /proc/net/unix list this abstract name ("@name" at the end of a line)? */
static bool listed_in_proc_net_unix(const char *shown)
{
	char line[512];
	size_t n = strlen(shown);
	bool found = false;
	FILE *f = fopen("/proc/net/unix", "re");
	if (!f)
		kin_fail("fopen(/proc/net/unix): %s", strerror(errno));
	while (!found && fgets(line, sizeof(line), f)) {
		size_t l = strcspn(line, "\n");
		found = l > n && line[l - n - 1] == ' ' && memcmp(line + l - n, shown, n) == 0;
	}
	fclose(f);
	return found;
}

static int count_entries(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	if (!d)
		kin_fail("opendir(%s): %s", dir, strerror(errno));
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* UDS-ABSTRACT */
KIN_TEST(abstract_name_makes_no_file_and_is_free_after_last_close, "UDS-ABSTRACT", 5)
{
	struct sockaddr_un a, got;
	char shown[sizeof(a.sun_path) + 1];
	socklen_t len = abstract_addr(&a, "abstract", shown, sizeof(shown));
	socklen_t glen = sizeof(got);

	int srv = server_socket(SOCK_STREAM, &a, len);
	KIN_CHECK(getsockname(srv, (struct sockaddr *)&got, &glen));
	KIN_EXPECT_EQ(glen, len, "address length getsockname() returned");
	KIN_EXPECT_EQ(got.sun_path[0], 0, "first byte of the bound name");
	KIN_EXPECT_TRUE(listed_in_proc_net_unix(shown), "/proc/net/unix does not list %s", shown);
	KIN_EXPECT_EQ(count_entries(kin_tmpdir()), 0, "files in the test's directory");
	int cli = client_socket(SOCK_STREAM, &a, len);
	int other = unix_socket(SOCK_STREAM);
	KIN_EXPECT_ERRNO(bind(other, (struct sockaddr *)&a, len), EADDRINUSE);
	kin_close(&cli);
	kin_close(&srv);
	KIN_EXPECT_TRUE(!listed_in_proc_net_unix(shown), "/proc/net/unix still lists %s after the "
			"last close", shown);
	KIN_CHECK(bind(other, (struct sockaddr *)&a, len));
	kin_close(&other);
	kin_pass("%s: bound with addrlen %u, listed in /proc/net/unix, no file anywhere; a second "
		 "bind() got EADDRINUSE while it was open and succeeded once the last socket closed",
		 shown, (unsigned)len);
}

/* ----------------------------------------------------------- UDS-EFFICIENT */

/*
 * One-byte round trips and bulk transfer over AF_UNIX stream and TCP on
 * 127.0.0.1, in the same run, interleaved round by round (the order of the
 * transports alternates), medians of the rounds; once with both processes
 * pinned to one CPU and once pinned to two, where two may be used.
 */
#define EFF_ROUNDS 7
#define EFF_PINGS 100           /* one-byte round trips per transport, round and placement */
#define EFF_BULK (1 << 20)      /* bytes per transport, round and placement */
#define EFF_WRITE 65536         /* bytes per write() */
#define EFF_PATTERN 65521       /* a prime: a chunk out of place shows */

enum { EFF_UNIX, EFF_TCP };

struct eff_conn {
	int mine;               /* the parent's end */
	int peer;               /* the child's end */
};

/* EFF_PATTERN + EFF_WRITE bytes: a read or write of up to EFF_WRITE bytes
   at any offset of the pattern stays inside it */
static unsigned char *eff_pattern;
#define EFF_PATTERN_BYTES (EFF_PATTERN + EFF_WRITE)

static void make_pattern(void)
{
	eff_pattern = malloc(EFF_PATTERN_BYTES);
	KIN_EXPECT_TRUE(eff_pattern != NULL, "malloc");
	for (size_t i = 0; i < EFF_PATTERN_BYTES; i++) {
		size_t k = i % EFF_PATTERN;
		eff_pattern[i] = (unsigned char)(k * 131 + (k >> 8));
	}
}

/* which transport goes first in a round: they alternate */
static int eff_order(int round, int slot)
{
	return (round + slot) % 2;
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* the child: echo each ping, check and acknowledge each bulk transfer */
static int eff_child(struct eff_conn *c)
{
	unsigned char *buf = malloc(EFF_WRITE);
	if (!buf)
		return 2;
	for (int r = 0; r < EFF_ROUNDS; r++) {
		for (int s = 0; s < 2; s++) {
			int fd = c[eff_order(r, s)].peer;
			for (int i = 0; i < EFF_PINGS; i++) {
				kin_read_all(fd, buf, 1, "ping");
				if (buf[0] != (unsigned char)i)
					kin_fail("ping %d arrived as %d", i, buf[0]);
				kin_write_all(fd, buf, 1, "pong");
			}
		}
		for (int s = 0; s < 2; s++) {
			int fd = c[eff_order(r, s)].peer;
			size_t got = 0;
			while (got < EFF_BULK) {
				ssize_t n = read(fd, buf, EFF_WRITE);
				if (n < 0 && errno == EINTR)
					continue;
				if (n <= 0)
					kin_fail("bulk read after %zu bytes: %s", got,
						 n < 0 ? strerror(errno) : "end of file");
				if (memcmp(buf, eff_pattern + got % EFF_PATTERN, (size_t)n) != 0)
					kin_fail("%s bulk bytes %zu..%zu differ from what was sent",
						 eff_order(r, s) == EFF_UNIX ? "AF_UNIX" : "TCP",
						 got, got + (size_t)n);
				got += (size_t)n;
			}
			kin_write_all(fd, "K", 1, "bulk acknowledgement");
		}
	}
	free(buf);
	return 0;
}

/* a connected AF_UNIX stream pair through a listening socket in the temp dir */
static void eff_unix(struct eff_conn *c)
{
	struct sockaddr_un a;
	socklen_t len = tmp_addr(&a, "eff.sock");
	int srv = server_socket(SOCK_STREAM, &a, len);
	c->mine = client_socket(SOCK_STREAM, &a, len);
	c->peer = KIN_CHECK(accept4(srv, NULL, NULL, SOCK_CLOEXEC));
	kin_close(&srv);
	KIN_CHECK(unlink(a.sun_path));
}

/* the same over TCP on 127.0.0.1, TCP_NODELAY on both ends; skips if loopback is unusable */
static void eff_tcp(struct eff_conn *c)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	socklen_t len = sizeof(a);
	int one = 1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	int srv = KIN_CHECK(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (bind(srv, (struct sockaddr *)&a, len) < 0 || listen(srv, 1) < 0 ||
	    getsockname(srv, (struct sockaddr *)&a, &len) < 0) {
		int e = errno;
		close(srv);
		kin_skip("TCP on 127.0.0.1 is unusable (loopback down?): bind/listen: %s",
			 strerror(e));
	}
	c->mine = KIN_CHECK(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (connect(c->mine, (struct sockaddr *)&a, len) < 0) {
		int e = errno;
		close(srv);
		close(c->mine);
		kin_skip("TCP on 127.0.0.1 is unusable (loopback down?): connect: %s", strerror(e));
	}
	c->peer = KIN_CHECK(accept4(srv, NULL, NULL, SOCK_CLOEXEC));
	kin_close(&srv);
	KIN_CHECK(setsockopt(c->mine, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
	KIN_CHECK(setsockopt(c->peer, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static long long median(long long *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_ll);
	return v[n / 2];
}

/* the parent's side of a bulk transfer; fails with the child's reason if it gave up */
static void eff_send_bulk(int fd, pid_t child)
{
	char ack = 0;
	for (size_t sent = 0; sent < EFF_BULK; sent += EFF_WRITE)
		kin_write_all(fd, eff_pattern + sent % EFF_PATTERN, EFF_WRITE, "bulk write");
	ssize_t n;
	do
		n = read(fd, &ack, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1 || ack != 'K') {
		kin_reap_ok(child, WAIT_MS, "receiver of the bulk transfer");
		kin_fail("bulk transfer not acknowledged");
	}
}

/* what one placement of the two processes measured */
struct eff_result {
	const char *where;      /* "one CPU", "two CPUs" */
	double rtt_unix, rtt_tcp;       /* microseconds per one-byte round trip */
	double bw_unix, bw_tcp;         /* MiB/s */
	bool lat_win, bw_win;           /* AF_UNIX ahead */
};

/*
 * Interleaved rounds over a fresh pair of connections, the parent on CPU
 * cpu_parent and its child on cpu_child.  Placement is fixed because it
 * can decide the result: in a 2-vCPU VM, round trips across two CPUs took
 * up to twice as long as on one, and AF_UNIX lost there while it kept up
 * on one CPU.  Left to the scheduler, the two processes shared a CPU in
 * some runs and not in others, so the verdict changed from run to run.
 */
static void eff_measure(struct eff_result *res, int cpu_parent, int cpu_child)
{
	long long rtt[2][EFF_ROUNDS], bulk[2][EFF_ROUNDS];
	struct eff_conn c[2];
	cpu_set_t set;
	unsigned char b;

	/* TCP first: when loopback is unusable the test skips with nothing open */
	eff_tcp(&c[EFF_TCP]);
	eff_unix(&c[EFF_UNIX]);
	CPU_ZERO(&set);
	CPU_SET(cpu_parent, &set);
	KIN_CHECK(sched_setaffinity(0, sizeof(set), &set));
	pid_t pid = kin_fork();
	if (pid == 0) {
		close(c[0].mine);
		close(c[1].mine);
		_exit(eff_child(c));
	}
	kin_close(&c[0].peer);
	kin_close(&c[1].peer);
	CPU_ZERO(&set);
	CPU_SET(cpu_child, &set);
	KIN_CHECK(sched_setaffinity(pid, sizeof(set), &set));

	for (int r = 0; r < EFF_ROUNDS; r++) {
		for (int s = 0; s < 2; s++) {
			int t = eff_order(r, s);
			long long t0 = now_ns();
			for (int i = 0; i < EFF_PINGS; i++) {
				b = (unsigned char)i;
				kin_write_all(c[t].mine, &b, 1, "ping");
				kin_read_all(c[t].mine, &b, 1, "pong");
				if (b != (unsigned char)i)
					kin_fail("pong %d came back as %d", i, b);
			}
			rtt[t][r] = (now_ns() - t0) / EFF_PINGS;
		}
		for (int s = 0; s < 2; s++) {
			int t = eff_order(r, s);
			long long t0 = now_ns();
			eff_send_bulk(c[t].mine, pid);
			bulk[t][r] = now_ns() - t0;
		}
	}
	kin_reap_ok(pid, WAIT_MS, "receiver");
	kin_close(&c[0].mine);
	kin_close(&c[1].mine);

	double mib = (double)EFF_BULK / (1 << 20);
	res->rtt_unix = (double)median(rtt[EFF_UNIX], EFF_ROUNDS) / 1000.0;
	res->rtt_tcp = (double)median(rtt[EFF_TCP], EFF_ROUNDS) / 1000.0;
	res->bw_unix = mib / ((double)median(bulk[EFF_UNIX], EFF_ROUNDS) / 1e9);
	res->bw_tcp = mib / ((double)median(bulk[EFF_TCP], EFF_ROUNDS) / 1e9);
	res->lat_win = res->rtt_tcp > res->rtt_unix;
	res->bw_win = res->bw_unix > res->bw_tcp;
}

/* "latency and bulk", "latency only", "bulk only", "neither" */
static const char *eff_wins(const struct eff_result *r)
{
	return r->lat_win ? (r->bw_win ? "latency and bulk" : "latency only")
			  : (r->bw_win ? "bulk only" : "neither");
}

/* UDS-EFFICIENT */
KIN_TEST(unix_stream_against_tcp_loopback_latency_and_throughput, "UDS-EFFICIENT", 60)
{
	struct eff_result res[2];
	cpu_set_t allowed;
	int cpus[2], ncpu = 0, n = 0;

	/* the first two CPUs this process may run on */
	KIN_CHECK(sched_getaffinity(0, sizeof(allowed), &allowed));
	for (int i = 0; i < CPU_SETSIZE && ncpu < 2; i++)
		if (CPU_ISSET(i, &allowed))
			cpus[ncpu++] = i;
	make_pattern();
	res[n].where = "one CPU";
	eff_measure(&res[n++], cpus[0], cpus[0]);
	if (ncpu == 2) {
		res[n].where = "two CPUs";
		eff_measure(&res[n++], cpus[0], cpus[1]);
	}
	free(eff_pattern);

	char facts[900];
	int len = 0;
	for (int i = 0; i < n; i++)
		len += snprintf(facts + len, sizeof(facts) - (size_t)len,
				"%s: one-byte round trip AF_UNIX %.1f us vs TCP 127.0.0.1 %.1f us "
				"(TCP/AF_UNIX %.2fx), bulk AF_UNIX %.0f MiB/s vs TCP %.0f MiB/s "
				"(AF_UNIX/TCP %.2fx); ", res[i].where, res[i].rtt_unix,
				res[i].rtt_tcp, res[i].rtt_tcp / res[i].rtt_unix, res[i].bw_unix,
				res[i].bw_tcp, res[i].bw_unix / res[i].bw_tcp);
	snprintf(facts + len, sizeof(facts) - (size_t)len,
		 "%s; medians of %d interleaved rounds of %d round trips and %d MiB in %d-byte "
		 "writes per transport, stream sockets, TCP_NODELAY",
		 n == 2 ? "both processes pinned" : "one CPU is all this process may use, so the "
		 "two-CPU placement was not measured", EFF_ROUNDS, EFF_PINGS, EFF_BULK >> 20,
		 EFF_WRITE);

	bool all_both = true, all_neither = true;
	for (int i = 0; i < n; i++) {
		all_both = all_both && res[i].lat_win && res[i].bw_win;
		all_neither = all_neither && !res[i].lat_win && !res[i].bw_win;
	}
	if (all_both)
		kin_verdict(KIN_V_HOLDS, "AF_UNIX wins latency and bulk: %s", facts);
	else if (all_neither)
		kin_verdict(KIN_V_REFUTED, "AF_UNIX wins neither: %s", facts);
	else if (n == 2)
		kin_verdict(KIN_V_CAVEAT, "AF_UNIX wins %s on one CPU and %s across two CPUs: %s",
			    eff_wins(&res[0]), eff_wins(&res[1]), facts);
	else
		kin_verdict(KIN_V_CAVEAT, "AF_UNIX wins %s: %s", eff_wins(&res[0]), facts);
	kin_pass("every byte arrived intact over both transports in each placement measured; %s", facts);
}

/* ------------------------------------------------- regression sentinels */

static void unix_pair(int type, int sv[2])
{
	KIN_CHECK(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv));
}

static void close_pair(int sv[2])
{
	kin_close(&sv[0]);
	kin_close(&sv[1]);
}

/* REG-UDS-REUSEPORT */
KIN_TEST(so_reuseport_on_an_af_unix_socket_is_refused, "REG-UDS-REUSEPORT", 5)
{
	int one = 1;
	int fd = unix_socket(SOCK_STREAM);
	int r = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	int e = errno;
	kin_close(&fd);
	if (r == 0)
		kin_sentinel(KIN_SIDE_BEFORE, NULL, "setsockopt(SO_REUSEPORT, 1) on an AF_UNIX stream "
			     "socket returned 0");
	KIN_EXPECT_TRUE(e == EOPNOTSUPP, "setsockopt(SO_REUSEPORT) on AF_UNIX: %s, expected 0 or "
			"EOPNOTSUPP", kin_errno_name(e));
	kin_sentinel(KIN_SIDE_AFTER, NULL, "setsockopt(SO_REUSEPORT, 1) on an AF_UNIX stream socket "
		     "failed with EOPNOTSUPP");
}

/* REG-UDS-OOB */
KIN_TEST(msg_oob_byte_crosses_an_af_unix_stream, "REG-UDS-OOB", 5)
{
	char where[PATH_MAX + 8], why[PATH_MAX + 96], c = 0;
	int sv[2];

	unix_pair(SOCK_STREAM, sv);
	ssize_t n = send(sv[0], "!", 1, MSG_OOB);
	int e = errno;
	ssize_t got = n == 1 ? recv(sv[1], &c, 1, MSG_OOB | MSG_DONTWAIT) : -1;
	int e2 = errno;
	close_pair(sv);
	if (n < 0) {
		KIN_EXPECT_TRUE(e == EOPNOTSUPP, "send(MSG_OOB) on AF_UNIX: %s, expected 1 or "
				"EOPNOTSUPP", kin_errno_name(e));
		/* the feature is a build option, on by default */
		int config = kin_kernel_config("CONFIG_AF_UNIX_OOB", where, sizeof(where));
		if (config == 0)
			snprintf(why, sizeof(why), "%s has CONFIG_AF_UNIX_OOB off", where);
		else
			snprintf(why, sizeof(why), "whether CONFIG_AF_UNIX_OOB (on by default) is built "
				 "cannot be read here (%s)", where);
		kin_sentinel(KIN_SIDE_BEFORE, config == 1 ? NULL : why,
			     "send(MSG_OOB) of one byte on an AF_UNIX stream failed with EOPNOTSUPP");
	}
	KIN_EXPECT_EQ(n, 1, "send(MSG_OOB) of one byte");
	KIN_EXPECT_TRUE(got == 1 && c == '!', "recv(MSG_OOB) of the byte: %zd (%s), '%c'", got,
			got < 0 ? kin_errno_name(e2) : "ok", c ? c : '?');
	kin_sentinel(KIN_SIDE_AFTER, NULL, "send(MSG_OOB) of one byte on an AF_UNIX stream returned "
		     "1, and the peer's recv(MSG_OOB) read it");
}

/* REG-UDS-PEERPIDFD */
KIN_TEST(so_peerpidfd_gives_a_pidfd_of_the_peer, "REG-UDS-PEERPIDFD", 5)
{
	char path[64], line[128];
	int sv[2], pidfd = -1, one = 1;
	socklen_t len = sizeof(pidfd);

	unix_pair(SOCK_STREAM, sv);
	int r = getsockopt(sv[0], SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len);
	int e = errno;
	int r2 = setsockopt(sv[1], SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one));
	int e2 = errno;
	close_pair(sv);
	if (r < 0) {
		KIN_EXPECT_TRUE(e == ENOPROTOOPT, "getsockopt(SO_PEERPIDFD): %s, expected a pidfd or "
				"ENOPROTOOPT", kin_errno_name(e));
		KIN_EXPECT_TRUE(r2 < 0 && e2 == ENOPROTOOPT, "SO_PEERPIDFD is unknown but "
				"setsockopt(SO_PASSPIDFD) %s", r2 ? kin_errno_name(e2) : "succeeded");
		kin_sentinel(KIN_SIDE_BEFORE, NULL, "getsockopt(SO_PEERPIDFD) and setsockopt(SO_PASSPIDFD) "
			     "on AF_UNIX failed with ENOPROTOOPT");
	}
	/* the peer of a socketpair is this process: its pidfd says our pid */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	FILE *f = fopen(path, "re");
	long pid = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %ld", &pid) == 1)
			break;
	if (f)
		fclose(f);
	kin_close(&pidfd);
	KIN_EXPECT_TRUE(r2 == 0, "SO_PEERPIDFD works but setsockopt(SO_PASSPIDFD): %s",
			kin_errno_name(e2));
	KIN_EXPECT_EQ(pid, getpid(), "the Pid: of the peer's pidfd (fdinfo)");
	kin_sentinel(KIN_SIDE_AFTER, NULL, "getsockopt(SO_PEERPIDFD) gave a pidfd of the peer (pid %ld, "
		     "this process), and setsockopt(SO_PASSPIDFD) succeeded", pid);
}

/* REG-UDS-PASSRIGHTS */
KIN_TEST(so_passrights_off_refuses_scm_rights, "REG-UDS-PASSRIGHTS", 5)
{
	int sv[2], p[2], zero = 0, val = -1;
	socklen_t len = sizeof(val);

	unix_pair(SOCK_STREAM, sv);
	if (setsockopt(sv[1], SOL_SOCKET, SO_PASSRIGHTS, &zero, sizeof(zero)) < 0) {
		int e = errno;
		close_pair(sv);
		KIN_EXPECT_TRUE(e == ENOPROTOOPT, "setsockopt(SO_PASSRIGHTS, 0): %s, expected 0 or "
				"ENOPROTOOPT", kin_errno_name(e));
		kin_sentinel(KIN_SIDE_BEFORE, NULL, "setsockopt(SO_PASSRIGHTS, 0) on AF_UNIX failed "
			     "with ENOPROTOOPT");
	}
	KIN_CHECK(getsockopt(sv[1], SOL_SOCKET, SO_PASSRIGHTS, &val, &len));
	/* a descriptor to pass: a pipe's read end */
	KIN_CHECK(pipe2(p, O_CLOEXEC));
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = { .iov_base = "r", .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &p[0], sizeof(int));
	ssize_t n = sendmsg(sv[0], &m, MSG_DONTWAIT);
	int e = errno;
	close_pair(sv);
	kin_close(&p[0]);
	kin_close(&p[1]);
	KIN_EXPECT_EQ(val, 0, "getsockopt(SO_PASSRIGHTS) after setting it to 0");
	KIN_EXPECT_TRUE(n < 0, "sendmsg(SCM_RIGHTS) to a socket with SO_PASSRIGHTS 0 sent %zd bytes: "
			"the option was accepted but rights still pass", n);
	KIN_EXPECT_TRUE(e == EPERM, "sendmsg(SCM_RIGHTS) to a socket with SO_PASSRIGHTS 0: %s, "
			"expected EPERM", kin_errno_name(e));
	kin_sentinel(KIN_SIDE_AFTER, NULL, "setsockopt(SO_PASSRIGHTS, 0) succeeded (getsockopt reads "
		     "0), and sendmsg(SCM_RIGHTS) to that socket failed with EPERM");
}

/* ------------------------------------------------------------ UDS-EXAMPLE */

static int example_client(void *arg)
{
	const struct sockaddr_un *addr = arg;
	/* the example's child: socket, connect, write 16 bytes, close */
	int connfd = unix_socket(SOCK_STREAM);
	KIN_CHECK(connect(connfd, (const struct sockaddr *)addr, sizeof(*addr)));
	kin_write_all(connfd, "Hello from child", 16, "the child's message");
	kin_close(&connfd);
	return 0;
}

/* UDS-EXAMPLE */
KIN_TEST(example_parent_receives_hello_from_child, "UDS-EXAMPLE", 5)
{
	struct sockaddr_un addr;
	char buf[100], line[160];

	/* the example's server, with its socket in a private directory */
	int sockfd = unix_socket(SOCK_STREAM);
	tmp_addr(&addr, "example.sock");
	KIN_CHECK(bind(sockfd, (struct sockaddr *)&addr, sizeof(addr)));
	KIN_CHECK(listen(sockfd, 5));
	pid_t pid = kin_spawn(example_client, &addr);
	int connfd = KIN_CHECK(accept4(sockfd, NULL, NULL, SOCK_CLOEXEC));
	memset(buf, 0, sizeof(buf));       /* the example leaves buf uninitialised */
	kin_read_all(connfd, buf, 16, "the parent's read");
	KIN_EXPECT_EQ(read(connfd, buf + 16, sizeof(buf) - 17), 0, "bytes after the message");
	snprintf(line, sizeof(line), "Parent received: %s", buf);
	KIN_EXPECT_TRUE(strcmp(line, "Parent received: Hello from child") == 0,
			"the parent would print \"%s\"", line);
	kin_close(&connfd);
	kin_close(&sockfd);
	KIN_CHECK(unlink(addr.sun_path));
	kin_reap_ok(pid, WAIT_MS, "the example's child");   /* the example never waits */
	kin_pass("the parent read exactly 16 bytes and prints \"%s\" (buffer zeroed first; the "
		 "example's is uninitialised, so its %%s reads past byte 16)", line);
}

/* UDS-EXAMPLE */
KIN_TEST(example_with_stale_socket_file_fails_every_call, "UDS-EXAMPLE", 5)
{
	struct sockaddr_un addr;
	char c;

	/* a socket file left by an earlier run (or another user) */
	tmp_addr(&addr, "example.sock");
	int stale = server_socket(SOCK_STREAM, &addr, sizeof(addr));
	kin_close(&stale);

	/* the example's calls, unchecked there, checked here */
	int sockfd = unix_socket(SOCK_STREAM);
	KIN_EXPECT_ERRNO(bind(sockfd, (struct sockaddr *)&addr, sizeof(addr)), EADDRINUSE);
	KIN_EXPECT_ERRNO(listen(sockfd, 5), EINVAL);
	int connfd = unix_socket(SOCK_STREAM);
	KIN_EXPECT_ERRNO(connect(connfd, (struct sockaddr *)&addr, sizeof(addr)), ECONNREFUSED);
	KIN_EXPECT_ERRNO(write(connfd, "Hello from child", 16), ENOTCONN);
	kin_close(&connfd);
	KIN_EXPECT_ERRNO(accept(sockfd, NULL, NULL), EINVAL);
	KIN_EXPECT_ERRNO(read(-1, &c, 1), EBADF);
	kin_close(&sockfd);
	KIN_CHECK(unlink(addr.sun_path));
	kin_pass("with a stale socket file: bind() EADDRINUSE, listen() EINVAL, connect() "
		 "ECONNREFUSED, write() ENOTCONN, accept() EINVAL, read(-1) EBADF: the example "
		 "prints an uninitialised buffer and exits 0");
}
