/* vfork: the parent resumes once the child has called _exit or execve; the
 * child's exit code and an exec'ed program's output and status reach the
 * parent; a failed execve leaves the child running to report it. */
#include "check.h"
#include <sys/wait.h>

extern char **environ;

int main(void)
{
	alarm(5);
	pid_t me = getpid();
	fflush(stdout);
	pid_t pid = vfork();
	if (pid == 0)
		_exit(7);
	CHECK(pid > 0 && pid != me);
	int s = wait_status(pid);
	CHECK(s == 7);
	SAY("vfork + _exit(7): status %d\n", s);

	/* The child has its own pid and its own descriptor table. */
	int pfd[2];
	SYS(pipe(pfd));
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		if (getpid() == me || getppid() != me)
			_exit(1);
		close(pfd[0]);
		_exit(0);
	}
	s = wait_status(pid);
	CHECK(s == 0);
	SAY("vfork child: own pid, parent is the caller: %d\n", s == 0);
	CHECK(fcntl(pfd[0], F_GETFD) == 0);
	SAY("child's close left the parent's descriptor open: %d\n", fcntl(pfd[0], F_GETFD) == 0);

	/* vfork + execve with stdout on a pipe. */
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		char *argv[] = { "echo", "hello", "from", "echo", NULL };
		execve("/bin/echo", argv, environ);
		_exit(127);
	}
	SYS(close(pfd[1]));
	char buf[64];
	size_t got = read_all(pfd[0], buf, sizeof(buf));
	CHECK(!strcmp(buf, "hello from echo\n"));
	SAY("vfork + execve /bin/echo: %s", got ? buf : "(nothing)\n");
	s = wait_status(pid);
	CHECK(s == 0);
	SAY("echo's status %d\n", s);
	SYS(close(pfd[0]));

	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		char *argv[] = { "sh", "-c", "exit 3", NULL };
		execve("/bin/sh", argv, environ);
		_exit(127);
	}
	s = wait_status(pid);
	CHECK(s == 3);
	SAY("vfork + execve sh -c 'exit 3': status %d\n", s);

	/* A failed execve returns in the child, which reports errno. */
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		char *argv[] = { "nothing", NULL };
		execve("./does-not-exist", argv, environ);
		_exit(errno == ENOENT ? 99 : 98);
	}
	s = wait_status(pid);
	CHECK(s == 99);
	SAY("vfork + failed execve: child saw ENOENT %d\n", s == 99);
	ERR(wait(NULL), ECHILD);
	DONE();
}
