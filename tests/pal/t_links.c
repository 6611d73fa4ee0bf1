/*
 * Conformance: the link and metadata additions (file: only).
 *   DkStreamLinkCreate: a symbolic link holds the given text as is; a hard
 *   link is a second name for the same inode (links count 2).
 *   DkStreamLinkRead: a link's text (truncated to *size, no NUL) and the
 *   link's own attributes (type SYMLINK); with buf and size NULL, the
 *   attributes of anything, a final link not followed (lstat).
 *   DkStreamAttributesSet: modes and times, seen by DkStreamAttributesQuery.
 */
#include "conf.h"

#define RDWR (DK_ACCESS_READ | DK_ACCESS_WRITE)
#define NS 1000000000ull

static char g_file[512], g_sym[512], g_hard[512];

/* A fresh file holding "hello" at g_file, and the names g_sym, g_hard free. */
static int setup(const char *tag)
{
	char name[64];
	DK_HANDLE h;
	rt_snprintf(name, sizeof(name), "ln-%s-file", tag);
	conf_path(g_file, sizeof(g_file), name);
	rt_snprintf(name, sizeof(name), "ln-%s-sym", tag);
	conf_path(g_sym, sizeof(g_sym), name);
	rt_snprintf(name, sizeof(name), "ln-%s-hard", tag);
	conf_path(g_hard, sizeof(g_hard), name);
	dk->DkStreamDelete(g_sym);
	dk->DkStreamDelete(g_hard);
	int rc = dk->DkStreamOpen(g_file, RDWR, DK_CREATE_ALWAYS | DK_CREATE_TRUNCATE, 0, 0644, &h);
	if (rc < 0)
		return rc;
	rc = conf_write_all(h, 0, "hello", 5);
	dk->DkObjectClose(h);
	return rc;
}

static void cleanup(void)
{
	dk->DkStreamDelete(g_sym);
	dk->DkStreamDelete(g_hard);
	dk->DkStreamDelete(g_file);
}

static void symlink_read(void)
{
	char buf[64];
	size_t n = sizeof(buf);
	struct dk_stream_attr a;
	CHECK_OK(setup("s"));
	/* The text is free: relative, and stored as given. */
	CHECK_OK(dk->DkStreamLinkCreate("ln-s-file", g_sym, DK_LINK_SYMBOLIC));
	memset(&a, 0, sizeof(a));
	CHECK_OK(dk->DkStreamLinkRead(g_sym, buf, &n, &a));
	CHECK(n == 9 && !memcmp(buf, "ln-s-file", 9), "text %.*s (%zu bytes)", (int)n, buf, n);
	CHECK(a.type == DK_STREAM_SYMLINK, "lstat type %u, want SYMLINK", a.type);
	CHECK(a.size == 9, "link size %llu, want its text's 9", (unsigned long long)a.size);
	/* The query follows the link; the attributes-only form does not. */
	CHECK_OK(dk->DkStreamAttributesQuery(g_sym, &a));
	CHECK(a.type == DK_STREAM_FILE && a.size == 5, "followed: type %u size %llu", a.type,
	      (unsigned long long)a.size);
	CHECK_OK(dk->DkStreamLinkRead(g_sym, NULL, NULL, &a));
	CHECK(a.type == DK_STREAM_SYMLINK, "attributes-only type %u, want SYMLINK", a.type);
	CHECK_OK(dk->DkStreamLinkRead(g_file, NULL, NULL, &a));
	CHECK(a.type == DK_STREAM_FILE && a.size == 5, "lstat of a file: type %u size %llu",
	      a.type, (unsigned long long)a.size);
	CHECK_OK(dk->DkStreamLinkRead(g_scratch, NULL, NULL, &a));
	CHECK(a.type == DK_STREAM_DIRECTORY, "lstat of a directory: type %u", a.type);
	/* Truncated to the buffer, like readlink(2); no attributes wanted. */
	n = 4;
	memset(buf, 'x', sizeof(buf));
	CHECK_OK(dk->DkStreamLinkRead(g_sym, buf, &n, NULL));
	CHECK(n == 4 && !memcmp(buf, "ln-sx", 5), "truncated: %zu bytes \"%.5s\"", n, buf);
	n = 0;
	CHECK_OK(dk->DkStreamLinkRead(g_sym, NULL, &n, NULL));
	CHECK(n == 0, "a zero-sized read stored %zu bytes", n);
	/* A dangling link reads too. */
	CHECK_OK(dk->DkStreamDelete(g_sym));
	CHECK_OK(dk->DkStreamLinkCreate("../nowhere/x", g_sym, DK_LINK_SYMBOLIC));
	n = sizeof(buf);
	CHECK_OK(dk->DkStreamLinkRead(g_sym, buf, &n, NULL));
	CHECK(n == 12 && !memcmp(buf, "../nowhere/x", 12), "dangling: \"%.*s\"", (int)n, buf);
	CHECK_RC(dk->DkStreamAttributesQuery(g_sym, &a), E(NOT_FOUND));
	CHECK_RC(dk->DkStreamLinkCreate("other", g_sym, DK_LINK_SYMBOLIC), E(EXISTS));
	cleanup();
}

