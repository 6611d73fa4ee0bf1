/* Thread ids and process ids share one space: three children are forked
 * and kept alive, then three threads are made; no thread's id may be a
 * child's pid (or the process's own), and each thread's id is distinct. */
#include "check.h"
#include <pthread.h>
#include <sys/syscall.h>

static pid_t tids[3];

static void *record(void *arg)
{
	*(pid_t *)arg = (pid_t)syscall(SYS_gettid);
	return NULL;
}

int main(void)
{
	alarm(10);
	int hold[2];
	SYS(pipe(hold));
	pid_t kids[3];
	for (int i = 0; i < 3; i++) {
		kids[i] = FORK();
		if (kids[i] == 0) {
			char c;
			close(hold[1]);
			_exit(read(hold[0], &c, 1) == 0 ? 0 : 1); /* until the parent closes */
		}
	}
	pthread_t th[3];
	for (int i = 0; i < 3; i++)
		ZERO(pthread_create(&th[i], NULL, record, &tids[i]));
	for (int i = 0; i < 3; i++)
		ZERO(pthread_join(th[i], NULL));
	int clash = 0;
	for (int i = 0; i < 3; i++) {
		clash += tids[i] <= 0 || tids[i] == getpid();
		for (int j = 0; j < 3; j++)
			clash += tids[i] == kids[j] || (j != i && tids[i] == tids[j]);
	}
	CHECK(clash == 0);
	SAY("3 live children, then 3 threads: %d ids in common\n", clash);
	close(hold[1]);
	for (int i = 0; i < 3; i++)
		CHECK(wait_status(kids[i]) == 0);
	DONE();
}
