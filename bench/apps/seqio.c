/*
 * seqio write PATH [MIB]: creates PATH and writes MIB MiB (default 256) to it
 *                         in 1 MiB write(2) calls, then closes it (no fsync:
 *                         this measures the path to the page cache, not the disk)
 * seqio read PATH:        reads PATH to the end in 1 MiB read(2) calls
 * Prints "seqio NS_PER_MIB" (the open and close are inside the timing).
 */
#include "app.h"
#include <fcntl.h>
#include <unistd.h>

#define CHUNK (1u << 20)

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	const char *path = argv[2];
	char *buf = malloc(CHUNK);
	if (!buf)
		fail("malloc");
	memset(buf, 'x', CHUNK);
	uint64_t mib = 0, t0 = now_ns();
	if (!strcmp(argv[1], "write")) {
		uint64_t n = arg_count(argc, argv, 3, 256);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			fail(path);
		for (; mib < n; mib++)
			for (size_t off = 0; off < CHUNK;) {
				ssize_t k = write(fd, buf + off, CHUNK - off);
				if (k <= 0)
					fail("write");
				off += (size_t)k;
			}
		if (close(fd) < 0)
			fail("close");
	} else {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fail(path);
		uint64_t bytes = 0;
		for (;;) {
			ssize_t k = read(fd, buf, CHUNK);
			if (k < 0)
				fail("read");
			if (k == 0)
				break;
			bytes += (uint64_t)k;
		}
		close(fd);
		mib = bytes >> 20;
		if (!mib)
			return 1;
	}
	report("seqio", t0, now_ns(), mib);
	return 0;
}