static void link_read_errors(void)
{
	char buf[64];
	size_t n = sizeof(buf);
	struct dk_stream_attr a;
	CHECK_OK(setup("e"));
	CHECK_RC(dk->DkStreamLinkRead(g_file, buf, &n, &a), E(INVALID));
	CHECK_RC(dk->DkStreamLinkRead(g_file, buf, &n, NULL), E(INVALID));
	CHECK_RC(dk->DkStreamLinkRead(g_scratch, buf, &n, NULL), E(INVALID));
	CHECK_RC(dk->DkStreamLinkRead(g_sym, buf, &n, &a), E(NOT_FOUND));
	CHECK_RC(dk->DkStreamLinkRead(g_sym, NULL, NULL, &a), E(NOT_FOUND));
	/* Neither text nor attributes asked for; text without a size. */
	CHECK_RC(dk->DkStreamLinkRead(g_file, NULL, NULL, NULL), E(INVALID));
	CHECK_RC(dk->DkStreamLinkRead(g_file, buf, NULL, &a), E(INVALID));
	CHECK_RC(dk->DkStreamLinkRead("file:", buf, &n, NULL), E(INVALID));
	CHECK_OK(dk->DkStreamLinkCreate("ln-e-file", g_sym, DK_LINK_SYMBOLIC));
	/* Bad pointers: the URI, the size, the buffer, the attributes. */
	CHECK_RC(dk->DkStreamLinkRead((const char *)8, buf, &n, NULL), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamLinkRead(g_sym, buf, (size_t *)8, NULL), E(BAD_POINTER));
	n = 16;
	CHECK_RC(dk->DkStreamLinkRead(g_sym, NULL, &n, NULL), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamLinkRead(g_sym, (char *)8, &n, NULL), E(BAD_POINTER));
	n = sizeof(buf);
	CHECK_RC(dk->DkStreamLinkRead(g_sym, buf, &n, (struct dk_stream_attr *)8),
		 E(BAD_POINTER));
	CHECK_RC(dk->DkStreamLinkRead(g_sym, NULL, NULL, (struct dk_stream_attr *)8),
		 E(BAD_POINTER));
	/* Other schemes. */
	CHECK_RC(dk->DkStreamLinkRead("null:", buf, &n, NULL), E(UNSUPPORTED));
	CHECK_RC(dk->DkStreamLinkRead("foo:bar", NULL, NULL, &a), E(UNSUPPORTED));
	cleanup();
}

