/* socketpair AF_UNIX SOCK_STREAM: both directions, shutdown, end of file, a thread. */
#include "check.h"
#include <pthread.h>
#include <sys/socket.h>

static int sv[2];
static void *echo(void *arg)
{
	(void)arg;
	char buf[4096];
	ssize_t n;
	while ((n = read(sv[1], buf, sizeof(buf))) > 0)
		write(sv[1], buf, n);
	shutdown(sv[1], SHUT_WR);
	return NULL;
}

int main(void)
{
	SYS(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	CHECK(write(sv[0], "ping", 4) == 4);
	char b[8] = {0};
	CHECK(read(sv[1], b, sizeof(b)) == 4 && !strcmp(b, "ping"));
	CHECK(send(sv[1], "pong", 4, 0) == 4);
	CHECK(recv(sv[0], b, sizeof(b), 0) == 4 && !memcmp(b, "pong", 4));
	SAY("round trip: ping pong\n");
	pthread_t t;
	ZERO(pthread_create(&t, NULL, echo, NULL));
	static char out[200000], in[200000];
	for (size_t i = 0; i < sizeof(out); i++) out[i] = (char)(i % 253);
	size_t sent = 0, got = 0;
	while (sent < sizeof(out)) {
		ssize_t n = write(sv[0], out + sent, sizeof(out) - sent > 8192 ? 8192 : sizeof(out) - sent);
		CHECK(n > 0);
		if (n <= 0) break;
		sent += n;
		while (got < sent) {
			ssize_t m = read(sv[0], in + got, sizeof(in) - got);
			if (m <= 0) break;
			got += m;
		}
	}
	shutdown(sv[0], SHUT_WR);
	ssize_t m = read(sv[0], in, 1);
	CHECK(m == 0);
	ZERO(pthread_join(t, NULL));
	CHECK(got == sizeof(out) && !memcmp(in, out, sizeof(out)));
	SAY("echoed %zu bytes, then end of file\n", got);
	int type;
	socklen_t len = sizeof(type);
	SYS(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len));
	CHECK(type == SOCK_STREAM);
	signal(SIGPIPE, SIG_IGN);
	ERR(write(sv[0], "x", 1), EPIPE);
	ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	SAY("after shutdown: EPIPE\n");
	close(sv[0]); close(sv[1]);
	ERR(socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
	DONE();
}
