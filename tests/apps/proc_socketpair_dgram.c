/* A datagram socketpair across fork: messages queued before the fork and
 * sent after it keep their boundaries (an empty one too) in both
 * directions, and a short read truncates one message without eating the
 * next. */
#include "check.h"
#include <sys/socket.h>

int main(void)
{
	alarm(5);
	int sv[2];
	SYS(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	/* Queued before the fork, read by the child. */
	SYS(send(sv[0], "early", 5, 0));
	SYS(send(sv[0], "", 0, 0));
	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		close(sv[0]);
		char buf[16];
		if (recv(sv[1], buf, sizeof(buf), 0) != 5 || memcmp(buf, "early", 5))
			_exit(1);
		if (recv(sv[1], buf, sizeof(buf), 0) != 0)
			_exit(2);
		const char *msgs[] = { "a", "bb", "ccc", "", "truncated" };
		for (int i = 0; i < 5; i++)
			if (send(sv[1], msgs[i], strlen(msgs[i]), 0) != (ssize_t)strlen(msgs[i]))
				_exit(3);
		if (recv(sv[1], buf, sizeof(buf), 0) != 4 || memcmp(buf, "back", 4))
			_exit(4);
		_exit(0);
	}
	SYS(close(sv[1]));
	char buf[32];
	int lens[4] = { -1, -1, -1, -1 };
	for (int i = 0; i < 4; i++)
		lens[i] = (int)recv(sv[0], buf, sizeof(buf), 0);
	CHECK(lens[0] == 1 && lens[1] == 2 && lens[2] == 3 && lens[3] == 0);
	SAY("datagram sizes from the child: %d %d %d %d\n", lens[0], lens[1], lens[2], lens[3]);
	memset(buf, 0, sizeof(buf));
	CHECK(recv(sv[0], buf, 5, 0) == 5 && !strcmp(buf, "trunc"));
	SAY("a short read takes part of one message: %s\n", buf);
	SYS(send(sv[0], "back", 4, 0));
	CHECK(wait_ok(pid));
	SAY("the child read the queued messages and the reply: %d\n", 1);
	SYS(close(sv[0]));
	DONE();
}
