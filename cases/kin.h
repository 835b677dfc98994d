/*
 * kin.h - what every kinship case file uses.
 *
 * A case file declares its tests with KIN_TEST (or KIN_TEST_VARIANTS for a
 * table of variants) and writes each body as the behaviour itself; this
 * library does the rest:
 *
 *   - recording: kin_pass / kin_skip / kin_fail end the test with a one-line
 *     detail that reaches the runner through a side channel (Check has no
 *     skip and no message on a pass); kin_verdict adds a document verdict
 *     where the measurement decides it;
 *   - expectations: KIN_EXPECT_* state an expected value or errno in one
 *     line and fail with the measured one;
 *   - children: kin_fork registers a child, kin_wait reaps it within a
 *     deadline, and every child still alive when the test ends is killed,
 *     reaped and reported as a leak;
 *   - observing: kin_expect_blocked waits until a process sleeps in the
 *     kernel in a given call, as this environment shows a known sleeper
 *     (state S, /proc/PID/syscall where it means something, wchan as
 *     evidence);
 *   - temp dirs: kin_tmpdir is private to the test and removed after it;
 *   - hygiene: fds open at the end that were not open at the start are
 *     reported as a leak;
 *   - privilege: kin_drop_privileges turns a child into nobody.
 *
 * Every wait has a deadline scaled by CK_TIMEOUT_MULTIPLIER, so a kernel that
 * never wakes a sleeper turns into a failure with a diagnosis, not a hang;
 * and a test still running at its own timeout (a call that never returns) is
 * ended by a watchdog in the test process with a fail that names its last
 * step, before Check's timeout (a little longer) would kill it.
 */
#ifndef KIN_H
#define KIN_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

/* ---------------------------------------------------------------- tests */

struct kin_test {
	const char *name;     /* states the behaviour: full_pipe_blocks_writer */
	const char *claims;   /* comma-separated claim IDs from cases/ledger.tsv */
	const char *file;     /* the case file, for diagnostics */
	int line;
	int timeout;          /* seconds, before CK_TIMEOUT_MULTIPLIER */
	void (*fn)(const void *variant);
	/* a variant table: an array of structs whose first member is the
	   variant's name (const char *); each element becomes a test named
	   "name/variant" */
	const void *variants;
	size_t variant_size;
	size_t variant_count;
};

#define KIN_SECTION __attribute__((used, section("kin_tests"), aligned(sizeof(void *))))

#define KIN_DEFAULT_TIMEOUT 10

/*
 * KIN_TEST(name, "CLAIM-ID[,CLAIM-ID]", timeout_seconds) { body }
 * The body sees `const void *variant' (NULL for a plain test).
 */
#define KIN_TEST(tname, tclaims, ttimeout)                                   \
	static void kin_fn_##tname(const void *variant);                     \
	static const struct kin_test kin_test_##tname KIN_SECTION = {        \
		.name = #tname, .claims = tclaims, .file = __FILE__,         \
		.line = __LINE__, .timeout = (ttimeout),                     \
		.fn = kin_fn_##tname,                                        \
	};                                                                   \
	static void kin_fn_##tname(const void *variant __attribute__((unused)))

/*
 * KIN_TEST_VARIANTS(name, "CLAIM-ID", timeout, table, type, v) { body }
 * runs the body once per element of table[]; the body sees `const type *v'.
 */
#define KIN_TEST_VARIANTS(tname, tclaims, ttimeout, table, type, v)          \
	static void kin_body_##tname(const type *v);                         \
	static void kin_fn_##tname(const void *variant)                      \
	{                                                                    \
		kin_body_##tname((const type *)variant);                     \
	}                                                                    \
	static const struct kin_test kin_test_##tname KIN_SECTION = {        \
		.name = #tname, .claims = tclaims, .file = __FILE__,         \
		.line = __LINE__, .timeout = (ttimeout),                     \
		.fn = kin_fn_##tname,                                        \
		.variants = table, .variant_size = sizeof(table[0]),         \
		.variant_count = sizeof(table) / sizeof(table[0]),           \
	};                                                                   \
	static void kin_body_##tname(const type *v)

/*
 * Probes: small entry points the cases binary runs as `kinship-cases
 * --probe NAME ARGS...' after an execve() (what survives exec is the
 * question), so the static binary in a guest carries them along.
 */
