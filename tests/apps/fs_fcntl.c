/* fcntl: status flags, O_APPEND, O_NONBLOCK, close-on-exec, F_DUPFD. */
#include "check.h"

int main(void)
{
	int fd = SYS(open("fc.txt", O_RDWR | O_CREAT | O_TRUNC, 0644));
	int fl = SYS(fcntl(fd, F_GETFL));
	CHECK((fl & O_ACCMODE) == O_RDWR && !(fl & O_APPEND));
	SYS(write(fd, "abc", 3));
	SYS(fcntl(fd, F_SETFL, fl | O_APPEND));
	CHECK(fcntl(fd, F_GETFL) & O_APPEND);
	SYS(lseek(fd, 0, SEEK_SET));
	SYS(write(fd, "def", 3));
	CHECK(lseek(fd, 0, SEEK_CUR) == 6);
	char b[8] = {0};
	CHECK(pread(fd, b, 7, 0) == 6 && !strcmp(b, "abcdef"));
	SAY("O_APPEND writes at the end: %s\n", b);
	close(fd);
	fd = SYS(open("fc.txt", O_WRONLY | O_APPEND));
	SYS(write(fd, "g", 1));
	close(fd);
	fd = SYS(open("fc.txt", O_RDONLY));
	CHECK(read(fd, b, 7) == 7 && b[6] == 'g');
	/* Access mode cannot change through F_SETFL. */
	SYS(fcntl(fd, F_SETFL, O_RDWR));
	CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
	CHECK(fcntl(fd, F_GETFD) == 0);
	SYS(fcntl(fd, F_SETFD, FD_CLOEXEC));
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	SAY("FD_CLOEXEC set\n");
	int d = SYS(fcntl(fd, F_DUPFD, 50));
	CHECK(d == 50 && fcntl(d, F_GETFD) == 0);
	int e = SYS(fcntl(fd, F_DUPFD_CLOEXEC, 50));
	CHECK(e == 51 && fcntl(e, F_GETFD) == FD_CLOEXEC);
	SAY("F_DUPFD: %d, F_DUPFD_CLOEXEC: %d\n", d, e);
	int c = SYS(open("fc.txt", O_RDONLY | O_CLOEXEC));
	CHECK(fcntl(c, F_GETFD) == FD_CLOEXEC);
	/* O_NONBLOCK on a pipe. */
	int p[2];
	SYS(pipe(p));
	SYS(fcntl(p[0], F_SETFL, O_NONBLOCK));
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	ERR(read(p[0], b, 1), EAGAIN);
	SYS(fcntl(p[0], F_SETFL, 0));
	CHECK(!(fcntl(p[0], F_GETFL) & O_NONBLOCK));
	SAY("O_NONBLOCK: EAGAIN on an empty pipe\n");
	ERR(fcntl(999, F_GETFL), EBADF);
	ERR(fcntl(fd, 9999), EINVAL);
	unlink("fc.txt");
	DONE();
}
