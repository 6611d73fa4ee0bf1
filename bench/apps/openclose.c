/* openclose PATH [N]: N pairs of open(PATH, O_RDONLY) + close.  PATH must
 * exist.  Prints "openclose NS_PER_PAIR". */
#include "app.h"
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : ".";
	uint64_t n = arg_count(argc, argv, 2, 200000);
	uint64_t t0 = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fail(path);
		close(fd);
	}
	report("openclose", t0, now_ns(), n);
	return 0;
}