struct kin_probe {
	const char *name;
	int (*fn)(int argc, char **argv);
};
#define KIN_PROBE(pname)                                                     \
	static int kin_probe_fn_##pname(int argc, char **argv);              \
	static const struct kin_probe kin_probe_##pname                      \
		__attribute__((used, section("kin_probes"),                  \
			       aligned(sizeof(void *)))) = {                 \
		.name = #pname, .fn = kin_probe_fn_##pname,                  \
	};                                                                   \
	static int kin_probe_fn_##pname(int argc __attribute__((unused)),    \
					char **argv __attribute__((unused)))

/* ------------------------------------------------------------ recording */

enum kin_verdict {
	KIN_V_NONE = 0,       /* the ledger's rule decides */
	KIN_V_HOLDS,
	KIN_V_CAVEAT,         /* holds-with-caveat */
	KIN_V_REFUTED,
	KIN_V_NA,             /* not-applicable */
};

#define KIN_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* End the test.  The detail is one line: what was measured, or why. */
_Noreturn void kin_pass(const char *fmt, ...) KIN_PRINTF(1, 2);
_Noreturn void kin_skip(const char *fmt, ...) KIN_PRINTF(1, 2);
#define kin_fail(...) kin_fail_at(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void kin_fail_at(const char *file, int line, const char *fmt, ...)
	KIN_PRINTF(3, 4);

/*
 * Where the measurement, not the ledger's fixed rule, decides the document
 * verdict (a page size, a timing), say so before kin_pass.  The evidence is
 * what the report prints for the claim; when omitted the pass detail is used.
 */
void kin_verdict(enum kin_verdict v, const char *fmt, ...) KIN_PRINTF(2, 3);

/* ------------------------------------------------------------ sentinels */
/* (kin-sentinel.c) */

/* the side of a kernel change a regression sentinel's test saw */
enum kin_side {
	KIN_SIDE_NONE = 0,
	KIN_SIDE_BEFORE,      /* the behaviour before the ledger's commit */
	KIN_SIDE_AFTER,       /* the behaviour after it */
};
const char *kin_side_word(enum kin_side s);

/*
 * End a regression sentinel's test (its claim is a sentinel of the ledger).
 * SEEN is the side of the change this kernel showed, the detail what was
 * measured.  The running kernel's version and the ledger's entry (upstream
 * version and commit, the version a regression began, the stable versions
 * that took the change) say which side to expect: the test passes when SEEN
 * is that side, fails naming the version when it is not (a backport
 * missing, or the change undone), and passes saying both sides are
 * accepted, and why, where the version cannot decide.  ALSO_OK, when not
 * NULL, is why the unexpected side is acceptable on this system (a build
 * option that may be off): the test passes and says so.
 */
_Noreturn void kin_sentinel(enum kin_side seen, const char *also_ok, const char *fmt, ...)
	KIN_PRINTF(3, 4);

/* Record the side seen, with its evidence, without ending the test. */
void kin_side(enum kin_side s, const char *fmt, ...) KIN_PRINTF(2, 3);

struct kin_claim;
/*
 * The side a kernel of version v (v[2] meaningful where patch_known)
 * should show for sentinel c, with the reason in why; KIN_SIDE_NONE where
 * the version cannot decide (a stable series whose backports are not
 * known).
 */
enum kin_side kin_sentinel_expect(const struct kin_claim *c, const int v[3], bool patch_known,
				  char *why, size_t len);

/* Append a note to the test's detail without ending it (e.g. "wchan=pipe_write"). */
void kin_note(const char *fmt, ...) KIN_PRINTF(1, 2);

/* -------------------------------------------------------- expectations */

