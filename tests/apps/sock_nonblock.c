/* Non-blocking TCP: connect in progress, poll for completion, EAGAIN on accept and read. */
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

int main(void)
{
	int l = SYS(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	SYS(bind(l, (struct sockaddr *)&a, sizeof(a)));
	socklen_t len = sizeof(a);
	SYS(getsockname(l, (struct sockaddr *)&a, &len));
	SYS(listen(l, 4));
	ERR(accept(l, NULL, NULL), EAGAIN);
	int c = SYS(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
	int r = connect(c, (struct sockaddr *)&a, sizeof(a));
	CHECK(r == 0 || errno == EINPROGRESS);
	struct pollfd pf = { c, POLLOUT, 0 };
	CHECK(poll(&pf, 1, 5000) == 1 && (pf.revents & POLLOUT));
	int err = -1;
	len = sizeof(err);
	SYS(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len));
	CHECK(err == 0);
	SAY("non-blocking connect completed\n");
	struct pollfd lp = { l, POLLIN, 0 };
	CHECK(poll(&lp, 1, 5000) == 1);
	int s = SYS(accept4(l, NULL, NULL, SOCK_NONBLOCK));
	CHECK(fcntl(s, F_GETFL) & O_NONBLOCK);
	char b[8];
	ERR(read(s, b, sizeof(b)), EAGAIN);
	CHECK(write(c, "nb", 2) == 2);
	struct pollfd sp = { s, POLLIN, 0 };
	CHECK(poll(&sp, 1, 5000) == 1);
	CHECK(read(s, b, sizeof(b)) == 2);
	SAY("accept4 SOCK_NONBLOCK, EAGAIN, then data\n");
	/* Fill the connection until write would block. */
	static char big[65536];
	long total = 0;
	for (;;) {
		ssize_t n = write(c, big, sizeof(big));
		if (n < 0) { CHECK(errno == EAGAIN); break; }
		total += n;
		if (total > (256L << 20)) { CHECK(0); break; }
	}
	CHECK(total > 0);
	SAY("write eventually returns EAGAIN\n");
	struct linger lg = { 1, 0 };
	SYS(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	int ka = 1;
	SYS(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &ka, sizeof(ka)));
	close(c);
	usleep(20000);
	ssize_t n;
	while ((n = read(s, big, sizeof(big))) > 0)
		;
	CHECK(n == -1 && errno == ECONNRESET);
	SAY("SO_LINGER 0 close: ECONNRESET\n");
	close(s); close(l);
	DONE();
}
