/*
 * matrix.c - kinship-cases --matrix DIR: the claims x kernels matrix.
 *
 * The kernel harness (harness/kinship-kernels) carries the cases into guests
 * and collects, in DIR/collected/, a row per kernel (kernels.tsv, columns
 * found by name), each kernel's results as --results writes them
 * (results-INDEX.tsv) and the run's facts (meta.tsv: started, run, accel).
 * Here each kernel's results are judged by the runner's one judge
 * (kin_judge_results), the expected failures are applied, and DIR/matrix.tsv,
 * matrix.md, junit.xml and kcidb.json are written, each to a temporary file
 * renamed into place.
 *
 * What a guest or a document wrote (details, evidence, console lines, even
 * a kernel's SPEC) may hold any byte.  Each format has one escaping function
 * that every such string goes through: tsv_put, md_put, xml_put, json_put.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "judge.h"
#include "kin.h"

/* the pseudo-row of every kernel: what its console showed */
#define LOG_CLAIM "KERNEL-LOG"
#define LOG_TEST "console_shows_no_panic_bug_or_warning"
/* the console lines matrix.md shows per kernel, and their length, as the
   harness's console_findings always cut them */
#define CONSOLE_LINES 5
#define CONSOLE_WIDTH 200

/* the columns of kernels.tsv this file reads; others are ignored */
enum field {
	F_INDEX, F_SPEC, F_UNAME, F_ARCH, F_MACHINE, F_PAGESIZE, F_WORDSIZE, F_ENDIAN, F_LIBC,
	F_PACKAGE, F_VERSION, F_ARCHIVE, F_ACCEL, F_FETCH, F_BOOT, F_RUN, F_TOTAL, F_ERROR,
	F_FINDING, F_CONSOLE, F_N
};
static const char *const field_names[F_N] = {
	"index", "spec", "uname", "arch", "machine", "pagesize", "wordsize", "endian", "libc",
	"package", "version", "archive", "accel", "fetch_ms", "boot_ms", "run_ms", "total_ms",
	"error", "finding", "console",
};

struct cell {
	const char *result;  /* pass, fail, skip or error */
	char *detail;
	const char *xfail;   /* the reason of the expected failure that covers it */
};

struct kernel {
	char *f[F_N];            /* never NULL: "" where kernels.tsv has nothing */
	char *header;            /* its column's head: uname -r, else SPEC */
	bool ran;                /* no error: it booted and ran */
	struct cell *cells;      /* one per row */
	struct kin_judged *judged; /* one per claim, when it ran */
	char *console[CONSOLE_LINES];
	size_t nconsole;
};

struct xfail {
	char *kernel, *test, *reason;
};

/* everything one --matrix run reads, judges and writes */
struct matrix {
	const struct kin_matrix_job *job;
	struct kin_row *rows;    /* the job's rows, then the pseudo-row */
	size_t nrows;
	struct kernel *k;
	size_t nk;
	struct xfail *xf;
	size_t nxf;
	char *started, *run, *accel, *cases;
	char written[32];
	size_t unexpected, expected;
};

/* --------------------------------------------------------------- helpers */

/* a usage error: one line on stderr, exit status 2 */
static _Noreturn KIN_PRINTF(2, 3) void mx_usage(const struct matrix *m, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", m->job->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* realloc that ends the run when memory is gone (nothing useful is left to do) */
static void *mx_realloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		perror("realloc");
		exit(1);
	}
	return p;
}

/* strdup that ends the run when memory is gone */
static char *mx_strdup(const char *s)
{
	char *d = strdup(s);
	if (!d) {
		perror("strdup");
		exit(1);
	}
	return d;
}

/* a new string of any length, printf-style (for paths and joined values) */
static KIN_PRINTF(1, 2) char *mx_printf(const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		perror("vasprintf");
		exit(1);
	}
	return s;
}

/* one line of a file, without its newline (and a CR before it); NULL at the end */
static char *read_line(FILE *f, char **buf, size_t *cap)
{
	ssize_t len = getline(buf, cap, f);
	if (len < 0)
		return NULL;
	if (len && (*buf)[len - 1] == '\n')
		(*buf)[--len] = 0;
	if (len && (*buf)[len - 1] == '\r')
		(*buf)[--len] = 0;
	return *buf;
}

/* split a line at its tabs, in place: at most max fields, the last one the rest */
static size_t split_tabs(char *line, char **fields, size_t max)
{
	size_t n = 0;
	while (n < max) {
		fields[n++] = line;
		if (n == max || !(line = strchr(line, '\t')))
			break;
		*line++ = 0;
	}
	return n;
}

/* no string, or an empty one */
static bool empty(const char *s)
{
	return !s || !*s;
}

/* ------------------------------------------------------------ escaping */

/*
 * The length of the well-formed UTF-8 sequence at p (1 for ASCII), or 0
 * where the bytes are not one: a stray continuation byte, a truncated
 * sequence, an overlong form, a surrogate or a code point past U+10FFFF.
 * p is NUL-terminated, which is never a continuation byte.
 */
static size_t utf8_len(const unsigned char *p)
{
	unsigned c = p[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned min, cp;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* a TSV cell: any byte but the tab and the line breaks, which become spaces */
static void tsv_put(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

/*
 * Markdown inline text, in a table cell or a list item: one line whatever
 * the bytes.  Backslash, pipe (a cell's end), < (HTML), & (entities) and `
 * (code spans) are backslash-escaped so that they show as themselves; a tab
 * is a space; every other control byte and each byte of invalid UTF-8 shows
 * as \xNN.  In a code span (code) nothing is escaped with a backslash (it
 * would show), only the control and invalid bytes; md_code chooses the
 * fence.
 */
static void md_put_mode(FILE *f, const char *s, bool code)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = utf8_len(p);
		if (*p == '\t') {
			fputc(' ', f);
		} else if (*p < 0x20 || *p == 0x7f || n == 0) {
			fprintf(f, "\\x%02x", *p);
			n = 1;
		} else if (!code && strchr("\\|<&`", *p)) {
			fputc('\\', f);
			fputc(*p, f);
		} else {
			fwrite(p, 1, n, f);
		}
		p += n;
	}
}

/* Markdown inline text outside a code span: every string of matrix.md */
static void md_put(FILE *f, const char *s)
{
	md_put_mode(f, s, false);
}

/* a Markdown code span: fenced by one backtick more than the longest run
   inside, padded by a space where the text starts or ends with one */
static void md_code(FILE *f, const char *s)
{
	size_t longest = 0, run = 0;
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	size_t len = strlen(s);
	bool pad = len && (s[0] == '`' || s[0] == ' ' || s[len - 1] == '`' || s[len - 1] == ' ');
	for (size_t i = 0; i <= longest; i++)
		fputc('`', f);
	if (pad)
		fputc(' ', f);
	md_put_mode(f, s, true);
	if (pad)
		fputc(' ', f);
	for (size_t i = 0; i <= longest; i++)
		fputc('`', f);
}

/*
 * XML 1.0 text or attribute value (double or single quoted): the five
 * entities; tab, newline and CR as character references (an attribute keeps
 * them so); the other control bytes, which XML 1.0 does not allow at all,
 * and DEL shown as \xNN; invalid UTF-8 and the non-characters U+FFFE and
 * U+FFFF, not allowed either, as U+FFFD.
 */
static void xml_put(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = utf8_len(p);
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '\t': fputs("&#9;", f); break;
		case '\n': fputs("&#10;", f); break;
		case '\r': fputs("&#13;", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fprintf(f, "\\x%02x", *p);
			} else if (n == 0 || (n == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe)) {
				fputs("\xef\xbf\xbd", f);
				n = n ? n : 1;
			} else {
				fwrite(p, 1, n, f);
			}
		}
		p += n ? n : 1;
	}
}

