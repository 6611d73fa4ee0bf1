/* An AF_UNIX listener in /tmp and an abstract one; a thread connects. */
#include "check.h"
#include <pthread.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static struct sockaddr_un addr;
static socklen_t addrlen;

static void *client(void *arg)
{
	(void)arg;
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(c, (struct sockaddr *)&addr, addrlen) < 0) {
		check_fail(__FILE__, __LINE__, "connect to the listener", errno);
		exit(1);
	}
	write(c, "hello listener", 14);
	char b[16] = {0};
	CHECK(read(c, b, sizeof(b)) == 5 && !strcmp(b, "reply"));
	close(c);
	return NULL;
}

static void serve(const char *what)
{
	int l = SYS(socket(AF_UNIX, SOCK_STREAM, 0));
	SYS(bind(l, (struct sockaddr *)&addr, addrlen));
	SYS(listen(l, 4));
	pthread_t t;
	ZERO(pthread_create(&t, NULL, client, NULL));
	struct sockaddr_un peer;
	socklen_t plen = sizeof(peer);
	int s = SYS(accept(l, (struct sockaddr *)&peer, &plen));
	CHECK(peer.sun_family == AF_UNIX);
	char b[32] = {0};
	CHECK(read(s, b, sizeof(b)) == 14 && !strcmp(b, "hello listener"));
	CHECK(write(s, "reply", 5) == 5);
	CHECK(read(s, b, sizeof(b)) == 0);
	ZERO(pthread_join(t, NULL));
	struct sockaddr_un me;
	socklen_t mlen = sizeof(me);
	SYS(getsockname(s, (struct sockaddr *)&me, &mlen));
	if (addr.sun_path[0])
		CHECK(!strcmp(me.sun_path, addr.sun_path) && mlen == offsetof(struct sockaddr_un, sun_path) + strlen(addr.sun_path) + 1);
	else
		CHECK(mlen == addrlen && !memcmp(me.sun_path, addr.sun_path, addrlen - offsetof(struct sockaddr_un, sun_path)));
	SAY("%s: accepted, exchanged, getsockname matches\n", what);
	close(s);
	close(l);
}

int main(void)
{
	addr.sun_family = AF_UNIX;
	/* A name of its own: the static and dynamic builds run at once natively. */
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/tmp/apps-listener.%d.sock", (int)getpid());
	addrlen = sizeof(addr);
	unlink(addr.sun_path);
	serve("path socket in /tmp");
	struct stat st;
	SYS(stat(addr.sun_path, &st));
	CHECK(S_ISSOCK(st.st_mode));
	int l = SYS(socket(AF_UNIX, SOCK_STREAM, 0));
	ERR(bind(l, (struct sockaddr *)&addr, addrlen), EADDRINUSE);
	close(l);
	SYS(unlink(addr.sun_path));
	int c = SYS(socket(AF_UNIX, SOCK_STREAM, 0));
	ERR(connect(c, (struct sockaddr *)&addr, addrlen), ENOENT);
	close(c);
	SAY("stale path: EADDRINUSE, after unlink: ENOENT\n");
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	int an = snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1, "apps-abstract.%d",
			  (int)getpid());
	addrlen = offsetof(struct sockaddr_un, sun_path) + 1 + (socklen_t)an;
	serve("abstract socket");
	/* A relative path in the working directory. */
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	strcpy(addr.sun_path, "rel.sock");
	addrlen = sizeof(addr);
	serve("relative path socket");
	unlink("rel.sock");
	DONE();
}
