/* symlink, readlink, link, *at calls, O_NOFOLLOW, O_DIRECTORY, loops. */
#include "check.h"

int main(void)
{
	int fd = SYS(open("ln.target", O_CREAT | O_WRONLY, 0644));
	SYS(write(fd, "T", 1));
	close(fd);
	SYS(symlink("ln.target", "ln.sym"));
	char buf[64];
	ssize_t n = SYS(readlink("ln.sym", buf, sizeof(buf)));
	CHECK(n == 9 && !memcmp(buf, "ln.target", 9));
	SAY("readlink: %.*s\n", (int)(n > 0 ? n : 0), buf);
	struct stat ls;
	SYS(lstat("ln.sym", &ls));
	CHECK(S_ISLNK(ls.st_mode) && ls.st_size == 9);
	SYS(stat("ln.sym", &ls));
	CHECK(S_ISREG(ls.st_mode) && ls.st_size == 1);
	SAY("lstat sees the link, stat follows it\n");
	CHECK(readlink("ln.sym", buf, 3) == 3 && !memcmp(buf, "ln.", 3));
	ERR(readlink("ln.target", buf, sizeof(buf)), EINVAL);
	ERR(symlink("x", "ln.sym"), EEXIST);
	ERR(open("ln.sym", O_RDONLY | O_NOFOLLOW), ELOOP);
	fd = SYS(open("ln.sym", O_RDONLY | O_NOFOLLOW | O_PATH));
	close(fd);
	ERR(open("ln.target", O_RDONLY | O_DIRECTORY), ENOTDIR);
	SYS(symlink("ln.loop2", "ln.loop1"));
	SYS(symlink("ln.loop1", "ln.loop2"));
	ERR(open("ln.loop1", O_RDONLY), ELOOP);
	SYS(symlink("ln.nowhere", "ln.dangling"));
	ERR(open("ln.dangling", O_RDONLY), ENOENT);
	fd = SYS(open("ln.dangling", O_CREAT | O_WRONLY, 0644));
	close(fd);
	SYS(access("ln.nowhere", F_OK));
	SAY("O_NOFOLLOW, loops, dangling links ok\n");
	SYS(mkdir("ln.dir", 0755));
	int dfd = SYS(open("ln.dir", O_RDONLY | O_DIRECTORY));
	SYS(symlinkat("../ln.target", dfd, "up"));
	fd = SYS(openat(dfd, "up", O_RDONLY));
	char c = 0;
	CHECK(read(fd, &c, 1) == 1 && c == 'T');
	close(fd);
	SAY("relative link from a subdirectory: %c\n", c);
	SYS(linkat(AT_FDCWD, "ln.target", dfd, "hard", 0));
	struct stat a, b;
	SYS(stat("ln.target", &a));
	SYS(fstatat(dfd, "hard", &b, 0));
	CHECK(a.st_ino == b.st_ino && b.st_nlink == 2);
	n = SYS(readlinkat(dfd, "up", buf, sizeof(buf)));
	CHECK(n == 12);
	SYS(symlink("ln.dir", "ln.dirlink"));
	SYS(access("ln.dirlink/hard", F_OK));
	SAY("linkat, readlinkat and a directory link ok\n");
	SYS(unlinkat(dfd, "up", 0));
	SYS(unlinkat(dfd, "hard", 0));
	close(dfd);
	SYS(unlinkat(AT_FDCWD, "ln.dir", AT_REMOVEDIR));
	const char *rm[] = { "ln.target", "ln.sym", "ln.loop1", "ln.loop2", "ln.dangling", "ln.nowhere", "ln.dirlink" };
	for (size_t i = 0; i < sizeof(rm) / sizeof(rm[0]); i++)
		SYS(unlink(rm[i]));
	DONE();
}
