/* exit(3) ends the process with status 3 after running atexit handlers and flushing stdio. */
// expect-exit: 3
#include "check.h"

static void bye(void) { printf("atexit handler ran\n"); }

int main(void)
{
	atexit(bye);
	setvbuf(stdout, NULL, _IOFBF, 4096);
	printf("buffered line, flushed by exit\n");
	exit(3);
}
