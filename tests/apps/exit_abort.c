/* abort() ends the process by SIGABRT: status 134. */
// expect-exit: 134
#include "check.h"

int main(void)
{
	printf("aborting\n");
	fflush(stdout);
	abort();
}
