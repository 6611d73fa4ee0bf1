/* Pipes: capacity, partial writes and EAGAIN when non-blocking, F_GETPIPE_SZ. */
#include "check.h"

int main(void)
{
	int p[2];
	SYS(pipe2(p, O_NONBLOCK));
	CHECK(fcntl(p[1], F_GETFL) & O_NONBLOCK);
	long sz = SYS(fcntl(p[0], F_GETPIPE_SZ));
	CHECK(sz == 65536);
	SAY("capacity %ld\n", sz);
	static char buf[100000];
	memset(buf, 'x', sizeof(buf));
	ssize_t n = write(p[1], buf, sizeof(buf));
	CHECK(n == 65536);
	SAY("first non-blocking write: %zd\n", n);
	ERR(write(p[1], buf, 1), EAGAIN);
	CHECK(read(p[0], buf, 1000) == 1000);
	/* Writes of at most PIPE_BUF are atomic: 4096 bytes don't fit in 1000. */
	ERR(write(p[1], buf, 4096), EAGAIN);
	CHECK(read(p[0], buf, sizeof(buf)) == 64536);
	ERR(read(p[0], buf, 1), EAGAIN);
	SAY("drained\n");
	SYS(fcntl(p[1], F_SETPIPE_SZ, 4096 * 4));
	CHECK(fcntl(p[1], F_GETPIPE_SZ) == 16384);
	CHECK(write(p[1], buf, sizeof(buf)) == 16384);
	SAY("resized to 16384\n");
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	ERR(write(p[1], buf, 1), EPIPE);
	SAY("reader gone: EPIPE\n");
	close(p[1]);
	DONE();
}
