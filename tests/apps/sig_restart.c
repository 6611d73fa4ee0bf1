/* SA_RESTART vs EINTR: a signal interrupts a blocking pipe read. */
#include "check.h"
#include <pthread.h>
#include <sys/time.h>

static volatile int hits;
static int pfd[2];
static void on_alarm(int sig) { (void)sig; hits++; }

static void *late_writer(void *arg)
{
	(void)arg;
	usleep(200000);
	write(pfd[1], "late", 4);
	return NULL;
}

static void arm(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

int main(void)
{
	SYS(pipe(pfd));
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	/* Keep SIGALRM away from the writer thread. */
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	pthread_t t;
	ZERO(pthread_create(&t, NULL, late_writer, NULL));
	pthread_sigmask(SIG_UNBLOCK, &block, NULL);

	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = 0 };
	SYS(sigaction(SIGALRM, &sa, NULL));
	arm();
	char buf[16];
	ssize_t n = read(pfd[0], buf, sizeof(buf));
	CHECK(n == -1 && errno == EINTR && hits == 1);
	SAY("without SA_RESTART: read returned %s\n", n == -1 ? strerrorname_np(errno) : "data");

	sa.sa_flags = SA_RESTART;
	SYS(sigaction(SIGALRM, &sa, NULL));
	arm();
	n = read(pfd[0], buf, sizeof(buf));
	CHECK(n == 4 && !memcmp(buf, "late", 4) && hits == 2);
	SAY("with SA_RESTART: read got %zd bytes after the signal (%d)\n", n, hits);
	ZERO(pthread_join(t, NULL));

	/* nanosleep is never restarted: EINTR with the remainder. */
	sa.sa_flags = SA_RESTART;
	SYS(sigaction(SIGALRM, &sa, NULL));
	arm();
	struct timespec req = { 2, 0 }, rem = { 0, 0 };
	int r = nanosleep(&req, &rem);
	CHECK(r == -1 && errno == EINTR && rem.tv_sec >= 1);
	SAY("nanosleep: EINTR with remainder %d\n", rem.tv_sec >= 1);
	DONE();
}
