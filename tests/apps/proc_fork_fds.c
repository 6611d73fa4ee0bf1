/* fork and file descriptors: the child inherits them with their flags; an
 * inherited descriptor shares the open file (offset, status flags) with the
 * parent, while closing it in the child leaves the parent's open. */
#include "check.h"
#include <sys/wait.h>

int main(void)
{
	alarm(5);
	int fd = SYS(open("shared.txt", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SYS(write(fd, "abc", 3));
	int cfd = SYS(open("shared.txt", O_RDONLY | O_CLOEXEC));
	int pfd[2];
	SYS(pipe(pfd));
	SYS(write(pfd[1], "before fork", 11));
	pid_t pid = FORK();
	if (pid == 0) {
		int bad = 0;
		if (lseek(fd, 0, SEEK_CUR) != 3)
			bad |= 1;
		if (write(fd, "defgh", 5) != 5)
			bad |= 2;
		/* The close-on-exec flag is inherited by fork. */
		if (fcntl(cfd, F_GETFD) != FD_CLOEXEC || fcntl(fd, F_GETFD) != 0)
			bad |= 4;
		char buf[16] = {0};
		if (read(pfd[0], buf, sizeof(buf)) != 11 || strcmp(buf, "before fork"))
			bad |= 8;
		/* Status flags live in the shared open file. */
		if (fcntl(pfd[0], F_SETFL, O_NONBLOCK) != 0)
			bad |= 16;
		close(fd);
		close(cfd);
		_exit(bad);
	}
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("child used the inherited descriptors: status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	off_t off = lseek(fd, 0, SEEK_CUR);
	CHECK(off == 8);
	SAY("parent's offset after the child's write: %ld\n", (long)off);
	SYS(write(fd, "!", 1));
	char buf[16] = {0};
	CHECK(pread(fd, buf, sizeof(buf), 0) == 9);
	CHECK(!strcmp(buf, "abcdefgh!"));
	SAY("file: %s\n", buf);
	CHECK(fcntl(fd, F_GETFD) == 0 && fcntl(cfd, F_GETFD) == FD_CLOEXEC);
	SAY("child's close left the parent's descriptors open: %d\n", fcntl(cfd, F_GETFD) == FD_CLOEXEC);
	int fl = fcntl(pfd[0], F_GETFL);
	CHECK(fl != -1 && (fl & O_NONBLOCK));
	SAY("O_NONBLOCK set by the child is seen by the parent: %d\n", fl != -1 && (fl & O_NONBLOCK) != 0);
	ERR(read(pfd[0], buf, sizeof(buf)), EAGAIN);
	SAY("the child consumed the pipe data: EAGAIN\n");

	/* A descriptor opened after fork is the parent's alone, and the child's
	 * lseek moves the parent's offset. */
	int sync[2];
	SYS(pipe(sync));
	pid = FORK();
	if (pid == 0) {
		close(sync[1]);
		char c;
		if (read(sync[0], &c, 1) != 1)
			_exit(100);
		int bad = 0;
		if (fcntl(c, F_GETFD) != -1 || errno != EBADF)
			bad |= 1;
		if (lseek(fd, 2, SEEK_SET) != 2)
			bad |= 2;
		_exit(bad);
	}
	/* Opened while the parent still holds every descriptor the child
	 * has, so its number is free in the child. */
	int late = SYS(open("shared.txt", O_RDONLY));
	SYS(close(sync[0]));
	char c = (char)late;
	SYS(write(sync[1], &c, 1));
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("descriptor opened after fork: not in the child: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	off = lseek(fd, 0, SEEK_CUR);
	CHECK(off == 2);
	SAY("child's lseek moved the shared offset to %ld\n", (long)off);
	SYS(close(late));

	/* O_APPEND set by a child is the open file's too: the parent's next
	 * write goes to the end; O_NONBLOCK cleared by a child is cleared. */
	SYS(lseek(fd, 0, SEEK_SET));
	pid = FORK();
	if (pid == 0)
		_exit(fcntl(fd, F_SETFL, O_APPEND) != 0 || fcntl(pfd[0], F_SETFL, 0) != 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	fl = fcntl(fd, F_GETFL);
	CHECK(fl != -1 && (fl & O_APPEND));
	SYS(write(fd, "+", 1));
	memset(buf, 0, sizeof(buf));
	CHECK(pread(fd, buf, sizeof(buf), 0) == 10 && !strcmp(buf, "abcdefgh!+"));
	SAY("O_APPEND set by the child: the parent's write went to the end: %s\n", buf);
	fl = fcntl(pfd[0], F_GETFL);
	CHECK(fl != -1 && !(fl & O_NONBLOCK));
	SAY("O_NONBLOCK cleared by the child is clear in the parent: %d\n", fl != -1 && !(fl & O_NONBLOCK));
	SYS(close(fd));
	SYS(close(cfd));
	SYS(unlink("shared.txt"));
	DONE();
}