/* a JSON string, quotes included: \" \\ \n \t, \u00XX for the other control
   bytes and DEL, well-formed UTF-8 as it is, each invalid byte as \ufffd */
static void json_put(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', f);
	while (*p) {
		size_t n = utf8_len(p);
		if (*p == '"' || *p == '\\') {
			fputc('\\', f);
			fputc(*p, f);
		} else if (*p == '\n') {
			fputs("\\n", f);
		} else if (*p == '\t') {
			fputs("\\t", f);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
		} else if (n == 0) {
			fputs("\\ufffd", f);
			n = 1;
		} else {
			fwrite(p, 1, n, f);
		}
		p += n;
	}
	fputc('"', f);
}

/* a JSON number where the text is one (digits only), else a JSON string */
static void json_num(FILE *f, const char *s)
{
	if (*s && strspn(s, "0123456789") == strlen(s) && (s[0] != '0' || !s[1]))
		fputs(s, f);
	else
		json_put(f, s);
}

/* KCIDB's IDs: [A-Za-z0-9._+-], the rest _ */
static void kcidb_id(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(strchr("._+-", *s) || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
			      (*s >= '0' && *s <= '9') ? *s : '_', f);
}

/* a KCIDB test path is dot-separated [a-zA-Z0-9_-]: a variant (test/variant)
   becomes a node of its own */
static void kcidb_path(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '/' ? '.' : strchr("._-", *s) || (*s >= 'A' && *s <= 'Z') ||
				(*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ? *s : '_', f);
}

/* ------------------------------------------------------ expected failures */

/* a kernel version as one number for ranges, as the harness's kver_num:
   6.12.48+deb13-amd64 -> 6012048 (what is not a number counts 0) */
static unsigned long long kver_num(const char *v)
{
	unsigned long long part[3] = { 0, 0, 0 };
	size_t end = strcspn(v, "-+~");
	for (int i = 0; i < 3; i++) {
		/* the third part is the rest (48.1 -> its leading digits); the
		   first two must be digits only */
		size_t len = i < 2 ? strcspn(v, ".") : end;
		if (len > end)
			len = end;
		size_t digits = strspn(v, "0123456789");
		if (digits > len)
			digits = len;
		if (digits && (i == 2 || digits == len))
			part[i] = strtoull(v, NULL, 10);
		if (i == 2 || len == end)
			break;
		v += len + 1;
		end -= len + 1;
	}
	return part[0] * 1000000 + part[1] * 1000 + part[2];
}

/*
 * The expected failures: lines KERNEL<TAB>TEST<TAB>REASON (runs of tabs as
 * one, as the harness read them), # comments and blank lines aside.  KERNEL
 * is a SPEC, *, a uname -r glob or a version range LOW..HIGH; TEST a test
 * name, a claim ID, or a glob of test or CLAIM/test.  A line without a
 * reason, or a range whose sides are not versions, is a usage error.
 */
static void load_xfails(struct matrix *m, const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL, *line;
	size_t cap = 0;
	int n = 0;
	if (!f)
		mx_usage(m, "cannot read expected failures from '%s': %s", path, strerror(errno));
	while ((line = read_line(f, &buf, &cap))) {
		n++;
		char *p = line + strspn(line, " \t\v\f");
		if (*p == '#' || *p == 0)
			continue;
		char *field[3] = { NULL, NULL, NULL };
		p = line;
		for (int i = 0; i < 3 && *p; i++) {
			p += strspn(p, "\t");
			field[i] = p;
			if (i < 2) {
				p += strcspn(p, "\t");
				if (*p)
					*p++ = 0;
			}
		}
		char *reason = field[2];
		if (reason) {
			size_t len = strlen(reason);
			while (len && reason[len - 1] == '\t')
				reason[--len] = 0;
		}
		if (empty(field[0]) || empty(field[1]) || empty(reason) ||
		    strspn(reason, " ") == strlen(reason))
			mx_usage(m, "%s:%d: want KERNEL<TAB>TEST<TAB>REASON, with a reason", path, n);
		char *dots = strstr(field[0], "..");
		if (dots && ((dots > field[0] && (field[0][0] < '0' || field[0][0] > '9')) ||
			     (dots[2] && (dots[2] < '0' || dots[2] > '9'))))
			mx_usage(m, "%s:%d: '%s' is not a version range LOW..HIGH", path, n, field[0]);
		m->xf = mx_realloc(m->xf, (m->nxf + 1) * sizeof(*m->xf));
		m->xf[m->nxf++] = (struct xfail){ mx_strdup(field[0]), mx_strdup(field[1]),
						  mx_strdup(reason) };
	}
	free(buf);
	fclose(f);
}

/* whether an entry's KERNEL names this kernel */
static bool xfail_kernel_matches(const char *pat, const struct kernel *k)
{
	const char *uname = k->f[F_UNAME];
	if (strcmp(pat, k->f[F_SPEC]) == 0 || strcmp(pat, "*") == 0)
		return true;
	const char *dots = strstr(pat, "..");
	if (dots) {
		if (!*uname)
			return false;
		char *lo = mx_printf("%.*s", (int)(dots - pat), pat);
		unsigned long long v = kver_num(uname);
		bool in = (!*lo || v >= kver_num(lo)) && (!dots[2] || v < kver_num(dots + 2));
		free(lo);
		return in;
	}
	return *uname && fnmatch(pat, uname, 0) == 0;
}

/* the reason the first matching entry gives for a failure of this cell, or NULL */
static const char *xfail_reason(const struct matrix *m, const struct kernel *k,
				const struct kin_row *row)
{
	for (size_t i = 0; i < m->nxf; i++) {
		const struct xfail *x = &m->xf[i];
		if (!xfail_kernel_matches(x->kernel, k))
			continue;
		char *both = mx_printf("%s/%s", row->claim, row->test);
		bool hit = fnmatch(x->test, row->test, 0) == 0 || strcmp(x->test, row->claim) == 0 ||
			   fnmatch(x->test, both, 0) == 0;
		free(both);
		if (hit)
			return x->reason;
	}
	return NULL;
}

/* ------------------------------------------------------------ reading */

/* DIR/collected/NAME */
static char *collected(const struct matrix *m, const char *name)
{
	return mx_printf("%s/collected/%s", m->job->dir, name);
}

/* meta.tsv: KEY<TAB>VALUE lines; started, run, accel and cases ("no": the
   guests ran no cases, kinship-kernels --no-cases) are read (the last of a
   key wins); the file is optional */
