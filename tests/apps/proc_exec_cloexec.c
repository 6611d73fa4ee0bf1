/* Close-on-exec: descriptors opened with O_CLOEXEC, marked with
 * F_SETFD FD_CLOEXEC, from dup3/fcntl F_DUPFD_CLOEXEC and pipe2 O_CLOEXEC
 * are closed by execve; the others stay open with their offsets and the
 * re-exec'ed program (this one, with the numbers in argv) can use them. */
#include "check.h"
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
	alarm(5);
	if (argc > 1) {
		/* After exec: argv[1] kept descriptors, argv[2] closed ones, as
		 * comma-separated lists.  Only this process prints now. */
		int kept = 0, closed = 0, badk = 0, badc = 0;
		for (char *p = argv[1]; *p; p++) {
			int fd = (int)strtol(p, &p, 10);
			kept++;
			if (fcntl(fd, F_GETFD) != 0)
				badk++;
			if (!*p)
				break;
		}
		for (char *p = argv[2]; *p; p++) {
			int fd = (int)strtol(p, &p, 10);
			closed++;
			errno = 0;
			if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
				badc++;
			if (!*p)
				break;
		}
		CHECK(badk == 0 && badc == 0);
		SAY("after exec: %d of %d kept descriptors open, %d of %d close-on-exec ones closed\n",
		    kept - badk, kept, closed - badc, closed);
		/* The first kept one is the file, read from its offset. */
		int fd = atoi(argv[1]);
		char buf[16] = {0};
		CHECK(read(fd, buf, sizeof(buf) - 1) == 5 && !strcmp(buf, "world"));
		SAY("kept file read from the inherited offset: %s\n", buf);
		/* The second is a pipe's write end. */
		int w = atoi(strchr(argv[1], ',') + 1);
		CHECK(write(w, "through the pipe", 16) == 16);
		DONE();
	}

	int file = SYS(open("cloexec.txt", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SYS(write(file, "hello world", 11));
	SYS(lseek(file, 6, SEEK_SET));
	int p[2];
	SYS(pipe(p));
	int c1 = SYS(open("cloexec.txt", O_RDONLY | O_CLOEXEC));
	int c2 = SYS(open("cloexec.txt", O_RDONLY));
	SYS(fcntl(c2, F_SETFD, FD_CLOEXEC));
	int c3 = SYS(fcntl(file, F_DUPFD_CLOEXEC, 20));
	int c4 = SYS(dup3(file, 30, O_CLOEXEC));
	int q[2];
	SYS(pipe2(q, O_CLOEXEC));
	/* dup of a close-on-exec descriptor does not copy the flag; clearing
	 * the flag keeps it open. */
	int k1 = SYS(dup(c1));
	int k2 = SYS(open("cloexec.txt", O_RDONLY | O_CLOEXEC));
	SYS(fcntl(k2, F_SETFD, 0));
	CHECK(fcntl(c1, F_GETFD) == FD_CLOEXEC && fcntl(c3, F_GETFD) == FD_CLOEXEC &&
	      fcntl(c4, F_GETFD) == FD_CLOEXEC && fcntl(q[0], F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(k1, F_GETFD) == 0 && fcntl(k2, F_GETFD) == 0);
	SAY("flags before exec as expected: %d\n", fcntl(k1, F_GETFD) == 0);

	char kept[64], closed[64];
	snprintf(kept, sizeof(kept), "%d,%d,%d,%d", file, p[1], k1, k2);
	snprintf(closed, sizeof(closed), "%d,%d,%d,%d,%d,%d", c1, c2, c3, c4, q[0], q[1]);
	pid_t pid = FORK();
	if (pid == 0) {
		close(p[0]);
		alarm(5);
		char *args[] = { argv[0], kept, closed, NULL };
		execve("/proc/self/exe", args, environ);
		_exit(127);
	}
	SYS(close(p[1]));
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("exec'ed child: status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	char buf[32] = {0};
	CHECK(read(p[0], buf, sizeof(buf) - 1) == 16);
	SAY("parent got: %s\n", buf);
	/* The child's read moved the shared offset. */
	CHECK(lseek(file, 0, SEEK_CUR) == 11);
	SAY("shared offset now at the end: %d\n", lseek(file, 0, SEEK_CUR) == 11);
	SYS(unlink("cloexec.txt"));
	DONE();
}
