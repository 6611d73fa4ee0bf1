/*
 * Conformance: the stream calls on file:, null:, stdin:, stdout:, stderr:
 * (and the not-implemented http providers).  Pipes, tcp and dns are in
 * t_net.c.  Every file lives in the run's scratch directory.
 */
#include "conf.h"
#include <linux/elf.h>

#define RDWR (DK_ACCESS_READ | DK_ACCESS_WRITE)
#define PG 4096ul

static char g_uri[512], g_uri2[512];

static int create_file(const char *name, const void *data, size_t n, DK_HANDLE *h)
{
	conf_path(g_uri, sizeof(g_uri), name);
	int rc = dk->DkStreamOpen(g_uri, RDWR, DK_CREATE_ALWAYS | DK_CREATE_TRUNCATE, 0, 0644, h);
	if (rc < 0)
		return rc;
	if (n)
		rc = conf_write_all(*h, 0, data, n);
	return rc;
}

static int mkdir_(const char *name)
{
	DK_HANDLE d;
	char uri[512];
	conf_path(uri, sizeof(uri), name);
	int rc = dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEW, DK_OPT_DIRECTORY, 0755, &d);
	if (rc == 0)
		dk->DkObjectClose(d);
	return rc;
}

/* ---- file: open modes ---------------------------------------------------- */
static void file_create_modes(void)
{
	DK_HANDLE h, h2;
	struct dk_stream_attr a;
	conf_path(g_uri, sizeof(g_uri), "modes");
	CHECK_RC(dk->DkStreamOpen(g_uri, RDWR, DK_CREATE_NEVER, 0, 0644, &h), E(NOT_FOUND));
	CHECK_OK(dk->DkStreamOpen(g_uri, RDWR, DK_CREATE_NEW, 0, 0640, &h));
	CHECK_OK(conf_write_all(h, 0, "0123456789", 10));
	CHECK_RC(dk->DkStreamOpen(g_uri, RDWR, DK_CREATE_NEW, 0, 0644, &h2), E(EXISTS));
	CHECK_OK(dk->DkStreamOpen(g_uri, DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h2));
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(h2, &a));
	CHECK(a.size == 10, "size %llu, want 10", (unsigned long long)a.size);
	CHECK(a.type == DK_STREAM_FILE, "type %u, want FILE", a.type);
	CHECK((a.mode & 0777) == 0640, "mode 0%o, want 0640", a.mode & 0777);
	CHECK_OK(dk->DkObjectClose(h2));
	CHECK_OK(dk->DkStreamOpen(g_uri, RDWR, DK_CREATE_ALWAYS, 0, 0644, &h2));
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(h2, &a));
	CHECK(a.size == 10, "CREATE_ALWAYS of an existing file changed its size to %llu",
	      (unsigned long long)a.size);
	CHECK_OK(dk->DkObjectClose(h2));
	CHECK_OK(dk->DkStreamOpen(g_uri, RDWR, DK_CREATE_NEVER | DK_CREATE_TRUNCATE, 0, 0, &h2));
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(h2, &a));
	CHECK(a.size == 0, "TRUNCATE left size %llu", (unsigned long long)a.size);
	CHECK_OK(dk->DkObjectClose(h2));
	CHECK_OK(dk->DkObjectClose(h));
	/* a missing parent directory */
	conf_path(g_uri, sizeof(g_uri), "no-such-dir/x");
	CHECK_RC(dk->DkStreamOpen(g_uri, RDWR, DK_CREATE_ALWAYS, 0, 0644, &h), E(NOT_FOUND));
	/* a file opened as a directory, a directory opened for writing */
	conf_path(g_uri, sizeof(g_uri), "modes");
	CHECK_RC(dk->DkStreamOpen(g_uri, DK_ACCESS_READ, DK_CREATE_NEVER, DK_OPT_DIRECTORY, 0, &h),
		 E(NOT_DIRECTORY));
	CHECK_RC(dk->DkStreamOpen(g_scratch, RDWR, DK_CREATE_NEVER, 0, 0, &h), E(IS_DIRECTORY));
	CHECK_OK(dk->DkStreamDelete(g_uri));
}

static void file_access_enforced(void)
{
	DK_HANDLE h, r, w;
	char c[4];
	size_t n;
	CHECK_OK(create_file("access", "abc", 3, &h));
	dk->DkObjectClose(h);
	CHECK_OK(dk->DkStreamOpen(g_uri, DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &r));
	n = 3;
	int rc = dk->DkStreamWrite(r, 0, "xyz", &n);
	CHECK(rc < 0, "write through a read-only handle succeeded");
	CHECK_OK(dk->DkStreamOpen(g_uri, DK_ACCESS_WRITE, DK_CREATE_NEVER, 0, 0, &w));
	n = 3;
	rc = dk->DkStreamRead(w, 0, c, &n);
	CHECK(rc < 0, "read through a write-only handle succeeded");
	n = 3;
	CHECK_OK(dk->DkStreamRead(r, 0, c, &n));
	CHECK(n == 3 && memcmp(c, "abc", 3) == 0, "contents changed");
	struct dk_stream_attr a;
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(r, &a));
	CHECK(a.readable, "read handle: readable is 0");
	dk->DkObjectClose(r);
	dk->DkObjectClose(w);
	CHECK_OK(dk->DkStreamDelete(g_uri));
}

