/* pread/pwrite keep the offset; readv/writev/preadv/pwritev. */
#include "check.h"
#include <sys/uio.h>

int main(void)
{
	int fd = SYS(open("vec.dat", O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK(pwrite(fd, "abcdef", 6, 10) == 6);
	CHECK(lseek(fd, 0, SEEK_CUR) == 0);
	char b[16] = {0};
	CHECK(pread(fd, b, 3, 12) == 3 && !memcmp(b, "cde", 3));
	CHECK(lseek(fd, 0, SEEK_CUR) == 0);
	SAY("pread/pwrite leave the offset: %.3s\n", b);
	struct iovec iov[3] = { { "one ", 4 }, { "two ", 4 }, { "three\n", 6 } };
	CHECK(writev(fd, iov, 3) == 14);
	CHECK(lseek(fd, 0, SEEK_CUR) == 14);
	char x[5] = {0}, y[5] = {0}, z[7] = {0};
	struct iovec r[3] = { { x, 4 }, { y, 4 }, { z, 6 } };
	SYS(lseek(fd, 0, SEEK_SET));
	CHECK(readv(fd, r, 3) == 14);
	CHECK(!strcmp(x, "one ") && !strcmp(y, "two ") && !strcmp(z, "three\n"));
	SAY("readv: [%s][%s][%s]", x, y, z);
	struct iovec w2[2] = { { "AB", 2 }, { "CD", 2 } };
	CHECK(pwritev(fd, w2, 2, 100) == 4);
	char p[5] = {0}, q[5] = {0};
	struct iovec r2[2] = { { p, 1 }, { q, 3 } };
	CHECK(preadv(fd, r2, 2, 100) == 4 && p[0] == 'A' && !strcmp(q, "BCD"));
	CHECK(lseek(fd, 0, SEEK_CUR) == 14);
	SAY("preadv: %s %s\n", p, q);
	/* A zero-length vector element and an empty vector. */
	struct iovec e[2] = { { NULL, 0 }, { "Z", 1 } };
	CHECK(writev(fd, e, 2) == 1);
	CHECK(writev(fd, e, 0) == 0);
	struct iovec bad = { "x", 1 };
	volatile int neg = -1;
	ERR(writev(fd, &bad, neg), EINVAL);
	ERR(pread(fd, b, 1, -1), EINVAL);
	/* pread on a pipe is refused. */
	int pfd[2];
	SYS(pipe(pfd));
	ERR(pread(pfd[0], b, 1, 0), ESPIPE);
	ERR(lseek(pfd[0], 0, SEEK_SET), ESPIPE);
	SAY("pipes: ESPIPE\n");
	SYS(close(fd));
	SYS(unlink("vec.dat"));
	DONE();
}
