/* getppid [N]: N getppid calls through glibc's wrapper, whose call site
 * (`mov $NR, %eax; syscall`) moat's fast path rewrites after four traps,
 * unlike getpid's syscall(2) site.  Prints "getppid NS_PER_CALL". */
#include "app.h"
#include <unistd.h>

int main(int argc, char **argv)
{
	uint64_t n = arg_count(argc, argv, 1, 1000000);
	uint64_t t0 = now_ns();
	for (uint64_t i = 0; i < n; i++)
		if (getppid() < 0)
			fail("getppid");
	report("getppid", t0, now_ns(), n);
	return 0;
}
