/* Time, randomness, instruction cache, debug output. */
#include "pal.h"
#include "linux/host.h"
#include "linux/vdso.h"

struct host_timespec {
	long sec, nsec;
};

int pal_host_time(uint32_t clock, uint64_t *ns)
{
	struct host_timespec ts;
	/* DK_CLOCK_* have the host's clock ids: REALTIME 0, MONOTONIC 1,
	 * PROCESS_CPUTIME_ID 2, THREAD_CPUTIME_ID 3. */
	int id = (int)clock;
	long rc = pal_vdso_clock_gettime && id < 2 ? pal_vdso_clock_gettime(id, &ts)
						   : HOST(clock_gettime, id, &ts);
	if (HOST_IS_ERR(rc))
		return pal_dk_error(rc);
	*ns = (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
	return 0;
}

int pal_host_random(void *buf, size_t size)
{
	char *p = buf;
	while (size) {
		long n = HOST(getrandom, p, size, 0);
		if (n == -4 /* EINTR */)
			continue;
		if (HOST_IS_ERR(n))
			return pal_dk_error(n);
		p += n;
		size -= (size_t)n;
	}
	return 0;
}

/* x86 keeps instruction caches coherent with stores; a serialising
 * instruction makes sure this thread sees code it has just written. */
int pal_host_icache_flush(const void *addr, size_t size)
{
	unsigned a = 0, b, c = 0, d;
	(void)addr, (void)size;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d)::"memory");
	return 0;
}

int pal_host_debug_print(const char *text, size_t len)
{
	while (len) {
		long n = HOST(write, 2, text, len);
		if (n == -4)
			continue;
		if (HOST_IS_ERR(n))
			return pal_dk_error(n);
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

void pal_print(const char *text, size_t len)
{
	pal_host_debug_print(text, len);
}

void pal_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = rt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pal_print(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void pal_die(const char *fmt, ...)
{
	char buf[512];
	size_t n = rt_strlcpy(buf, "moat: pal: ", sizeof(buf));
	va_list ap;
	va_start(ap, fmt);
	rt_vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	n = strlen(buf);
	buf[n++] = '\n';
	pal_print(buf, n);
	HOST(exit_group, 127);
	__builtin_unreachable();
}
