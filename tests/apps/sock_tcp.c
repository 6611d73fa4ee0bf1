/* TCP on 127.0.0.1: a server and a client in two threads, 1 MB each way. */
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>

#define SIZE (1 << 20)
static struct sockaddr_in srv;
static char data[SIZE];

static void *client(void *arg)
{
	(void)arg;
	int c = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c, (struct sockaddr *)&srv, sizeof(srv)) < 0) {
		/* The server would wait for ever: end here. */
		check_fail(__FILE__, __LINE__, "connect to the server", errno);
		exit(1);
	}
	size_t off = 0;
	while (off < SIZE) {
		ssize_t n = write(c, data + off, SIZE - off);
		if (n <= 0) { CHECK(0); break; }
		off += n;
	}
	/* Half-close: the server reads end of stream, then still writes back. */
	SYS(shutdown(c, SHUT_WR));
	ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	static char back[SIZE];
	size_t got = 0;
	ssize_t n;
	while ((n = read(c, back + got, SIZE - got)) > 0)
		got += n;
	CHECK(got == SIZE && !memcmp(back, data, SIZE));
	close(c);
	return (void *)got;
}

int main(void)
{
	for (int i = 0; i < SIZE; i++) data[i] = (char)(i * 13);
	int l = SYS(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	int one = 1;
	SYS(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
	srv.sin_family = AF_INET;
	srv.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv.sin_port = 0;
	SYS(bind(l, (struct sockaddr *)&srv, sizeof(srv)));
	socklen_t len = sizeof(srv);
	SYS(getsockname(l, (struct sockaddr *)&srv, &len));
	CHECK(ntohs(srv.sin_port) != 0 && srv.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	SAY("bound 127.0.0.1 to an ephemeral port: %d\n", ntohs(srv.sin_port) != 0);
	SYS(listen(l, 8));
	pthread_t t;
	ZERO(pthread_create(&t, NULL, client, NULL));
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	int s = SYS(accept4(l, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC));
	CHECK(peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	struct sockaddr_in p2;
	socklen_t p2len = sizeof(p2);
	SYS(getpeername(s, (struct sockaddr *)&p2, &p2len));
	CHECK(p2.sin_port == peer.sin_port);
	static char buf[SIZE];
	size_t got = 0;
	ssize_t n;
	while ((n = read(s, buf + got, SIZE - got)) > 0)
		got += n;
	CHECK(got == SIZE && !memcmp(buf, data, SIZE));
	size_t off = 0;
	while (off < got) {
		n = write(s, buf + off, got - off);
		if (n <= 0) break;
		off += n;
	}
	close(s);
	void *r;
	ZERO(pthread_join(t, &r));
	CHECK((long)r == SIZE);
	SAY("server got %zu bytes and echoed them; client checked %ld\n", got, (long)r);
	int v = 0;
	len = sizeof(v);
	SYS(getsockopt(l, SOL_SOCKET, SO_REUSEADDR, &v, &len));
	CHECK(v == 1);
	SYS(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &len));
	CHECK(v == 1);
	SYS(getsockopt(l, SOL_SOCKET, SO_ERROR, &v, &len));
	CHECK(v == 0);
	SAY("socket options read back\n");
	/* Connection refused on a closed port. */
	close(l);
	int c = SYS(socket(AF_INET, SOCK_STREAM, 0));
	ERR(connect(c, (struct sockaddr *)&srv, sizeof(srv)), ECONNREFUSED);
	close(c);
	SAY("closed port: ECONNREFUSED\n");
	DONE();
}