static void hard_link(void)
{
	struct dk_stream_attr a, b;
	DK_HANDLE h;
	char buf[8];
	size_t n = sizeof(buf);
	CHECK_OK(setup("h"));
	CHECK_OK(dk->DkStreamLinkCreate(g_file, g_hard, DK_LINK_HARD));
	CHECK_OK(dk->DkStreamAttributesQuery(g_file, &a));
	CHECK_OK(dk->DkStreamAttributesQuery(g_hard, &b));
	CHECK(a.inode == b.inode && a.device == b.device, "inodes %llu and %llu differ",
	      (unsigned long long)a.inode, (unsigned long long)b.inode);
	CHECK(a.links == 2 && b.links == 2, "links %llu/%llu, want 2", (unsigned long long)a.links,
	      (unsigned long long)b.links);
	CHECK(b.type == DK_STREAM_FILE, "the second name's type %u", b.type);
	CHECK_OK(dk->DkStreamOpen(g_hard, DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h));
	int rc = conf_read_full(h, 0, buf, 5, &n);
	dk->DkObjectClose(h);
	CHECK_OK(rc);
	CHECK(n == 5 && !memcmp(buf, "hello", 5), "read %zu bytes through the link", n);
	CHECK_RC(dk->DkStreamLinkCreate(g_file, g_hard, DK_LINK_HARD), E(EXISTS));
	CHECK_OK(dk->DkStreamDelete(g_hard));
	CHECK_OK(dk->DkStreamAttributesQuery(g_file, &a));
	CHECK(a.links == 1, "links %llu after deleting the second name", (unsigned long long)a.links);
	/* A hard link to a symbolic link links the link itself. */
	CHECK_OK(dk->DkStreamLinkCreate("ln-h-file", g_sym, DK_LINK_SYMBOLIC));
	CHECK_OK(dk->DkStreamLinkCreate(g_sym, g_hard, DK_LINK_HARD));
	CHECK_OK(dk->DkStreamLinkRead(g_hard, NULL, NULL, &a));
	CHECK(a.type == DK_STREAM_SYMLINK, "a hard link to a link has type %u", a.type);
	CHECK_OK(dk->DkStreamDelete(g_hard));
	/* Directories cannot be hard-linked; the target must exist. */
	CHECK_RC(dk->DkStreamLinkCreate(g_scratch, g_hard, DK_LINK_HARD), E(DENIED));
	conf_path(g_hard, sizeof(g_hard), "ln-h-missing");
	char missing[512];
	conf_path(missing, sizeof(missing), "ln-h-nothing");
	CHECK_RC(dk->DkStreamLinkCreate(missing, g_hard, DK_LINK_HARD), E(NOT_FOUND));
	cleanup();
}

static void link_create_errors(void)
{
	CHECK_OK(setup("c"));
	CHECK_RC(dk->DkStreamLinkCreate("x", g_sym, 0), E(INVALID));
	CHECK_RC(dk->DkStreamLinkCreate("x", g_sym, 3), E(INVALID));
	CHECK_RC(dk->DkStreamLinkCreate("", g_sym, DK_LINK_SYMBOLIC), E(INVALID));
	CHECK_RC(dk->DkStreamLinkCreate("x", "file:", DK_LINK_SYMBOLIC), E(INVALID));
	/* A hard link's target is a URI of the same provider. */
	CHECK_RC(dk->DkStreamLinkCreate("ln-c-file", g_hard, DK_LINK_HARD), E(UNSUPPORTED));
	CHECK_RC(dk->DkStreamLinkCreate("null:", g_hard, DK_LINK_HARD), E(UNSUPPORTED));
	CHECK_RC(dk->DkStreamLinkCreate(g_file, "null:", DK_LINK_HARD), E(UNSUPPORTED));
	CHECK_RC(dk->DkStreamLinkCreate("x", "foo:bar", DK_LINK_SYMBOLIC), E(UNSUPPORTED));
	CHECK_RC(dk->DkStreamLinkCreate((const char *)8, g_sym, DK_LINK_SYMBOLIC), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamLinkCreate("x", (const char *)8, DK_LINK_SYMBOLIC), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamLinkCreate((const char *)8, g_hard, DK_LINK_HARD), E(BAD_POINTER));
	/* Nothing was made. */
	struct dk_stream_attr a;
	CHECK_RC(dk->DkStreamLinkRead(g_sym, NULL, NULL, &a), E(NOT_FOUND));
	CHECK_RC(dk->DkStreamLinkRead(g_hard, NULL, NULL, &a), E(NOT_FOUND));
	cleanup();
}

