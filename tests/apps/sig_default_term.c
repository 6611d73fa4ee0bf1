/* A signal with the default action ends the process: status 128+15. */
// expect-exit: 143
#include "check.h"

int main(void)
{
	SAY("before\n");
	signal(SIGTERM, SIG_DFL);
	kill(getpid(), SIGTERM);
	SAY("after (must not print)\n");
	return 0;
}
