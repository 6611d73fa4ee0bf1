/* A parent signals a child blocked in read() on a pipe: with a SIGTERM
 * handler installed without SA_RESTART the handler runs and read fails
 * with EINTR; with the default action the child dies of SIGTERM; with
 * SIGTERM blocked the read goes on and the signal stays pending. */
#include "check.h"
#include <poll.h>
#include <sys/wait.h>

static volatile int hits;
static void on_term(int sig) { (void)sig; hits++; }

struct result { long n; int err; int hits; };

int main(void)
{
	alarm(5);
	int st_pipe[2], data[2];
	SYS(pipe(st_pipe));
	SYS(pipe(data));
	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		close(st_pipe[0]);
		close(data[1]);
		struct sigaction sa = { .sa_handler = on_term, .sa_flags = 0 };
		sigaction(SIGTERM, &sa, NULL);
		if (write(st_pipe[1], "r", 1) != 1)
			_exit(100);
		char buf[8];
		struct result r;
		r.n = read(data[0], buf, sizeof(buf));
		r.err = errno;
		signal(SIGTERM, SIG_IGN);
		r.hits = hits;
		if (write(st_pipe[1], &r, sizeof(r)) != sizeof(r))
			_exit(101);
		_exit(0);
	}
	/* The parent keeps the read end for the later children. */
	SYS(close(st_pipe[1]));
	char c = 0;
	CHECK(read(st_pipe[0], &c, 1) == 1 && c == 'r');
	/* Signal until the read is interrupted: the first SIGTERM may come
	 * before the child is in read(). */
	struct pollfd p = { .fd = st_pipe[0], .events = POLLIN };
	int sent = 0;
	while (sent < 100) {
		SYS(kill(pid, SIGTERM));
		sent++;
		if (poll(&p, 1, 50) > 0)
			break;
	}
	struct result r = { 0, 0, 0 };
	CHECK(read(st_pipe[0], &r, sizeof(r)) == sizeof(r));
	CHECK(r.n == -1 && r.err == EINTR);
	SAY("blocked read returned %s\n", r.n == -1 ? strerrorname_np(r.err) : "data");
	CHECK(r.hits >= 1);
	SAY("child's handler ran: %d\n", r.hits >= 1);
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("child exited normally: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SYS(close(st_pipe[0]));

	/* Default action: the blocked reader dies. */
	pid = FORK();
	if (pid == 0) {
		alarm(5);
		char buf[8];
		(void)read(data[0], buf, sizeof(buf));
		_exit(100);
	}
	usleep(20000);
	SYS(kill(pid, SIGTERM));
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	SAY("default action: child killed by %s\n", WIFSIGNALED(st) ? sigabbrev_np(WTERMSIG(st)) : "nothing");

	/* Blocked: the read is not interrupted, the signal stays pending. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	int ready[2];
	SYS(pipe(ready));
	pid = FORK();
	if (pid == 0) {
		alarm(5);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (write(ready[1], "r", 1) != 1)
			_exit(100);
		char buf[8];
		ssize_t n = read(data[0], buf, sizeof(buf));
		sigset_t pend;
		sigpending(&pend);
		if (n != 4 || memcmp(buf, "data", 4))
			_exit(1);
		if (!sigismember(&pend, SIGTERM))
			_exit(2);
		_exit(0);
	}
	CHECK(read(ready[0], &c, 1) == 1);
	SYS(kill(pid, SIGTERM));
	usleep(30000);
	SYS(write(data[1], "data", 4));
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("SIGTERM blocked: read got the data, signal pending: status %d\n",
	    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	DONE();
}
