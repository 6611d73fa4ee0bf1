/*
 * Wake-up latency between two threads: the first thread sets event A and
 * waits on B, a second thread (DkThreadCreate) waits on A and sets B.  Both
 * are synchronization (auto-reset) events, waited on with DkObjectsWaitAny.
 * argv: [ROUND_TRIPS]  Prints "pingpong NS_PER_ROUND_TRIP".
 */
#include "bench.h"

static DK_HANDLE ping, pong;
static uint64_t rounds;
static volatile int failed;

static void responder(void *param)
{
	(void)param;
	for (uint64_t i = 0; i < rounds; i++) {
		if (dk->DkObjectsWaitAny(1, &ping, DK_WAIT_INFINITE, NULL) < 0 ||
		    dk->DkEventSet(pong) < 0) {
			failed = 1;
			dk->DkEventSet(pong);
			break;
		}
	}
	dk->DkThreadExit(0);
}

__attribute__((visibility("default"))) int
LibOsInitialize(const struct dk_abi *abi, const struct dk_start_params *start,
		struct dk_upcalls *upcalls)
{
	DK_HANDLE thread;
	uint64_t t0, t1;
	(void)upcalls;
	dk = abi;
	if (abi->abi_version != DK_ABI_VERSION)
		return 125;
	rounds = arg_u64(start, 1, 100000);
	if (dk->DkSynchronizationEventCreate(0, &ping) < 0 ||
	    dk->DkSynchronizationEventCreate(0, &pong) < 0)
		return 1;
	if (dk->DkThreadCreate(responder, NULL, 0, &thread) < 0)
		return 1;
	t0 = now_ns();
	for (uint64_t i = 0; i < rounds && !failed; i++) {
		if (dk->DkEventSet(ping) < 0 ||
		    dk->DkObjectsWaitAny(1, &pong, DK_WAIT_INFINITE, NULL) < 0)
			return 1;
	}
	t1 = now_ns();
	if (failed || dk->DkObjectsWaitAny(1, &thread, DK_WAIT_INFINITE, NULL) < 0)
		return 1;
	report("pingpong", t1 - t0, rounds);
	dk->DkObjectClose(thread);
	dk->DkObjectClose(ping);
	dk->DkObjectClose(pong);
	return 0;
}