/* ---- DkStreamRead / DkStreamWrite on files -------------------------------- */
static void file_positional(void)
{
	DK_HANDLE h;
	char buf[64];
	size_t n;
	CHECK_OK(create_file("positional", "hello world", 11, &h));
	n = 5;
	CHECK_OK(dk->DkStreamWrite(h, 0, "HELLO", &n));
	CHECK(n == 5, "wrote %zu", n);
	n = 5;
	CHECK_OK(dk->DkStreamRead(h, 6, buf, &n));
	CHECK(n == 5 && memcmp(buf, "world", 5) == 0, "read at 6 gave %zu bytes \"%.5s\"", n, buf);
	n = sizeof(buf);
	CHECK_OK(dk->DkStreamRead(h, 0, buf, &n));
	CHECK(n == 11 && memcmp(buf, "HELLO world", 11) == 0, "whole file: %zu bytes", n);
	/* reads are positional: reading again from 0 gives the same */
	n = 5;
	CHECK_OK(dk->DkStreamRead(h, 0, buf, &n));
	CHECK(n == 5 && memcmp(buf, "HELLO", 5) == 0, "second read at 0 differs");
	n = 10;
	CHECK_OK(dk->DkStreamRead(h, 11, buf, &n));
	CHECK(n == 0, "read at end gave %zu bytes", n);
	n = 10;
	CHECK_OK(dk->DkStreamRead(h, 1000, buf, &n));
	CHECK(n == 0, "read past end gave %zu bytes", n);
	n = 5;
	CHECK_OK(dk->DkStreamWrite(h, 100, "tail!", &n));
	struct dk_stream_attr a;
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(h, &a));
	CHECK(a.size == 105, "size after a write at 100: %llu", (unsigned long long)a.size);
	n = 8;
	memset(buf, 1, 8);
	CHECK_OK(dk->DkStreamRead(h, 50, buf, &n));
	CHECK(n == 8 && buf[0] == 0 && buf[7] == 0, "hole reads %zu bytes, not zeros", n);
	/* a zero-length read and write */
	n = 0;
	CHECK_OK(dk->DkStreamRead(h, 0, buf, &n));
	CHECK(n == 0, "zero-length read gave %zu", n);
	/* a large transfer */
	static char big[200000], back[200000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + 3);
	CHECK_OK(conf_write_all(h, 4096, big, sizeof(big)));
	CHECK_OK(conf_read_full(h, 4096, back, sizeof(back), &n));
	CHECK(n == sizeof(back) && memcmp(big, back, sizeof(big)) == 0, "200000-byte round trip");
	dk->DkObjectClose(h);
	CHECK_OK(dk->DkStreamDelete(g_uri));
}

static void file_append(void)
{
	DK_HANDLE h, ap;
	char buf[32];
	size_t n;
	CHECK_OK(create_file("append", "start", 5, &h));
	CHECK_OK(dk->DkStreamOpen(g_uri, DK_ACCESS_WRITE | DK_ACCESS_APPEND, DK_CREATE_NEVER, 0, 0,
				  &ap));
	n = 3;
	CHECK_OK(dk->DkStreamWrite(ap, 0, "abc", &n));
	n = 3;
	CHECK_OK(dk->DkStreamWrite(ap, 0, "def", &n));
	n = sizeof(buf);
	CHECK_OK(dk->DkStreamRead(h, 0, buf, &n));
	CHECK(n == 11 && memcmp(buf, "startabcdef", 11) == 0,
	      "append gave %zu bytes \"%.*s\", want \"startabcdef\"", n, (int)n, buf);
	dk->DkObjectClose(ap);
	dk->DkObjectClose(h);
	CHECK_OK(dk->DkStreamDelete(g_uri));
}

/* ---- error paths shared by all streams ----------------------------------- */
static void open_errors(void)
{
	DK_HANDLE h = 0;
	CHECK_RC(dk->DkStreamOpen((const char *)8, DK_ACCESS_READ, 0, 0, 0, &h), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamOpen(NULL, DK_ACCESS_READ, 0, 0, 0, &h), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamOpen("foo:bar", DK_ACCESS_READ, 0, 0, 0, &h), E(UNSUPPORTED));
	CHECK_RC(dk->DkStreamOpen("nosuchscheme:", DK_ACCESS_READ, 0, 0, 0, &h), E(UNSUPPORTED));
	CHECK_RC2(dk->DkStreamOpen("nocolon", DK_ACCESS_READ, 0, 0, 0, &h), E(UNSUPPORTED),
		  E(INVALID));
	CHECK_RC2(dk->DkStreamOpen("", DK_ACCESS_READ, 0, 0, 0, &h), E(UNSUPPORTED), E(INVALID));
	static char longuri[DK_URI_MAX + 200];
	memcpy(longuri, "file:/tmp/", 10);
	memset(longuri + 10, 'a', sizeof(longuri) - 11);
	longuri[sizeof(longuri) - 1] = 0;
	CHECK_RC2(dk->DkStreamOpen(longuri, DK_ACCESS_READ, 0, 0, 0, &h), E(NAME_TOO_LONG),
		  E(INVALID));
	CHECK_RC(dk->DkStreamOpen("null:", DK_ACCESS_READ, 0, 0, 0, (DK_HANDLE *)8), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamOpen("null:", DK_ACCESS_READ, 0x40, 0, 0, &h), E(INVALID));
	CHECK_RC(dk->DkStreamOpen("null:", DK_ACCESS_READ, 0, 0x4000, 0, &h), E(INVALID));
	CHECK_RC(dk->DkStreamOpen("null:", 0x100, 0, 0, 0, &h), E(INVALID));
	/* a URI that ends in an unmapped page */
	void *p = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&p, 2 * PG, DK_MEM_RESERVE | DK_MEM_COMMIT,
					  DK_PROT_READ | DK_PROT_WRITE));
	char *s = (char *)p + PG - 5;
	memcpy(s, "null:", 5); /* no terminator before the next page */
	CHECK_OK(dk->DkVirtualMemoryProtect((char *)p + PG, PG, DK_PROT_NONE));
	int rc = dk->DkStreamOpen(s, DK_ACCESS_READ, 0, 0, 0, &h);
	dk->DkVirtualMemoryFree(p, 2 * PG, DK_MEM_RELEASE);
	CHECK(rc == E(BAD_POINTER), "unterminated URI before a PROT_NONE page gave %d (%s)", rc,
	      conf_errname(rc));
	CHECK(h == 0, "handle written on failure");
}

