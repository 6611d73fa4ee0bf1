/* tgkill and pthread_kill: a signal reaches the chosen thread. */
#include "check.h"
#include <pthread.h>
#include <sys/syscall.h>

static __thread volatile int got;
static volatile pid_t handler_tid;
static volatile int worker_got;
static volatile pid_t worker_tid;
static volatile int stop;

static void on_usr1(int sig)
{
	(void)sig;
	got++;
	handler_tid = gettid();
}

static void *worker(void *arg)
{
	(void)arg;
	worker_tid = gettid();
	while (!stop) {
		if (got) worker_got = got;
		usleep(1000);
	}
	return NULL;
}

int main(void)
{
	signal(SIGUSR1, on_usr1);
	SYS(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1));
	CHECK(got == 1 && handler_tid == gettid());
	SAY("tgkill to self: handled %d, in this thread %d\n", got, handler_tid == gettid());
	SYS(syscall(SYS_tkill, gettid(), SIGUSR1));
	CHECK(got == 2);
	pthread_t t;
	ZERO(pthread_create(&t, NULL, worker, NULL));
	while (!worker_tid)
		usleep(1000);
	SYS(syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1));
	for (int i = 0; i < 5000 && !worker_got; i++)
		usleep(1000);
	CHECK(worker_got == 1 && handler_tid == worker_tid);
	SAY("tgkill to worker: handled there %d\n", handler_tid == worker_tid);
	ZERO(pthread_kill(t, SIGUSR1));
	for (int i = 0; i < 5000 && worker_got < 2; i++)
		usleep(1000);
	CHECK(worker_got == 2);
	SAY("pthread_kill: %d\n", worker_got);
	stop = 1;
	ZERO(pthread_join(t, NULL));
	CHECK(got == 2);
	ERR(syscall(SYS_tgkill, getpid(), 999999, SIGUSR1), ESRCH);
	ERR(syscall(SYS_tgkill, getpid(), gettid(), 999), EINVAL);
	SYS(syscall(SYS_tgkill, getpid(), gettid(), 0));
	SAY("errors ok\n");
	DONE();
}
