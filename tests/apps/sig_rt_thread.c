/* A process-directed signal goes to a thread that does not block it. */
#include "check.h"
#include <pthread.h>

static volatile pid_t handled_by;
static volatile pid_t worker;
static volatile int done;
static void on_usr1(int sig) { (void)sig; handled_by = gettid(); }

static void *work(void *arg)
{
	(void)arg;
	sigset_t none;
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	worker = gettid();
	while (!done)
		usleep(1000);
	return NULL;
}

int main(void)
{
	signal(SIGUSR1, on_usr1);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_t t;
	ZERO(pthread_create(&t, NULL, work, NULL));
	while (!worker)
		usleep(1000);
	SYS(kill(getpid(), SIGUSR1));
	for (int i = 0; i < 5000 && !handled_by; i++)
		usleep(1000);
	CHECK(handled_by == worker);
	SAY("handled by the unblocked thread: %d\n", handled_by == worker);
	done = 1;
	ZERO(pthread_join(t, NULL));
	DONE();
}
