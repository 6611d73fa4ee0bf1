/* The system call fast path: glibc wrappers (`mov $NR, %eax; syscall`)
 * called in hot loops.  In moat such a site is rewritten into a jump to the
 * library OS after it has trapped four times (libos/patch.c); this program checks
 * that the calls still behave, with signals landing at every point of the
 * way in (a 200 us interval timer), with a blocking waitpid interrupted
 * (EINTR without SA_RESTART, restarted with it), in threads created after the
 * rewrite, in a forked child, and inside a signal handler.  glibc's read
 * (`xor %eax, %eax; syscall; cmp ...`) is the other shape rewritten.  On
 * stderr it says whether getppid's and read's code changed (natively it
 * never does): moat's run must say both did. */
// moat-stderr: getppid site: rewritten, read site: rewritten
#include "check.h"
#include <pthread.h>
#include <sys/time.h>

static volatile int ticks;
static volatile int handler_calls_ok = 1;
static pid_t parent;

static void on_alarm(int sig)
{
	(void)sig;
	ticks++;
	if (getppid() != parent) /* a fast call inside a handler */
		handler_calls_ok = 0;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void *worker(void *arg)
{
	long bad = 0;
	for (int i = 0; i < 20000; i++)
		bad += getppid() != parent;
	*(long *)arg = bad;
	return NULL;
}

/* A waitpid (glibc's wait4 site: `mov $61, %eax; syscall`) that the
 * child's SIGUSR1 interrupts 20 ms before it exits with 7; 1 if waitpid
 * gave EINTR (then it waits again). */
static int interrupted_wait(int restart)
{
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = restart ? SA_RESTART : 0};
	sigaction(SIGUSR1, &sa, NULL);
	pid_t me = getpid();
	pid_t kid = FORK();
	if (kid == 0) {
		usleep(20000);
		kill(me, SIGUSR1);
		usleep(20000);
		_exit(7);
	}
	int st = 0;
	errno = 0;
	pid_t r = waitpid(kid, &st, 0);
	int eintr = r == -1 && errno == EINTR;
	if (eintr)
		r = waitpid(kid, &st, 0);
	CHECK(r == kid && WIFEXITED(st) && WEXITSTATUS(st) == 7);
	CHECK(eintr == !restart);
	return eintr;
}

int main(void)
{
	alarm(20);
	parent = getppid();
	unsigned char before = *(volatile unsigned char *)(void *)getppid;
	unsigned char read_before[32];
	memcpy(read_before, (void *)read, sizeof(read_before));
	int zero = SYS(open("/dev/zero", O_RDONLY));
	long zeros = 0;

	/* Hot loop with a timer signal every 200 us. */
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
	SYS(sigaction(SIGALRM, &sa, NULL));
	struct itimerval it = {{0, 200}, {0, 200}};
	SYS(setitimer(ITIMER_REAL, &it, NULL));
	long bad = 0, calls = 0, iters = 0;
	double t0 = check_now();
	while (ticks < 200 && check_now() - t0 < 10) {
		for (int i = 0; i < 1000; i++) {
			char c = 1;
			bad += getppid() != parent;
			zeros += read(zero, &c, 1) == 1 && c == 0;
			if (i % 16 == 0) /* the vDSO's clock too: it runs library OS code */
				bad += check_now() < t0;
			iters++;
		}
		calls += 1000;
	}
	struct itimerval off = {{0, 0}, {0, 0}};
	SYS(setitimer(ITIMER_REAL, &off, NULL));
	CHECK(ticks >= 200);
	/* iters: a register the loop keeps must come back intact from every
	 * call and every signal, or the count goes wrong (or never ends). */
	CHECK(bad == 0 && handler_calls_ok && zeros == calls && iters == calls);
	if (bad || !handler_calls_ok || zeros != calls || iters != calls)
		fprintf(stderr, "bad %ld, handler calls ok %d, zeros %ld, iterations %ld, calls %ld\n",
			bad, handler_calls_ok, zeros, iters, calls);
	SAY("hot getppid and read loop under a 200 us timer: %s\n",
	    bad == 0 && handler_calls_ok && zeros == calls && iters == calls && ticks >= 200
		    ? "every result right"
		    : "wrong");

	/* Blocking waits, six times each: the site is rewritten on the way. */
	int e = 0, r = 0;
	for (int i = 0; i < 6; i++)
		e += interrupted_wait(0);
	for (int i = 0; i < 6; i++)
		r += interrupted_wait(1);
	SAY("waitpid interrupted: EINTR %d of 6 without SA_RESTART, %d of 6 with\n", e, r);

	/* Threads made after the rewrite. */
	pthread_t th[4];
	long tbad[4];
	for (int i = 0; i < 4; i++)
		ZERO(pthread_create(&th[i], NULL, worker, &tbad[i]));
	long all = 0;
	for (int i = 0; i < 4; i++) {
		ZERO(pthread_join(th[i], NULL));
		all += tbad[i];
	}
	CHECK(all == 0);
	SAY("four threads, 20000 calls each: %ld wrong\n", all);

	/* A forked child uses the rewritten sites too. */
	pid_t me = getpid();
	pid_t kid = FORK();
	if (kid == 0) {
		long wrong = 0;
		for (int i = 0; i < 20000; i++)
			wrong += getppid() != me;
		_exit(wrong ? 1 : 0);
	}
	CHECK(wait_status(kid) == 0);
	SAY("forked child, 20000 calls: status %d\n", 0);

	unsigned char after = *(volatile unsigned char *)(void *)getppid;
	int read_same = !memcmp(read_before, (void *)read, sizeof(read_before));
	fprintf(stderr, "getppid site: %s, read site: %s\n", before == after ? "unchanged" : "rewritten",
		read_same ? "unchanged" : "rewritten");
	DONE();
}
