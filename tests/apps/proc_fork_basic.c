/* fork: 0 in the child and the child's pid in the parent, getppid in the
 * child is the parent, the child's exit code (8 bits) reaches waitpid. */
#include "check.h"
#include <sys/wait.h>

int main(void)
{
	alarm(5);
	pid_t parent = getpid();
	int pfd[2];
	SYS(pipe(pfd));
	pid_t pid = FORK();
	if (pid == 0) {
		/* The child reports what it sees; only the parent prints. */
		pid_t v[3] = { pid, getpid(), getppid() };
		if (write(pfd[1], v, sizeof(v)) != sizeof(v))
			_exit(100);
		_exit(42);
	}
	SYS(close(pfd[1]));
	CHECK(pid > 0 && pid != parent);
	CHECK(getpid() == parent);
	pid_t v[3] = { -1, -1, -1 };
	CHECK(read(pfd[0], v, sizeof(v)) == sizeof(v));
	SAY("fork returned 0 in the child: %d\n", v[0] == 0);
	CHECK(v[0] == 0);
	SAY("child's getpid is fork's return in the parent: %d\n", v[1] == pid);
	CHECK(v[1] == pid);
	SAY("child's getppid is the parent: %d\n", v[2] == parent);
	CHECK(v[2] == parent);
	CHECK(read(pfd[0], v, 1) == 0);
	SYS(close(pfd[0]));
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42);
	SAY("child exit code: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	ERR(waitpid(pid, &st, 0), ECHILD);
	SAY("reaped child is gone: ECHILD\n");

	/* Only the low 8 bits of the exit code count; exit() in the child
	 * flushes its own stdio buffers. */
	SYS(pipe(pfd));
	pid = FORK();
	if (pid == 0) {
		close(pfd[0]);
		FILE *f = fdopen(pfd[1], "w");
		if (!f)
			_exit(100);
		setvbuf(f, NULL, _IOFBF, 4096);
		fprintf(f, "buffered in the child");
		exit(256 + 7);
	}
	SYS(close(pfd[1]));
	char buf[64] = {0};
	ssize_t n = read(pfd[0], buf, sizeof(buf) - 1);
	CHECK(n == 21 && !strcmp(buf, "buffered in the child"));
	SAY("exit() flushed the child's stdio: %s\n", n > 0 ? buf : "(nothing)");
	SYS(close(pfd[0]));
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	SAY("exit(263) gives status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

	/* Two children get distinct pids. */
	pid_t a = FORK();
	if (a == 0)
		_exit(1);
	pid_t b = FORK();
	if (b == 0)
		_exit(2);
	CHECK(a != b);
	CHECK(wait_status(b) == 2);
	CHECK(wait_status(a) == 1);
	SAY("two children: distinct pids %d, each reaped with its own code\n", a != b);
	DONE();
}
