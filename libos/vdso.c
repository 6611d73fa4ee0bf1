/*
 * The vDSO the application sees (AT_SYSINFO_EHDR).
 *
 * The image (libos/vdso/, embedded by vdso_image.S) is copied once into
 * the application's address space, below it a "[vvar]" page holding a
 * table of entry points into this file.  The image's functions jump
 * through that table: clock_gettime, gettimeofday, time and getcpu run as
 * plain calls, on the application's stack, without a trap.  They reach the
 * host only through the Dk table, like the rest of the library OS.
 */
#include "libos.h"
#include "vdso/vdso.h"
#include <linux/elf.h>
#include <linux/mman.h>
#include <linux/time.h>

extern const char libos_vdso_image[] __attribute__((visibility("hidden")));
extern const char libos_vdso_image_end[] __attribute__((visibility("hidden")));

#ifndef R_X86_64_RELATIVE
#define R_X86_64_RELATIVE 8
#endif
#ifndef CLOCK_TAI
#define CLOCK_TAI 11
#endif
#define PAGE 4096ull
#define NSEC 1000000000ull


struct k_timespec {
	int64_t tv_sec, tv_nsec;
};
struct k_timeval {
	int64_t tv_sec, tv_usec;
};
struct k_timezone {
	int tz_minuteswest, tz_dsttime;
};

/* The Dk clock behind a Linux clock id, or -1. */
static int dk_clock(long clk)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_TAI: /* the kernel's TAI offset is 0 unless NTP sets it */
		return DK_CLOCK_REALTIME;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME: /* no suspend inside a picoprocess's view */
	case CLOCK_BOOTTIME_ALARM:
		return DK_CLOCK_MONOTONIC;
	default:
		return -1;
	}
}

/*
 * The entry points run in the application's thread, on its stack, called
 * from its code.  While one runs, the thread counts as "in the library OS"
 * (app_running = 0): a signal raised meanwhile is not delivered inside the
 * PAL's code but waits for the thread's next entry, as for the window in
 * libos_return_to_app.  Application memory is written with
 * libos_copy_to_user: a bad pointer gives -EFAULT.
 */
static struct libos_thread *enter(void)
{
	struct libos_thread *t = libos_current();
	if (t) {
		t->app_running = 0;
		/* No frame is being resumed: a raise that lands after leave()
		 * must not restore the last system call's frame. */
		t->resume_frame = NULL;
	}
	return t;
}

static long leave(struct libos_thread *t, long rc)
{
	if (t)
		t->app_running = 1;
	return rc;
}

static long now(int dc, uint64_t *ns)
{
	return libos_errno(dk->DkSystemTimeQuery((uint32_t)dc, ns));
}

static long vdso_clock_gettime(long clk, void *ts)
{
	struct libos_thread *t = enter();
	struct k_timespec v;
	uint64_t ns;
	long rc;
	int dc = dk_clock(clk);
	if (dc < 0) /* CPU-time clocks: the system call's own handler */
		return leave(t, libos_syscall(__NR_clock_gettime, clk, (long)ts, 0, 0, 0, 0));
	rc = now(dc, &ns);
	if (rc == 0) {
		v.tv_sec = (int64_t)(ns / NSEC);
		v.tv_nsec = (int64_t)(ns % NSEC);
		rc = libos_copy_to_user(ts, &v, sizeof(v));
	}
	return leave(t, rc);
}

static long vdso_clock_getres(long clk, void *ts)
{
	struct libos_thread *t = enter();
	if (dk_clock(clk) < 0)
		return leave(t, libos_syscall(__NR_clock_getres, clk, (long)ts, 0, 0, 0, 0));
	long rc = 0;
	if (ts) {
		/* The coarse clocks tick at the kernel's HZ (250 on Debian). */
		struct k_timespec v = {
			0, clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE ? 4000000 : 1
		};
		rc = libos_copy_to_user(ts, &v, sizeof(v));
	}
	return leave(t, rc);
}

static long vdso_gettimeofday(void *tv, void *tz)
{
	struct libos_thread *t = enter();
	long rc = 0;
	if (tv) {
		uint64_t ns;
		rc = now(DK_CLOCK_REALTIME, &ns);
		if (rc == 0) {
			struct k_timeval v = { (int64_t)(ns / NSEC), (int64_t)(ns % NSEC / 1000) };
			rc = libos_copy_to_user(tv, &v, sizeof(v));
		}
	}
	if (rc == 0 && tz) { /* the kernel's sys_tz: UTC unless someone set it */
		struct k_timezone z = { 0, 0 };
		rc = libos_copy_to_user(tz, &z, sizeof(z));
	}
	return leave(t, rc);
}

static long vdso_time(long *tp)
{
	struct libos_thread *t = enter();
	uint64_t ns;
	long rc = now(DK_CLOCK_REALTIME, &ns);
	if (rc == 0) {
		long s = (long)(ns / NSEC);
		rc = tp ? libos_copy_to_user(tp, &s, sizeof(s)) : 0;
		if (rc == 0)
			rc = s;
	}
	return leave(t, rc);
}

