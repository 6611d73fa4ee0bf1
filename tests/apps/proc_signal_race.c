/* A signal that arrives just as its target enters a blocking read must
 * still interrupt it.  A child sits in read() on an empty pipe in a loop,
 * with a SIGUSR1 handler installed without SA_RESTART that acknowledges
 * each signal on another pipe; the parent sends the next SIGUSR1 as soon
 * as the previous one is acknowledged, so that many land while the child
 * is on its way back into read().  In moat a signal is handled on the way
 * out of a system call, so one that the blocking host read does not see
 * would be acknowledged only when data arrives: never.  2000 rounds; none may be lost (a lost
 * one leaves the child blocked and the parent waiting: a 3 s poll timeout
 * says so). */
#include "check.h"
#include <poll.h>

static int ack_fd;
static void on_usr1(int sig)
{
	(void)sig;
	if (write(ack_fd, "a", 1) != 1)
		_exit(5);
}

#define ROUNDS 2000

int main(void)
{
	alarm(60);
	int data[2], ack[2];
	SYS(pipe(data));
	SYS(pipe(ack));
	pid_t pid = FORK();
	if (pid == 0) {
		struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = 0};
		ack_fd = ack[1];
		sigaction(SIGUSR1, &sa, NULL);
		close(data[1]);
		if (write(ack[1], "r", 1) != 1)
			_exit(1);
		for (;;) {
			char c;
			ssize_t n = read(data[0], &c, 1);
			if (n == 1)
				_exit(2); /* nobody writes */
			if (n == 0)
				_exit(0); /* the parent is done */
			if (errno != EINTR)
				_exit(4);
		}
		_exit(0);
	}
	close(data[0]);
	char c;
	CHECK(read(ack[0], &c, 1) == 1);
	int lost = 0, sent = 0;
	while (sent < ROUNDS) {
		SYS(kill(pid, SIGUSR1));
		sent++;
		struct pollfd p = {.fd = ack[0], .events = POLLIN};
		if (poll(&p, 1, 3000) != 1) {
			lost = 1;
			break;
		}
		CHECK(read(ack[0], &c, 1) == 1);
	}
	close(data[1]); /* end of file: the child is done */
	if (lost)
		kill(pid, SIGKILL);
	int status = wait_status(pid);
	CHECK(!lost && status == 0);
	SAY("%d signals sent to a child entering read() again and again: %s, child status %d\n",
	    ROUNDS, lost ? "one was lost" : "every one interrupted it", lost ? -1 : status);
	DONE();
}
