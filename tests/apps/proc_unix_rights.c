/* Descriptors passed (SCM_RIGHTS) between processes over AF_UNIX sockets
 * bound to names: a child connects to the parent's stream listener and
 * passes a pipe's read end and a file (whose position and O_APPEND come
 * along); MSG_PEEK on that connection; a datagram to a bound name carries
 * a descriptor too. */
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

/* Receives a descriptor tagged want and reads it to the end into buf. */
static void read_passed(int sock, const char *want, char *buf, size_t size)
{
	char tag[16];
	int fd = recv_fd(sock, tag, sizeof(tag));
	CHECK(fd >= 0 && !strcmp(tag, want));
	memset(buf, 0, size);
	if (fd >= 0) {
		read_all(fd, buf, size);
		close(fd);
	}
}

static void child(void)
{
	alarm(5);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = addr("rights.sock");
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
		_exit(1);
	if (write(s, "peek me", 7) != 7)
		_exit(2);
	int p[2];
	if (pipe(p) || send_fd(s, p[0], "pipe"))
		_exit(3);
	close(p[0]);
	int f = open("rights.txt", O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0644);
	if (f < 0 || write(f, "0123456789", 10) != 10 || lseek(f, 4, SEEK_SET) != 4 ||
	    send_fd(s, f, "file"))
		_exit(4);
	close(f);
	if (write(p[1], "through the pipe", 16) != 16)
		_exit(5);
	close(p[1]);
	/* A datagram to the parent's bound name, with a descriptor. */
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un da = addr("rights.dgram");
	int q[2];
	if (d < 0 || pipe(q) || send_fd_to(d, q[0], "dgram", &da, sizeof(da)))
		_exit(6);
	close(q[0]);
	if (write(q[1], "dgram pipe", 10) != 10)
		_exit(7);
	close(q[1]);
	char buf[4];
	if (read(s, buf, sizeof(buf)) != 0) /* the parent closes when done */
		_exit(8);
	_exit(0);
}

int main(void)
{
	alarm(5);
	int l = SYS(socket(AF_UNIX, SOCK_STREAM, 0));
	struct sockaddr_un a = addr("rights.sock");
	SYS(bind(l, (struct sockaddr *)&a, sizeof(a)));
	SYS(listen(l, 1));
	int d = SYS(socket(AF_UNIX, SOCK_DGRAM, 0));
	struct sockaddr_un da = addr("rights.dgram");
	SYS(bind(d, (struct sockaddr *)&da, sizeof(da)));
	fflush(stdout);
	pid_t pid = FORK();
	if (pid == 0)
		child();
	int c = SYS(accept(l, NULL, NULL));
	char buf[32] = { 0 };
	CHECK(recv(c, buf, 4, MSG_PEEK | MSG_WAITALL) == 4 && !memcmp(buf, "peek", 4));
	memset(buf, 0, sizeof(buf));
	CHECK(read(c, buf, 7) == 7 && !strcmp(buf, "peek me"));
	SAY("peeked, then read: %s\n", buf);

	read_passed(c, "pipe", buf, sizeof(buf));
	SAY("a pipe's read end from the child: %s\n", buf);
	CHECK(!strcmp(buf, "through the pipe"));

	char tag[16];
	int f = recv_fd(c, tag, sizeof(tag));
	CHECK(f >= 0 && !strcmp(tag, "file"));
	int fl = f >= 0 ? fcntl(f, F_GETFL) : 0;
	memset(buf, 0, sizeof(buf));
	CHECK(f >= 0 && read(f, buf, sizeof(buf) - 1) == 6 && !strcmp(buf, "456789"));
	SAY("a file at the child's position: %s, O_APPEND %d, O_RDWR %d\n", buf,
	    !!(fl & O_APPEND), (fl & O_ACCMODE) == O_RDWR);
	CHECK((fl & O_APPEND) && (fl & O_ACCMODE) == O_RDWR);
	if (f >= 0)
		close(f);

	read_passed(d, "dgram", buf, sizeof(buf));
	SAY("a datagram's descriptor: %s\n", buf);
	CHECK(!strcmp(buf, "dgram pipe"));

	SYS(close(c));
	CHECK(wait_ok(pid));
	SAY("child done\n");
	SYS(close(l));
	SYS(close(d));
	SYS(unlink("rights.sock"));
	SYS(unlink("rights.dgram"));
	SYS(unlink("rights.txt"));
	DONE();
}
