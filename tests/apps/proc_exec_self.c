/* execve keeps the pid: the program re-executes itself through
 * /proc/self/exe with an argument, in place (its transcript continues) and
 * in a forked child (which reports getpid/getppid before and after the exec
 * through an inherited pipe). */
#include "check.h"
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
	alarm(5);
	if (argc == 3 && !strcmp(argv[1], "report")) {
		/* In the forked child, after the exec. */
		int fd = atoi(argv[2]);
		pid_t v[2] = { getpid(), getppid() };
		if (write(fd, v, sizeof(v)) != sizeof(v))
			return 3;
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "stage2")) {
		/* The same process, replaced. */
		pid_t before = (pid_t)atol(argv[2]);
		pid_t parent = (pid_t)atol(argv[3]);
		SAY("stage 2: argv[0] kept: %d\n", !strcmp(argv[0], "renamed"));
		CHECK(!strcmp(argv[0], "renamed"));
		CHECK(getpid() == before);
		SAY("stage 2: same pid after exec: %d\n", getpid() == before);
		CHECK(getppid() == parent);
		SAY("stage 2: same parent after exec: %d\n", getppid() == parent);
		/* Memory is fresh: the constructor ran again, stdout is empty. */

		int pfd[2];
		SYS(pipe(pfd));
		pid_t pid = FORK();
		if (pid == 0) {
			close(pfd[0]);
			pid_t v[2] = { getpid(), getppid() };
			if (write(pfd[1], v, sizeof(v)) != sizeof(v))
				_exit(100);
			char fds[16];
			snprintf(fds, sizeof(fds), "%d", pfd[1]);
			char *args[] = { argv[0], "report", fds, NULL };
			execve("/proc/self/exe", args, environ);
			_exit(127);
		}
		SYS(close(pfd[1]));
		pid_t v[4] = { 0, 0, 0, 0 };
		size_t got = 0;
		ssize_t n;
		while (got < sizeof(v) && (n = read(pfd[0], (char *)v + got, sizeof(v) - got)) > 0)
			got += n;
		CHECK(got == sizeof(v));
		SYS(close(pfd[0]));
		int st = 0;
		CHECK(waitpid(pid, &st, 0) == pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		SAY("child re-exec ran: status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		CHECK(v[0] == pid && v[2] == pid);
		SAY("child's pid before and after exec equal fork's return: %d %d\n", v[0] == pid, v[2] == pid);
		CHECK(v[1] == getpid() && v[3] == getpid());
		SAY("child's parent before and after exec: %d %d\n", v[1] == getpid(), v[3] == getpid());
		DONE();
	}
	if (argc != 1) {
		SAY("unexpected arguments\n");
		return 2;
	}
	SAY("stage 1\n");
	char pid[24], ppid[24];
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	snprintf(ppid, sizeof(ppid), "%ld", (long)getppid());
	char *args[] = { "renamed", "stage2", pid, ppid, NULL };
	/* Unflushed output is lost with the old image. */
	printf("lost in exec");
	execve("/proc/self/exe", args, environ);
	CHECK(!"execve /proc/self/exe returned");
	DONE();
}
