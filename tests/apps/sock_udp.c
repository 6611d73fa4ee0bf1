/* UDP on the loopback: sendto/recvfrom with addresses, connected sockets, MSG_PEEK. */
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(void)
{
	int a = SYS(socket(AF_INET, SOCK_DGRAM, 0));
	int b = SYS(socket(AF_INET, SOCK_DGRAM, 0));
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) }, sb = sa;
	SYS(bind(a, (struct sockaddr *)&sa, sizeof(sa)));
	SYS(bind(b, (struct sockaddr *)&sb, sizeof(sb)));
	socklen_t len = sizeof(sa);
	SYS(getsockname(a, (struct sockaddr *)&sa, &len));
	len = sizeof(sb);
	SYS(getsockname(b, (struct sockaddr *)&sb, &len));
	CHECK(sa.sin_port != sb.sin_port);
	for (int i = 0; i < 10; i++) {
		char m[16];
		int n = snprintf(m, sizeof(m), "msg %d", i);
		CHECK(sendto(a, m, n, 0, (struct sockaddr *)&sb, sizeof(sb)) == n);
	}
	int ok = 1;
	for (int i = 0; i < 10; i++) {
		char m[16] = {0}, want[16];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(b, m, sizeof(m) - 1, 0, (struct sockaddr *)&from, &fl);
		snprintf(want, sizeof(want), "msg %d", i);
		if (n < 0 || strcmp(m, want) || from.sin_port != sa.sin_port) ok = 0;
	}
	CHECK(ok);
	SAY("10 datagrams in order from the right port: %d\n", ok);
	SYS(connect(a, (struct sockaddr *)&sb, sizeof(sb)));
	CHECK(send(a, "connected", 9, 0) == 9);
	char m[32] = {0};
	CHECK(recv(b, m, sizeof(m), MSG_PEEK) == 9);
	CHECK(recv(b, m, sizeof(m), 0) == 9 && !strcmp(m, "connected"));
	struct sockaddr_in peer;
	len = sizeof(peer);
	SYS(getpeername(a, (struct sockaddr *)&peer, &len));
	CHECK(peer.sin_port == sb.sin_port);
	ERR(getpeername(b, (struct sockaddr *)&peer, &len), ENOTCONN);
	SAY("connected send, peek, getpeername ok\n");
	static char big[60000];
	CHECK(sendto(b, big, sizeof(big), 0, (struct sockaddr *)&sa, sizeof(sa)) == sizeof(big));
	CHECK(recv(a, big, sizeof(big), 0) == sizeof(big));
	SAY("60000-byte datagram ok\n");
	int bufsz = 1 << 16;
	SYS(setsockopt(b, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz)));
	int got = 0;
	len = sizeof(got);
	SYS(getsockopt(b, SOL_SOCKET, SO_RCVBUF, &got, &len));
	CHECK(got >= bufsz);
	struct timeval tv = { 0, 20000 };
	SYS(setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ERR(recv(b, m, sizeof(m), 0), EAGAIN);
	SAY("SO_RCVBUF and SO_RCVTIMEO ok\n");
	close(a); close(b);
	DONE();
}
