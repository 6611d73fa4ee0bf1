/* stat PATH [N]: N stat(2) calls on PATH.  Prints "stat NS_PER_CALL". */
#include "app.h"
#include <sys/stat.h>

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : ".";
	uint64_t n = arg_count(argc, argv, 2, 200000);
	struct stat st;
	uint64_t t0 = now_ns();
	for (uint64_t i = 0; i < n; i++)
		if (stat(path, &st) < 0)
			fail(path);
	report("stat", t0, now_ns(), n);
	return 0;
}