/* a call that must succeed: `int fd = KIN_CHECK(open(...));' */
#define KIN_CHECK(call)                                                      \
	({                                                                   \
		kin_step(#call, __FILE__, __LINE__);                         \
		__typeof__(call) kin_r_ = (call);                            \
		if (kin_r_ == (__typeof__(call))-1)                          \
			kin_fail("%s: %s", #call, strerror(errno));          \
		kin_r_;                                                      \
	})

/* a pointer-returning call that must succeed (NULL or MAP_FAILED fail) */
#define KIN_CHECK_PTR(call)                                                  \
	({                                                                   \
		kin_step(#call, __FILE__, __LINE__);                         \
		void *kin_p_ = (void *)(call);                               \
		if (kin_p_ == NULL || kin_p_ == (void *)-1)                  \
			kin_fail("%s: %s", #call, strerror(errno));          \
		kin_p_;                                                      \
	})

/* a call that must fail with exactly this errno */
#define KIN_EXPECT_ERRNO(call, err)                                          \
	do {                                                                 \
		kin_step(#call, __FILE__, __LINE__);                         \
		errno = 0;                                                   \
		long kin_r_ = (long)(call);                                  \
		int kin_e_ = errno;                                          \
		if (kin_r_ != -1)                                            \
			kin_fail("%s returned %ld, expected -1 with %s",     \
				 #call, kin_r_, kin_errno_name(err));        \
		if (kin_e_ != (err))                                         \
			kin_fail("%s failed with %s, expected %s", #call,    \
				 kin_errno_name(kin_e_),                     \
				 kin_errno_name(err));                       \
	} while (0)

#define KIN_EXPECT_EQ(got, want, what)                                       \
	do {                                                                 \
		long long kin_g_ = (long long)(got);                         \
		long long kin_w_ = (long long)(want);                        \
		if (kin_g_ != kin_w_)                                        \
			kin_fail("%s: got %lld, expected %lld", (what),      \
				 kin_g_, kin_w_);                            \
	} while (0)

#define KIN_EXPECT_TRUE(cond, ...)                                           \
	do {                                                                 \
		if (!(cond))                                                 \
			kin_fail(__VA_ARGS__);                               \
	} while (0)

#define KIN_EXPECT_MEM(got, want, n, what)                                   \
	do {                                                                 \
		size_t kin_off_ = kin_memdiff((got), (want), (n));           \
		if (kin_off_ != (size_t)-1)                                  \
			kin_fail("%s: bytes differ from offset %zu of %zu",  \
				 (what), kin_off_, (size_t)(n));             \
	} while (0)

const char *kin_errno_name(int err);    /* "EAGAIN", or "errno 123" */
const char *kin_signal_name(int sig);   /* "SIGUSR1", or "signal 40" */
size_t kin_memdiff(const void *a, const void *b, size_t n); /* -1 if equal */

/* ------------------------------------------------------------- time */

/* milliseconds scaled by CK_TIMEOUT_MULTIPLIER */
long kin_scaled_ms(long ms);
/* monotonic milliseconds */
long long kin_now_ms(void);
/* a deadline `ms' (scaled) from now */
long long kin_deadline(long ms);

/* ------------------------------------------------------------ children */

/*
 * Fork a child that the test owns: it is killed and reaped at the end of the
 * test if still there.  In the child, returns 0 with the signal mask and
 * dispositions as the test found them; the child must end with _exit().
 */
pid_t kin_fork(void);

/* Run fn(arg) in a child; its return value is the child's exit status. */
pid_t kin_spawn(int (*fn)(void *arg), void *arg);

/*
 * Wait for a child to end within `ms' (scaled).  Returns 0 and its wait
 * status, or -1 with errno ETIMEDOUT (the child is left running, so the
 * caller can describe it; the test's end kills it).
 */
int kin_wait(pid_t pid, int *status, long ms);

/* kin_wait, failing the test when the child does not end in time */
int kin_reap(pid_t pid, long ms);

/* kin_reap, failing unless the child exited with status 0; returns nothing */
void kin_reap_ok(pid_t pid, long ms, const char *what);

/* "exited 3", "killed by SIGUSR1", "stopped by SIGSTOP" */
const char *kin_status_str(int status);

/* Kill and reap a child now (SIGKILL). */
void kin_kill(pid_t pid);

/* ----------------------------------------------------------- observing */

/*
 * The calls a test waits for a process to sleep in.  What an environment
 * shows for a sleeper differs: the native system call numbers in
 * /proc/PID/syscall, the host's under QEMU user mode, none under gVisor.  So
 * the runner calibrates once per run: a child asleep in read() on an empty
 * pipe, one in write() on a full pipe and one in pause() show what a process
 * asleep in each call looks like here, and a test's wait compares with that.
 */
enum kin_call {
	KIN_IN_ANY = 0,       /* asleep in the kernel, in whatever call */
	KIN_IN_READ,          /* read() of a pipe */
	KIN_IN_WRITE,         /* write() to a pipe */
	KIN_IN_PAUSE,         /* pause() */
	KIN_CALLS
};

struct kin_task_state {
	char state;           /* from /proc/PID/stat: 'S', 'R', 'D', 'Z', ... */
	char wchan[64];       /* /proc/PID/wchan, "" when unreadable, "0" on some kernels */
	long syscall_nr;      /* first field of /proc/PID/syscall, -1 if unknown/running */
	bool syscall_known;   /* /proc/PID/syscall was readable */
	enum kin_call call;   /* the call it matched, when a wait matched one */
};

/* Read the state of a process now.  Returns -1 if it is gone. */
int kin_task_state(pid_t pid, struct kin_task_state *st);

/* "state S, wchan pipe_write, syscall 1 = write() as calibrated" */
const char *kin_task_state_str(const struct kin_task_state *st);

/* "read()", "write()", "pause()", "any call" */
const char *kin_call_name(enum kin_call call);

/*
 * Wait until `pid' sleeps in the kernel: state S and, where the calibration
 * saw a system call number for `call' and /proc/PID/syscall is readable,
 * that number.  Polls with a back-off of at most 1 ms, gives up after `ms'
 * (scaled).  Returns 0, or -1 with the last state seen (the caller fails
 * with it).
 */
int kin_wait_blocked(pid_t pid, enum kin_call call, long ms, struct kin_task_state *st);

/*
 * kin_wait_blocked that fails the test with a diagnosis on timeout, and
 * skips it where the calibration found that this environment does not show
 * a known sleeper as asleep.
 */
void kin_expect_blocked(pid_t pid, enum kin_call call, long ms, struct kin_task_state *st,
			const char *what);

/* ------------------------------------------------------------ fd I/O */

/* write/read all n bytes (restarting on EINTR and short transfers) or fail */
void kin_write_all(int fd, const void *buf, size_t n, const char *what);
void kin_read_all(int fd, void *buf, size_t n, const char *what);

/*
 * Wait until fd is readable (POLLIN or POLLHUP) within `ms' (scaled).
 * Returns 1 if ready, 0 on timeout.
 */
int kin_poll_in(int fd, long ms);

/* read up to n bytes, failing if nothing arrives within `ms' (scaled) */
ssize_t kin_read_within(int fd, void *buf, size_t n, long ms, const char *what);

/* close, failing the test on error; sets *fd to -1 */
void kin_close(int *fd);

/*
 * readlink of /proc/PID/fd/FD (pid 0: this process): "pipe:[1234]",
 * "/memfd:NAME (deleted)".  Fails the test if the link cannot be read.
 */
const char *kin_fd_target(pid_t pid, int fd, char *buf, size_t len);

/*
 * A stranger to an object: a process forked before the object exists, so it
 * cannot have inherited it.  kin_stranger() forks it and returns it with the
 * write end of its control pipe in *ctl.  Once some process (the holder, not
 * necessarily the caller) has the object as fd FD, it calls
 * kin_stranger_go(ctl, holder_pid, FD); the stranger then checks that none of
 * its own fds refers to that object, opens /proc/HOLDER/fd/FD with `flags',
 * checks it reached the same object (st_dev, st_ino), writes the `len' bytes
 * of `msg' to it and exits 0 (or fails with the reason: kin_reap_ok).
 */
pid_t kin_stranger(int flags, const void *msg, size_t len, int *ctl);
/* tell the stranger where the object is; closes *ctl */
void kin_stranger_go(int *ctl, pid_t holder, int fd);

/* ------------------------------------------------------------ temp dirs */

/* A private directory (mode 0700) for this test, removed when it ends. */
const char *kin_tmpdir(void);
/* kin_tmpdir()/name into buf; returns buf */
char *kin_tmppath(char *buf, size_t len, const char *name);

/* ------------------------------------------------------------- system */
/* (kin-system.c) */

size_t kin_page_size(void);
/* read a number from a /proc or /sys file; -1 with errno if unreadable */
long long kin_read_ll(const char *path);
/* read the first line of a file into buf (without the newline); -1 on error */
int kin_read_line(const char *path, char *buf, size_t len);
/* uname -r */
const char *kin_kernel_release(void);
/*
 * The running kernel's version in v: major, minor, and the stable patch
 * level where it can be told (*patch_known).  A distribution's uname -r may
 * carry its ABI instead (Debian's 6.1.0-57): then the version uname -v names
 * (Debian's "Debian 6.1.192-3") or /proc/version_signature's (Ubuntu's) is
 * taken.  *how says which ("6.1.192, from uname -v").  False where not even
 * the major and minor version can be read.
 */
bool kin_kernel_semver(int v[3], bool *patch_known, char *how, size_t len);
/* Is OPTION (CONFIG_AF_UNIX_OOB) y or m in the running kernel's
   /boot/config-RELEASE?  1 or 0; -1 where that file is not there; where
   names the file or says it is missing. */
int kin_kernel_config(const char *option, char *where, size_t len);
/* "glibc 2.36" or "musl 1.2.5" (musl: as its dynamic loader reports it; a
   static musl binary gives the version configure found, "musl 1.2.3 (the
   version built with)", or "musl (static; version not recorded)") */
const char *kin_libc(void);
/* what this program is: "a 32-bit little-endian i386 program, statically
   linked" (word size, byte order and instruction set as built) */
const char *kin_program_kind(void);
/* is capability `cap' in this process's effective set (CapEff)? */
bool kin_has_cap(int cap);

/*
 * In a child: become an unprivileged user (nobody, 65534) with no
 * capabilities, staying dumpable so the parent can read /proc/PID/.
 * Returns 0, or -1 with the reason in why.  When the process is already
 * unprivileged it returns 0 and changes nothing.
 */
int kin_drop_privileges(char *why, size_t len);
/* Can this process make an unprivileged child?  Returns false with the reason. */
bool kin_can_drop_privileges(char *why, size_t len);
#define KIN_NOBODY 65534

/*
 * The cases binary itself, as the runner found it at start (/proc/self/exe,
 * else AT_EXECFN, else argv[0]), for execve of a probe.
 */
const char *kin_self_exe(void);
/* the emulator the suite runs under (qemu-aarch64, valgrind's tool), or "" */
const char *kin_self_interpreter(void);
/* how kin_self_exe() was found: "/proc/self/exe", "AT_EXECFN", "argv[0]" */
const char *kin_self_found_by(void);

/*
 * execv(), and where the kernel cannot run the binary (ENOEXEC: a foreign
 * architecture under QEMU user mode with no binfmt_misc entry) the same
 * through the emulator the suite runs under.  Returns only on failure.
 */
int kin_execv(const char *path, char *const argv[]);

/* Which implementation of the Linux interface this is, as far as it shows. */
struct kin_implementation {
	const char *name;         /* linux, gvisor, qemu-user, valgrind, interpreted */
	const char *description;  /* "QEMU user mode (/usr/bin/qemu-aarch64)" */
};
const struct kin_implementation *kin_implementation(void);

/*
 * A probe program that make builds beside the cases binary, named
 * kinship-probe-NAME (dynamic) and kinship-probe-NAME-static (for guests).
 * Looks in $KINSHIP_PROBE_DIR when set, else in the directory of the cases
 * binary and then where `make install' puts probes; prefers the -static
 * variant when the running binary's name ends in -static, and falls back to
 * the other.  Writes the path into buf and returns it; a probe that is
 * nowhere ends the test with kin_skip, naming what to build.
 */
const char *kin_probe_path(const char *name, char *buf, size_t len);

/*
 * The helpers that fail the test on the caller's behalf report the caller's
 * file and line, not their own: these macros note the call site first.  The
 * call site, with the helper's or the checked call's name, is also the test's
 * last step: a test still running at its timeout names it in its failure.
 */
void kin_at(const char *what, const char *file, int line);
void kin_step(const char *what, const char *file, int line);
#ifndef KIN_NO_LOCATION_MACROS
#define kin_reap(...) (kin_at("kin_reap", __FILE__, __LINE__), kin_reap(__VA_ARGS__))
#define kin_reap_ok(...) (kin_at("kin_reap_ok", __FILE__, __LINE__), kin_reap_ok(__VA_ARGS__))
#define kin_expect_blocked(...)                                              \
	(kin_at("kin_expect_blocked", __FILE__, __LINE__), kin_expect_blocked(__VA_ARGS__))
#define kin_write_all(...) (kin_at("kin_write_all", __FILE__, __LINE__), kin_write_all(__VA_ARGS__))
#define kin_read_all(...) (kin_at("kin_read_all", __FILE__, __LINE__), kin_read_all(__VA_ARGS__))
#define kin_read_within(...)                                                 \
	(kin_at("kin_read_within", __FILE__, __LINE__), kin_read_within(__VA_ARGS__))
#define kin_close(...) (kin_at("kin_close", __FILE__, __LINE__), kin_close(__VA_ARGS__))
#define kin_fork() (kin_at("kin_fork", __FILE__, __LINE__), kin_fork())
#define kin_tmpdir() (kin_at("kin_tmpdir", __FILE__, __LINE__), kin_tmpdir())
#endif

#endif /* KIN_H */