static void set_mode(void)
{
	struct dk_stream_attr a;
	CHECK_OK(setup("m"));
	memset(&a, 0, sizeof(a));
	a.mode = 0640;
	CHECK_OK(dk->DkStreamAttributesSet(g_file, &a, DK_ATTR_MODE));
	CHECK_OK(dk->DkStreamAttributesQuery(g_file, &a));
	CHECK(a.mode == 0640, "mode 0%o, want 0640", a.mode);
	a.mode = 01755;
	CHECK_OK(dk->DkStreamAttributesSet(g_file, &a, DK_ATTR_MODE));
	CHECK_OK(dk->DkStreamAttributesQuery(g_file, &a));
	CHECK(a.mode == 01755, "mode 0%o, want 01755", a.mode);
	/* No setuid or setgid; nothing outside 07777. */
	a.mode = 04755;
	CHECK_RC(dk->DkStreamAttributesSet(g_file, &a, DK_ATTR_MODE), E(DENIED));
	a.mode = 02755;
	CHECK_RC(dk->DkStreamAttributesSet(g_file, &a, DK_ATTR_MODE), E(DENIED));
	a.mode = 010644;
	CHECK_RC(dk->DkStreamAttributesSet(g_file, &a, DK_ATTR_MODE), E(INVALID));
	CHECK_OK(dk->DkStreamAttributesQuery(g_file, &a));
	CHECK(a.mode == 01755, "a refused change left mode 0%o", a.mode);
	/* Through a link: the target's mode changes. */
	CHECK_OK(dk->DkStreamLinkCreate("ln-m-file", g_sym, DK_LINK_SYMBOLIC));
	a.mode = 0600;
	CHECK_OK(dk->DkStreamAttributesSet(g_sym, &a, DK_ATTR_MODE));
	CHECK_OK(dk->DkStreamAttributesQuery(g_file, &a));
	CHECK(a.mode == 0600, "chmod through a link: target mode 0%o", a.mode);
	/* A directory. */
	char dir[512];
	DK_HANDLE d;
	conf_path(dir, sizeof(dir), "ln-m-dir");
	CHECK_OK(dk->DkStreamOpen(dir, DK_ACCESS_READ, DK_CREATE_ALWAYS, DK_OPT_DIRECTORY, 0755, &d));
	dk->DkObjectClose(d);
	a.mode = 0700;
	CHECK_OK(dk->DkStreamAttributesSet(dir, &a, DK_ATTR_MODE));
	CHECK_OK(dk->DkStreamAttributesQuery(dir, &a));
	CHECK(a.mode == 0700 && a.type == DK_STREAM_DIRECTORY, "dir mode 0%o", a.mode);
	CHECK_OK(dk->DkStreamDelete(dir));
	cleanup();
}

static void set_times(void)
{
	struct dk_stream_attr a, b;
	uint64_t t0, t1;
	CHECK_OK(setup("t"));
	memset(&a, 0, sizeof(a));
	a.atime_ns = 1000000000ull * NS + 123456789;
	a.mtime_ns = 1500000000ull * NS + 987654321;
	CHECK_OK(dk->DkStreamAttributesSet(g_file, &a, DK_ATTR_TIMES));
	CHECK_OK(dk->DkStreamAttributesQuery(g_file, &b));
	CHECK(b.mtime_ns == a.mtime_ns, "mtime %llu, want %llu", (unsigned long long)b.mtime_ns,
	      (unsigned long long)a.mtime_ns);
	CHECK(b.atime_ns == a.atime_ns, "atime %llu, want %llu", (unsigned long long)b.atime_ns,
	      (unsigned long long)a.atime_ns);
	/* OMIT leaves a time alone; NOW is the current time. */
	a.atime_ns = DK_TIME_OMIT;
	a.mtime_ns = DK_TIME_NOW;
	CHECK_OK(dk->DkSystemTimeQuery(DK_CLOCK_REALTIME, &t0));
	CHECK_OK(dk->DkStreamAttributesSet(g_file, &a, DK_ATTR_TIMES));
	CHECK_OK(dk->DkSystemTimeQuery(DK_CLOCK_REALTIME, &t1));
	CHECK_OK(dk->DkStreamAttributesQuery(g_file, &b));
	CHECK(b.atime_ns == 1000000000ull * NS + 123456789, "OMIT changed atime to %llu",
	      (unsigned long long)b.atime_ns);
	/* The file system's clock is coarse (a tick): allow 20 ms before t0. */
	CHECK(b.mtime_ns + 20000000ull >= t0 && b.mtime_ns <= t1 + 20000000ull,
	      "NOW set mtime %llu, outside [%llu, %llu]", (unsigned long long)b.mtime_ns,
	      (unsigned long long)t0, (unsigned long long)t1);
	/* Mode and times at once. */
	a.mode = 0604;
	a.atime_ns = a.mtime_ns = 1234567890ull * NS;
	CHECK_OK(dk->DkStreamAttributesSet(g_file, &a, DK_ATTR_MODE | DK_ATTR_TIMES));
	CHECK_OK(dk->DkStreamAttributesQuery(g_file, &b));
	CHECK(b.mode == 0604 && b.mtime_ns == 1234567890ull * NS, "mode 0%o mtime %llu", b.mode,
	      (unsigned long long)b.mtime_ns);
	/* NOFOLLOW: the link's own times, not the target's. */
	CHECK_OK(dk->DkStreamLinkCreate("ln-t-file", g_sym, DK_LINK_SYMBOLIC));
	a.atime_ns = a.mtime_ns = 1111111111ull * NS;
	CHECK_OK(dk->DkStreamAttributesSet(g_sym, &a, DK_ATTR_TIMES | DK_ATTR_NOFOLLOW));
	CHECK_OK(dk->DkStreamLinkRead(g_sym, NULL, NULL, &b));
	CHECK(b.mtime_ns == 1111111111ull * NS, "link mtime %llu", (unsigned long long)b.mtime_ns);
	CHECK_OK(dk->DkStreamAttributesQuery(g_file, &b));
	CHECK(b.mtime_ns == 1234567890ull * NS, "NOFOLLOW changed the target's mtime to %llu",
	      (unsigned long long)b.mtime_ns);
	/* Without it, the target's. */
	a.atime_ns = a.mtime_ns = 1222222222ull * NS;
	CHECK_OK(dk->DkStreamAttributesSet(g_sym, &a, DK_ATTR_TIMES));
	CHECK_OK(dk->DkStreamAttributesQuery(g_file, &b));
	CHECK(b.mtime_ns == 1222222222ull * NS, "through the link: mtime %llu",
	      (unsigned long long)b.mtime_ns);
	cleanup();
}

