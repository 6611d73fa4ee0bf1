/* clock_gettime on every clock, through the vDSO where it has one; gettimeofday, time. */
#include "check.h"
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>

int main(void)
{
	CHECK(getauxval(AT_SYSINFO_EHDR) != 0);
	SAY("vDSO present: %d\n", getauxval(AT_SYSINFO_EHDR) != 0);
	struct timespec rt, raw;
	SYS(clock_gettime(CLOCK_REALTIME, &rt));
	SYS(syscall(SYS_clock_gettime, CLOCK_REALTIME, &raw));
	CHECK(rt.tv_sec > 1600000000 && labs(raw.tv_sec - rt.tv_sec) <= 2);
	struct timeval tv;
	SYS(gettimeofday(&tv, NULL));
	CHECK(labs(tv.tv_sec - rt.tv_sec) <= 2);
	time_t t = time(NULL);
	CHECK(labs(t - rt.tv_sec) <= 2);
	SAY("realtime, gettimeofday and time agree\n");
	struct timespec prev, now;
	clock_gettime(CLOCK_MONOTONIC, &prev);
	int mono = 1;
	for (int i = 0; i < 100000; i++) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec < prev.tv_sec || (now.tv_sec == prev.tv_sec && now.tv_nsec < prev.tv_nsec)) mono = 0;
		prev = now;
	}
	CHECK(mono);
	SAY("monotonic over 100000 reads: %d\n", mono);
	clockid_t ids[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
			    CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct timespec ts, res;
		SYS(clock_gettime(ids[i], &ts));
		SYS(clock_getres(ids[i], &res));
		CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
		CHECK(res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 10000000);
	}
	SAY("8 clocks readable with resolutions\n");
	struct timespec cpu;
	SYS(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu));
	CHECK(cpu.tv_sec < 60);
	struct timespec x;
	ERR(clock_gettime(12345, &x), EINVAL);
	clockid_t cid;
	ZERO(clock_getcpuclockid(0, &cid));
	SYS(clock_gettime(cid, &x));
	SAY("errors and cpu clock ids ok\n");
	DONE();
}