static void rw_errors(void)
{
	DK_HANDLE h, e;
	char buf[16];
	size_t n = 4;
	CHECK_RC(dk->DkStreamRead(FORGED_HANDLE, 0, buf, &n), E(BAD_HANDLE));
	CHECK_RC(dk->DkStreamWrite(FORGED_HANDLE, 0, buf, &n), E(BAD_HANDLE));
	CHECK_RC(dk->DkStreamRead(DK_HANDLE_NONE, 0, buf, &n), E(BAD_HANDLE));
	CHECK_OK(dk->DkNotificationEventCreate(0, &e));
	CHECK_RC(dk->DkStreamRead(e, 0, buf, &n), E(BAD_HANDLE));
	CHECK_RC(dk->DkStreamWrite(e, 0, buf, &n), E(BAD_HANDLE));
	dk->DkObjectClose(e);

	CHECK_OK(create_file("rwerr", "0123456789abcdef", 16, &h));
	void *p = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&p, 2 * PG, DK_MEM_RESERVE | DK_MEM_COMMIT, DK_PROT_NONE));
	n = 8;
	CHECK_RC(dk->DkStreamRead(h, 0, p, &n), E(BAD_POINTER));
	CHECK(n == 8, "count written on failure (%zu)", n);
	CHECK_RC(dk->DkStreamWrite(h, 0, p, &n), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamRead(h, 0, (void *)8, &n), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamRead(h, 0, buf, (size_t *)8), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamRead(h, 0, buf, (size_t *)p), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamWrite(h, 0, buf, NULL), E(BAD_POINTER));
	/* a buffer that runs off the end of a mapping: refused, or a short
	 * read of just the accessible part (as Linux read(2) does) */
	CHECK_OK(dk->DkVirtualMemoryProtect(p, PG, DK_PROT_READ | DK_PROT_WRITE));
	n = 16;
	int rc = dk->DkStreamRead(h, 0, (char *)p + PG - 8, &n);
	CHECK(rc == E(BAD_POINTER) || (rc == 0 && n <= 8),
	      "16-byte read with 8 accessible bytes gave %d (%s), count %zu", rc, conf_errname(rc),
	      n);
	n = 16;
	CHECK_OK(dk->DkStreamRead(h, 0, (char *)p + PG - 16, &n));
	CHECK(n == 16 && memcmp((char *)p + PG - 16, "0123456789abcdef", 16) == 0,
	      "read at the end of a page");
	dk->DkVirtualMemoryFree(p, 2 * PG, DK_MEM_RELEASE);
	/* the file is unchanged by the refused calls */
	n = 16;
	CHECK_OK(dk->DkStreamRead(h, 0, buf, &n));
	CHECK(n == 16 && memcmp(buf, "0123456789abcdef", 16) == 0, "file changed");
	/* closed handle */
	CHECK_OK(dk->DkObjectClose(h));
	n = 4;
	CHECK_RC(dk->DkStreamRead(h, 0, buf, &n), E(BAD_HANDLE));
	CHECK_RC(dk->DkStreamWrite(h, 0, buf, &n), E(BAD_HANDLE));
	CHECK_OK(dk->DkStreamDelete(g_uri));
}

/* ---- attributes --------------------------------------------------------- */
static void attr_by_uri(void)
{
	DK_HANDLE h;
	struct dk_stream_attr a, b;
	CHECK_OK(create_file("attr", "12345", 5, &h));
	memset(&a, 0, sizeof(a));
	CHECK_OK(dk->DkStreamAttributesQuery(g_uri, &a));
	CHECK(a.type == DK_STREAM_FILE, "type %u, want FILE", a.type);
	CHECK(a.size == 5, "size %llu, want 5", (unsigned long long)a.size);
	CHECK((a.mode & 0777) == 0644, "mode 0%o, want 0644", a.mode & 0777);
	CHECK(a.links == 1, "links %llu", (unsigned long long)a.links);
	CHECK(a.inode != 0, "inode 0");
	CHECK(a.readable && a.writable, "readable %u writable %u", a.readable, a.writable);
	CHECK(a.mtime_ns > 1704067200ull * 1000000000ull, "mtime %llu before 2024",
	      (unsigned long long)a.mtime_ns);
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(h, &b));
	CHECK(a.inode == b.inode && a.device == b.device && a.size == b.size,
	      "by URI and by handle differ: inode %llu/%llu device %llu/%llu",
	      (unsigned long long)a.inode, (unsigned long long)b.inode,
	      (unsigned long long)a.device, (unsigned long long)b.device);
	dk->DkObjectClose(h);

	CHECK_OK(dk->DkStreamAttributesQuery(g_scratch, &a));
	CHECK(a.type == DK_STREAM_DIRECTORY, "scratch dir type %u", a.type);
	conf_path(g_uri2, sizeof(g_uri2), "nonexistent");
	CHECK_RC(dk->DkStreamAttributesQuery(g_uri2, &a), E(NOT_FOUND));
	CHECK_RC(dk->DkStreamAttributesQuery(g_uri, (struct dk_stream_attr *)8), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamAttributesQuery((const char *)8, &a), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamAttributesQuery("foo:bar", &a), E(UNSUPPORTED));
	CHECK_OK(dk->DkStreamAttributesQuery("null:", &a));
	CHECK(a.type == DK_STREAM_CONSOLE, "null: type %u, want CONSOLE", a.type);
	CHECK_OK(dk->DkStreamDelete(g_uri));
}

static void attr_by_handle(void)
{
	DK_HANDLE h, e;
	struct dk_stream_attr a;
	CHECK_OK(create_file("attrh", "", 0, &h));
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(h, &a));
	CHECK(a.size == 0 && a.type == DK_STREAM_FILE, "new file: size %llu type %u",
	      (unsigned long long)a.size, a.type);
	CHECK_OK(conf_write_all(h, 0, "abcdefgh", 8));
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(h, &a));
	CHECK(a.size == 8, "size after writing 8 bytes: %llu", (unsigned long long)a.size);
	CHECK_RC(dk->DkStreamAttributesQueryByHandle(h, (struct dk_stream_attr *)8), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamAttributesQueryByHandle(FORGED_HANDLE, &a), E(BAD_HANDLE));
	CHECK_OK(dk->DkNotificationEventCreate(0, &e));
	CHECK_RC(dk->DkStreamAttributesQueryByHandle(e, &a), E(BAD_HANDLE));
	dk->DkObjectClose(e);
	CHECK_OK(dk->DkObjectClose(h));
	CHECK_RC(dk->DkStreamAttributesQueryByHandle(h, &a), E(BAD_HANDLE));
	CHECK_OK(dk->DkStreamDelete(g_uri));
}

