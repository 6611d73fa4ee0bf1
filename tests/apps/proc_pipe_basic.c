/* Pipes between processes: a request and a reply over two pipes; EOF only
 * once every write end (the parent's copy too) is closed; writing with no
 * reader left gives SIGPIPE (default: the writer dies), or EPIPE when
 * SIGPIPE is ignored or handled. */
#include "check.h"
#include <sys/wait.h>

static volatile int pipes;
static void on_pipe(int sig) { (void)sig; pipes++; }

int main(void)
{
	alarm(5);
	int req[2], rep[2];
	SYS(pipe(req));
	SYS(pipe(rep));
	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		close(req[1]);
		close(rep[0]);
		char buf[32] = {0};
		ssize_t n = read(req[0], buf, sizeof(buf) - 1);
		if (n != 4 || strcmp(buf, "ping"))
			_exit(1);
		if (write(rep[1], "pong", 4) != 4)
			_exit(2);
		/* Then EOF on the request pipe once the parent closes it. */
		if (read(req[0], buf, sizeof(buf)) != 0)
			_exit(3);
		_exit(0);
	}
	SYS(close(req[0]));
	SYS(close(rep[1]));
	SYS(write(req[1], "ping", 4));
	char buf[32] = {0};
	CHECK(read(rep[0], buf, sizeof(buf) - 1) == 4 && !strcmp(buf, "pong"));
	SAY("ping, reply: %s\n", buf);
	SYS(close(req[1]));
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("child saw EOF after the parent closed its end: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(read(rep[0], buf, sizeof(buf)) == 0);
	SAY("parent sees EOF once the child exited: ok\n");
	SYS(close(rep[0]));

	/* No EOF while the parent still holds a write end. */
	int p[2];
	SYS(pipe(p));
	pid = FORK();
	if (pid == 0) {
		close(p[0]);
		(void)!write(p[1], "x", 1);
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	SYS(fcntl(p[0], F_SETFL, O_NONBLOCK));
	CHECK(read(p[0], buf, sizeof(buf)) == 1);
	ERR(read(p[0], buf, sizeof(buf)), EAGAIN);
	SAY("child gone, parent's write end open: EAGAIN, not EOF\n");
	SYS(close(p[1]));
	CHECK(read(p[0], buf, sizeof(buf)) == 0);
	SAY("after the parent closes it: EOF\n");
	SYS(close(p[0]));

	/* The reader exits: a writer with the default SIGPIPE dies. */
	SYS(pipe(p));
	pid_t reader = FORK();
	if (reader == 0)
		_exit(0);
	SYS(close(p[0]));
	CHECK(waitpid(reader, &st, 0) == reader);
	pid = FORK();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		(void)!write(p[1], "x", 1);
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
	SAY("write with no reader, default action: killed by %s\n",
	    WIFSIGNALED(st) ? sigabbrev_np(WTERMSIG(st)) : "nothing");
	signal(SIGPIPE, SIG_IGN);
	ERR(write(p[1], "x", 1), EPIPE);
	SAY("SIGPIPE ignored: EPIPE\n");
	signal(SIGPIPE, on_pipe);
	ERR(write(p[1], "x", 1), EPIPE);
	CHECK(pipes == 1);
	SAY("SIGPIPE handled: EPIPE, handler ran %d\n", pipes);
	SYS(close(p[1]));

	/* A reader blocked on an empty pipe wakes with EOF when the last
	 * writer, another process, exits. */
	SYS(pipe(p));
	pid = FORK();
	if (pid == 0) {
		close(p[0]);
		usleep(30000);
		_exit(0);
	}
	SYS(close(p[1]));
	CHECK(read(p[0], buf, sizeof(buf)) == 0);
	SAY("blocked reader woke with EOF when the writer exited\n");
	CHECK(waitpid(pid, &st, 0) == pid);
	SYS(close(p[0]));
	DONE();
}
