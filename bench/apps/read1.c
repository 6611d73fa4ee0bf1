/*
 * read1 PATH [N]: N read(2) calls of one byte each from PATH.
 *   read1 /dev/zero 1000000
 *   read1 FILE 1000000    FILE (created if missing, N bytes long) is read
 *                         front to back, from the page cache
 * Prints "read1 NS_PER_READ".
 */
#include "app.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void make_file(const char *path, uint64_t n)
{
	struct stat st;
	if (stat(path, &st) == 0 && (uint64_t)st.st_size >= n)
		return;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		fail(path);
	static char buf[65536];
	memset(buf, 'x', sizeof buf);
	for (uint64_t left = n; left;) {
		size_t k = left < sizeof buf ? left : sizeof buf;
		if (write(fd, buf, k) != (ssize_t)k)
			fail("write");
		left -= k;
	}
	close(fd);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/zero";
	uint64_t n = arg_count(argc, argv, 2, 1000000);
	if (strncmp(path, "/dev/", 5))
		make_file(path, n);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail(path);
	char byte;
	uint64_t t0 = now_ns();
	for (uint64_t i = 0; i < n; i++)
		if (read(fd, &byte, 1) != 1)
			fail("read");
	uint64_t t1 = now_ns();
	close(fd);
	report("read1", t0, t1, n);
	return 0;
}
