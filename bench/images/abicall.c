/*
 * The cost of single downcalls, in a tight loop timed with
 * DkSystemTimeQuery itself.  argv: MODE [ITERATIONS]
 *   time   DkSystemTimeQuery(DK_CLOCK_MONOTONIC): no kernel entry (vDSO)
 *   null   DkStreamWrite of 1 byte to "null:": no kernel entry
 *   yield  DkThreadYieldExecution: one sched_yield system call
 * Prints "MODE NS_PER_CALL".
 */
#include "bench.h"

__attribute__((visibility("default"))) int
LibOsInitialize(const struct dk_abi *abi, const struct dk_start_params *start,
		struct dk_upcalls *upcalls)
{
	const char *mode = start->argc > 1 ? start->argv[1] : "time";
	uint64_t n = arg_u64(start, 2, 10000000), t0, t1, t;
	(void)upcalls;
	dk = abi;
	if (abi->abi_version != DK_ABI_VERSION)
		return 125;
	if (!strcmp(mode, "time")) {
		t0 = now_ns();
		for (uint64_t i = 0; i < n; i++)
			if (dk->DkSystemTimeQuery(DK_CLOCK_MONOTONIC, &t) < 0)
				return 1;
		t1 = now_ns();
	} else if (!strcmp(mode, "null")) {
		DK_HANDLE h;
		char byte = 'x';
		if (dk->DkStreamOpen("null:", DK_ACCESS_WRITE, DK_CREATE_NEVER, 0, 0, &h) < 0)
			return 1;
		t0 = now_ns();
		for (uint64_t i = 0; i < n; i++) {
			size_t c = 1;
			if (dk->DkStreamWrite(h, 0, &byte, &c) < 0 || c != 1)
				return 1;
		}
		t1 = now_ns();
		dk->DkObjectClose(h);
	} else if (!strcmp(mode, "yield")) {
		t0 = now_ns();
		for (uint64_t i = 0; i < n; i++)
			if (dk->DkThreadYieldExecution() < 0)
				return 1;
		t1 = now_ns();
	} else {
		say("usage: abicall time|null|yield [ITERATIONS]\n");
		return 2;
	}
	report(mode, t1 - t0, n);
	return 0;
}
