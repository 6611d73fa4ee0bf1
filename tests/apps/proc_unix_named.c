/* AF_UNIX sockets bound to a path in the current directory: a stream
 * server in the parent and clients in children (SO_PEERCRED names the
 * client), a datagram server, ECONNREFUSED once the server is closed and
 * ENOENT once the path is removed. */
#include "check.h"
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

static struct sockaddr_un addr(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	strncpy(a.sun_path, path, sizeof(a.sun_path) - 1);
	return a;
}

/* A client: connects, sends its number, expects the reply, exits. */
static pid_t client(int i)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	alarm(5);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = addr("stream.sock");
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
		_exit(1);
	char msg[16], want[32], got[32];
	snprintf(msg, sizeof(msg), "client %d", i);
	snprintf(want, sizeof(want), "hello, client %d", i);
	if (write(s, msg, strlen(msg)) != (ssize_t)strlen(msg))
		_exit(2);
	read_all(s, got, sizeof(got));
	_exit(strcmp(got, want) ? 3 : 0);
}

int main(void)
{
	alarm(5);
	int srv = SYS(socket(AF_UNIX, SOCK_STREAM, 0));
	struct sockaddr_un a = addr("stream.sock");
	SYS(bind(srv, (struct sockaddr *)&a, sizeof(a)));
	SYS(listen(srv, 4));
	struct stat st;
	SYS(stat("stream.sock", &st));
	CHECK(S_ISSOCK(st.st_mode));
	SAY("bound in the current directory: a socket file %d\n", S_ISSOCK(st.st_mode));
	for (int i = 1; i <= 2; i++) {
		pid_t pid = client(i);
		int c = SYS(accept(srv, NULL, NULL));
		struct ucred cr;
		socklen_t len = sizeof(cr);
		SYS(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len));
		CHECK(cr.pid == pid && cr.uid == getuid() && cr.gid == getgid());
		char buf[32] = {0};
		CHECK(read(c, buf, sizeof(buf) - 1) > 0);
		char reply[48];
		snprintf(reply, sizeof(reply), "hello, %s", buf);
		SYS(write(c, reply, strlen(reply)));
		SYS(close(c));
		int ws = 0;
		CHECK(waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
		SAY("client %d: got '%s', peer pid matches %d, client status %d\n", i, buf,
		    cr.pid == pid, WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
	}
	SYS(close(srv));
	/* The path remains, but nobody listens. */
	int s = SYS(socket(AF_UNIX, SOCK_STREAM, 0));
	ERR(connect(s, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED);
	SAY("server closed: ECONNREFUSED\n");
	SYS(unlink("stream.sock"));
	ERR(connect(s, (struct sockaddr *)&a, sizeof(a)), ENOENT);
	SAY("path removed: ENOENT\n");
	SYS(close(s));

	/* Datagrams: the child sends from its own bound address. */
	int d = SYS(socket(AF_UNIX, SOCK_DGRAM, 0));
	struct sockaddr_un da = addr("dgram.sock");
	SYS(bind(d, (struct sockaddr *)&da, sizeof(da)));
	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		int c = socket(AF_UNIX, SOCK_DGRAM, 0);
		struct sockaddr_un me = addr("client.sock");
		if (c < 0 || bind(c, (struct sockaddr *)&me, sizeof(me)))
			_exit(1);
		for (int i = 0; i < 3; i++) {
			char m[16];
			snprintf(m, sizeof(m), "dgram %d", i);
			if (sendto(c, m, strlen(m), 0, (struct sockaddr *)&da, sizeof(da)) != (ssize_t)strlen(m))
				_exit(2);
		}
		char buf[16] = {0};
		if (recv(c, buf, sizeof(buf) - 1, 0) != 3 || strcmp(buf, "ack"))
			_exit(3);
		_exit(0);
	}
	int ok = 0;
	struct sockaddr_un from;
	for (int i = 0; i < 3; i++) {
		char buf[16] = {0}, want[16];
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(d, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &fl);
		snprintf(want, sizeof(want), "dgram %d", i);
		ok += n == (ssize_t)strlen(want) && !strcmp(buf, want) && !strcmp(from.sun_path, "client.sock");
	}
	CHECK(ok == 3);
	SAY("three datagrams from the child's address, in order: %d\n", ok == 3);
	SYS(sendto(d, "ack", 3, 0, (struct sockaddr *)&from, sizeof(from)));
	int ws = 0;
	CHECK(waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	SAY("child got the reply: %d\n", WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	SYS(close(d));
	SYS(unlink("dgram.sock"));
	SYS(unlink("client.sock"));
	DONE();
}
