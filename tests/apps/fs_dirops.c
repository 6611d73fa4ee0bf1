/* mkdir, rmdir, unlink, rename, renameat2 and their errors. */
#include "check.h"
#include <sys/syscall.h>

static int exists(const char *p) { struct stat st; return lstat(p, &st) == 0; }
static void touch(const char *p, const char *text)
{
	int fd = SYS(open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644));
	if (text) SYS(write(fd, text, strlen(text)));
	close(fd);
}

int main(void)
{
	SYS(mkdir("d1", 0755));
	ERR(mkdir("d1", 0755), EEXIST);
	SYS(mkdir("d1/d2", 0700));
	ERR(mkdir("nope/d3", 0755), ENOENT);
	touch("d1/f", "first");
	ERR(rmdir("d1"), ENOTEMPTY);
	ERR(rmdir("d1/f"), ENOTDIR);
	ERR(unlink("d1/d2"), EISDIR);
	ERR(unlink("d1/missing"), ENOENT);
	SAY("mkdir/rmdir/unlink errors ok\n");
	/* rename a file over another: the target is replaced. */
	touch("d1/g", "second");
	SYS(rename("d1/f", "d1/g"));
	CHECK(!exists("d1/f"));
	char buf[16] = {0};
	int fd = SYS(open("d1/g", O_RDONLY));
	SYS(read(fd, buf, sizeof(buf) - 1));
	close(fd);
	CHECK(!strcmp(buf, "first"));
	SAY("rename over: %s\n", buf);
	/* rename a directory. */
	SYS(rename("d1/d2", "d1/d3"));
	CHECK(!exists("d1/d2") && exists("d1/d3"));
	ERR(rename("d1/g", "d1/d3"), EISDIR);
	touch("d1/d3/x", NULL);
	SYS(mkdir("d1/d4", 0755));
	ERR(rename("d1/d4", "d1/d3"), ENOTEMPTY);
	ERR(rename("d1", "d1/d3/inside"), EINVAL);
	SAY("directory renames ok\n");
	/* renameat2 flags. */
	touch("d1/a", "A");
	touch("d1/b", "B");
	ERR(syscall(SYS_renameat2, AT_FDCWD, "d1/a", AT_FDCWD, "d1/b", RENAME_NOREPLACE), EEXIST);
	SYS(syscall(SYS_renameat2, AT_FDCWD, "d1/a", AT_FDCWD, "d1/b", RENAME_EXCHANGE));
	fd = SYS(open("d1/a", O_RDONLY));
	memset(buf, 0, sizeof(buf));
	SYS(read(fd, buf, 1));
	close(fd);
	CHECK(buf[0] == 'B');
	SAY("RENAME_EXCHANGE: a now holds %s\n", buf);
	/* An open file survives unlink. */
	fd = SYS(open("d1/a", O_RDONLY));
	SYS(unlink("d1/a"));
	CHECK(!exists("d1/a"));
	memset(buf, 0, sizeof(buf));
	CHECK(read(fd, buf, 1) == 1 && buf[0] == 'B');
	close(fd);
	SAY("unlinked file still readable: %s\n", buf);
	SYS(unlink("d1/b")); SYS(unlink("d1/g")); SYS(unlink("d1/d3/x"));
	SYS(rmdir("d1/d3")); SYS(rmdir("d1/d4"));
	SYS(rmdir("d1"));
	CHECK(!exists("d1"));
	SYS(mkdir("d5", 0755));
	SYS(unlinkat(AT_FDCWD, "d5", AT_REMOVEDIR));
	DONE();
}
