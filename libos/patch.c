/*
 * The system call fast path: hot system call sites of the application are
 * rewritten into jumps to the library OS, so that they stop paying for a
 * trap (a host signal and its return, about 2.5 us) on every call.
 *
 * Most system calls in compiled code are the two instructions
 *     b8 NN NN NN NN    mov $NR, %eax
 *     0f 05             syscall
 * When such a site has trapped HOT times, the mov (5 bytes) becomes a jmp
 * to a trampoline of its own, in a page within reach of a rel32:
 *     lea SITE+7(%rip), %rcx    the return address, as syscall sets it
 *     mov $NR, %eax
 *     jmp *SLOT(%rip)           libos_fast_entry (entry.S), via the
 *                               page's first word (the library OS may
 *                               lie farther than 2 GiB away)
 * The syscall instruction itself stays: a jump straight to it, a restart
 * (rip - 2) and libos_fast_entry's own way out when the thread has no
 * library OS stack yet all trap as before.
 *
 * Rewriting is safe only when nothing else executes the bytes meanwhile,
 * so it happens only while the process has one thread; sites rewritten
 * earlier keep working for every thread.  Only a program's or a library's
 * text (a private file mapping, readable and executable) is rewritten,
 * never memory the application writes code into.  fork copies everything;
 * execve forgets it all with the old program's memory.
 */
#include "libos.h"
#include <linux/mman.h>

#define PAGE 4096ull
#define SITES 1024 /* trapped sites remembered (open addressing) */
#define HOT 4      /* traps at a site before it is rewritten: a rewrite costs
		    * about as much as two or three traps (four protection
		    * changes and a copied page), so a site must be hot */
#define TRAMP 32   /* bytes per trampoline; the page's first TRAMP hold the slot */
#define PER_PAGE (PAGE / TRAMP - 1)
#define PAGES 32
#define REACH (1ull << 30) /* well inside a rel32's 2 GiB */

void libos_fast_entry(void); /* entry.S */

static struct { uint64_t rip; uint32_t traps; } sites[SITES];
static struct { uint64_t base; uint32_t used; } pages[PAGES];

static bool one_thread(void)
{
	return libos_proc.threads && !libos_proc.threads->next;
}

/* The traps seen at rip so far, this one included; 0 when the table is full. */
static uint32_t count_trap(uint64_t rip)
{
	size_t i = (size_t)((rip * 0x9e3779b97f4a7c15ull) >> 54) % SITES;
	for (size_t n = 0; n < SITES; n++, i = (i + 1) % SITES) {
		if (sites[i].rip == rip)
			return ++sites[i].traps;
		if (!sites[i].rip) {
			sites[i].rip = rip;
			return sites[i].traps = 1;
		}
	}
	return 0;
}

/* Whether the 8 bytes before rip end in `mov $nr, %eax; syscall` with
 * nothing that could make the mov part of a longer instruction (a REX or
 * other prefix just before it). */
static bool plain_site(uint64_t rip, uint64_t nr)
{
	uint8_t b[8];
	if (libos_copy_from_user(b, (const void *)(rip - 8), sizeof(b)) < 0)
		return false;
	uint32_t imm = (uint32_t)b[2] | (uint32_t)b[3] << 8 | (uint32_t)b[4] << 16 |
		       (uint32_t)b[5] << 24;
	bool prefix = (b[0] >= 0x40 && b[0] <= 0x4f) || b[0] == 0x66 || b[0] == 0x67 ||
		      b[0] == 0xf0 || b[0] == 0xf2 || b[0] == 0xf3 || b[0] == 0x2e ||
		      b[0] == 0x36 || b[0] == 0x3e || b[0] == 0x26 || b[0] == 0x64 ||
		      b[0] == 0x65;
	return b[1] == 0xb8 && imm == nr && b[6] == 0x0f && b[7] == 0x05 && !prefix;
}

static void put32(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A free trampoline within reach of site: its address, or 0. */
static uint64_t tramp_slot(uint64_t site)
{
	int k = 0;
	for (; k < PAGES && pages[k].base; k++) {
		uint64_t b = pages[k].base;
		uint64_t dist = b > site ? b - site : site - b;
		if (dist < REACH && pages[k].used < PER_PAGE)
			return b + TRAMP * (1 + pages[k].used);
	}
	if (k == PAGES)
		return 0;
	uint64_t base;
	if (libos_mm_map_near(site, REACH - 2 * PAGE, PAGE, PROT_READ | PROT_EXEC,
			      "[moat-syscalls]", &base) < 0)
		return 0;
	uint64_t entry = (uint64_t)libos_fast_entry;
	if (libos_mm_write_text(base, &entry, sizeof(entry), false) < 0)
		return 0;
	pages[k].base = base;
	return base + TRAMP;
}

static void rewrite(uint64_t rip, uint64_t nr)
{
	uint64_t site = rip - 7, tramp = tramp_slot(site);
	if (!tramp)
		return;
	uint64_t base = tramp & ~(PAGE - 1);
	uint8_t code[18] = {0x48, 0x8d, 0x0d, 0, 0, 0, 0, 0xb8, 0, 0, 0, 0, 0xff, 0x25};
	put32(code + 3, rip - (tramp + 7));
	put32(code + 8, nr);
	put32(code + 14, base - (tramp + 18));
	if (libos_mm_write_text(tramp, code, sizeof(code), false) < 0)
		return;
	for (int k = 0; k < PAGES; k++)
		if (pages[k].base == base)
			pages[k].used++;
	uint8_t jmp[5] = {0xe9};
	put32(jmp + 1, tramp - (site + 5));
	libos_mm_write_text(site, jmp, sizeof(jmp), true);
}

void libos_patch_trapped(const struct libos_regs *f)
{
	if (!one_thread() || f->rax >= 1024)
		return;
	if (count_trap(f->rip) == HOT && plain_site(f->rip, f->rax))
		rewrite(f->rip, f->rax);
}

void libos_patch_exec(void)
{
	memset(sites, 0, sizeof(sites));
	memset(pages, 0, sizeof(pages));
}
