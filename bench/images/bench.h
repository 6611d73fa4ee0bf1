/*
 * Shared helpers for the benchmark images: printing to stdout: and timing
 * with DkSystemTimeQuery.  Freestanding: only the Dk table and lib/rt.
 */
#ifndef MOAT_BENCH_H
#define MOAT_BENCH_H

#include <moat/dk.h>
#include <moat/rt.h>

static const struct dk_abi *dk;

static inline uint64_t now_ns(void)
{
	uint64_t t = 0;
	dk->DkSystemTimeQuery(DK_CLOCK_MONOTONIC, &t);
	return t;
}

__attribute__((unused)) static void say(const char *text)
{
	DK_HANDLE out;
	size_t len = strlen(text);
	if (dk->DkStreamOpen("stdout:", DK_ACCESS_WRITE, DK_CREATE_NEVER, 0, 0, &out) < 0)
		return;
	while (len) {
		size_t n = len;
		if (dk->DkStreamWrite(out, 0, text, &n) < 0)
			break;
		text += n;
		len -= n;
	}
	dk->DkObjectClose(out);
}

/* Prints "NAME NS" with NS = ns / ops to two decimals, the format
 * bench/run.sh parses (the same as the native drivers print). */
__attribute__((unused)) static void report(const char *name, uint64_t ns, uint64_t ops)
{
	char line[128];
	uint64_t centi = ops ? ns * 100 / ops : 0;
	rt_snprintf(line, sizeof(line), "%s %lu.%02lu\n", name, (unsigned long)(centi / 100),
		    (unsigned long)(centi % 100));
	say(line);
}

/* argv[i] as a count, or fallback if absent or malformed. */
__attribute__((unused)) static uint64_t arg_u64(const struct dk_start_params *start, int i, uint64_t fallback)
{
	uint64_t v;
	const char *end;
	if (start->argc <= i)
		return fallback;
	end = rt_parse_u64(start->argv[i], &v);
	return end && !*end && v ? v : fallback;
}

#endif
