/* dup, dup2, dup3: shared offsets, flags, errors. */
#include "check.h"

int main(void)
{
	int fd = SYS(open("dup.txt", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SYS(write(fd, "0123456789", 10));
	int d = SYS(dup(fd));
	CHECK(d != fd);
	SYS(lseek(fd, 3, SEEK_SET));
	CHECK(lseek(d, 0, SEEK_CUR) == 3);
	char c;
	SYS(read(d, &c, 1));
	CHECK(c == '3' && lseek(fd, 0, SEEK_CUR) == 4);
	SAY("dup shares the offset: %c\n", c);
	int t = SYS(dup2(fd, 20));
	CHECK(t == 20);
	CHECK(dup2(fd, fd) == fd);
	int u = SYS(dup3(fd, 21, O_CLOEXEC));
	CHECK(u == 21 && fcntl(21, F_GETFD) == FD_CLOEXEC && fcntl(20, F_GETFD) == 0);
	ERR(dup3(fd, fd, 0), EINVAL);
	ERR(dup3(fd, 22, O_APPEND), EINVAL);
	SAY("dup2 and dup3 ok\n");
	/* dup2 onto an open descriptor closes it first. */
	int other = SYS(open("/dev/null", O_RDONLY));
	SYS(dup2(fd, other));
	CHECK(lseek(other, 0, SEEK_CUR) == 4);
	SYS(close(fd));
	CHECK(read(d, &c, 1) == 1 && c == '4');
	SAY("closing one copy leaves the others: %c\n", c);
	ERR(dup(999), EBADF);
	ERR(dup2(999, 5), EBADF);
	ERR(dup2(d, -1), EBADF);
	/* stdout through a duplicate. */
	int so = SYS(dup(1));
	CHECK(write(so, "written through dup(1)\n", 23) == 23);
	close(so);
	unlink("dup.txt");
	DONE();
}
