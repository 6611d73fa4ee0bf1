/*
 * Finds __vdso_clock_gettime in the host's vDSO so DkSystemTimeQuery costs
 * what clock_gettime costs natively, and __vdso_getcpu (the CPU a fork
 * starts its child on).  The vDSO is read-only host code with
 * no system call on its fast path; if it is missing we fall back to the
 * real call.
 */
#include "pal.h"
#include "linux/vdso.h"
#include <linux/elf.h>

long (*pal_vdso_clock_gettime)(int clock, void *ts);
long (*pal_vdso_getcpu)(unsigned *cpu, unsigned *node, void *cache);
static uint64_t vdso_start, vdso_end;

bool pal_vdso_contains(uint64_t addr)
{
	return addr >= vdso_start && addr < vdso_end;
}

static const Elf64_Dyn *find_dynamic(const Elf64_Ehdr *eh, uint64_t *bias)
{
	const Elf64_Phdr *ph = (const void *)((const char *)eh + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	*bias = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
			*bias = (uint64_t)eh - ph[i].p_vaddr;
			vdso_start = (uint64_t)eh;
			vdso_end = vdso_start + PAL_ALIGN_UP(ph[i].p_memsz, PAL_PAGE);
		}
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const void *)ph[i].p_vaddr; /* unbiased for now */
	}
	return dyn ? (const void *)((uint64_t)dyn + *bias) : NULL;
}

void pal_vdso_init(void *base)
{
	const Elf64_Ehdr *eh = base;
	const Elf64_Sym *sym = NULL;
	const char *str = NULL;
	const uint32_t *hash = NULL;
	uint64_t bias;
	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return;
	const Elf64_Dyn *d = find_dynamic(eh, &bias);
	for (; d && d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_SYMTAB)
			sym = (const void *)(d->d_un.d_ptr + bias);
		else if (d->d_tag == DT_STRTAB)
			str = (const void *)(d->d_un.d_ptr + bias);
		else if (d->d_tag == DT_HASH)
			hash = (const void *)(d->d_un.d_ptr + bias);
	}
	if (!sym || !str || !hash)
		return;
	for (uint32_t i = 0; i < hash[1]; i++) { /* hash[1]: number of symbols */
		if (!sym[i].st_shndx)
			continue;
		if (!strcmp(str + sym[i].st_name, "__vdso_clock_gettime"))
			pal_vdso_clock_gettime = (void *)(sym[i].st_value + bias);
		else if (!strcmp(str + sym[i].st_name, "__vdso_getcpu"))
			pal_vdso_getcpu = (void *)(sym[i].st_value + bias);
	}
}