/* ---- DkStreamSetLength / DkStreamFlush ---------------------------------- */
static void set_length(void)
{
	DK_HANDLE h, r, n_;
	struct dk_stream_attr a;
	char buf[16];
	size_t n;
	CHECK_OK(create_file("setlen", "0123456789", 10, &h));
	CHECK_OK(dk->DkStreamSetLength(h, 3));
	CHECK_OK(dk->DkStreamAttributesQuery(g_uri, &a));
	CHECK(a.size == 3, "size %llu after SetLength(3)", (unsigned long long)a.size);
	n = sizeof(buf);
	CHECK_OK(dk->DkStreamRead(h, 0, buf, &n));
	CHECK(n == 3 && memcmp(buf, "012", 3) == 0, "read %zu bytes after shrinking", n);
	CHECK_OK(dk->DkStreamSetLength(h, 10000));
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(h, &a));
	CHECK(a.size == 10000, "size %llu after SetLength(10000)", (unsigned long long)a.size);
	n = 4;
	memset(buf, 1, 4);
	CHECK_OK(dk->DkStreamRead(h, 5000, buf, &n));
	CHECK(n == 4 && buf[0] == 0 && buf[3] == 0, "extended part is not zeros");
	CHECK_OK(dk->DkStreamSetLength(h, 0));
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(h, &a));
	CHECK(a.size == 0, "size %llu after SetLength(0)", (unsigned long long)a.size);
	/* errors */
	CHECK_OK(dk->DkStreamOpen(g_uri, DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &r));
	int rc = dk->DkStreamSetLength(r, 5);
	CHECK(rc < 0, "SetLength through a read-only handle succeeded");
	dk->DkObjectClose(r);
	CHECK_RC(dk->DkStreamSetLength(FORGED_HANDLE, 5), E(BAD_HANDLE));
	CHECK_OK(dk->DkStreamOpen("null:", RDWR, DK_CREATE_NEVER, 0, 0, &n_));
	rc = dk->DkStreamSetLength(n_, 5);
	dk->DkObjectClose(n_);
	CHECK(rc == E(UNSUPPORTED), "SetLength on null: gave %d (%s)", rc, conf_errname(rc));
	/* Past the largest file offset (2^63-1): no file system can take it
	 * (2^62 is a valid sparse length on tmpfs). */
	rc = dk->DkStreamSetLength(h, UINT64_MAX);
	CHECK(rc < 0, "SetLength(2^64-1) succeeded");
	dk->DkObjectClose(h);
	CHECK_OK(dk->DkStreamDelete(g_uri));
}

static void flush(void)
{
	DK_HANDLE h, e;
	CHECK_OK(create_file("flush", "data", 4, &h));
	CHECK_OK(dk->DkStreamFlush(h));
	CHECK_RC(dk->DkStreamFlush(FORGED_HANDLE), E(BAD_HANDLE));
	CHECK_OK(dk->DkNotificationEventCreate(0, &e));
	CHECK_RC(dk->DkStreamFlush(e), E(BAD_HANDLE));
	dk->DkObjectClose(e);
	CHECK_OK(dk->DkObjectClose(h));
	CHECK_RC(dk->DkStreamFlush(h), E(BAD_HANDLE));
	CHECK_OK(dk->DkStreamDelete(g_uri));
}

/* ---- rename and delete -------------------------------------------------- */
static void rename_(void)
{
	DK_HANDLE h;
	struct dk_stream_attr a, b;
	char buf[8];
	size_t n;
	CHECK_OK(create_file("ren-a", "renamed", 7, &h));
	CHECK_OK(dk->DkStreamAttributesQuery(g_uri, &a));
	conf_path(g_uri2, sizeof(g_uri2), "ren-b");
	CHECK_OK(dk->DkStreamRename(g_uri, g_uri2));
	CHECK_RC(dk->DkStreamAttributesQuery(g_uri, &b), E(NOT_FOUND));
	CHECK_OK(dk->DkStreamAttributesQuery(g_uri2, &b));
	CHECK(a.inode == b.inode && b.size == 7, "renamed file: inode %llu/%llu size %llu",
	      (unsigned long long)a.inode, (unsigned long long)b.inode,
	      (unsigned long long)b.size);
	/* the open handle still reads the file */
	n = 7;
	CHECK_OK(dk->DkStreamRead(h, 0, buf, &n));
	CHECK(n == 7 && memcmp(buf, "renamed", 7) == 0, "open handle after rename");
	dk->DkObjectClose(h);
	CHECK_RC(dk->DkStreamRename(g_uri, g_uri2), E(NOT_FOUND));
	CHECK_RC(dk->DkStreamRename((const char *)8, g_uri2), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamRename(g_uri2, (const char *)8), E(BAD_POINTER));
	int rc = dk->DkStreamRename(g_uri2, "null:");
	CHECK(rc == E(UNSUPPORTED) || rc == E(INVALID) || rc == E(CROSS_DEVICE),
	      "rename file: -> null: gave %d (%s)", rc, conf_errname(rc));
	/* a directory renames too */
	CHECK_OK(mkdir_("ren-dir"));
	conf_path(g_uri, sizeof(g_uri), "ren-dir");
	char d2[512];
	conf_path(d2, sizeof(d2), "ren-dir2");
	CHECK_OK(dk->DkStreamRename(g_uri, d2));
	CHECK_OK(dk->DkStreamAttributesQuery(d2, &b));
	CHECK(b.type == DK_STREAM_DIRECTORY, "renamed dir type %u", b.type);
	CHECK_OK(dk->DkStreamDelete(d2));
	CHECK_OK(dk->DkStreamDelete(g_uri2));
}

static void delete_(void)
{
	DK_HANDLE h;
	struct dk_stream_attr a;
	CHECK_OK(mkdir_("del-dir"));
	CHECK_OK(create_file("del-dir/f", "x", 1, &h));
	dk->DkObjectClose(h);
	char dir[512];
	conf_path(dir, sizeof(dir), "del-dir");
	CHECK_RC(dk->DkStreamDelete(dir), E(NOT_EMPTY));
	CHECK_OK(dk->DkStreamAttributesQuery(dir, &a));
	CHECK_OK(dk->DkStreamDelete(g_uri));
	CHECK_RC(dk->DkStreamAttributesQuery(g_uri, &a), E(NOT_FOUND));
	CHECK_RC(dk->DkStreamDelete(g_uri), E(NOT_FOUND));
	CHECK_OK(dk->DkStreamDelete(dir));
	CHECK_RC(dk->DkStreamAttributesQuery(dir, &a), E(NOT_FOUND));
	CHECK_RC(dk->DkStreamDelete((const char *)8), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamDelete("foo:bar"), E(UNSUPPORTED));
	/* deleting an open file: the handle keeps working */
	CHECK_OK(create_file("del-open", "still", 5, &h));
	CHECK_OK(dk->DkStreamDelete(g_uri));
	char buf[8];
	size_t n = 5;
	CHECK_OK(dk->DkStreamRead(h, 0, buf, &n));
	CHECK(n == 5 && memcmp(buf, "still", 5) == 0, "deleted-but-open file reads %zu bytes", n);
	dk->DkObjectClose(h);
}

/* ---- directories -------------------------------------------------------- */
struct enum_seen {
	int x1, x2, sub, other, total;
	char other_name[64];
};

