/* open, read, write, lseek, O_CREAT|O_EXCL, O_TRUNC, close. */
#include "check.h"

int main(void)
{
	int fd = SYS(open("rw.txt", O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK(write(fd, "hello, world\n", 13) == 13);
	CHECK(lseek(fd, 0, SEEK_CUR) == 13);
	CHECK(lseek(fd, 7, SEEK_SET) == 7);
	char buf[64] = {0};
	CHECK(read(fd, buf, 5) == 5 && !memcmp(buf, "world", 5));
	SAY("read at 7: %.5s\n", buf);
	CHECK(lseek(fd, -2, SEEK_END) == 11);
	CHECK(read(fd, buf, 64) == 2);
	CHECK(read(fd, buf, 64) == 0);
	SAY("end of file: read 0\n");
	/* A hole: seek past the end and write. */
	CHECK(lseek(fd, 100, SEEK_SET) == 100);
	CHECK(write(fd, "X", 1) == 1);
	CHECK(pread(fd, buf, 10, 50) == 10);
	int zeros = 1;
	for (int i = 0; i < 10; i++) if (buf[i]) zeros = 0;
	CHECK(zeros);
	SAY("hole reads as zeros: %d\n", zeros);
	ERR(lseek(fd, -1, SEEK_SET), EINVAL);
	ERR(lseek(fd, 0, 99), EINVAL);
	SYS(close(fd));
	ERR(close(fd), EBADF);
	ERR(read(fd, buf, 1), EBADF);
	ERR(open("rw.txt", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
	ERR(open("no/such/file", O_RDONLY), ENOENT);
	ERR(open("rw.txt/x", O_RDONLY), ENOTDIR);
	fd = SYS(open("rw.txt", O_WRONLY | O_TRUNC));
	struct stat st;
	SYS(fstat(fd, &st));
	CHECK(st.st_size == 0);
	ERR(read(fd, buf, 1), EBADF);
	SAY("O_TRUNC: size %ld\n", (long)st.st_size);
	SYS(close(fd));
	fd = SYS(open("rw.txt", O_RDONLY));
	ERR(write(fd, "x", 1), EBADF);
	SYS(close(fd));
	/* Many small writes then one read. */
	fd = SYS(open("rw.txt", O_RDWR | O_TRUNC));
	for (int i = 0; i < 1000; i++) {
		char line[16];
		int n = snprintf(line, sizeof(line), "%d\n", i);
		CHECK(write(fd, line, n) == n);
	}
	static char all[8192];
	CHECK(pread(fd, all, sizeof(all), 0) == 3890);
	SAY("1000 lines, %zu bytes\n", strlen(all));
	SYS(close(fd));
	SYS(unlink("rw.txt"));
	/* Descriptor numbers: the lowest free one is used. */
	int a = SYS(open("/dev/null", O_RDONLY)), b = SYS(open("/dev/null", O_RDONLY));
	SYS(close(a));
	int c = SYS(open("/dev/null", O_RDONLY));
	CHECK(c == a && b == a + 1);
	SAY("lowest descriptor reused: %d\n", c == a);
	DONE();
}
