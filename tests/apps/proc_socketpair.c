/* AF_UNIX socketpair across fork: messages both ways on a stream pair,
 * shutdown(SHUT_WR) seen as EOF by the other process, datagram boundaries
 * kept, and SCM_RIGHTS passing a file and a pipe end from the child to the
 * parent. */
#include "check.h"
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

/* A pair of the given type shared with a child, which sends the n
 * messages and exits: the sizes of the first four receives (the end reads
 * as 0), and whether the socket still says its type after the fork (the
 * child's exit and the type are CHECKed). */
static int through_child(int type, const char *const *msgs, int n, int lens[4])
{
	int sv[2];
	char buf[64];
	SYS(socketpair(AF_UNIX, type, 0, sv));
	pid_t pid = FORK();
	if (pid == 0) {
		close(sv[0]);
		for (int i = 0; i < n; i++)
			if (send(sv[1], msgs[i], strlen(msgs[i]), 0) != (ssize_t)strlen(msgs[i]))
				_exit(1);
		_exit(0);
	}
	SYS(close(sv[1]));
	for (int i = 0; i < 4; i++)
		lens[i] = (int)recv(sv[0], buf, sizeof(buf), 0);
	int got = 0;
	socklen_t len = sizeof(got);
	SYS(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &got, &len));
	CHECK(got == type);
	CHECK(wait_ok(pid));
	SYS(close(sv[0]));
	return got == type;
}

int main(void)
{
	alarm(5);
	int sv[2];
	SYS(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		close(sv[0]);
		int s = sv[1];
		char buf[32] = {0};
		if (read(s, buf, sizeof(buf) - 1) != 4 || strcmp(buf, "ping"))
			_exit(1);
		if (write(s, "pong", 4) != 4)
			_exit(2);
		/* A file, opened here and passed. */
		int f = open("passed.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (f < 0 || write(f, "file from the child", 19) != 19)
			_exit(3);
		lseek(f, 5, SEEK_SET);
		if (send_fd(s, f, "file"))
			_exit(4);
		close(f);
		/* A pipe's read end; the child keeps writing into it. */
		int p[2];
		if (pipe(p) || send_fd(s, p[0], "pipe"))
			_exit(5);
		close(p[0]);
		if (write(p[1], "via passed pipe", 15) != 15)
			_exit(6);
		close(p[1]);
		shutdown(s, SHUT_WR);
		/* Wait for the parent to finish talking. */
		if (read(s, buf, sizeof(buf)) != 0)
			_exit(7);
		_exit(0);
	}
	SYS(close(sv[1]));
	int s = sv[0];
	SYS(write(s, "ping", 4));
	char buf[32] = {0};
	CHECK(read(s, buf, 4) == 4 && !strcmp(buf, "pong"));
	SAY("ping, child replied: %s\n", buf);
	struct ucred cr;
	socklen_t cl = sizeof(cr);
	SYS(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &cl));
	struct sockaddr_un pa;
	socklen_t pl = sizeof(pa);
	SYS(getpeername(s, (struct sockaddr *)&pa, &pl));
	CHECK(cr.pid == getpid() && pl == sizeof(sa_family_t) && pa.sun_family == AF_UNIX);
	SAY("peer credentials name the pair's creator: %d; the peer is unnamed: %d\n",
	    cr.pid == getpid(), pl == sizeof(sa_family_t));

	char tag[16];
	int f = recv_fd(s, tag, sizeof(tag));
	CHECK(f >= 0 && !strcmp(tag, "file"));
	memset(buf, 0, sizeof(buf));
	CHECK(read(f, buf, sizeof(buf) - 1) == 14);
	SAY("received file descriptor reads from the child's offset: %s\n", buf);
	struct stat a, b;
	SYS(fstat(f, &a));
	SYS(stat("passed.txt", &b));
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	SAY("it is the child's file: %d\n", a.st_ino == b.st_ino);
	SYS(close(f));

	int p = recv_fd(s, tag, sizeof(tag));
	CHECK(p >= 0 && !strcmp(tag, "pipe"));
	memset(buf, 0, sizeof(buf));
	if (p >= 0)
		read_all(p, buf, sizeof(buf));
	CHECK(!strcmp(buf, "via passed pipe"));
	SAY("received pipe end: %s, then EOF\n", buf);
	if (p >= 0)
		SYS(close(p));
	CHECK(read(s, buf, sizeof(buf)) == 0);
	SAY("child's shutdown(SHUT_WR): EOF\n");
	SYS(close(s));
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("child status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

	/* Datagrams keep their boundaries across processes. */
	const char *dgrams[] = { "a", "bb", "ccc", "" };
	int lens[4];
	int dgram = through_child(SOCK_DGRAM, dgrams, 4, lens);
	CHECK(lens[0] == 1 && lens[1] == 2 && lens[2] == 3 && lens[3] == 0);
	SAY("datagram sizes: %d %d %d %d\n", lens[0], lens[1], lens[2], lens[3]);
	SAY("its type after the fork: SOCK_DGRAM %d\n", dgram);

	/* A sequenced-packet pair shared with a child: whole messages, in
	 * order, then the end when the child is gone. */
	const char *packets[] = { "one", "three", "twenty" };
	int seqpacket = through_child(SOCK_SEQPACKET, packets, 3, lens);
	CHECK(lens[0] == 3 && lens[1] == 5 && lens[2] == 6 && lens[3] == 0);
	SAY("packet sizes: %d %d %d, then %d\n", lens[0], lens[1], lens[2], lens[3]);
	SAY("its type after the fork: SOCK_SEQPACKET %d\n", seqpacket);

	/* MSG_WAITALL on a stream pair shared with a child: the whole count,
	 * though it comes in two writes. */
	SYS(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = FORK();
	if (pid == 0) {
		close(sv[0]);
		if (send(sv[1], "hello", 5, 0) != 5)
			_exit(1);
		usleep(100000);
		_exit(send(sv[1], "world", 5, 0) == 5 ? 0 : 1);
	}
	SYS(close(sv[1]));
	memset(buf, 0, sizeof(buf));
	long all = recv(sv[0], buf, 10, MSG_WAITALL);
	CHECK(all == 10 && !memcmp(buf, "helloworld", 10));
	SAY("MSG_WAITALL: %ld bytes\n", all);
	CHECK(wait_ok(pid));
	SYS(close(sv[0]));

	/* MSG_DONTWAIT on a blocking pair shared with a child: an empty
	 * receive and a full send give EAGAIN instead of waiting. */
	SYS(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = FORK();
	if (pid == 0)
		_exit(0);
	CHECK(wait_ok(pid));
	ERR(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	static char chunk[65536];
	long sent = 0, w;
	while ((w = send(sv[0], chunk, sizeof(chunk), MSG_DONTWAIT)) > 0 && sent < (64l << 20))
		sent += w;
	CHECK(w < 0 && errno == EAGAIN && sent > 0);
	SAY("MSG_DONTWAIT: empty receive EAGAIN, send stops with EAGAIN after some bytes: %d\n",
	    w < 0 && errno == EAGAIN && sent > 0);
	SYS(close(sv[0]));
	SYS(close(sv[1]));
	SYS(unlink("passed.txt"));
	DONE();
}
