/* Integer division by zero raises SIGFPE with FPE_INTDIV; the handler jumps out. */
#include "check.h"
#include <setjmp.h>

static sigjmp_buf env;
static volatile int code, hits;
static void *volatile addr;

static void on_fpe(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	code = si->si_code;
	addr = si->si_addr;
	hits++;
	siglongjmp(env, 1);
}

__attribute__((noinline)) static int divide(volatile int a, volatile int b) { return a / b; }

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_fpe, .sa_flags = SA_SIGINFO };
	SYS(sigaction(SIGFPE, &sa, NULL));
	volatile int zero = 0;
	if (!sigsetjmp(env, 1)) {
		int r = divide(10, zero);
		SAY("no fault: %d\n", r);
		CHECK(0);
	}
	CHECK(hits == 1 && code == FPE_INTDIV && addr != NULL);
	SAY("divide by zero: FPE_INTDIV %d\n", code == FPE_INTDIV);
	if (!sigsetjmp(env, 1)) {
		int r = divide(-2147483647 - 1, -1);
		SAY("no fault: %d\n", r);
		CHECK(0);
	}
	CHECK(hits == 2);
	SAY("INT_MIN / -1 faults too: %d\n", hits == 2);
	if (!sigsetjmp(env, 1)) {
		raise(SIGFPE);
		CHECK(0);
	}
	CHECK(hits == 3 && code == SI_TKILL);
	SAY("raise(SIGFPE): SI_TKILL %d\n", code == SI_TKILL);
	DONE();
}