static void load_meta(struct matrix *m)
{
	char *path = collected(m, "meta.tsv");
	FILE *f = fopen(path, "re");
	char *buf = NULL, *line;
	size_t cap = 0;
	struct { const char *key; char **val; } keys[] = {
		{ "started", &m->started }, { "run", &m->run }, { "accel", &m->accel },
		{ "cases", &m->cases },
	};
	while (f && (line = read_line(f, &buf, &cap))) {
		char *kv[2];
		if (split_tabs(line, kv, 2) < 2)
			continue;
		for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
			if (strcmp(kv[0], keys[i].key) == 0) {
				free(*keys[i].val);
				*keys[i].val = mx_strdup(kv[1]);
			}
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (!*keys[i].val)
			*keys[i].val = mx_strdup("");
	if (f)
		fclose(f);
	free(buf);
	free(path);
}

/* kernels.tsv: a header line of column names, then a kernel a line, in the
   matrix's column order */
static void load_kernels(struct matrix *m)
{
	char *path = collected(m, "kernels.tsv");
	FILE *f = fopen(path, "re");
	char *buf = NULL, *line;
	size_t cap = 0, ncols = 0, lineno = 1;
	int col[F_N];
	char **fields = NULL;
	if (!f)
		mx_usage(m, "cannot read '%s': %s", path, strerror(errno));
	if (!(line = read_line(f, &buf, &cap)))
		mx_usage(m, "'%s' is empty: want a header line of column names", path);
	ncols = 1;
	for (const char *p = line; (p = strchr(p, '\t')); p++)
		ncols++;
	fields = mx_realloc(NULL, ncols * sizeof(*fields));
	split_tabs(line, fields, ncols);
	for (int i = 0; i < F_N; i++) {
		col[i] = -1;
		for (size_t c = 0; c < ncols && col[i] < 0; c++)
			if (strcmp(fields[c], field_names[i]) == 0)
				col[i] = (int)c;
	}
	if (col[F_SPEC] < 0)
		mx_usage(m, "'%s': its header line has no column 'spec'", path);
	while ((line = read_line(f, &buf, &cap))) {
		lineno++;
		if (!*line)
			continue;
		size_t nf = split_tabs(line, fields, ncols);
		m->k = mx_realloc(m->k, (m->nk + 1) * sizeof(*m->k));
		struct kernel *k = &m->k[m->nk];
		memset(k, 0, sizeof(*k));
		for (int i = 0; i < F_N; i++)
			k->f[i] = mx_strdup(col[i] >= 0 && (size_t)col[i] < nf ? fields[col[i]] : "");
		if (!*k->f[F_INDEX]) {
			free(k->f[F_INDEX]);
			k->f[F_INDEX] = mx_printf("%zu", m->nk);
		}
		if (strspn(k->f[F_INDEX], "0123456789") != strlen(k->f[F_INDEX]))
			mx_usage(m, "%s:%zu: index '%s' is not a number", path, lineno, k->f[F_INDEX]);
		k->ran = !*k->f[F_ERROR];
		m->nk++;
	}
	if (m->nk == 0)
		mx_usage(m, "'%s' names no kernel", path);
	free(fields);
	free(buf);
	fclose(f);
	free(path);
}

/* a column's plain head: uname -r, else the SPEC */
static const char *plain_head(const struct kernel *k)
{
	return *k->f[F_UNAME] ? k->f[F_UNAME] : k->f[F_SPEC];
}

/* each column's head: its plain head, with the SPEC added to every kernel
   whose plain head another kernel has too (the same kernel twice: another
   archive, or another userland, debian:sid+musl beside debian:sid) */
static void name_columns(struct matrix *m)
{
	for (size_t i = 0; i < m->nk; i++) {
		struct kernel *k = &m->k[i];
		const char *h = plain_head(k);
		bool shared = false;
		for (size_t j = 0; j < m->nk && !shared; j++)
			shared = j != i && strcmp(plain_head(&m->k[j]), h) == 0;
		k->header = shared ? mx_printf("%s (%s)", h, k->f[F_SPEC]) : mx_strdup(h);
	}
}

/* the canonical word of a result, or NULL */
static const char *result_word(const char *w)
{
	static const char *const words[] = { "pass", "fail", "skip", "error" };
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (strcmp(w, words[i]) == 0)
			return words[i];
	return NULL;
}

/* a results file's lines, split: claim, test, result, detail (the rest of
   the line, tabs and all) */
struct result_line {
	char *claim, *test, *result, *detail;
};

/* read a results file; -1 when there is none */
static int load_result_lines(const char *path, struct result_line **out, size_t *n)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL, *line;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	if (!f)
		return -1;
	while ((line = read_line(f, &buf, &cap))) {
		char *fld[4] = { NULL, NULL, NULL, "" };
		if (split_tabs(line, fld, 4) < 3)
			continue;
		*out = mx_realloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = (struct result_line){ mx_strdup(fld[0]), mx_strdup(fld[1]),
						       mx_strdup(fld[2]), mx_strdup(fld[3]) };
	}
	free(buf);
	fclose(f);
	return 0;
}

/*
 * A kernel's cells, one per row: a kernel that did not run is error with its
 * reason everywhere; the console's row passes without a finding and fails
 * with it; a test takes the first line of its claim and name in the results
 * (an unknown result word is an error that says so); a test missing there is
 * an error.  Then the expected failures, for the cells that failed or erred.
 */
static void judge_cells(struct matrix *m, struct kernel *k, const char *results)
{
	struct result_line *rl;
	size_t nrl;
	bool have = load_result_lines(results, &rl, &nrl) == 0;
	k->cells = mx_realloc(NULL, m->nrows * sizeof(*k->cells));
	for (size_t r = 0; r < m->nrows; r++) {
		const struct kin_row *row = &m->rows[r];
		struct cell *c = &k->cells[r];
		c->xfail = NULL;
		if (!k->ran) {
			c->result = "error";
			c->detail = mx_strdup(k->f[F_ERROR]);
		} else if (r == m->nrows - 1) {
			bool found = *k->f[F_FINDING];
			c->result = found ? "fail" : "pass";
			c->detail = mx_strdup(found ? k->f[F_FINDING]
						    : "no panic, BUG: or WARNING: on the console");
		} else if (!have) {
			c->result = "error";
			c->detail = mx_printf("no results: %s is missing", results);
		} else {
			c->result = "error";
			c->detail = NULL;
			for (size_t i = 0; i < nrl && !c->detail; i++) {
				if (strcmp(rl[i].claim, row->claim) != 0 || strcmp(rl[i].test, row->test) != 0)
					continue;
				c->result = result_word(rl[i].result);
				c->detail = c->result ? mx_strdup(rl[i].detail)
						      : mx_printf("result '%s' is none of pass, fail, skip, "
								  "error: %s", rl[i].result, rl[i].detail);
				if (!c->result)
					c->result = "error";
			}
			if (!c->detail)
				c->detail = mx_strdup("no result: the guest did not report this test");
		}
		if (strcmp(c->result, "fail") == 0 || strcmp(c->result, "error") == 0) {
			c->xfail = xfail_reason(m, k, row);
			if (c->xfail)
				m->expected++;
			else
				m->unexpected++;
		}
	}
	for (size_t i = 0; i < nrl; i++) {
		free(rl[i].claim);
		free(rl[i].test);
		free(rl[i].result);
		free(rl[i].detail);
	}
	free(rl);
}

/* the console lines that tell a panic, BUG or WARNING, as the harness finds
   them: CRs dropped, KIN: lines skipped, the timestamp cut, 200 bytes at
   most (not inside a UTF-8 sequence) */