/* The host CPU and NUMA node, from TSC_AUX as Linux sets it (node << 12 |
 * cpu), when RDTSCP exists; otherwise CPU 0 on node 0. */
static int has_rdtscp = -1;

static long vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
	struct libos_thread *t = enter();
	uint32_t aux = 0;
	long rc = 0;
	(void)cache;
	if (has_rdtscp < 0) {
		uint32_t a, b, c, d;
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000u), "c"(0));
		int yes = 0;
		if (a >= 0x80000001u) {
			__asm__ volatile("cpuid"
					 : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
					 : "a"(0x80000001u), "c"(0));
			yes = (d >> 27) & 1;
		}
		has_rdtscp = yes;
	}
	if (has_rdtscp) {
		uint32_t lo, hi;
		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	}
	unsigned c = aux & 0xfff, n = aux >> 12;
	if (cpu)
		rc = libos_copy_to_user(cpu, &c, sizeof(c));
	if (rc == 0 && node)
		rc = libos_copy_to_user(node, &n, sizeof(n));
	return leave(t, rc);
}

/* Applies the image's relocations: R_X86_64_RELATIVE only (the image is
 * built to have none at all).  false if it has any other kind. */
static bool relocate(uint64_t base, size_t size)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_type != ET_DYN ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > size)
		return false;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)(base + ph[i].p_vaddr);
	if (!dyn)
		return false;
	uint64_t rela = 0, relasz = 0;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_RELA)
			rela = dyn->d_un.d_ptr;
		else if (dyn->d_tag == DT_RELASZ)
			relasz = dyn->d_un.d_val;
		else if (dyn->d_tag == DT_REL || dyn->d_tag == DT_JMPREL)
			return false;
	}
	if (rela + relasz > size)
		return false;
	for (const Elf64_Rela *r = (const Elf64_Rela *)(base + rela);
	     relasz >= sizeof(*r); r++, relasz -= sizeof(*r)) {
		if (ELF64_R_TYPE(r->r_info) != R_X86_64_RELATIVE || r->r_offset + 8 > size)
			return false;
		*(uint64_t *)(base + r->r_offset) = base + (uint64_t)r->r_addend;
	}
	return true;
}

static uint64_t vdso_base;

/* Maps "[vvar]" and "[vdso]"; 0 if that fails (no AT_SYSINFO_EHDR then). */
static uint64_t vdso_setup(void)
{
	size_t size = (size_t)(libos_vdso_image_end - libos_vdso_image);
	size_t span = (size + PAGE - 1) & ~(PAGE - 1);
	void *mem = NULL;
	if (dk->DkVirtualMemoryAlloc(&mem, LIBOS_VVAR_SIZE + span,
				     DK_MEM_RESERVE | DK_MEM_COMMIT,
				     DK_PROT_READ | DK_PROT_WRITE) < 0) {
		libos_log("vdso: no memory for the vDSO");
		return 0;
	}
	uint64_t vvar = (uint64_t)mem, base = vvar + LIBOS_VVAR_SIZE;
	memcpy((void *)base, libos_vdso_image, size);
	if (!relocate(base, size)) {
		libos_log("vdso: the vDSO image is not relocatable by R_X86_64_RELATIVE alone");
		dk->DkVirtualMemoryFree(mem, LIBOS_VVAR_SIZE + span, DK_MEM_RELEASE);
		return 0;
	}
	struct libos_vvar *v = mem;
	v->clock_gettime = vdso_clock_gettime;
	v->clock_getres = vdso_clock_getres;
	v->gettimeofday = vdso_gettimeofday;
	v->time = vdso_time;
	v->getcpu = vdso_getcpu;
	v->magic = LIBOS_VVAR_MAGIC;
	/* One host mapping for both, readable and executable: a fork copies
	 * each mapping with private pages at some 3.5 us.  The program is
	 * told [vvar] is read-only (/proc/self/maps, mprotect), and cannot
	 * write either page. */
	if (dk->DkVirtualMemoryProtect(mem, LIBOS_VVAR_SIZE + span,
				       DK_PROT_READ | DK_PROT_EXEC) < 0) {
		libos_log("vdso: cannot protect the vDSO");
		dk->DkVirtualMemoryFree(mem, LIBOS_VVAR_SIZE + span, DK_MEM_RELEASE);
		return 0;
	}
	libos_vma_add(vvar, base, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, LIBOS_VMA_VDSO, "[vvar]",
		      0);
	libos_vma_add(base, base + span, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		      LIBOS_VMA_VDSO, "[vdso]", 0);
	return base;
}

/* Mapped once per process, on first use; it survives exec (the
 * address-space teardown of exec must leave the [vvar] and [vdso] VMAs). */
uint64_t libos_vdso_base(void)
{
	uint64_t b = __atomic_load_n(&vdso_base, __ATOMIC_ACQUIRE);
	if (!b) {
		b = vdso_setup();
		__atomic_store_n(&vdso_base, b, __ATOMIC_RELEASE);
	}
	return b;
}