static void enum_cb(const char *name, void *arg)
{
	struct enum_seen *s = arg;
	s->total++;
	if (!strcmp(name, "x1"))
		s->x1++;
	else if (!strcmp(name, "x2"))
		s->x2++;
	else if (!strcmp(name, "sub"))
		s->sub++;
	else {
		s->other++;
		rt_strlcpy(s->other_name, name, sizeof(s->other_name));
	}
}

static void enumerate(void)
{
	DK_HANDLE h, d;
	struct dk_stream_attr a;
	struct enum_seen s;
	char dir[512];
	conf_path(dir, sizeof(dir), "enum");
	CHECK_OK(dk->DkStreamOpen(dir, DK_ACCESS_READ, DK_CREATE_NEW, DK_OPT_DIRECTORY, 0755, &d));
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(d, &a));
	CHECK(a.type == DK_STREAM_DIRECTORY, "new directory type %u", a.type);
	CHECK_RC(dk->DkStreamOpen(dir, DK_ACCESS_READ, DK_CREATE_NEW, DK_OPT_DIRECTORY, 0755, &h),
		 E(EXISTS));
	/* empty */
	memset(&s, 0, sizeof(s));
	CHECK_OK(conf_enumerate(d, enum_cb, &s));
	CHECK(s.total == 0, "empty directory lists %d names (e.g. %s)", s.total, s.other_name);
	dk->DkObjectClose(d);
	CHECK_OK(create_file("enum/x1", "1", 1, &h));
	dk->DkObjectClose(h);
	CHECK_OK(create_file("enum/x2", "22", 2, &h));
	CHECK_OK(mkdir_("enum/sub"));
	CHECK_OK(dk->DkStreamOpen(dir, DK_ACCESS_READ, DK_CREATE_NEVER, DK_OPT_DIRECTORY, 0, &d));
	memset(&s, 0, sizeof(s));
	CHECK_OK(conf_enumerate(d, enum_cb, &s));
	CHECK(s.x1 == 1 && s.x2 == 1 && s.sub == 1 && s.other == 0,
	      "listed x1:%d x2:%d sub:%d other:%d (%s)", s.x1, s.x2, s.sub, s.other, s.other_name);
	/* not a directory */
	char buf[64];
	size_t n = sizeof(buf);
	CHECK_RC2(dk->DkStreamEnumerateChildren(h, buf, &n), E(NOT_DIRECTORY), E(UNSUPPORTED));
	dk->DkObjectClose(h);
	n = sizeof(buf);
	CHECK_RC(dk->DkStreamEnumerateChildren(FORGED_HANDLE, buf, &n), E(BAD_HANDLE));
	DK_HANDLE d2;
	CHECK_OK(dk->DkStreamOpen(dir, DK_ACCESS_READ, DK_CREATE_NEVER, DK_OPT_DIRECTORY, 0, &d2));
	n = sizeof(buf);
	CHECK_RC(dk->DkStreamEnumerateChildren(d2, (char *)8, &n), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamEnumerateChildren(d2, buf, (size_t *)8), E(BAD_POINTER));
	dk->DkObjectClose(d2);
	dk->DkObjectClose(d);
	CHECK_OK(conf_rmtree(dir, 2));
}

struct many_seen {
	int count;
	uint8_t seen[300];
	int bad;
};

static void many_cb(const char *name, void *arg)
{
	struct many_seen *m = arg;
	m->count++;
	const char *p = strrchr(name, '-');
	uint64_t v;
	if (!p || !rt_parse_u64(p + 1, &v) || v >= 300)
		m->bad++;
	else
		m->seen[v]++;
}

static void enumerate_many(void)
{
	/* 300 long names do not fit one 8 KiB buffer: the listing continues */
	char dir[512], name[128];
	conf_path(dir, sizeof(dir), "many");
	DK_HANDLE d, h;
	CHECK_OK(dk->DkStreamOpen(dir, DK_ACCESS_READ, DK_CREATE_NEW, DK_OPT_DIRECTORY, 0755, &d));
	dk->DkObjectClose(d);
	for (int i = 0; i < 300; i++) {
		rt_snprintf(name, sizeof(name),
			    "many/a-rather-long-file-name-for-enumeration-%d", i);
		CHECK_OK(create_file(name, "", 0, &h));
		dk->DkObjectClose(h);
	}
	CHECK_OK(dk->DkStreamOpen(dir, DK_ACCESS_READ, DK_CREATE_NEVER, DK_OPT_DIRECTORY, 0, &d));
	static struct many_seen m;
	memset(&m, 0, sizeof(m));
	CHECK_OK(conf_enumerate(d, many_cb, &m));
	dk->DkObjectClose(d);
	int missing = 0, dup = 0;
	for (int i = 0; i < 300; i++) {
		missing += m.seen[i] == 0;
		dup += m.seen[i] > 1;
	}
	CHECK(m.count == 300 && missing == 0 && dup == 0 && m.bad == 0,
	      "listed %d names: %d missing, %d twice, %d unexpected", m.count, missing, dup, m.bad);
	CHECK_OK(conf_rmtree(dir, 2));
}

/* ---- DkStreamMap / DkStreamUnmap ----------------------------------------- */
static void map_shared(void)
{
	DK_HANDLE h;
	static char page[2 * PG];
	char buf[16];
	size_t n;
	memset(page, 'f', sizeof(page));
	CHECK_OK(create_file("map-shared", page, sizeof(page), &h));
	void *addr = NULL;
	CHECK_OK(dk->DkStreamMap(h, &addr, DK_PROT_READ | DK_PROT_WRITE, DK_MAP_SHARED, 0, 2 * PG));
	CHECK(addr && ((uintptr_t)addr & (PG - 1)) == 0, "mapped at %p", addr);
	char *m = addr;
	CHECK(m[0] == 'f' && m[2 * PG - 1] == 'f', "mapping does not show the file");
	memcpy(m + PG, "MAPPED", 6);
	CHECK_OK(dk->DkStreamFlush(h));
	n = 6;
	CHECK_OK(dk->DkStreamRead(h, PG, buf, &n));
	CHECK(n == 6 && memcmp(buf, "MAPPED", 6) == 0, "store through the mapping not in the file");
	/* and the other way: a write to the file shows in the mapping */
	CHECK_OK(conf_write_all(h, 0, "FROMFILE", 8));
	CHECK(memcmp(m, "FROMFILE", 8) == 0, "file write not visible in the shared mapping");
	memcpy(m + 100, "BEFOREUNMAP", 11);
	CHECK_OK(dk->DkStreamUnmap(addr, 2 * PG));
	CHECK_RC(conf_probe_read(addr), E(BAD_POINTER));
	n = 11;
	CHECK_OK(dk->DkStreamRead(h, 100, buf, &n));
	CHECK(n == 11 && memcmp(buf, "BEFOREUNMAP", 11) == 0, "store before unmap lost");
	dk->DkObjectClose(h);
	CHECK_OK(dk->DkStreamDelete(g_uri));
}