static void read_console(struct matrix *m, struct kernel *k)
{
	if (!*k->f[F_CONSOLE])
		return;
	char *path = k->f[F_CONSOLE][0] == '/' ? mx_strdup(k->f[F_CONSOLE])
					       : mx_printf("%s/%s", m->job->dir, k->f[F_CONSOLE]);
	FILE *f = fopen(path, "re");
	char *buf = NULL, *line;
	size_t cap = 0;
	while (f && k->nconsole < CONSOLE_LINES && (line = read_line(f, &buf, &cap))) {
		char *w = line;
		for (char *r = line; *r; r++)
			if (*r != '\r')
				*w++ = *r;
		*w = 0;
		if (strncmp(line, "KIN:", 4) == 0 ||
		    (!strstr(line, "Kernel panic") && !strstr(line, "BUG:") && !strstr(line, "WARNING:")))
			continue;
		/* sed 's/^.*\[ *[0-9]+\.[0-9]+\] //': after the last timestamp */
		char *text = line;
		for (char *b = line; (b = strchr(b, '[')); b++) {
			char *q = b + 1 + strspn(b + 1, " ");
			size_t d1 = strspn(q, "0123456789");
			if (!d1 || q[d1] != '.')
				continue;
			size_t d2 = strspn(q + d1 + 1, "0123456789");
			char *e = q + d1 + 1 + d2;
			if (d2 && e[0] == ']' && e[1] == ' ')
				text = e + 2;
		}
		size_t len = strlen(text);
		if (len > CONSOLE_WIDTH) {
			len = CONSOLE_WIDTH;
			while (len && ((unsigned char)text[len] & 0xc0) == 0x80)
				len--;
			text[len] = 0;
		}
		k->console[k->nconsole++] = mx_strdup(text);
	}
	if (f)
		fclose(f);
	free(buf);
	free(path);
}

/* ------------------------------------------------------------ writing */

/* an output being written: a temporary file beside its final name */
struct output {
	FILE *f;
	char *tmp, *path;
};

/* open DIR/.NAME.XXXXXX for NAME; -1 (errno set) where DIR is not writable */
static int out_open(const struct matrix *m, struct output *o, const char *name)
{
	o->path = mx_printf("%s/%s", m->job->dir, name);
	o->tmp = mx_printf("%s/.%s.XXXXXX", m->job->dir, name);
	int fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0) {
		free(o->tmp);
		free(o->path);
		return -1;
	}
	/* the mode a plain create would give: 0666 less the umask */
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	o->f = fdopen(fd, "w");
	if (!o->f) {
		perror("fdopen");
		exit(1);
	}
	return 0;
}

/* finish an output: renamed into place when all of it was written; -1 and
   a message (the temporary file removed) otherwise */
static int out_close(const struct matrix *m, struct output *o)
{
	int r = 0;
	bool bad = ferror(o->f) != 0;
	/* fclose whatever ferror said: it frees the stream and flushes the rest */
	bad |= fclose(o->f) != 0;
	if (bad || rename(o->tmp, o->path) != 0) {
		fprintf(stderr, "%s: writing %s: %s\n", m->job->prog, o->path, strerror(errno));
		unlink(o->tmp);
		r = -1;
	}
	free(o->tmp);
	free(o->path);
	return r;
}

/* matrix.tsv: claim, test, a column per kernel; cells pass|fail|skip|error */
static void write_tsv(FILE *f, const struct matrix *m)
{
	fputs("claim\ttest", f);
	for (size_t j = 0; j < m->nk; j++) {
		fputc('\t', f);
		tsv_put(f, m->k[j].header);
	}
	fputc('\n', f);
	for (size_t r = 0; r < m->nrows; r++) {
		tsv_put(f, m->rows[r].claim);
		fputc('\t', f);
		tsv_put(f, m->rows[r].test);
		for (size_t j = 0; j < m->nk; j++)
			fprintf(f, "\t%s", m->k[j].cells[r].result);
		fputc('\n', f);
	}
}

/* milliseconds as seconds with a tenth, or nothing where unknown */
static void md_secs(FILE *f, const char *ms)
{
	if (*ms)
		fprintf(f, "%.1f s", strtod(ms, NULL) / 1000);
}

/* a page size in KiB, as awk prints bytes / 1024 */
static void md_kib(FILE *f, const char *bytes)
{
	fprintf(f, "%.6g", strtod(bytes, NULL) / 1024);
}

/* a kernels.tsv value in a Markdown cell, or - where it is empty */
static void md_or_dash(FILE *f, const char *s, const char *suffix)
{
	if (*s) {
		md_put(f, s);
		fputs(suffix, f);
	} else {
		fputc('-', f);
	}
}

/* the head of a table with a column per kernel: uname (or SPEC), machine,
   page size; LABEL is one column or two ("claim | test") */
static void md_head(FILE *f, const struct matrix *m, const char *label, int label_cols)
{
	fprintf(f, "| %s", label);
	for (size_t j = 0; j < m->nk; j++) {
		const struct kernel *k = &m->k[j];
		fputs(" | ", f);
		md_put(f, k->header);
		if (*k->f[F_PAGESIZE]) {
			fputs("<br>", f);
			md_put(f, k->f[F_MACHINE]);
			fputs(", ", f);
			md_kib(f, k->f[F_PAGESIZE]);
			fputs(" KiB pages", f);
		}
	}
	fputs(" |\n", f);
	for (int i = 0; i < label_cols; i++)
		fputs("|---", f);
	for (size_t j = 0; j < m->nk; j++)
		fputs("|---", f);
	fputs("|\n", f);
}

/* a kernel's word for claim or row I: its verdict, or its cell's result */
static const char *verdict_of(const struct kernel *k, size_t c)
{
	return k->judged[c].verdict;
}

static const char *result_of(const struct kernel *k, size_t r)
{
	return k->cells[r].result;
}

/* whether the kernels that ran disagree on the word WORD gives for I */
static bool kernels_differ(const struct matrix *m, size_t i,
			   const char *(*word)(const struct kernel *, size_t))
{
	const char *first = NULL;
	for (size_t j = 0; j < m->nk; j++) {
		if (!m->k[j].ran)
			continue;
		if (!first)
			first = word(&m->k[j], i);
		else if (strcmp(first, word(&m->k[j], i)) != 0)
			return true;
	}
	return false;
}

/* the kernels table: what each column is and how its run went */
static void md_kernels(FILE *f, const struct matrix *m)
{
	fputs("## Kernels\n\n"
	      "| kernel (uname -r) | SPEC | Debian package | archive | arch | page size | word size "
	      "| byte order | libc | accel | fetch | boot | run | result |\n"
	      "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n", f);
	for (size_t j = 0; j < m->nk; j++) {
		char *const *v = m->k[j].f;
		fputs("| ", f);
		md_or_dash(f, v[F_UNAME], "");
		fputs(" | ", f);
		md_put(f, v[F_SPEC]);
		fputs(" | ", f);
		if (*v[F_PACKAGE]) {
			md_put(f, v[F_PACKAGE]);
			fputc(' ', f);
			md_put(f, v[F_VERSION]);
		} else {
			fputc('-', f);
		}
		fputs(" | ", f);
		md_or_dash(f, v[F_ARCHIVE], "");
		fputs(" | ", f);
		md_or_dash(f, *v[F_MACHINE] ? v[F_MACHINE] : v[F_ARCH], "");
		fputs(" | ", f);
		if (*v[F_PAGESIZE]) {
			md_kib(f, v[F_PAGESIZE]);
			fputs(" KiB", f);
		} else {
			fputc('-', f);
		}
		fputs(" | ", f);
		md_or_dash(f, v[F_WORDSIZE], "-bit");
		fputs(" | ", f);
		md_or_dash(f, v[F_ENDIAN], "-endian");
		fputs(" | ", f);
		md_or_dash(f, v[F_LIBC], "");
		fputs(" | ", f);
		md_or_dash(f, v[F_ACCEL], "");
		fputs(" | ", f);
		md_secs(f, v[F_FETCH]);
		fputs(" | ", f);
		md_secs(f, v[F_BOOT]);
		fputs(" | ", f);
		md_secs(f, v[F_RUN]);
		fputs(" | ", f);
		if (m->k[j].ran) {
			fputs("ran", f);
		} else {
			fputs("error: ", f);
			md_put(f, v[F_ERROR]);
		}
		fputs(" |\n", f);
	}
}

