/* setitimer ITIMER_REAL with an interval: ticks arrive, getitimer reports it. */
#include "check.h"
#include <sys/time.h>

static volatile int ticks;
static void on_alarm(int sig) { (void)sig; ticks++; }

int main(void)
{
	signal(SIGALRM, on_alarm);
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } }, cur;
	SYS(setitimer(ITIMER_REAL, &it, NULL));
	SYS(getitimer(ITIMER_REAL, &cur));
	CHECK(cur.it_interval.tv_usec == 20000 && cur.it_value.tv_usec <= 20000);
	double t0 = check_now();
	while (ticks < 5 && check_now() - t0 < 5)
		pause();
	double dt = check_now() - t0;
	CHECK(ticks >= 5 && dt >= 0.08);
	SAY("5 ticks: %d\n", ticks >= 5);
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	SYS(setitimer(ITIMER_REAL, &off, &cur));
	CHECK(cur.it_interval.tv_usec == 20000);
	int seen = ticks;
	usleep(100000);
	CHECK(ticks == seen);
	SAY("stopped\n");
	/* ITIMER_VIRTUAL counts user CPU time. */
	signal(SIGVTALRM, on_alarm);
	ticks = 0;
	struct itimerval v = { { 0, 0 }, { 0, 10000 } };
	SYS(setitimer(ITIMER_VIRTUAL, &v, NULL));
	volatile unsigned long x = 0;
	t0 = check_now();
	while (!ticks && check_now() - t0 < 5)
		x++;
	CHECK(ticks == 1);
	SAY("ITIMER_VIRTUAL fired: %d\n", ticks);
	DONE();
}
