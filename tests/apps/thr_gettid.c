/* gettid: the main thread's id is the pid; every thread has its own. */
#include "check.h"
#include <pthread.h>
#include <sys/syscall.h>

static pid_t tids[8];

static void *work(void *arg)
{
	tids[(long)arg] = gettid();
	CHECK(syscall(SYS_gettid) == gettid());
	CHECK(getpid() != gettid());
	return NULL;
}

int main(void)
{
	CHECK(gettid() == getpid());
	SAY("main tid is pid: %d\n", gettid() == getpid());
	pthread_t t[8];
	for (long i = 0; i < 8; i++)
		ZERO(pthread_create(&t[i], NULL, work, (void *)i));
	for (int i = 0; i < 8; i++)
		ZERO(pthread_join(t[i], NULL));
	int distinct = 1;
	for (int i = 0; i < 8; i++) {
		if (tids[i] <= 0 || tids[i] == getpid()) distinct = 0;
		for (int j = 0; j < i; j++)
			if (tids[i] == tids[j]) distinct = 0;
	}
	CHECK(distinct);
	SAY("8 distinct thread ids: %d\n", distinct);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d", gettid());
	struct stat st;
	CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
	DONE();
}
