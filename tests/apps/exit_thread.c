/* _exit from a thread ends the whole process with its status, main still blocked. */
// expect-exit: 7
#include "check.h"
#include <pthread.h>

static void *quit(void *arg)
{
	(void)arg;
	usleep(20000);
	printf("thread calls _exit(7)\n");
	_exit(7);
}

int main(void)
{
	pthread_t t;
	ZERO(pthread_create(&t, NULL, quit, NULL));
	for (;;)
		pause();
}