/*
 * The sections of claims in matrix.md, in this order, each a table of
 * verdicts per kernel and the evidence where the kernels disagree: the
 * document's claims, then the regression sentinels (the ledger's second
 * kind), whose cells are the side of each change a kernel showed.
 */
static bool is_document_claim(const struct kin_claim *c)
{
	return !c->sentinel;
}

static bool is_sentinel(const struct kin_claim *c)
{
	return c->sentinel;
}

static const struct section {
	const char *title, *intro;
	bool (*member)(const struct kin_claim *);
} sections[] = {
	{ "Document verdicts",
	  "Per claim and kernel, as `kinship-cases --from-results` judges each kernel's results; "
	  "claims where the kernels disagree come first.",
	  is_document_claim },
	{ "Regression sentinels",
	  "Behaviour the kernels changed in these mechanisms, with no words of the document: the "
	  "side of each change (`before` or `after` the ledger's commit) each kernel showed. A "
	  "sentinel's test fails where the side is not the one the kernel's version should show "
	  "(see the tests table); sentinels whose kernels differ come first.",
	  is_sentinel },
};

/* one section of claims: the table (disagreements first), then the evidence
   of each kernel for each claim they disagree on */
static void md_claims(FILE *f, const struct matrix *m, const struct section *s)
{
	const struct kin_matrix_job *job = m->job;
	size_t members = 0;
	for (size_t c = 0; c < job->nclaims; c++)
		members += s->member(job->claims[c]);
	if (members == 0)
		return;     /* none selected (--claim): no section */
	fprintf(f, "## %s\n\n%s\n\n", s->title, s->intro);
	md_head(f, m, "claim", 1);
	for (int pass = 1; pass <= 2; pass++)
		for (size_t c = 0; c < job->nclaims; c++) {
			if (!s->member(job->claims[c]))
				continue;
			bool d = kernels_differ(m, c, verdict_of);
			if ((pass == 1) != d)
				continue;
			fputs(d ? "| **" : "| ", f);
			md_put(f, job->claims[c]->id);
			fputs(d ? "**" : "", f);
			for (size_t j = 0; j < m->nk; j++)
				fprintf(f, " | %s", m->k[j].ran ? m->k[j].judged[c].verdict : "error");
			fputs(" |\n", f);
		}
	bool any = false;
	for (size_t c = 0; c < job->nclaims; c++) {
		if (!s->member(job->claims[c]) || !kernels_differ(m, c, verdict_of))
			continue;
		if (!any)
			fputs("\n### Evidence where the kernels disagree\n\n", f);
		any = true;
		for (size_t j = 0; j < m->nk; j++) {
			const struct kernel *k = &m->k[j];
			if (!k->ran)
				continue;
			fputs("- ", f);
			md_put(f, job->claims[c]->id);
			fputs(" on ", f);
			md_put(f, k->header);
			fprintf(f, ": %s: ", k->judged[c].verdict);
			md_put(f, k->judged[c].evidence);
			fputc('\n', f);
		}
	}
	fputc('\n', f);
}

/* the tests table: a row per test (disagreements first), (x) for an
   expected failure */
static void md_tests(FILE *f, const struct matrix *m)
{
	fputs("## Tests\n\nRows where the kernels disagree come first; (x) marks an expected "
	      "failure.\n\n", f);
	md_head(f, m, "claim | test", 2);
	for (int pass = 1; pass <= 2; pass++)
		for (size_t r = 0; r < m->nrows; r++) {
			bool d = kernels_differ(m, r, result_of);
			if ((pass == 1) != d)
				continue;
			fputs("| ", f);
			md_put(f, m->rows[r].claim);
			fputs(d ? " | **" : " | ", f);
			md_put(f, m->rows[r].test);
			fputs(d ? "**" : "", f);
			for (size_t j = 0; j < m->nk; j++)
				fprintf(f, " | %s%s", m->k[j].cells[r].result,
					m->k[j].cells[r].xfail ? " (x)" : "");
			fputs(" |\n", f);
		}
	fputc('\n', f);
}

/* every failure and error with its detail; a kernel that did not run once */
static void md_failures(FILE *f, const struct matrix *m)
{
	bool any = false;
	fputs("## Failures and errors\n\n", f);
	for (size_t j = 0; j < m->nk; j++) {
		const struct kernel *k = &m->k[j];
		if (!k->ran) {
			fputs("- ", f);
			md_put(f, k->f[F_SPEC]);
			fputs(": did not run: ", f);
			md_put(f, k->f[F_ERROR]);
			if (k->cells[0].xfail) {
				fputs(" (expected: ", f);
				md_put(f, k->cells[0].xfail);
				fputc(')', f);
			}
			fputc('\n', f);
			any = true;
			continue;
		}
		for (size_t r = 0; r < m->nrows; r++) {
			const struct cell *c = &k->cells[r];
			if (strcmp(c->result, "fail") != 0 && strcmp(c->result, "error") != 0)
				continue;
			fputs("- ", f);
			md_put(f, k->header);
			fputs(", ", f);
			md_put(f, m->rows[r].claim);
			fputc(' ', f);
			md_put(f, m->rows[r].test);
			fprintf(f, ": %s: ", c->result);
			md_put(f, c->detail);
			if (c->xfail) {
				fputs(" (expected: ", f);
				md_put(f, c->xfail);
				fputs(")\n", f);
			} else {
				fputs(" (unexpected)\n", f);
			}
			any = true;
		}
	}
	if (!any)
		fputs("None.\n", f);
}

/* what each console showed: the finding lines of every kernel that has one */
static void md_console(FILE *f, const struct matrix *m)
{
	bool any = false;
	fputs("\n## Kernel console\n\n", f);
	for (size_t j = 0; j < m->nk; j++) {
		const struct kernel *k = &m->k[j];
		if (!*k->f[F_FINDING])
			continue;
		fputs("- ", f);
		md_put(f, k->f[F_SPEC]);
		fputs(":\n", f);
		/* the console log where there is one, else the finding itself */
		for (size_t i = 0; i < (k->nconsole ? k->nconsole : 1); i++) {
			fputs("  - ", f);
			md_code(f, k->nconsole ? k->console[i] : k->f[F_FINDING]);
			fputc('\n', f);
		}
		any = true;
	}
	if (!any)
		fputs("No kernel panic, BUG: or WARNING: line on any console.\n", f);
}

/* matrix.md: kernels, verdicts per section, tests, failures, consoles */
static void write_md(FILE *f, const struct matrix *m)
{
	fprintf(f, "# kinship kernel matrix\n\nWritten %s", m->written);
	if (*m->run) {
		fputs(", run ", f);
		md_put(f, m->run);
	}
	if (*m->accel) {
		fputs("; ", f);
		md_put(f, m->accel);
	}
	fputs("; one vCPU each.\n\n", f);
	md_kernels(f, m);
	fputc('\n', f);
	for (size_t s = 0; s < sizeof(sections) / sizeof(*sections); s++)
		md_claims(f, m, &sections[s]);
	md_tests(f, m);
	md_failures(f, m);
	md_console(f, m);
}

/* junit.xml: a testsuite per kernel, its facts as properties, a testcase per
   cell; an expected failure is skipped with its reason */
