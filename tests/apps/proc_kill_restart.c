/* SA_RESTART across processes: a child blocked in read() on a pipe takes
 * three SIGUSR1s from its parent (each handler run acknowledged through a
 * pipe), the read is restarted each time and finally returns the data the
 * parent writes; the same for a child blocked in waitpid. */
#include "check.h"
#include <sys/wait.h>

static volatile int hits;
static int ack_fd;
static void on_usr1(int sig)
{
	(void)sig;
	hits++;
	(void)!write(ack_fd, "a", 1);
}

struct result { long n; int err; int hits; char buf[8]; };

/* Starts a child running body(); returns its pid, the ready/ack pipe and
 * the result pipe. */
static pid_t start(int *ack, int *res, void (*body)(int out))
{
	int a[2], r[2];
	SYS(pipe(a));
	SYS(pipe(r));
	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		close(a[0]);
		close(r[0]);
		ack_fd = a[1];
		struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
		sigaction(SIGUSR1, &sa, NULL);
		if (write(a[1], "r", 1) != 1)
			_exit(100);
		body(r[1]);
		_exit(0);
	}
	close(a[1]);
	close(r[1]);
	*ack = a[0];
	*res = r[0];
	return pid;
}

/* Sends three signals, each after a pause, each acknowledged. */
static int poke(pid_t pid, int ack)
{
	char c;
	if (read(ack, &c, 1) != 1 || c != 'r')
		return 0;
	int acked = 0;
	for (int i = 0; i < 3; i++) {
		usleep(30000);
		if (kill(pid, SIGUSR1))
			break;
		if (read(ack, &c, 1) == 1 && c == 'a')
			acked++;
	}
	return acked;
}

static int data[2];

static void reader(int out)
{
	struct result r = {0};
	close(data[1]);
	r.n = read(data[0], r.buf, sizeof(r.buf));
	r.err = errno;
	r.hits = hits;
	(void)!write(out, &r, sizeof(r));
}

static int gate[2];

static void waiter(int out)
{
	struct result r = {0};
	close(gate[1]);
	pid_t gc = fork();
	if (gc == 0) {
		char c;
		(void)!read(gate[0], &c, 1);
		_exit(33);
	}
	int st = 0;
	r.n = waitpid(gc, &st, 0) == gc && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r.err = errno;
	r.hits = hits;
	(void)!write(out, &r, sizeof(r));
}

int main(void)
{
	alarm(5);
	SYS(pipe(data));
	int ack, res;
	pid_t pid = start(&ack, &res, reader);
	SYS(close(data[0]));
	int acked = poke(pid, ack);
	CHECK(acked == 3);
	SAY("handler runs acknowledged: %d\n", acked);
	SYS(write(data[1], "hello", 5));
	struct result r;
	memset(&r, 0, sizeof(r));
	CHECK(read(res, &r, sizeof(r)) == sizeof(r));
	CHECK(r.n == 5 && !memcmp(r.buf, "hello", 5) && r.hits == 3);
	SAY("restarted read returned %ld bytes '%.5s' after %d signals\n", r.n,
	    r.n == 5 ? r.buf : "", r.hits);
	int st = 0;
	CHECK(wait_ok(pid));
	SYS(close(ack));
	SYS(close(res));
	SYS(close(data[1]));

	SYS(pipe(gate));
	pid = start(&ack, &res, waiter);
	SYS(close(gate[0]));
	acked = poke(pid, ack);
	CHECK(acked == 3);
	SYS(close(gate[1]));
	memset(&r, 0, sizeof(r));
	CHECK(read(res, &r, sizeof(r)) == sizeof(r));
	CHECK(r.n == 33 && r.hits == 3);
	SAY("restarted waitpid collected the grandchild: status %ld after %d signals\n", r.n, r.hits);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("children exited normally: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	DONE();
}
