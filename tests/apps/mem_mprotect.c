/* mprotect: a write to a read-only page faults with SEGV_ACCERR at the right address. */
#include "check.h"
#include <setjmp.h>
#include <sys/mman.h>

static sigjmp_buf env;
static volatile void *fault_addr;
static volatile int fault_code, faults;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	fault_addr = si->si_addr;
	fault_code = si->si_code;
	faults++;
	siglongjmp(env, 1);
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	SYS(sigaction(SIGSEGV, &sa, NULL));
	char *p = PSYS(mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	memset(p, 'a', 4 * pg);
	SYS(mprotect(p + pg, pg, PROT_READ));
	CHECK(p[pg + 5] == 'a');
	SAY("read from read-only page: %c\n", p[pg + 5]);
	if (!sigsetjmp(env, 1)) {
		*(volatile char *)(p + pg + 100) = 'b';
		SAY("write did not fault\n");
		CHECK(0);
	}
	CHECK(faults == 1);
	CHECK(fault_addr == p + pg + 100);
	CHECK(fault_code == SEGV_ACCERR);
	SAY("write fault: code %s, address matches %d\n", fault_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other", fault_addr == p + pg + 100);
	SYS(mprotect(p + pg, pg, PROT_NONE));
	if (!sigsetjmp(env, 1)) {
		(void)*(volatile char *)(p + pg + 7);
		CHECK(0);
	}
	CHECK(faults == 2 && fault_addr == p + pg + 7 && fault_code == SEGV_ACCERR);
	SAY("PROT_NONE read faults: %d\n", faults == 2);
	SYS(mprotect(p + pg, pg, PROT_READ | PROT_WRITE));
	p[pg + 100] = 'c';
	CHECK(p[pg + 100] == 'c' && p[pg + 101] == 'a');
	SAY("after restoring: %c%c\n", p[pg + 100], p[pg + 101]);
	ERR(mprotect(p + 1, pg, PROT_READ), EINVAL);
	/* Make a page executable and run code from it: mov eax, 42; ret */
	unsigned char code[] = { 0xb8, 42, 0, 0, 0, 0xc3 };
	memcpy(p + 3 * pg, code, sizeof(code));
	SYS(mprotect(p + 3 * pg, pg, PROT_READ | PROT_EXEC));
	int (*fn)(void) = (int (*)(void))(p + 3 * pg);
	int v = fn();
	CHECK(v == 42);
	SAY("generated code returned %d\n", v);
	SYS(munmap(p, 4 * pg));
	DONE();
}
