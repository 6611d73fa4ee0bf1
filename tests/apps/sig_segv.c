/* A SIGSEGV handler reads si_addr and si_code, then siglongjmps out, many times. */
#include "check.h"
#include <setjmp.h>
#include <sys/mman.h>

static sigjmp_buf env;
static void *volatile addr;
static volatile int code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	CHECK(sig == SIGSEGV && si->si_signo == SIGSEGV);
	addr = si->si_addr;
	code = si->si_code;
	siglongjmp(env, 1);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	SYS(sigaction(SIGSEGV, &sa, NULL));
	char *ro = PSYS(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	int ok = 0;
	for (int i = 0; i < 100; i++) {
		char *target = (i % 2) ? ro + i : (char *)(uintptr_t)(0x1000 + i);
		if (!sigsetjmp(env, 1)) {
			*(volatile char *)target = 1;
			CHECK(0);
		} else if (addr == target && code == ((i % 2) ? SEGV_ACCERR : SEGV_MAPERR)) {
			ok++;
		}
	}
	CHECK(ok == 100);
	SAY("100 faults caught with the right address and code: %d\n", ok);
	/* The mask was restored by siglongjmp: SIGSEGV is not blocked. */
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(!sigismember(&cur, SIGSEGV));
	/* With savemask 0 the handler's mask stays: block check. */
	if (!sigsetjmp(env, 0)) {
		*(volatile char *)ro = 1;
	}
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(sigismember(&cur, SIGSEGV));
	SAY("sigsetjmp(env, 0) keeps the handler mask: %d\n", sigismember(&cur, SIGSEGV));
	/* A fault on a non-canonical address reports SI_KERNEL with address 0. */
	sigprocmask(SIG_UNBLOCK, &cur, NULL);
	if (!sigsetjmp(env, 1)) {
		*(volatile char *)0x8000000000000000UL = 1;
		CHECK(0);
	}
	CHECK(code == SI_KERNEL && addr == NULL);
	SAY("non-canonical: SI_KERNEL %d\n", code == SI_KERNEL);
	DONE();
}
