/*
 * anon_mmap.c - MAP_ANONYMOUS memory (document section 2, mmap(2)).
 *
 * mmap(MAP_ANONYMOUS) gives zero-filled memory with no fd.  MAP_SHARED
 * memory made before fork() is the same memory in parent and child (the
 * kernel backs it with an internal shmem file, which /proc/PID/maps shows as
 * "/dev/zero (deleted)"); MAP_PRIVATE memory is copied on write.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kin.h"

static char *map_anon(size_t len, int share)
{
	return KIN_CHECK_PTR(mmap(NULL, len, PROT_READ | PROT_WRITE, share | MAP_ANONYMOUS, -1, 0));
}

/* the /proc/self/maps line of the mapping that holds addr */
static void maps_line(const void *addr, char *line, size_t len)
{
	FILE *f = fopen("/proc/self/maps", "re");
	if (!f)
		kin_fail("/proc/self/maps: %s", strerror(errno));
	while (fgets(line, (int)len, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && (unsigned long)addr >= lo &&
		    (unsigned long)addr < hi) {
			fclose(f);
			line[strcspn(line, "\n")] = 0;
			return;
		}
	}
	fclose(f);
	kin_fail("no line of /proc/self/maps holds %p", addr);
}

/* the path field of a maps line: after the sixth field's start, or "" */
static const char *maps_path(const char *line, unsigned long *inode)
{
	int off = 0;
	*inode = 0;
	if (sscanf(line, "%*s %*s %*s %*s %lu %n", inode, &off) < 1)
		kin_fail("unparsable maps line: %s", line);
	return off ? line + off : "";
}

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		kin_fail("/proc/self/fd: %s", strerror(errno));
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* ANON-NOFILE */
KIN_TEST(map_anonymous_has_no_fd_and_no_file_of_the_program, "ANON-NOFILE", 5)
{
	size_t page = kin_page_size();
	char priv_line[512], shared_line[512];
	unsigned long priv_ino, shared_ino;

	int before = count_fds();
	char *priv = map_anon(page, MAP_PRIVATE);
	char *shared = map_anon(page, MAP_SHARED);
	priv[0] = shared[0] = 1;
	KIN_EXPECT_EQ(count_fds(), before, "open fds after two MAP_ANONYMOUS mappings");

	maps_line(priv, priv_line, sizeof(priv_line));
	maps_line(shared, shared_line, sizeof(shared_line));
	const char *ppath = maps_path(priv_line, &priv_ino);
	const char *spath = maps_path(shared_line, &shared_ino);
	KIN_EXPECT_TRUE(priv_ino == 0 && ppath[0] == 0,
			"MAP_PRIVATE|MAP_ANONYMOUS in /proc/self/maps: \"%s\", expected inode 0 "
			"and no path", priv_line);
	KIN_EXPECT_TRUE(strcmp(spath, "/dev/zero (deleted)") == 0,
			"MAP_SHARED|MAP_ANONYMOUS in /proc/self/maps: \"%s\", expected the "
			"kernel's \"/dev/zero (deleted)\"", shared_line);
	munmap(priv, page);
	munmap(shared, page);
	kin_pass("MAP_ANONYMOUS opened no fd; /proc/self/maps shows the private mapping with no "
		 "path (inode 0) and the shared one as \"%s\" (inode %lu of the kernel's shmem)",
		 spath, shared_ino);
}

struct share_variant {
	const char *name;
	int share;
	bool seen;      /* does the parent see the child's write? */
};

static const struct share_variant share_variants[] = {
	{ "map_shared", MAP_SHARED, true },
	{ "map_private", MAP_PRIVATE, false },
};

/* MMAP-SHARED-FORK */
KIN_TEST_VARIANTS(child_write_reaches_parent_only_through_map_shared, "MMAP-SHARED-FORK", 5,
		  share_variants, struct share_variant, v)
{
	static const char before[] = "the parent's bytes", after[] = "Data written by child";
	size_t page = kin_page_size();
	char *ptr = map_anon(page, v->share);

	memcpy(ptr, before, sizeof(before));
	pid_t pid = kin_fork();
	if (pid == 0) {
		/* the child starts with the parent's bytes either way */
		KIN_EXPECT_MEM(ptr, before, sizeof(before), "child: the parent's bytes");
		memcpy(ptr, after, sizeof(after));
		_exit(0);
	}
	kin_reap_ok(pid, 2000, "child");
	const char *want = v->seen ? after : before;
	KIN_EXPECT_TRUE(strcmp(ptr, want) == 0, "%s: the parent read \"%.40s\", expected \"%s\"",
			v->name, ptr, want);
	munmap(ptr, page);
	kin_pass("%s: the child saw the parent's \"%s\" and wrote \"%s\"; after wait the parent "
		 "read \"%s\"%s", v->share == MAP_SHARED ? "MAP_SHARED" : "MAP_PRIVATE", before,
		 after, want, v->seen ? "" : " (copy on write: not shared)");
}

/* MMAP-ZERO */
KIN_TEST(fresh_anonymous_memory_reads_as_zeros, "MMAP-ZERO", 5)
{
	size_t page = kin_page_size(), len = 4 * page;
	static const int shares[] = { MAP_SHARED, MAP_PRIVATE };

	char *zero = calloc(1, len);
	KIN_EXPECT_TRUE(zero != NULL, "calloc failed");
	for (int i = 0; i < 2; i++) {
		char *ptr = map_anon(len, shares[i]);
		KIN_EXPECT_MEM(ptr, zero, len, shares[i] == MAP_SHARED ?
			       "fresh MAP_SHARED|MAP_ANONYMOUS memory" :
			       "fresh MAP_PRIVATE|MAP_ANONYMOUS memory");
		munmap(ptr, len);
	}
	free(zero);
	kin_pass("%zu bytes (4 pages) of fresh MAP_SHARED and of MAP_PRIVATE anonymous memory read "
		 "as zeros", len);
}

/* ANON-EXAMPLE */
KIN_TEST(mmap_example_parent_reads_what_child_wrote, "ANON-EXAMPLE", 5)
{
	/* the document's sequence, with its SIZE */
	enum { SIZE = 4096 };
	char *ptr = map_anon(SIZE, MAP_SHARED);
	pid_t pid = kin_fork();
	if (pid == 0) {
		sprintf(ptr, "Data written by child");
		_exit(0);
	}
	kin_reap_ok(pid, 2000, "the example's child");
	KIN_EXPECT_TRUE(strcmp(ptr, "Data written by child") == 0, "the parent read \"%.40s\"",
			ptr);
	munmap(ptr, SIZE);
	kin_pass("MAP_ANONYMOUS example: after wait the parent read \"Data written by child\" "
		 "(with its NUL)");
}
