/* The raw futex calls: wait, wake, timeouts, requeue. */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>

static int word, word2;
static volatile int started, release;

static long futex(int *uaddr, int op, int val, const struct timespec *to, int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, to, uaddr2, val3);
}

static void *waiter(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&word, __ATOMIC_SEQ_CST) == 0)
		futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return NULL;
}

static void *waiter2(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&release, __ATOMIC_SEQ_CST))
		futex(&word2, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return NULL;
}

int main(void)
{
	ERR(futex(&word, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0), EAGAIN);
	struct timespec to = { 0, 20000000 };
	double t0 = check_now();
	ERR(futex(&word, FUTEX_WAIT_PRIVATE, 0, &to, NULL, 0), ETIMEDOUT);
	CHECK(check_now() - t0 >= 0.019);
	SAY("wait: EAGAIN on mismatch, ETIMEDOUT after timeout\n");
	CHECK(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) == 0);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		ZERO(pthread_create(&t[i], NULL, waiter, NULL));
	while (started < 4)
		usleep(1000);
	usleep(20000);
	__atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
	long woken = futex(&word, FUTEX_WAKE_PRIVATE, 100, NULL, NULL, 0);
	for (int i = 0; i < 4; i++)
		ZERO(pthread_join(t[i], NULL));
	CHECK(woken >= 0 && woken <= 4);
	SAY("wake released 4 waiters\n");
	/* Requeue: wake one, move the rest to word (then wake them there). */
	started = 0;
	for (int i = 0; i < 4; i++)
		ZERO(pthread_create(&t[i], NULL, waiter2, NULL));
	while (started < 4)
		usleep(1000);
	usleep(50000);
	word = 0;
	long r = futex(&word2, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)3L, &word, 0);
	CHECK(r >= 1 && r <= 4);
	usleep(20000);
	release = 1;
	long r2 = futex(&word, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
	CHECK(r2 == r - 1);
	SAY("requeued waiters woken on the second word: %d\n", r2 == r - 1);
	futex(&word2, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
	for (int i = 0; i < 4; i++)
		ZERO(pthread_join(t[i], NULL));
	ERR(futex(&word2, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1L, &word, 5), EAGAIN);
	DONE();
}
