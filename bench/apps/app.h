/*
 * Shared helpers of the Linux-program drivers in bench/apps/.  These are
 * ordinary C programs built static with the host's glibc; bench/run.sh runs
 * each one natively, under `moat run` and under `runsc do`.  Each times its
 * own loop with clock_gettime(CLOCK_MONOTONIC) and prints "NAME NUMBER".
 */
#ifndef BENCH_APP_H
#define BENCH_APP_H
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* argv[i] as a count, or dflt if absent. */
static inline uint64_t arg_count(int argc, char **argv, int i, uint64_t dflt)
{
	uint64_t n = argc > i ? strtoull(argv[i], NULL, 0) : dflt;
	return n ? n : dflt;
}

static inline void fail(const char *what)
{
	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	exit(1);
}

/* Prints "NAME NS_PER_OP" for n operations between t0 and t1. */
static inline void report(const char *name, uint64_t t0, uint64_t t1, uint64_t n)
{
	printf("%s %.1f\n", name, (double)(t1 - t0) / (double)n);
}
#endif
