/* sched_getaffinity agrees with the processor count; scheduling calls work. */
#include "check.h"
#include <sched.h>
#include <sys/sysinfo.h>

int main(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	SYS(sched_getaffinity(0, sizeof(set), &set));
	int n = CPU_COUNT(&set);
	CHECK(n >= 1);
	CHECK(n == get_nprocs());
	CHECK(sysconf(_SC_NPROCESSORS_ONLN) == n);
	SAY("affinity count matches nprocs: %d\n", n == get_nprocs());
	SYS(sched_setaffinity(0, sizeof(set), &set));
	SYS(sched_yield());
	CHECK(sched_getscheduler(0) == SCHED_OTHER);
	struct sched_param sp;
	SYS(sched_getparam(0, &sp));
	CHECK(sp.sched_priority == 0);
	CHECK(sched_get_priority_max(SCHED_OTHER) == 0);
	CHECK(sched_getcpu() >= 0);
	SAY("scheduler: SCHED_OTHER, priority %d\n", sp.sched_priority);
	long r = sched_getaffinity(0, 1, &set);
	CHECK(r == -1 && errno == EINVAL);
	DONE();
}