static void map_private(void)
{
	DK_HANDLE h;
	static char page[PG];
	char buf[16];
	size_t n;
	memset(page, 'p', sizeof(page));
	CHECK_OK(create_file("map-private", page, sizeof(page), &h));
	void *addr = NULL;
	CHECK_OK(dk->DkStreamMap(h, &addr, DK_PROT_READ | DK_PROT_WRITE, DK_MAP_PRIVATE, 0, PG));
	char *m = addr;
	CHECK(m[0] == 'p', "private mapping does not show the file");
	memcpy(m, "PRIVATE", 7);
	CHECK_OK(dk->DkStreamFlush(h));
	n = 7;
	CHECK_OK(dk->DkStreamRead(h, 0, buf, &n));
	CHECK(n == 7 && memcmp(buf, "ppppppp", 7) == 0, "private store reached the file");
	CHECK(memcmp(m, "PRIVATE", 7) == 0, "private store lost");
	CHECK_OK(dk->DkStreamUnmap(addr, PG));
	n = 7;
	CHECK_OK(dk->DkStreamRead(h, 0, buf, &n));
	CHECK(n == 7 && memcmp(buf, "ppppppp", 7) == 0, "private store reached the file on unmap");
	dk->DkObjectClose(h);
	CHECK_OK(dk->DkStreamDelete(g_uri));
}

static void map_offset_fixed(void)
{
	DK_HANDLE h, r, nul;
	static char data[3 * PG];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('A' + i / PG);
	CHECK_OK(create_file("map-offset", data, sizeof(data), &h));
	void *addr = NULL;
	CHECK_OK(dk->DkStreamMap(h, &addr, DK_PROT_READ, DK_MAP_PRIVATE, PG, PG));
	CHECK(((char *)addr)[0] == 'B' && ((char *)addr)[PG - 1] == 'B', "offset mapping shows %c",
	      ((char *)addr)[0]);
	CHECK_OK(dk->DkStreamUnmap(addr, PG));
	/* FIXED into a reservation */
	void *res = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&res, 4 * PG, DK_MEM_RESERVE, DK_PROT_NONE));
	addr = (char *)res + PG;
	CHECK_OK(dk->DkStreamMap(h, &addr, DK_PROT_READ, DK_MAP_PRIVATE | DK_MAP_FIXED, 2 * PG, PG));
	CHECK(addr == (char *)res + PG, "FIXED mapping moved to %p (want %p)", addr,
	      (void *)((char *)res + PG));
	CHECK(((char *)addr)[0] == 'C', "FIXED mapping shows %c", ((char *)addr)[0]);
	CHECK_OK(dk->DkStreamUnmap(addr, PG));
	dk->DkVirtualMemoryFree(res, 4 * PG, DK_MEM_RELEASE);
	/* errors */
	addr = NULL;
	CHECK_RC(dk->DkStreamMap(h, &addr, DK_PROT_READ, DK_MAP_PRIVATE, 100, PG), E(INVALID));
	CHECK_RC(dk->DkStreamMap(h, &addr, DK_PROT_READ, DK_MAP_PRIVATE, 0, 0), E(INVALID));
	CHECK_RC(dk->DkStreamMap(h, &addr, DK_PROT_READ, 0, 0, PG), E(INVALID));
	CHECK_RC(dk->DkStreamMap(h, &addr, DK_PROT_READ, DK_MAP_SHARED | DK_MAP_PRIVATE, 0, PG),
		 E(INVALID));
	CHECK_RC(dk->DkStreamMap(h, (void **)8, DK_PROT_READ, DK_MAP_PRIVATE, 0, PG), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamMap(FORGED_HANDLE, &addr, DK_PROT_READ, DK_MAP_PRIVATE, 0, PG),
		 E(BAD_HANDLE));
	addr = (char *)0x10001;
	CHECK_RC(dk->DkStreamMap(h, &addr, DK_PROT_READ, DK_MAP_PRIVATE | DK_MAP_FIXED, 0, PG),
		 E(INVALID));
	addr = NULL;
	CHECK_OK(dk->DkStreamOpen(g_uri, DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &r));
	CHECK_RC(dk->DkStreamMap(r, &addr, DK_PROT_READ | DK_PROT_WRITE, DK_MAP_SHARED, 0, PG),
		 E(DENIED));
	dk->DkObjectClose(r);
	CHECK_OK(dk->DkStreamOpen("null:", RDWR, DK_CREATE_NEVER, 0, 0, &nul));
	int rc = dk->DkStreamMap(nul, &addr, DK_PROT_READ, DK_MAP_PRIVATE, 0, PG);
	dk->DkObjectClose(nul);
	CHECK(rc == E(UNSUPPORTED), "mapping null: gave %d (%s)", rc, conf_errname(rc));
	CHECK(addr == NULL, "address written on failure");
	dk->DkObjectClose(h);
	CHECK_OK(dk->DkStreamDelete(g_uri));
}

static void unmap_errors(void)
{
	CHECK_RC(dk->DkStreamUnmap((void *)0x10001, PG), E(INVALID));
	void *p = NULL;
	CHECK_OK(dk->DkVirtualMemoryAlloc(&p, PG, DK_MEM_RESERVE | DK_MEM_COMMIT,
					  DK_PROT_READ | DK_PROT_WRITE));
	CHECK_RC(dk->DkStreamUnmap(p, 0), E(INVALID));
	int rc = dk->DkStreamUnmap((void *)0xffff900000000000ull, PG);
	CHECK(rc < 0, "unmap of a kernel address succeeded");
	((volatile char *)p)[0] = 1; /* still mapped */
	dk->DkVirtualMemoryFree(p, PG, DK_MEM_RELEASE);
}

