#ifndef MOAT_PAL_LINUX_VDSO_H
#define MOAT_PAL_LINUX_VDSO_H

/* The host vDSO's clock_gettime (no kernel entry), or NULL. */
extern long (*pal_vdso_clock_gettime)(int clock, void *ts);
/* The host vDSO's getcpu (no kernel entry), or NULL. */
extern long (*pal_vdso_getcpu)(unsigned *cpu, unsigned *node, void *cache);
void pal_vdso_init(void *vdso_base);
/* Is addr inside the host vDSO's code? */
bool pal_vdso_contains(uint64_t addr);

#endif
