/*
 * The page the library OS shares with the vDSO ("[vvar]"), just below the
 * vDSO image: a table of entry points into the library OS.  The vDSO's
 * functions call through it; they contain no system call instruction.
 * Included by the vDSO image (libos/vdso/vdso.c) and by libos/vdso.c.
 */
#ifndef MOAT_LIBOS_VDSO_H
#define MOAT_LIBOS_VDSO_H

#include <stdint.h>

#define LIBOS_VVAR_MAGIC 0x7276766174616f6dull /* "moatvvar" */
#define LIBOS_VVAR_SIZE 4096

/* Results as a raw Linux system call gives them: >= 0, or -errno. */
struct libos_vvar {
	uint64_t magic;
	long (*clock_gettime)(long clk, void *ts);
	long (*clock_getres)(long clk, void *ts);
	long (*gettimeofday)(void *tv, void *tz);
	long (*time)(long *t);
	long (*getcpu)(unsigned *cpu, unsigned *node, void *cache);
};

#endif