static void write_junit(FILE *f, const struct matrix *m)
{
	static const enum field props[] = { F_SPEC, F_UNAME, F_ARCH, F_MACHINE, F_PAGESIZE,
					    F_WORDSIZE, F_ENDIAN, F_LIBC, F_PACKAGE, F_VERSION,
					    F_ARCHIVE, F_ACCEL, F_ERROR };
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<testsuites name=\"kinship kernel matrix\">\n", f);
	for (size_t j = 0; j < m->nk; j++) {
		const struct kernel *k = &m->k[j];
		size_t nfail = 0, nerr = 0, nskip = 0;
		for (size_t r = 0; r < m->nrows; r++) {
			const struct cell *c = &k->cells[r];
			nfail += !c->xfail && strcmp(c->result, "fail") == 0;
			nerr += !c->xfail && strcmp(c->result, "error") == 0;
			nskip += c->xfail || strcmp(c->result, "skip") == 0;
		}
		fputs("  <testsuite name=\"kinship on ", f);
		xml_put(f, k->header);
		fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
			"time=\"%.3f\">\n    <properties>\n", m->nrows, nfail, nerr, nskip,
			strtod(k->f[F_TOTAL], NULL) / 1000);
		for (size_t p = 0; p < sizeof(props) / sizeof(*props); p++) {
			if (!*k->f[props[p]])
				continue;
			fprintf(f, "      <property name=\"%s\" value=\"", field_names[props[p]]);
			xml_put(f, k->f[props[p]]);
			fputs("\"/>\n", f);
		}
		fputs("    </properties>\n", f);
		for (size_t r = 0; r < m->nrows; r++) {
			const struct cell *c = &k->cells[r];
			fputs("    <testcase classname=\"", f);
			xml_put(f, m->rows[r].claim);
			fputs("\" name=\"", f);
			xml_put(f, m->rows[r].test);
			if (strcmp(c->result, "pass") == 0) {
				fputs("\"/>\n", f);
				continue;
			}
			fputs("\">\n", f);
			if (c->xfail) {
				fprintf(f, "      <skipped message=\"expected %s: ", c->result);
				xml_put(f, c->xfail);
				fputs(": ", f);
			} else {
				fprintf(f, "      <%s message=\"", strcmp(c->result, "skip") == 0 ? "skipped"
								   : strcmp(c->result, "fail") == 0 ? "failure"
								   : "error");
			}
			xml_put(f, c->detail);
			fputs("\"/>\n    </testcase>\n", f);
		}
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
}

