/*
 * Shared by the tests/apps programs.  Each program prints a deterministic
 * transcript (no pids, addresses, times or random values) and exits 0 when
 * every check held; a failed check prints "FAIL: file:line: what" and the
 * program ends with status 1 (unless it declares another expected status
 * with an "// expect-exit: N" line, see run.sh).
 */
#ifndef APPS_CHECK_H
#define APPS_CHECK_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static int check_fails;

static void check_fail(const char *file, int line, const char *what, int err)
{
	__atomic_add_fetch(&check_fails, 1, __ATOMIC_SEQ_CST);
	if (err)
		printf("FAIL: %s:%d: %s (errno %s)\n", file, line, what, strerrorname_np(err));
	else
		printf("FAIL: %s:%d: %s\n", file, line, what);
	fflush(stdout);
}

/* CHECK(cond): a plain assertion. */
#define CHECK(c) do { if (!(c)) check_fail(__FILE__, __LINE__, #c, 0); } while (0)
/* SYS(call): the call must not return -1; yields its value. */
#define SYS(x) ({ errno = 0; long _r = (long)(x); \
	if (_r == -1) { check_fail(__FILE__, __LINE__, #x, errno); } \
	_r; })
/* PSYS(call): the pointer-returning call must not fail (NULL or MAP_FAILED). */
#define PSYS(x) ({ errno = 0; void *_p = (void *)(x); \
	if (!_p || _p == (void *)-1) { check_fail(__FILE__, __LINE__, #x, errno); } \
	_p; })
/* ERR(call, E): the call must return -1 with errno E. */
#define ERR(x, e) do { errno = 0; long _r = (long)(x); int _e = errno; \
	if (!(_r == -1 && _e == (e))) { char _b[300]; \
		snprintf(_b, sizeof(_b), "%s: want -1 %s, got %ld %s", #x, \
			 strerrorname_np(e), _r, _r == -1 ? strerrorname_np(_e) : "-"); \
		check_fail(__FILE__, __LINE__, _b, 0); } } while (0)
/* ZERO(call): a pthread-style call that returns 0 or an error number. */
#define ZERO(x) do { int _e = (x); if (_e) check_fail(__FILE__, __LINE__, #x, _e); } while (0)

#define SAY(...) printf(__VA_ARGS__)
#define DONE() do { printf("result: %s\n", check_fails ? "failed" : "ok"); \
	return check_fails ? 1 : 0; } while (0)

/* Line-buffered stdout: a transcript survives a crash up to the last line. */
__attribute__((constructor)) static void check_init(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline double check_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
#endif