/* ---- DkStreamMapPeBinary ------------------------------------------------- */
static void map_pe_binary(void)
{
	DK_HANDLE h;
	struct dk_image_info info;
	memset(&info, 0, sizeof(info));
	CHECK_OK(dk->DkStreamOpen(g_start->argv[0], DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h));
	CHECK_OK(dk->DkStreamMapPeBinary(h, NULL, &info));
	CHECK(info.phnum > 0, "phnum 0");
	CHECK(info.phent == 56, "phent %u, want 56", info.phent);
	CHECK(info.type == 3, "type %u, want 3 (this image is a shared object)", info.type);
	CHECK(info.start < info.end, "start 0x%llx end 0x%llx", (unsigned long long)info.start,
	      (unsigned long long)info.end);
	CHECK((info.start & (PG - 1)) == 0, "start not page aligned");
	CHECK(info.base <= info.start, "base 0x%llx above start 0x%llx",
	      (unsigned long long)info.base, (unsigned long long)info.start);
	CHECK(info.entry >= info.start && info.entry < info.end,
	      "entry 0x%llx outside [0x%llx, 0x%llx)", (unsigned long long)info.entry,
	      (unsigned long long)info.start, (unsigned long long)info.end);
	CHECK(info.base != g_start->image_base, "mapped over the running image");
	CHECK(info.interp[0] == 0, "interp \"%s\" for an image without PT_INTERP", info.interp);
	const unsigned char *m = (const unsigned char *)(uintptr_t)info.start;
	CHECK(m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F', "no ELF magic at start");
	/* the same bytes as our own running image */
	const unsigned char *self = (const unsigned char *)(uintptr_t)g_start->image_base;
	CHECK(memcmp(m, self, 64) == 0, "ELF header differs from the running image's");
	if (info.phdr) {
		CHECK(info.phdr >= info.start && info.phdr < info.end, "phdr outside the image");
		const uint32_t *ph = (const uint32_t *)(uintptr_t)info.phdr;
		int load = 0;
		for (uint32_t i = 0; i < info.phnum; i++)
			load += ph[i * 14] == 1; /* p_type == PT_LOAD */
		CHECK(load > 0, "no PT_LOAD among the program headers at phdr");
	}
	/* code is mapped: the copy of this function starts with the same bytes */
	uint64_t off = (uint64_t)(uintptr_t)&map_pe_binary - g_start->image_base;
	CHECK(info.base + off < info.end, "code offset beyond the mapping");
	CHECK(memcmp((const void *)(uintptr_t)(info.base + off), (const void *)&map_pe_binary, 16) == 0,
	      "mapped code differs from the running code");
	CHECK_OK(dk->DkStreamUnmap((void *)(uintptr_t)info.start, info.end - info.start));
	CHECK_RC(conf_probe_read((void *)(uintptr_t)info.start), E(BAD_POINTER));
	CHECK_RC(dk->DkStreamMapPeBinary(h, NULL, (struct dk_image_info *)8), E(BAD_POINTER));
	dk->DkObjectClose(h);
	CHECK_RC(dk->DkStreamMapPeBinary(FORGED_HANDLE, NULL, &info), E(BAD_HANDLE));
}

/* A two-segment ET_EXEC image at a fixed address: page 0 read-only, page
 * 1 from the file writable, pages 2-3 its .bss.  The segments tile the
 * span, so the PAL maps them where nothing is, without a reservation. */
#define EXEC_AT 0x100000000000ull
static void write_exec_image(DK_HANDLE *h)
{
	static unsigned char img[2 * PG];
	memset(img, 0, sizeof(img));
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	memcpy(eh->e_ident, "\x7f" "ELF\x02\x01\x01", 7);
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = 1;
	eh->e_entry = EXEC_AT + PG;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 2;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));
	ph[0] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0,
			     .p_vaddr = EXEC_AT, .p_filesz = PG, .p_memsz = PG, .p_align = PG};
	ph[1] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = PG,
			     .p_vaddr = EXEC_AT + PG, .p_filesz = PG, .p_memsz = 3 * PG,
			     .p_align = PG};
	img[PG] = 'd';
	CHECK_OK(create_file("exec-image", img, sizeof(img), h));
}

static void map_pe_exec_fixed(void)
{
	DK_HANDLE h;
	struct dk_image_info info;
	char *at = (char *)(uintptr_t)EXEC_AT;
	write_exec_image(&h);
	CHECK_OK(dk->DkStreamMapPeBinary(h, NULL, &info));
	CHECK(info.type == 2, "type %u, want 2 (ET_EXEC)", info.type);
	CHECK(info.start == EXEC_AT && info.end == EXEC_AT + 4 * PG && info.base == 0,
	      "span 0x%llx-0x%llx base 0x%llx", (unsigned long long)info.start,
	      (unsigned long long)info.end, (unsigned long long)info.base);
	CHECK(at[0] == 0x7f && at[PG] == 'd' && at[3 * PG] == 0, "contents");
	/* Mapped again: the range is taken, and the first mapping stays. */
	CHECK_RC(dk->DkStreamMapPeBinary(h, NULL, &info), E(EXISTS));
	CHECK(conf_probe_read(at) == 0 && at[PG] == 'd', "the first mapping went away");
	/* Only the last .bss page still taken: the segments mapped before it
	 * are undone, the page that was there is left alone. */
	CHECK_OK(dk->DkStreamUnmap(at, 3 * PG));
	CHECK_RC(dk->DkStreamMapPeBinary(h, NULL, &info), E(EXISTS));
	CHECK_RC(conf_probe_read(at), E(BAD_POINTER));
	CHECK_RC(conf_probe_read(at + PG), E(BAD_POINTER));
	CHECK_OK(conf_probe_read(at + 3 * PG));
	CHECK_OK(dk->DkStreamUnmap(at + 3 * PG, PG));
	dk->DkObjectClose(h);
	CHECK_OK(dk->DkStreamDelete(g_uri));
}

static void map_pe_not_elf(void)
{
	DK_HANDLE h;
	struct dk_image_info info;
	static char junk[8192];
	memset(junk, 'j', sizeof(junk));
	CHECK_OK(create_file("not-elf", junk, sizeof(junk), &h));
	int rc = dk->DkStreamMapPeBinary(h, NULL, &info);
	CHECK(rc == E(INVALID), "non-ELF file gave %d (%s), want INVALID", rc, conf_errname(rc));
	/* truncated ELF header */
	CHECK_OK(dk->DkStreamSetLength(h, 0));
	CHECK_OK(conf_write_all(h, 0, "\x7f" "ELF\x02\x01\x01", 7));
	rc = dk->DkStreamMapPeBinary(h, NULL, &info);
	CHECK(rc == E(INVALID), "truncated ELF gave %d (%s), want INVALID", rc, conf_errname(rc));
	dk->DkObjectClose(h);
	CHECK_OK(dk->DkStreamDelete(g_uri));
}

