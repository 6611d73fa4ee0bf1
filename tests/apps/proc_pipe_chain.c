/* A three-process pipeline built with pipe, fork and dup2 onto 0 and 1:
 * producer | transformer | consumer, with stdio in each, the consumer's
 * result on a pipe back to the parent; then /bin/echo | /bin/cat | parent
 * with exec. */
#include "check.h"
#include <sys/wait.h>

extern char **environ;

static pid_t stage(int in, int out, int closefds[], int nclose, void (*body)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	alarm(5);
	if (in >= 0 && dup2(in, 0) < 0)
		_exit(100);
	if (out >= 0 && dup2(out, 1) < 0)
		_exit(100);
	for (int i = 0; i < nclose; i++)
		close(closefds[i]);
	body();
	fflush(stdout);
	_exit(0);
}

static void producer(void)
{
	for (int i = 1; i <= 1000; i++)
		printf("%d\n", i);
}

static void transformer(void)
{
	char line[64];
	while (fgets(line, sizeof(line), stdin)) {
		long v = atol(line);
		printf("%ld\n", v * v);
	}
}

static void consumer(void)
{
	char line[64];
	long long sum = 0;
	int lines = 0;
	while (fgets(line, sizeof(line), stdin)) {
		sum += atoll(line);
		lines++;
	}
	printf("%d %lld\n", lines, sum);
}

int main(void)
{
	alarm(5);
	int a[2], b[2], r[2];
	SYS(pipe(a));
	SYS(pipe(b));
	SYS(pipe(r));
	int all[6] = { a[0], a[1], b[0], b[1], r[0], r[1] };
	pid_t p1 = stage(-1, a[1], all, 6, producer);
	pid_t p2 = stage(a[0], b[1], all, 6, transformer);
	pid_t p3 = stage(b[0], r[1], all, 6, consumer);
	for (int i = 0; i < 4; i++)
		SYS(close(all[i]));
	SYS(close(r[1]));
	char buf[64];
	size_t got = read_all(r[0], buf, sizeof(buf));
	SYS(close(r[0]));
	CHECK(!strcmp(buf, "1000 333833500\n"));
	SAY("pipeline result (lines, sum of squares): %s", got ? buf : "(nothing)\n");
	int ok = 0;
	pid_t ps[3] = { p1, p2, p3 };
	for (int i = 0; i < 3; i++)
		ok += wait_ok(ps[i]);
	CHECK(ok == 3);
	SAY("all three stages exited 0: %d\n", ok == 3);

	/* The same with exec'ed programs. */
	SYS(pipe(a));
	SYS(pipe(b));
	pid_t e = FORK();
	if (e == 0) {
		dup2(a[1], 1);
		close(a[0]); close(a[1]); close(b[0]); close(b[1]);
		char *args[] = { "echo", "through", "cat", NULL };
		execve("/bin/echo", args, environ);
		_exit(127);
	}
	pid_t c = FORK();
	if (c == 0) {
		dup2(a[0], 0);
		dup2(b[1], 1);
		close(a[0]); close(a[1]); close(b[0]); close(b[1]);
		char *args[] = { "cat", NULL };
		execve("/bin/cat", args, environ);
		_exit(127);
	}
	SYS(close(a[0]));
	SYS(close(a[1]));
	SYS(close(b[1]));
	got = read_all(b[0], buf, sizeof(buf));
	SYS(close(b[0]));
	CHECK(!strcmp(buf, "through cat\n"));
	SAY("echo | cat: %s", got ? buf : "(nothing)\n");
	ok = 0;
	ok += wait_ok(e);
	ok += wait_ok(c);
	CHECK(ok == 2);
	SAY("both exited 0: %d\n", ok == 2);
	DONE();
}
