/* alarm and pause: the handler runs after about a second. */
#include "check.h"

static volatile int rang;
static void on_alarm(int sig) { (void)sig; rang++; }

int main(void)
{
	signal(SIGALRM, on_alarm);
	CHECK(alarm(5) == 0);
	unsigned left = alarm(1);
	CHECK(left >= 4 && left <= 5);
	double t0 = check_now();
	int r = pause();
	double dt = check_now() - t0;
	CHECK(r == -1 && errno == EINTR);
	CHECK(rang == 1);
	CHECK(dt > 0.8 && dt < 3);
	SAY("pause returned EINTR after the alarm: %d, rang %d\n", r == -1, rang);
	CHECK(alarm(0) == 0);
	alarm(10);
	CHECK(alarm(0) >= 9);
	SAY("alarm(0) cancels\n");
	DONE();
}
