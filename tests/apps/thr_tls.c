/* Thread-local storage: __thread variables and pthread keys. */
#include "check.h"
#include <pthread.h>

static __thread int counter = 100;
static __thread char name[32] = "initial";
static __thread long big[1024];
static pthread_key_t key;
static int destroyed;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void destroy(void *p)
{
	pthread_mutex_lock(&m);
	destroyed += (int)(long)p;
	pthread_mutex_unlock(&m);
}

static void *work(void *arg)
{
	long i = (long)arg;
	CHECK(counter == 100 && !strcmp(name, "initial") && big[1023] == 0);
	for (int k = 0; k < 1000; k++)
		counter++;
	snprintf(name, sizeof(name), "thread %ld", i);
	big[1023] = i;
	pthread_setspecific(key, (void *)(i + 1));
	usleep(5000);
	CHECK(counter == 1100 && big[1023] == i);
	CHECK((long)pthread_getspecific(key) == i + 1);
	char want[32];
	snprintf(want, sizeof(want), "thread %ld", i);
	CHECK(!strcmp(name, want));
	return NULL;
}

int main(void)
{
	ZERO(pthread_key_create(&key, destroy));
	pthread_t t[8];
	for (long i = 0; i < 8; i++)
		ZERO(pthread_create(&t[i], NULL, work, (void *)i));
	for (int i = 0; i < 8; i++)
		ZERO(pthread_join(t[i], NULL));
	CHECK(counter == 100 && !strcmp(name, "initial"));
	SAY("main's copies untouched: %d %s\n", counter, name);
	CHECK(destroyed == 36);
	SAY("key destructors: %d\n", destroyed);
	/* errno is thread-local too. */
	errno = 0;
	DONE();
}
