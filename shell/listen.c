/*
 * kinship-listen - a TCP listener on the host's 127.0.0.1 that counts the
 * connections it gets, for shell/sandbox.bats: a sandboxed program must not
 * reach it.
 *
 *   kinship-listen             listen on a free port of 127.0.0.1, print
 *                              "PORT PID" once listening and go on in the
 *                              background (at most 120 s)
 *   kinship-listen --unix PATH the same on a unix socket bound at PATH
 *                              (mode 0666: anyone may connect), printing PID
 *   kinship-listen --ask PORT|PATH  ask the listener how many connections it
 *                              had before this one; it prints "connections N"
 *                              and ends (PATH is removed then)
 *
 * The listener tells the question from a counted connection by its first
 * line, "report".  No python or netcat needed on a fresh machine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LIFETIME_MS 120000

static void usage_error(const char *what)
{
	fprintf(stderr, "kinship-listen: %s (usage: kinship-listen [--unix PATH] [--ask PORT|PATH])\n", what);
	exit(2);
}

/* milliseconds of CLOCK_MONOTONIC, for the listener's own deadline */
static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* WHERE (a port of 127.0.0.1, or a path) as a socket address; returns its length */
static socklen_t address(const char *where, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (where[0] == '/') {
		struct sockaddr_un *u = (struct sockaddr_un *)ss;
		u->sun_family = AF_UNIX;
		if (strlen(where) >= sizeof(u->sun_path))
			usage_error("socket path too long");
		strcpy(u->sun_path, where);
		return sizeof(*u);
	}
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	in->sin_family = AF_INET;
	in->sin_port = htons((unsigned short)atoi(where));
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(*in);
}

/* the question: connect, say "report", print the answer */
static int ask(const char *where)
{
	struct sockaddr_storage a;
	socklen_t len = address(where, &a);
	int s = socket(a.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, len) != 0) {
		perror("kinship-listen: connect");
		return 1;
	}
	char buf[64];
	if (write(s, "report\n", 7) != 7) {
		perror("kinship-listen: write");
		return 1;
	}
	ssize_t n, got = 0;
	while (got < (ssize_t)sizeof(buf) - 1 && (n = read(s, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	close(s);
	buf[got] = 0;
	fputs(buf, stdout);
	return got > 0 ? 0 : 1;
}

/*
 * The listener, in the background: accept, read the first bytes of each
 * connection; "report" ends it with the count of the others.  poll bounds
 * every wait by the listener's lifetime.
 */
static int serve(int ls)
{
	long long end = now_ms() + LIFETIME_MS;
	int count = 0;
	for (;;) {
		long long left = end - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = { .fd = ls, .events = POLLIN };
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		int c = accept(ls, NULL, NULL);
		if (c < 0)
			continue;
		char buf[16] = "";
		struct pollfd q = { .fd = c, .events = POLLIN };
		ssize_t n = poll(&q, 1, 2000) > 0 ? read(c, buf, sizeof(buf) - 1) : 0;
		if (n >= 6 && strncmp(buf, "report", 6) == 0) {
			char line[32];
			int len = snprintf(line, sizeof(line), "connections %d\n", count);
			(void)!write(c, line, (size_t)len);
			close(c);
			return 0;
		}
		count++;
		close(c);
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--ask") == 0) {
		int st = ask(argv[2]);
		if (argv[2][0] == '/')
			unlink(argv[2]);
		return st;
	}
	const char *path = NULL;
	if (argc == 3 && strcmp(argv[1], "--unix") == 0 && argv[2][0] == '/')
		path = argv[2];
	else if (argc != 1)
		usage_error("unknown arguments");
	struct sockaddr_storage ss;
	socklen_t len = address(path ? path : "0", &ss);
	int ls = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&ss, len) != 0 || (path && chmod(path, 0666) != 0) ||
	    listen(ls, 16) != 0 || getsockname(ls, (struct sockaddr *)&ss, &len) != 0) {
		perror("kinship-listen: listen");
		return 1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("kinship-listen: fork");
		return 1;
	}
	if (pid > 0) {
		/* listening already: the caller may connect as soon as it reads this */
		if (path)
			printf("%d\n", (int)pid);
		else
			printf("%d %d\n", ntohs(((struct sockaddr_in *)&ss)->sin_port), (int)pid);
		return 0;
	}
	/* the background listener keeps no stream of the caller open */
	freopen("/dev/null", "r", stdin);
	freopen("/dev/null", "w", stdout);
	freopen("/dev/null", "w", stderr);
	return serve(ls);
}
