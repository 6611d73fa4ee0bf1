/* An unhandled SIGSEGV ends the process: status 139. */
// expect-exit: 139
#include "check.h"
#include <sys/resource.h>

int main(void)
{
	struct rlimit no = { 0, 0 };
	setrlimit(RLIMIT_CORE, &no);
	printf("about to fault\n");
	*(volatile int *)8 = 1;
	printf("not reached\n");
	return 0;
}