/* ---- console providers -------------------------------------------------- */
static void null_provider(void)
{
	DK_HANDLE h;
	struct dk_stream_attr a;
	static char buf[100];
	size_t n = sizeof(buf);
	CHECK_OK(dk->DkStreamOpen("null:", RDWR, DK_CREATE_NEVER, 0, 0, &h));
	CHECK_OK(dk->DkStreamWrite(h, 0, buf, &n));
	CHECK(n == sizeof(buf), "write to null: took %zu of %zu", n, sizeof(buf));
	n = sizeof(buf);
	CHECK_OK(dk->DkStreamRead(h, 0, buf, &n));
	CHECK(n == 0, "read from null: gave %zu bytes", n);
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(h, &a));
	CHECK(a.type == DK_STREAM_CONSOLE, "type %u, want CONSOLE", a.type);
	CHECK_OK(conf_wait1(h, 100 * MS)); /* always readable (end of stream) */
	dk->DkObjectClose(h);
}

static void stdout_provider(void)
{
	DK_HANDLE h;
	struct dk_stream_attr a;
	static const char msg[] = "# conformance: written through a second stdout: handle\n";
	size_t n = sizeof(msg) - 1;
	CHECK_OK(dk->DkStreamOpen("stdout:", DK_ACCESS_WRITE, DK_CREATE_NEVER, 0, 0, &h));
	CHECK_OK(dk->DkStreamWrite(h, 0, msg, &n));
	CHECK(n == sizeof(msg) - 1, "wrote %zu of %zu", n, sizeof(msg) - 1);
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(h, &a));
	CHECK(a.type == DK_STREAM_CONSOLE, "type %u, want CONSOLE", a.type);
	char c;
	n = 1;
	int rc = dk->DkStreamRead(h, 0, &c, &n);
	CHECK(rc < 0, "read from a write-only stdout: handle succeeded");
	dk->DkObjectClose(h);
}

static void stderr_provider(void)
{
	DK_HANDLE h;
	struct dk_stream_attr a;
	static const char msg[] = "# conformance: written to stderr:\n";
	size_t n = sizeof(msg) - 1;
	CHECK_OK(dk->DkStreamOpen("stderr:", DK_ACCESS_WRITE, DK_CREATE_NEVER, 0, 0, &h));
	CHECK_OK(dk->DkStreamWrite(h, 0, msg, &n));
	CHECK(n == sizeof(msg) - 1, "wrote %zu of %zu", n, sizeof(msg) - 1);
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(h, &a));
	CHECK(a.type == DK_STREAM_CONSOLE, "type %u, want CONSOLE", a.type);
	dk->DkObjectClose(h);
}

/* tests/pal/run.sh feeds "moat-stdin-probe\n" on stdin */
static void stdin_provider(void)
{
	DK_HANDLE h;
	struct dk_stream_attr a;
	char buf[64];
	size_t n;
	CHECK_OK(dk->DkStreamOpen("stdin:", DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h));
	CHECK_OK(dk->DkStreamAttributesQueryByHandle(h, &a));
	CHECK(a.type == DK_STREAM_CONSOLE, "type %u, want CONSOLE", a.type);
	int rc = conf_wait1(h, 3000 * MS);
	CHECK(rc == 0, "stdin not readable within 3 s (%d %s); run via tests/pal/run.sh, which "
		       "pipes a probe line in", rc, conf_errname(rc));
	rc = conf_read_full(h, 0, buf, 17, &n);
	CHECK(rc == 0, "read gave %d (%s)", rc, conf_errname(rc));
	CHECK(n == 17 && memcmp(buf, "moat-stdin-probe\n", 17) == 0,
	      "stdin gave %zu bytes \"%.*s\", want the probe line from tests/pal/run.sh", n,
	      (int)(n > 20 ? 20 : n), buf);
	n = 4;
	rc = dk->DkStreamWrite(h, 0, "nope", &n);
	CHECK(rc < 0, "write to a read-only stdin: handle succeeded");
	dk->DkObjectClose(h);
}

static void http_server(void)
{
	DK_HANDLE h = 0;
	CHECK_RC(dk->DkStreamOpen("http.server:http://127.0.0.1:8080/", RDWR, DK_CREATE_NEVER, 0, 0,
				  &h),
		 E(NOT_IMPLEMENTED));
	CHECK(h == 0, "handle written");
}

static void http_application(void)
{
	DK_HANDLE h = 0;
	CHECK_RC(dk->DkStreamOpen("http.application:conformance", RDWR, DK_CREATE_NEVER, 0, 0, &h),
		 E(NOT_IMPLEMENTED));
	CHECK(h == 0, "handle written");
}

const struct conf_case conf_cases_stream[] = {
	{"provider.file:create_modes", file_create_modes},
	{"provider.file:access_enforced", file_access_enforced},
	{"DkStreamRead.file_positional", file_positional},
	{"DkStreamWrite.file_append", file_append},
	{"DkStreamOpen.errors", open_errors},
	{"DkStreamRead.errors", rw_errors},
	{"DkStreamAttributesQuery.file", attr_by_uri},
	{"DkStreamAttributesQueryByHandle.file", attr_by_handle},
	{"DkStreamSetLength.file", set_length},
	{"DkStreamFlush.file", flush},
	{"DkStreamRename.file_and_dir", rename_},
	{"DkStreamDelete.file_and_dir", delete_},
	{"DkStreamEnumerateChildren.dir", enumerate},
	{"DkStreamEnumerateChildren.many", enumerate_many},
	{"DkStreamMap.shared", map_shared},
	{"DkStreamMap.private", map_private},
	{"DkStreamMap.offset_fixed_errors", map_offset_fixed},
	{"DkStreamUnmap.errors", unmap_errors},
	{"DkStreamMapPeBinary.self", map_pe_binary},
	{"DkStreamMapPeBinary.exec_fixed", map_pe_exec_fixed},
	{"DkStreamMapPeBinary.not_elf", map_pe_not_elf},
	{"provider.null:rw", null_provider},
	{"provider.stdout:write", stdout_provider},
	{"provider.stderr:write", stderr_provider},
	{"provider.stdin:read", stdin_provider},
	{"provider.http.server:not_implemented", http_server},
	{"provider.http.application:not_implemented", http_application},
	{NULL, NULL},
};
