/* getrusage, times and clock count the CPU time a busy loop used. */
#include "check.h"
#include <sys/resource.h>
#include <sys/times.h>

int main(void)
{
	struct tms t0, t1;
	clock_t c0 = clock();
	clock_t r0 = times(&t0);
	CHECK(r0 != (clock_t)-1);
	/* Busy until the process has used 0.15 s of CPU by its own clock (a
	 * wall-clock loop gets too little of it on a loaded machine); 5 s at
	 * most, and then the checks below say the clocks did not move. */
	volatile unsigned long x = 0;
	struct timespec cs, cn;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cs);
	double start = check_now();
	do {
		for (int i = 0; i < 100000; i++) x += i;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cn);
	} while ((cn.tv_sec - cs.tv_sec) + (cn.tv_nsec - cs.tv_nsec) / 1e9 < 0.15 &&
		 check_now() - start < 5);
	clock_t r1 = times(&t1);
	clock_t c1 = clock();
	CHECK(r1 > r0);
	CHECK(t1.tms_utime + t1.tms_stime > t0.tms_utime + t0.tms_stime);
	CHECK(c1 - c0 >= CLOCKS_PER_SEC / 10);
	SAY("times and clock advanced\n");
	struct rusage ru;
	SYS(getrusage(RUSAGE_SELF, &ru));
	double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	CHECK(cpu >= 0.1 && cpu < 100);
	CHECK(ru.ru_maxrss > 0);
	SAY("getrusage: cpu >= 0.1 s %d, maxrss > 0 %d\n", cpu >= 0.1, ru.ru_maxrss > 0);
	SYS(getrusage(RUSAGE_THREAD, &ru));
	SYS(getrusage(RUSAGE_CHILDREN, &ru));
	CHECK(ru.ru_utime.tv_sec == 0 && ru.ru_utime.tv_usec == 0);
	ERR(getrusage(99, &ru), EINVAL);
	DONE();
}
