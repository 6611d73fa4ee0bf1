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
 *     mov $NR, %eax
 *     lea SITE+7(%rip), %rcx    the return address, as syscall sets it
 *     jmp *SLOT(%rip)           libos_fast_entry (entry.S), via the
 *                               page's first word (the library OS may
 *                               lie farther than 2 GiB away)
 * The syscall instruction itself stays: a jump straight to it, a restart
 * (rip - 2) and libos_fast_entry's own way out when the thread has no
 * library OS stack yet all trap as before.  glibc's read has another
 * shape, and so has its _exit (find_short below).
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

/* An entry belongs to the current program only if it carries the current
 * generation: execve forgets every site by moving to the next generation
 * instead of clearing 16 KiB, which a forked child would first have to copy
 * page by page. */
static struct { uint64_t rip; uint32_t traps, generation; } sites[SITES];
static uint32_t generation LIBOS_FORK_HOT = 1;
static struct { uint64_t base; uint32_t used; } pages[PAGES] LIBOS_FORK_HOT;

static bool one_thread(void)
{
	return libos_proc.threads && !libos_proc.threads->next;
}

/* The traps seen at rip so far, this one included; 0 when the table is full. */
static uint32_t count_trap(uint64_t rip)
{
	size_t i = (size_t)((rip * 0x9e3779b97f4a7c15ull) >> 54) % SITES;
	for (size_t k = 0; k < SITES; k++, i = (i + 1) % SITES) {
		if (sites[i].generation != generation) {
			sites[i].rip = rip;
			sites[i].generation = generation;
			return sites[i].traps = 1;
		}
		if (sites[i].rip == rip)
			return ++sites[i].traps;
	}
	return 0;
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

/* A trampoline being written. */
struct tramp {
	uint64_t at;         /* its address */
	uint8_t code[TRAMP];
	size_t len;
};

static void emit(struct tramp *t, const uint8_t *bytes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		t->code[t->len++] = bytes[i];
}

/* An instruction ending in a rel32 to target. */
static void emit_rel32(struct tramp *t, const uint8_t *op, size_t n, uint64_t target)
{
	emit(t, op, n);
	put32(t->code + t->len, target - (t->at + t->len + 4));
	t->len += 4;
}

/* lea RET(%rip), %rcx; jmp *SLOT(%rip): the fast entry, returning to ret. */
static void emit_enter(struct tramp *t, uint64_t ret)
{
	static const uint8_t lea_rcx[] = {0x48, 0x8d, 0x0d}, jmp_ind[] = {0xff, 0x25};
	emit_rel32(t, lea_rcx, sizeof(lea_rcx), ret);
	emit_rel32(t, jmp_ind, sizeof(jmp_ind), t->at & ~(PAGE - 1));
}

/* The shapes of site rewritten; rip is the address after the syscall
 * instruction.  find_* says where the 5-byte jmp goes (0: not this shape),
 * before any trampoline is taken; emit_* fills the trampoline. */

/* `mov $nr, %eax; syscall`, nothing before the mov that could make it
 * part of a longer instruction (a REX or other prefix).  The jmp replaces
 * the mov; the syscall instruction stays. */
static uint64_t find_mov(uint64_t rip, uint64_t nr)
{
	uint8_t b[8];
	if (libos_copy_from_user(b, (const void *)(rip - 8), sizeof(b)) < 0)
		return 0;
	uint32_t imm = (uint32_t)b[2] | (uint32_t)b[3] << 8 | (uint32_t)b[4] << 16 |
		       (uint32_t)b[5] << 24;
	bool prefix = (b[0] >= 0x40 && b[0] <= 0x4f) || b[0] == 0x66 || b[0] == 0x67 ||
		      b[0] == 0xf0 || b[0] == 0xf2 || b[0] == 0xf3 || b[0] == 0x2e ||
		      b[0] == 0x36 || b[0] == 0x3e || b[0] == 0x26 || b[0] == 0x64 ||
		      b[0] == 0x65;
	if (b[1] != 0xb8 || imm != nr || b[6] != 0x0f || b[7] != 0x05 || prefix)
		return 0;
	return rip - 7;
}

static void emit_mov(struct tramp *t, uint64_t rip, uint64_t nr)
{
	uint8_t mov[5] = {0xb8};
	put32(mov + 1, nr);
	emit(t, mov, sizeof(mov));
	emit_enter(t, rip);
}

/* Sites whose number is loaded by a 2-byte instruction, too short (with
 * the syscall) for the jmp, which then also covers the `cmp $-4096, %rax`
 * after them: glibc's read (`je/jne rel8; xor %eax, %eax; syscall; cmp`,
 * number 0) and _exit (`hlt; mov %esi, %eax; syscall; cmp`, the number in
 * %esi), each recognised by all of those bytes.  The load and the cmp
 * move into the trampoline: there the fast entry returns to the cmp,
 * after a syscall instruction of its own for restarts (rip - 2), and a
 * jmp goes back past it.  The bytes after the site's syscall change, so
 * no saved context may point there: the trapped call's own frame is moved
 * to the trampoline (emit_short's result), and nothing is done while a
 * signal handler runs (its frame holds a context).  *load: the 2 bytes. */
static const uint8_t cmp_tail[] = {0x0f, 0x05, 0x48, 0x3d, 0x00, 0xf0, 0xff, 0xff};

static uint64_t find_short(uint64_t rip, uint64_t nr, uint8_t load[2])
{
	uint8_t b[12];
	if (libos_current()->handler_frames ||
	    libos_copy_from_user(b, (const void *)(rip - 6), sizeof(b)) < 0 ||
	    memcmp(b + 4, cmp_tail, sizeof(cmp_tail)))
		return 0;
	bool read = (b[0] == 0x74 || b[0] == 0x75) && b[2] == 0x31 && b[3] == 0xc0 && nr == 0;
	bool exit = b[1] == 0xf4 && b[2] == 0x89 && b[3] == 0xf0;
	if (!read && !exit)
		return 0;
	load[0] = b[2], load[1] = b[3];
	return rip - 4;
}

/* Returns where the trapped call now returns. */
static uint64_t emit_short(struct tramp *t, uint64_t rip, const uint8_t load[2])
{
	static const uint8_t jmp[] = {0xe9};
	emit(t, load, 2);
	uint64_t ret = t->at + t->len + 13 + 2; /* after the lea, the jmp and the syscall */
	emit_enter(t, ret);
	emit(t, cmp_tail, sizeof(cmp_tail));
	emit_rel32(t, jmp, sizeof(jmp), rip + 6);
	return ret;
}

/* Rewrites the site of a call whose syscall instruction ends at rip; the
 * call, if one is trapped there, now returns to the result (0: nothing
 * rewritten). */
static uint64_t rewrite_site(uint64_t rip, uint64_t nr)
{
	uint8_t load[2];
	uint64_t ret = rip, site = find_mov(rip, nr);
	bool read = !site && (site = find_short(rip, nr, load)) != 0;
	uint64_t at = site ? tramp_slot(site) : 0;
	if (!at)
		return 0;
	struct tramp t = {.at = at};
	if (read)
		ret = emit_short(&t, rip, load);
	else
		emit_mov(&t, rip, nr);
	if (libos_mm_write_text(at, t.code, t.len, false) < 0)
		return 0;
	uint64_t base = at & ~(PAGE - 1);
	for (int k = 0; k < PAGES; k++)
		if (pages[k].base == base)
			pages[k].used++;
	uint8_t jmp[5] = {0xe9};
	put32(jmp + 1, at - (site + 5));
	return libos_mm_write_text(site, jmp, sizeof(jmp), true) == 0 ? ret : 0;
}

static void rewrite(struct libos_regs *f)
{
	uint64_t ret = rewrite_site(f->rip, f->rax);
	if (ret)
		f->rip = ret;
}

/* ---- sites trapped in forked children -------------------------------------------
 * A forked child mostly traps a few times, then execs or exits: its sites
 * never get hot in it, yet they are its parent's code (glibc's fork and
 * exec paths, a shell's redirections), trapped again by every next child.
 * So a child reports where it trapped, in a page shared by every process
 * forked from the one that made it, with the identity of the program text
 * it trapped in (random, new at each exec); a process counts the reports
 * made in its own text as traps of its own (libos_patch_reports, before
 * each fork).  A report is only a hint: the site is rewritten only if its
 * bytes have a known shape, as after a trap of one's own.  An entry is
 * written between two changes of its seq (odd meanwhile), so that a reader
 * never takes half of one report with half of another. */
#define REPORTS 64
struct report {
	uint64_t seq, rip, text;
};
static struct reports {
	uint32_t next;
	struct report r[REPORTS];
} *reports;
static uint64_t text_id LIBOS_FORK_HOT;
static bool in_parents_text LIBOS_FORK_HOT; /* forked, not exec'd since */

void libos_patch_start(void)
{
	void *p = NULL;
	if (!reports && dk->DkVirtualMemoryAlloc(&p, PAGE, DK_MEM_RESERVE | DK_MEM_COMMIT |
						 DK_MEM_SHARED, DK_PROT_READ | DK_PROT_WRITE) == 0)
		reports = p;
}

/* A child whose mappings change may no longer have its parent's code
 * where its parent has it: it reports no more. */
void libos_patch_memory_changed(void)
{
	if (in_parents_text)
		in_parents_text = false;
}

void libos_patch_new_text(uint64_t random)
{
	text_id = random | 1; /* never 0: an empty entry's */
}

/* The number a site's bytes say it makes if they have a shape rewrite_site
 * knows (find_mov's immediate; 0 for find_short's, whose load the
 * trampoline repeats), or -1. */
static long site_number(uint64_t rip)
{
	uint8_t b[4], load[2];
	if (libos_copy_from_user(b, (const void *)(rip - 6), sizeof(b)) < 0)
		return -1;
	uint32_t imm = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		       (uint32_t)b[3] << 24;
	if (find_mov(rip, imm))
		return imm;
	return find_short(rip, 0, load) ? 0 : -1;
}

static void report(uint64_t rip)
{
	struct report *r = &reports->r[__atomic_fetch_add(&reports->next, 1, __ATOMIC_RELAXED) %
				       REPORTS];
	uint64_t seq = __atomic_load_n(&r->seq, __ATOMIC_RELAXED);
	if (seq & 1 || !__atomic_compare_exchange_n(&r->seq, &seq, seq + 1, false,
						    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return; /* another writer has it: this report is lost, no harm */
	__atomic_store_n(&r->rip, rip, __ATOMIC_RELAXED);
	__atomic_store_n(&r->text, text_id, __ATOMIC_RELAXED);
	__atomic_store_n(&r->seq, seq + 2, __ATOMIC_RELEASE);
}

/* Takes the report in r if it is one of this text's: its rip, or 0. */
static uint64_t take(struct report *r)
{
	uint64_t seq = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE);
	if (seq & 1 || __atomic_load_n(&r->text, __ATOMIC_RELAXED) != text_id)
		return 0;
	uint64_t rip = __atomic_load_n(&r->rip, __ATOMIC_RELAXED);
	/* Claimed by making it odd; emptied (text 0) before it is even again. */
	if (!__atomic_compare_exchange_n(&r->seq, &seq, seq + 1, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return 0;
	__atomic_store_n(&r->text, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&r->seq, seq + 2, __ATOMIC_RELEASE);
	return rip;
}

void libos_patch_reports(void)
{
	if (!reports || !one_thread())
		return;
	for (int i = 0; i < REPORTS; i++) {
		uint64_t rip = take(&reports->r[i]);
		long nr = rip ? site_number(rip) : -1;
		if (nr >= 0 && nr < 1024 && count_trap(rip) == HOT)
			rewrite_site(rip, (uint64_t)nr);
	}
}

/* Traps this process has taken since its fork or exec: the first few
 * are not counted.  Counting writes to the sites table (16 KiB), and a
 * forked child that only execs or exits (a trap or two) would copy a page
 * of it for each trap; a longer-lived one counts from the next trap on. */
#define UNCOUNTED 4
static uint32_t recent_traps LIBOS_FORK_HOT;

void libos_patch_fork_child(void)
{
	recent_traps = 0;
	if (reports && !in_parents_text)
		in_parents_text = true;
}

void libos_patch_trapped(struct libos_regs *f)
{
	if (!one_thread() || f->rax >= 1024)
		return;
	if (recent_traps < UNCOUNTED) {
		recent_traps++;
		if (in_parents_text && site_number(f->rip) >= 0) /* (a shape it could rewrite) */
			report(f->rip);
		return;
	}
	for (int k = 0; k < PAGES && pages[k].base; k++)
		if (f->rip - pages[k].base < PAGE)
			return; /* a trampoline's own syscall instruction (a restart) */
	if (count_trap(f->rip) == HOT)
		rewrite(f);
}

void libos_patch_exec(void)
{
	generation++;
	recent_traps = 0;
	in_parents_text = false;
	memset(pages, 0, sizeof(pages));
}
