/* sigaltstack: SA_ONSTACK handlers run on the alternate stack, even after a stack overflow. */
#include "check.h"
#include <setjmp.h>
#include <sys/resource.h>

static char *alt;
static size_t altsize = 64 * 1024;
static volatile int on_alt, hits;
static sigjmp_buf env;

static void on_sig(int sig)
{
	int local;
	on_alt = (char *)&local >= alt && (char *)&local < alt + altsize;
	stack_t cur;
	sigaltstack(NULL, &cur);
	if (!(cur.ss_flags & SS_ONSTACK)) on_alt = 0;
	hits++;
	if (sig == SIGSEGV)
		siglongjmp(env, 1);
}

static int depth;
__attribute__((noinline)) static int recurse(int n)
{
	volatile char pad[4096];
	pad[0] = (char)n;
	depth++;
	return recurse(n + 1) + pad[0];
}

int main(void)
{
	alt = malloc(altsize);
	stack_t ss = { .ss_sp = alt, .ss_size = altsize, .ss_flags = 0 }, old;
	SYS(sigaltstack(&ss, &old));
	CHECK(old.ss_flags & SS_DISABLE);
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = SA_ONSTACK };
	SYS(sigaction(SIGUSR1, &sa, NULL));
	SYS(raise(SIGUSR1));
	CHECK(hits == 1 && on_alt);
	SAY("handler on the alternate stack: %d\n", on_alt);
	sa.sa_flags = 0;
	SYS(sigaction(SIGUSR2, &sa, NULL));
	SYS(raise(SIGUSR2));
	CHECK(hits == 2 && !on_alt);
	SAY("without SA_ONSTACK: on the normal stack %d\n", !on_alt);
	/* Overflow an 8 MiB stack: the handler still runs. */
	struct rlimit rl = { 8 << 20, 8 << 20 };
	setrlimit(RLIMIT_STACK, &rl);
	sa.sa_flags = SA_ONSTACK;
	SYS(sigaction(SIGSEGV, &sa, NULL));
	if (!sigsetjmp(env, 1)) {
		recurse(0);
		CHECK(0);
	}
	CHECK(hits == 3 && on_alt && depth > 100);
	SAY("stack overflow caught on the alternate stack: %d\n", on_alt);
	ss.ss_size = 100;
	ERR(sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_flags = SS_DISABLE;
	SYS(sigaltstack(&ss, NULL));
	SYS(sigaltstack(NULL, &old));
	CHECK(old.ss_flags & SS_DISABLE);
	DONE();
}
