/* Touching unmapped memory raises SIGSEGV with SEGV_MAPERR and the address. */
#include "check.h"
#include <setjmp.h>
#include <sys/mman.h>

static sigjmp_buf env;
static void *volatile addr;
static volatile int code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	addr = si->si_addr;
	code = si->si_code;
	siglongjmp(env, 1);
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	SYS(sigaction(SIGSEGV, &sa, NULL));
	char *p = PSYS(mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	p[pg] = 1;
	SYS(munmap(p + pg, pg));
	if (!sigsetjmp(env, 1)) {
		(void)*(volatile char *)(p + pg + 16);
		CHECK(0);
	}
	CHECK(addr == p + pg + 16 && code == SEGV_MAPERR);
	SAY("unmapped read: %s, address matches %d\n", code == SEGV_MAPERR ? "SEGV_MAPERR" : "other", addr == p + pg + 16);
	if (!sigsetjmp(env, 1)) {
		*(volatile int *)16 = 1;
		CHECK(0);
	}
	CHECK(addr == (void *)16 && code == SEGV_MAPERR);
	SAY("null page write: address 16 %d\n", addr == (void *)16);
	p[0] = 2;
	CHECK(p[0] == 2);
	SAY("still running\n");
	DONE();
}