/* KCIDB names architectures as the kernel does; NULL where unknown */
static const char *kcidb_arch(const char *arch)
{
	static const char *const names[][2] = {
		{ "x86_64", "x86_64" }, { "aarch64", "arm64" }, { "arm", "arm" },
		{ "ppc64le", "powerpc" }, { "s390x", "s390" }, { "riscv64", "riscv" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (strcmp(arch, names[i][0]) == 0)
			return names[i][1];
	return NULL;
}

/* "start_time": STARTED, where the start is known (KCIDB allows no nulls) */
static void kcidb_start(FILE *f, const struct matrix *m)
{
	if (*m->started) {
		fputs("\"start_time\": ", f);
		json_put(f, m->started);
		fputs(", ", f);
	}
}

/* , "KEY": VALUE for a value that is known */
static void kcidb_misc(FILE *f, const char *key, const char *value, bool number)
{
	if (!*value)
		return;
	fprintf(f, ", \"%s\": ", key);
	if (number)
		json_num(f, value);
	else
		json_put(f, value);
}

/*
 * kcidb.json: KCIDB (KernelCI's common database) schema 4.3: a checkout and
 * a build per kernel (a Debian package or one's own image), a test per cell;
 * an expected failure is waived, its reason in misc.  What is unknown is
 * left out: KCIDB allows no nulls.
 */
static void write_kcidb(FILE *f, const struct matrix *m)
{
	fputs("{\n  \"version\": {\"major\": 4, \"minor\": 3},\n  \"checkouts\": [\n", f);
	for (size_t j = 0; j < m->nk; j++) {
		char *const *v = m->k[j].f;
		fprintf(f, "    {\"id\": \"kinship:");
		kcidb_id(f, m->run);
		fprintf(f, "-%zu\", \"origin\": \"kinship\", \"tree_name\": ", j + 1);
		json_put(f, strncmp(v[F_SPEC], "debian:", 7) == 0 ? v[F_SPEC] : "local");
		fputs(", ", f);
		kcidb_start(f, m);
		fputs("\"valid\": true, \"comment\": ", f);
		if (*v[F_PACKAGE]) {
			char *s = mx_printf("%s %s", v[F_PACKAGE], v[F_VERSION]);
			json_put(f, s);
			free(s);
		} else {
			json_put(f, v[F_SPEC]);
		}
		fprintf(f, "}%s\n", j + 1 < m->nk ? "," : "");
	}
	fputs("  ],\n  \"builds\": [\n", f);
	for (size_t j = 0; j < m->nk; j++) {
		const struct kernel *k = &m->k[j];
		char *const *v = k->f;
		const char *arch = kcidb_arch(v[F_ARCH]);
		fputs("    {\"id\": \"kinship:", f);
		kcidb_id(f, m->run);
		fprintf(f, "-%zu\", \"origin\": \"kinship\", \"checkout_id\": \"kinship:", j + 1);
		kcidb_id(f, m->run);
		fprintf(f, "-%zu\", ", j + 1);
		if (arch)
			fprintf(f, "\"architecture\": \"%s\", ", arch);
		kcidb_start(f, m);
		fprintf(f, "\"valid\": %s, \"comment\": ", k->ran ? "true" : "false");
		if (k->ran) {
			json_put(f, k->header);
		} else {
			char *s = mx_printf("did not run: %s", v[F_ERROR]);
			json_put(f, s);
			free(s);
		}
		fputs(", \"misc\": {\"spec\": ", f);
		json_put(f, v[F_SPEC]);
		kcidb_misc(f, "uname", v[F_UNAME], false);
		if (*v[F_PACKAGE]) {
			kcidb_misc(f, "package", v[F_PACKAGE], false);
			fputs(", \"version\": ", f);
			json_put(f, v[F_VERSION]);
		}
		kcidb_misc(f, "page_size", v[F_PAGESIZE], true);
		kcidb_misc(f, "archive", v[F_ARCHIVE], false);
		kcidb_misc(f, "machine", v[F_MACHINE], false);
		kcidb_misc(f, "word_size", v[F_WORDSIZE], true);
		kcidb_misc(f, "endian", v[F_ENDIAN], false);
		kcidb_misc(f, "libc", v[F_LIBC], false);
		fprintf(f, "}}%s\n", j + 1 < m->nk ? "," : "");
	}
	fputs("  ],\n  \"tests\": [\n", f);
	for (size_t j = 0; j < m->nk; j++) {
		const struct kernel *k = &m->k[j];
		/* the accelerator as the environment names it: QEMU TCG aarch64 */
		char *accel = mx_strdup(k->f[F_ACCEL]);
		for (char *p = accel; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		for (size_t r = 0; r < m->nrows; r++) {
			const struct cell *c = &k->cells[r];
			const struct kin_row *row = &m->rows[r];
			char *both = mx_printf("%s.%s", row->claim, row->test);
			char *path = mx_printf("kinship.%s.%s", row->claim, row->test);
			fputs("    {\"id\": \"kinship:", f);
			kcidb_id(f, m->run);
			fprintf(f, "-%zu-", j + 1);
			kcidb_id(f, both);
			fputs("\", \"origin\": \"kinship\", \"build_id\": \"kinship:", f);
			kcidb_id(f, m->run);
			fprintf(f, "-%zu\", \"path\": \"", j + 1);
			kcidb_path(f, path);
			fputs("\", \"status\": \"", f);
			for (const char *p = c->result; *p; p++)
				fputc(*p - 'a' + 'A', f);
			fprintf(f, "\", \"waived\": %s, ", c->xfail ? "true" : "false");
			kcidb_start(f, m);
			char *env = mx_printf("QEMU %s%s%s, one vCPU", accel, *accel ? " " : "",
					      k->f[F_ARCH]);
			fputs("\"environment\": {\"comment\": ", f);
			json_put(f, env);
			fputs("}, \"comment\": ", f);
			json_put(f, c->detail);
			fputs(", \"misc\": {\"claim\": ", f);
			json_put(f, row->claim);
			if (c->xfail) {
				fputs(", \"expected_failure\": ", f);
				json_put(f, c->xfail);
			}
			fprintf(f, "}}%s\n", j + 1 < m->nk || r + 1 < m->nrows ? "," : "");
			free(env);
			free(path);
			free(both);
		}
		free(accel);
	}
	fputs("  ]\n}\n", f);
}

/* ------------------------------------------------------------ the mode */

/* give back everything the run read and judged */
static void free_matrix(struct matrix *m)
{
	for (size_t j = 0; j < m->nk; j++) {
		struct kernel *k = &m->k[j];
		for (int i = 0; i < F_N; i++)
			free(k->f[i]);
		free(k->header);
		for (size_t r = 0; k->cells && r < m->nrows; r++)
			free(k->cells[r].detail);
		free(k->cells);
		for (size_t c = 0; k->judged && c < m->job->nclaims; c++)
			free(k->judged[c].evidence);
		free(k->judged);
		for (size_t i = 0; i < k->nconsole; i++)
			free(k->console[i]);
	}
	free(m->k);
	for (size_t i = 0; i < m->nxf; i++) {
		free(m->xf[i].kernel);
		free(m->xf[i].test);
		free(m->xf[i].reason);
	}
	free(m->xf);
	free(m->rows);
	free(m->started);
	free(m->run);
	free(m->accel);
	free(m->cases);
}

/* read and judge one DIR: its kernels, its facts, the expected failures,
   the rows (the tests, none where the guests ran none, then what the console
   showed) and each kernel's cells and verdicts; a usage error exits */
static void read_matrix(struct matrix *m, const struct kin_matrix_job *job)
{
	memset(m, 0, sizeof(*m));
	m->job = job;
	load_kernels(m);
	load_meta(m);
	if (job->xfail_path)
		load_xfails(m, job->xfail_path);
	size_t ntests = strcmp(m->cases, "no") == 0 ? 0 : job->nrows;
	m->nrows = ntests + 1;
	m->rows = mx_realloc(NULL, m->nrows * sizeof(*m->rows));
	memcpy(m->rows, job->rows, ntests * sizeof(*m->rows));
	m->rows[ntests] = (struct kin_row){ LOG_CLAIM, LOG_TEST };

	name_columns(m);
	for (size_t j = 0; j < m->nk; j++) {
		struct kernel *k = &m->k[j];
		char *name = mx_printf("results-%s.tsv", k->f[F_INDEX]);
		char *results = collected(m, name);
		judge_cells(m, k, results);
		if (k->ran) {
			k->judged = mx_realloc(NULL, job->nclaims * sizeof(*k->judged));
			kin_judge_results(results, job->claims, job->nclaims, k->judged);
		}
		read_console(m, k);
		free(results);
		free(name);
	}
}

/* ------------------------------------------------------------ --baseline */

/*
 * What changed since an earlier run (--baseline OLD): each kernel of this
 * run is paired with one of OLD's, and every cell whose result differs, and
 * every claim whose verdict (a sentinel: its side) differs, is a change,
 * listed with what OLD and this run recorded.  A kernel of either run that
 * has no partner is a change too.
 */
struct change {
	const struct kernel *k, *bk;   /* this run's kernel, OLD's; one may be NULL */
	const char *claim, *test;      /* test "" for a claim's verdict; both "" for a kernel */
	const char *was, *now;         /* results or verdicts */
	const char *was_detail, *now_detail;
};

struct changes {
	struct change *c;
	size_t n, paired;
};

static void change_add(struct changes *ch, struct change c)
{
	ch->c = mx_realloc(ch->c, (ch->n + 1) * sizeof(*ch->c));
	ch->c[ch->n++] = c;
}

/* OLD's kernel for each of this run's (-1: none): the same SPEC and uname
   -r, else the same SPEC, else the same uname -r, else, one kernel left on
   each side, that one (an image of one's own, patched, against the same
   image unpatched, whatever their names) */
static void pair_kernels(const struct matrix *m, const struct matrix *b, long *pair)
{
	bool *taken = mx_realloc(NULL, b->nk * sizeof(*taken));
	memset(taken, 0, b->nk * sizeof(*taken));
	for (size_t j = 0; j < m->nk; j++)
		pair[j] = -1;
	for (int rule = 0; rule < 3; rule++)
		for (size_t j = 0; j < m->nk; j++) {
			const struct kernel *k = &m->k[j];
			for (size_t i = 0; i < b->nk && pair[j] < 0; i++) {
				const struct kernel *o = &b->k[i];
				bool spec = strcmp(k->f[F_SPEC], o->f[F_SPEC]) == 0;
				bool uname = *k->f[F_UNAME] && strcmp(k->f[F_UNAME], o->f[F_UNAME]) == 0;
				bool same = rule == 0 ? spec && (uname || (!*k->f[F_UNAME] && !*o->f[F_UNAME]))
					  : rule == 1 ? spec : uname;
				if (!taken[i] && same) {
					pair[j] = (long)i;
					taken[i] = true;
				}
			}
		}
	size_t left = 0, bleft = 0, lj = 0, li = 0;
	for (size_t j = 0; j < m->nk; j++)
		if (pair[j] < 0) {
			left++;
			lj = j;
		}
	for (size_t i = 0; i < b->nk; i++)
		if (!taken[i]) {
			bleft++;
			li = i;
		}
	if (left == 1 && bleft == 1)
		pair[lj] = (long)li;
	free(taken);
}

/* the row of OLD with this claim and test, or -1 */
static long row_of(const struct matrix *b, const struct kin_row *row)
{
	for (size_t r = 0; r < b->nrows; r++)
		if (strcmp(b->rows[r].claim, row->claim) == 0 && strcmp(b->rows[r].test, row->test) == 0)
			return (long)r;
	return -1;
}

static void find_changes(const struct matrix *m, const struct matrix *b, struct changes *ch)
{
	long *pair = mx_realloc(NULL, m->nk * sizeof(*pair));  /* nk >= 1: load_kernels */
	pair_kernels(m, b, pair);
	for (size_t j = 0; j < m->nk; j++) {
		const struct kernel *k = &m->k[j];
		if (pair[j] < 0) {
			change_add(ch, (struct change){ k, NULL, "", "", "-", k->ran ? "ran" : "error", "",
							k->ran ? "" : k->f[F_ERROR] });
			continue;
		}
		const struct kernel *bk = &b->k[pair[j]];
		ch->paired++;
		for (size_t r = 0; r < m->nrows; r++) {
			const struct cell *c = &k->cells[r];
			long br = row_of(b, &m->rows[r]);
			if (br < 0) {
				change_add(ch, (struct change){ k, bk, m->rows[r].claim, m->rows[r].test, "-",
								c->result, "not in the baseline", c->detail });
				continue;
			}
			const struct cell *bc = &bk->cells[br];
			if (strcmp(c->result, bc->result) != 0)
				change_add(ch, (struct change){ k, bk, m->rows[r].claim, m->rows[r].test,
								bc->result, c->result, bc->detail, c->detail });
		}
		if (!k->ran || !bk->ran)
			continue;   /* the error cells say it */
		for (size_t c = 0; c < m->job->nclaims; c++) {
			const struct kin_judged *now = &k->judged[c], *was = &bk->judged[c];
			if (strcmp(now->verdict, was->verdict) != 0)
				change_add(ch, (struct change){ k, bk, m->job->claims[c]->id, "", was->verdict,
								now->verdict, was->evidence, now->evidence });
		}
	}
	for (size_t i = 0; i < b->nk; i++) {
		bool paired = false;
		for (size_t j = 0; j < m->nk && !paired; j++)
			paired = pair[j] == (long)i;
		if (!paired)
			change_add(ch, (struct change){ NULL, &b->k[i], "", "", b->k[i].ran ? "ran" : "error",
							"-", b->k[i].ran ? "" : b->k[i].f[F_ERROR], "" });
	}
	free(pair);
}

/* what a change is about: a kernel's presence, a claim's verdict or side,
   or a test's result */
static const char *change_what(const struct matrix *m, const struct change *c)
{
	if (!*c->claim)
		return "kernel";
	if (*c->test)
		return "result";
	for (size_t i = 0; i < m->job->nclaims; i++)
		if (strcmp(m->job->claims[i]->id, c->claim) == 0)
			return m->job->claims[i]->sentinel ? "side" : "verdict";
	return "verdict";
}

/* a change's cells, each through PUT, SEP between them: kernel, baseline
   kernel, what, claim, test, baseline, now, and with DETAILS both details */
static void change_cells(FILE *f, const struct matrix *m, const struct change *c,
			 void (*put)(FILE *, const char *), const char *sep, bool details)
{
	const char *cells[] = {
		c->k ? c->k->header : "-", c->bk ? c->bk->header : "-", change_what(m, c),
		c->claim, c->test, c->was, c->now, c->was_detail, c->now_detail,
	};
	size_t n = details ? sizeof(cells) / sizeof(*cells) : 7;
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(sep, f);
		put(f, cells[i]);
	}
}

/* changes.tsv: a header line, then a change per line */
static void write_changes_tsv(FILE *f, const struct matrix *m, const struct changes *ch)
{
	fputs("kernel\tbaseline_kernel\twhat\tclaim\ttest\tbaseline\tnow\tbaseline_detail\tdetail\n", f);
	for (size_t i = 0; i < ch->n; i++) {
		change_cells(f, m, &ch->c[i], tsv_put, "\t", true);
		fputc('\n', f);
	}
}

/* changes.md: what was compared, a table of the changes, then both details
   of each */
static void write_changes_md(FILE *f, const struct matrix *m, const struct matrix *b,
			     const struct changes *ch)
{
	fputs("# Changes against the baseline\n\nThis run (", f);
	md_code(f, m->run);
	fputs(", in ", f);
	md_code(f, m->job->dir);
	fputs(") against the baseline (", f);
	md_code(f, *b->run ? b->run : "no run ID");
	fputs(", in ", f);
	md_code(f, b->job->dir);
	fprintf(f, "): %zu kernel%s paired of %zu here and %zu there; %zu change%s.\n\n", ch->paired,
		ch->paired == 1 ? "" : "s", m->nk, b->nk, ch->n, ch->n == 1 ? "" : "s");
	if (ch->n == 0) {
		fputs("Every cell and every verdict is as it was.\n", f);
		return;
	}
	fputs("| kernel | baseline kernel | what | claim | test | baseline | now |\n"
	      "|---|---|---|---|---|---|---|\n", f);
	for (size_t i = 0; i < ch->n; i++) {
		fputs("| ", f);
		change_cells(f, m, &ch->c[i], md_put, " | ", false);
		fputs(" |\n", f);
	}
	fputs("\n## Both details\n\n", f);
	for (size_t i = 0; i < ch->n; i++) {
		const struct change *c = &ch->c[i];
		fputs("- ", f);
		if (*c->claim) {
			md_put(f, c->claim);
			if (*c->test) {
				fputc(' ', f);
				md_put(f, c->test);
			}
			fputs(" on ", f);
		}
		md_put(f, c->k ? c->k->header : c->bk->header);
		fputs(":\n  - baseline: ", f);
		md_put(f, c->was);
		if (*c->was_detail) {
			fputs(": ", f);
			md_put(f, c->was_detail);
		}
		fputs("\n  - now: ", f);
		md_put(f, c->now);
		if (*c->now_detail) {
			fputs(": ", f);
			md_put(f, c->now_detail);
		}
		fputc('\n', f);
	}
}

/*
 * --matrix DIR (judge.h): read and judge everything first, DIR and the
 * baseline, so that a usage error leaves nothing behind; open the temporary
 * outputs (an unwritable DIR is a usage error); write; rename each into
 * place; then the one line of counts.
 */
int kin_matrix(const struct kin_matrix_job *job)
{
	struct matrix m, b;
	struct kin_matrix_job bjob;
	struct changes ch = { NULL, 0, 0 };

	/* what is read: usage errors first, before anything is written */
	read_matrix(&m, job);
	if (job->baseline) {
		bjob = *job;
		bjob.dir = job->baseline;
		bjob.baseline = NULL;
		read_matrix(&b, &bjob);
		find_changes(&m, &b, &ch);
	}
	time_t now = time(NULL);
	strftime(m.written, sizeof(m.written), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (!*m.run) {
		free(m.run);
		char stamp[32];
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&now));
		m.run = mx_printf("%s-%d", stamp, (int)getpid());
	}
	struct output out[6];
	static const char *const names[6] = { "matrix.tsv", "matrix.md", "junit.xml", "kcidb.json",
					      "changes.tsv", "changes.md" };
	int nout = job->baseline ? 6 : 4;
	for (int i = 0; i < nout; i++)
		if (out_open(&m, &out[i], names[i]) < 0) {
			int e = errno;
			/* none of them, then: the ones opened go */
			while (i-- > 0) {
				fclose(out[i].f);
				unlink(out[i].tmp);
			}
			mx_usage(&m, "cannot write to '%s': %s", job->dir, strerror(e));
		}

	write_tsv(out[0].f, &m);
	write_md(out[1].f, &m);
	write_junit(out[2].f, &m);
	write_kcidb(out[3].f, &m);
	if (job->baseline) {
		write_changes_tsv(out[4].f, &m, &ch);
		write_changes_md(out[5].f, &m, &b, &ch);
	}
	int failed = 0;
	for (int i = 0; i < nout; i++)
		failed |= out_close(&m, &out[i]) != 0;
	int r = failed ? 1 : m.unexpected ? 1 : 0;
	if (!failed) {
		printf("%zu unexpected failures or errors, %zu expected", m.unexpected, m.expected);
		if (job->baseline)
			printf("; %zu change%s against the baseline %s (%s/changes.md)", ch.n,
			       ch.n == 1 ? "" : "s", job->baseline, job->dir);
		putchar('\n');
	}
	if (job->baseline)
		free_matrix(&b);
	free(ch.c);
	free_matrix(&m);
	return fflush(stdout) == 0 ? r : 1;
}
