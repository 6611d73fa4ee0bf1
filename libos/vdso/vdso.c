/*
 * The vDSO the application sees (AT_SYSINFO_EHDR): a tiny freestanding
 * shared object exporting what glibc and others look up under LINUX_2.6.
 * Each function calls into the library OS through the table in the
 * "[vvar]" page the library OS maps just below this image (vdso.h): no
 * system call instruction, no trap, no relocation.  Built separately
 * (build/vdso.so) and embedded into libos.so (libos/vdso_image.S).
 */
#include "vdso.h"

#define EXPORT __attribute__((visibility("default")))

/* Defined by vdso.lds one page below the image; reached PC-relatively. */
extern const struct libos_vvar vvar_page __attribute__((visibility("hidden")));

EXPORT long __vdso_clock_gettime(long clk, void *ts)
{
	return vvar_page.clock_gettime(clk, ts);
}
EXPORT long __vdso_clock_getres(long clk, void *ts)
{
	return vvar_page.clock_getres(clk, ts);
}
EXPORT long __vdso_gettimeofday(void *tv, void *tz)
{
	return vvar_page.gettimeofday(tv, tz);
}
EXPORT long __vdso_time(long *t)
{
	return vvar_page.time(t);
}
EXPORT long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
	return vvar_page.getcpu(cpu, node, cache);
}

/* The plain names, as Linux's vDSO has them too. */
long clock_gettime(long, void *) __attribute__((weak, alias("__vdso_clock_gettime"), visibility("default")));
long clock_getres(long, void *) __attribute__((weak, alias("__vdso_clock_getres"), visibility("default")));
long gettimeofday(void *, void *) __attribute__((weak, alias("__vdso_gettimeofday"), visibility("default")));
long time(long *) __attribute__((weak, alias("__vdso_time"), visibility("default")));
long getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu"), visibility("default")));
