/*
 * Native counterparts of bench/images/abicall.c, ordinary C with libc.
 * argv: MODE [ITERATIONS]
 *   clock   clock_gettime(CLOCK_MONOTONIC) (glibc, through the vDSO)
 *   getpid  a raw getpid system call (syscall(2)): one real kernel entry
 *   write   write(2) of 1 byte to /dev/null: a kernel entry that does nothing
 *   yield   sched_yield()
 * Prints "MODE NS_PER_CALL".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "clock";
	uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 0) : 10000000, t0, t1;
	if (!n)
		n = 10000000;
	if (!strcmp(mode, "clock")) {
		struct timespec ts;
		t0 = now_ns();
		for (uint64_t i = 0; i < n; i++)
			if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
				return 1;
		t1 = now_ns();
	} else if (!strcmp(mode, "getpid")) {
		t0 = now_ns();
		for (uint64_t i = 0; i < n; i++)
			if (syscall(SYS_getpid) < 0)
				return 1;
		t1 = now_ns();
	} else if (!strcmp(mode, "write")) {
		char byte = 'x';
		int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return 1;
		t0 = now_ns();
		for (uint64_t i = 0; i < n; i++)
			if (write(fd, &byte, 1) != 1)
				return 1;
		t1 = now_ns();
		close(fd);
	} else if (!strcmp(mode, "yield")) {
		t0 = now_ns();
		for (uint64_t i = 0; i < n; i++)
			if (sched_yield() < 0)
				return 1;
		t1 = now_ns();
	} else {
		fprintf(stderr, "usage: clock clock|getpid|write|yield [ITERATIONS]\n");
		return 2;
	}
	printf("%s %.2f\n", mode, (double)(t1 - t0) / (double)n);
	return 0;
}
