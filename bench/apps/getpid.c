/* getpid [N]: N raw getpid system calls (syscall(2), so glibc cannot cache
 * the result).  Prints "getpid NS_PER_CALL". */
#include "app.h"
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uint64_t n = arg_count(argc, argv, 1, 1000000);
	uint64_t t0 = now_ns();
	for (uint64_t i = 0; i < n; i++)
		if (syscall(SYS_getpid) <= 0)
			fail("getpid");
	report("getpid", t0, now_ns(), n);
	return 0;
}
