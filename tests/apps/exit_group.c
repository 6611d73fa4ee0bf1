/* exit(9) from one thread while others spin and sleep: all of them end. */
// expect-exit: 9
#include "check.h"
#include <pthread.h>

static void *spin(void *arg)
{
	(void)arg;
	for (volatile unsigned long x = 0;; x++)
		;
	return NULL;
}
static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		sleep(10);
	return NULL;
}
static void *quit(void *arg)
{
	(void)arg;
	usleep(50000);
	printf("exit(9) from a thread\n");
	exit(9);
}

int main(void)
{
	pthread_t t;
	for (int i = 0; i < 2; i++) ZERO(pthread_create(&t, NULL, spin, NULL));
	for (int i = 0; i < 2; i++) ZERO(pthread_create(&t, NULL, sleeper, NULL));
	ZERO(pthread_create(&t, NULL, quit, NULL));
	pthread_join(t, NULL);
	return 0;
}