static void set_errors(void)
{
	struct dk_stream_attr a;
	CHECK_OK(setup("x"));
	memset(&a, 0, sizeof(a));
	a.mode = 0644;
	a.atime_ns = a.mtime_ns = DK_TIME_NOW;
	CHECK_RC(dk->DkStreamAttributesSet(g_file, &a, 0), E(INVALID));
	CHECK_RC(dk->DkStreamAttributesSet(g_file, &a, DK_ATTR_NOFOLLOW), E(INVALID));
	CHECK_RC(dk->DkStreamAttributesSet(g_file, &a, DK_ATTR_MODE | DK_ATTR_NOFOLLOW),
		 E(INVALID));
	CHECK_RC(dk->DkStreamAttributesSet(g_file, &a, 8 | DK_ATTR_MODE), E(INVALID));
	CHECK_RC(dk->DkStreamAttributesSet(g_sym, &a, DK_ATTR_TIMES), E(NOT_FOUND));
	CHECK_RC(dk->DkStreamAttributesSet("file:", &a, DK_ATTR_MODE), E(INVALID));
	CHECK_RC(dk->DkStreamAttributesSet(g_file, NULL, DK_ATTR_MODE), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamAttributesSet(g_file, (struct dk_stream_attr *)8, DK_ATTR_TIMES),
		 E(BAD_POINTER));
	CHECK_RC(dk->DkStreamAttributesSet((const char *)8, &a, DK_ATTR_MODE), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamAttributesSet("null:", &a, DK_ATTR_MODE), E(UNSUPPORTED));
	CHECK_RC(dk->DkStreamAttributesSet("foo:bar", &a, DK_ATTR_TIMES), E(UNSUPPORTED));
	cleanup();
}

const struct conf_case conf_cases_links[] = {
	{"DkStreamLinkRead.symbolic_text_and_lstat", symlink_read},
	{"DkStreamLinkRead.errors", link_read_errors},
	{"DkStreamLinkCreate.hard", hard_link},
	{"DkStreamLinkCreate.errors", link_create_errors},
	{"DkStreamAttributesSet.mode", set_mode},
	{"DkStreamAttributesSet.times", set_times},
	{"DkStreamAttributesSet.errors", set_errors},
	{NULL, NULL},
};
