/* pthread_exit from main: the process lives until the last thread, then exits 0. */
#include "check.h"
#include <pthread.h>

static void *last(void *arg)
{
	(void)arg;
	usleep(50000);
	printf("last thread finishing\n");
	return NULL;
}

int main(void)
{
	pthread_t t;
	ZERO(pthread_create(&t, NULL, last, NULL));
	printf("main thread exits first\n");
	pthread_exit(NULL);
}
