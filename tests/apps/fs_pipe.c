/* pipe and pipe2: data, end of file, EPIPE and SIGPIPE, a reader thread. */
#include "check.h"
#include <pthread.h>

static int p[2];
static long got;

static void *reader(void *arg)
{
	(void)arg;
	char buf[4096];
	ssize_t n;
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		got += n;
	return NULL;
}

static volatile int sigpipes;
static void on_pipe(int sig) { (void)sig; sigpipes++; }

int main(void)
{
	SYS(pipe(p));
	CHECK(write(p[1], "hello", 5) == 5);
	char b[16] = {0};
	CHECK(read(p[0], b, sizeof(b)) == 5 && !strcmp(b, "hello"));
	SAY("through the pipe: %s\n", b);
	pthread_t t;
	ZERO(pthread_create(&t, NULL, reader, NULL));
	static char chunk[10000];
	for (int i = 0; i < 100; i++)
		CHECK(write(p[1], chunk, sizeof(chunk)) == sizeof(chunk));
	SYS(close(p[1]));
	ZERO(pthread_join(t, NULL));
	CHECK(got == 1000000);
	SAY("a thread read %ld bytes, then end of file\n", got);
	close(p[0]);
	SYS(pipe2(p, O_CLOEXEC));
	CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC);
	signal(SIGPIPE, on_pipe);
	close(p[0]);
	ERR(write(p[1], "x", 1), EPIPE);
	CHECK(sigpipes == 1);
	SAY("write with no reader: EPIPE and SIGPIPE %d\n", sigpipes);
	close(p[1]);
	ERR(pipe2(p, O_APPEND), EINVAL);
	struct stat st;
	SYS(pipe(p));
	SYS(fstat(p[0], &st));
	CHECK(S_ISFIFO(st.st_mode));
	SAY("fstat: FIFO\n");
	DONE();
}
