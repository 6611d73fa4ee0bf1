/* stat, fstat, lstat, fstatat and statx on files, directories and links. */
#include "check.h"

int main(void)
{
	int fd = SYS(open("st.txt", O_RDWR | O_CREAT | O_TRUNC, 0640));
	CHECK(write(fd, "12345", 5) == 5);
	struct stat a, b;
	SYS(fstat(fd, &a));
	SYS(stat("st.txt", &b));
	CHECK(S_ISREG(a.st_mode) && a.st_size == 5 && (a.st_mode & 07777) == (0640 & ~umask(022)));
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev && a.st_nlink == 1);
	CHECK(a.st_blksize > 0);
	SAY("file: regular, size %ld, mode %o, links %ld\n", (long)a.st_size, a.st_mode & 07777, (long)a.st_nlink);
	SYS(mkdir("st.dir", 0755));
	SYS(stat("st.dir", &b));
	CHECK(S_ISDIR(b.st_mode));
	SYS(lstat("st.txt", &b));
	CHECK(S_ISREG(b.st_mode) && b.st_ino == a.st_ino);
	SYS(fstatat(AT_FDCWD, "st.txt", &b, AT_SYMLINK_NOFOLLOW));
	CHECK(S_ISREG(b.st_mode) && b.st_size == 5);
	SYS(lstat("st.dir", &b));
	CHECK(S_ISDIR(b.st_mode));
	SAY("lstat and fstatat agree\n");
	SYS(lstat("/bin", &b));
	CHECK(S_ISLNK(b.st_mode));
	SYS(stat("/bin", &b));
	CHECK(S_ISDIR(b.st_mode));
	SAY("/bin: a symlink to a directory\n");
	int dfd = SYS(open("st.dir", O_RDONLY | O_DIRECTORY));
	SYS(fstatat(dfd, "..", &b, 0));
	CHECK(S_ISDIR(b.st_mode));
	SYS(fstatat(dfd, "", &b, AT_EMPTY_PATH));
	CHECK(S_ISDIR(b.st_mode));
	struct statx sx;
	SYS(statx(AT_FDCWD, "st.txt", 0, STATX_BASIC_STATS, &sx));
	CHECK((sx.stx_mask & STATX_SIZE) && sx.stx_size == 5 && S_ISREG(sx.stx_mode) && sx.stx_nlink == 1);
	SAY("statx: size %llu, links %u\n", (unsigned long long)sx.stx_size, sx.stx_nlink);
	SYS(stat("/usr/bin", &b));
	CHECK(S_ISDIR(b.st_mode));
	SYS(stat("/", &b));
	CHECK(S_ISDIR(b.st_mode));
	ERR(stat("st.missing", &b), ENOENT);
	ERR(stat("", &b), ENOENT);
	ERR(stat("st.txt/x", &b), ENOTDIR);
	SAY("errors ok\n");
	close(dfd);
	SYS(fstat(1, &b));
	SYS(fstat(0, &b));
	ERR(fstat(999, &b), EBADF);
	close(fd);
	unlink("st.txt"); rmdir("st.dir");
	DONE();
}
