/*
 * ELF images: mapping an executable's segments with their protections
 * (DkStreamMapPeBinary, and the library OS image at start-up), and
 * relocating and linking a library OS image, which must be self-contained.
 * The file is untrusted input: every offset and size is checked against the
 * file's length before use, and failures carry a reason a person can read.
 */
#include "pal.h"
#include "linux/host.h"
#include "linux/ksig.h"
#include <linux/elf.h>
#include "linux/loader.h"
#include <linux/errno.h>
#include <linux/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#define MAX_PHDRS 64

struct host_stat_size { /* the part of struct stat we need */
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad;
	uint64_t rdev;
	int64_t size;
	uint64_t rest[11];
};

static int read_exact(int fd, void *buf, size_t n, uint64_t off)
{
	long rc = HOST(pread64, fd, buf, n, off);
	return rc == (long)n ? 0 : -1;
}

static int elf_prot(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

/* A file's first bytes, read in one call: the ELF header and, in nearly
 * every file, the program headers and the interpreter's path (1 KiB of
 * stack, where the program headers alone could take 3.5 KiB: each page
 * of stack a forked child writes is one more the host copies). */
#define HEAD_BYTES 1024
struct head {
	union {
		Elf64_Ehdr eh;
		char raw[HEAD_BYTES];
	};
	uint64_t n; /* bytes read */
};

/* size bytes at off: from the head if they lie there, else read. */
static int read_at_head(int fd, const struct head *h, void *buf, uint64_t size, uint64_t off)
{
	if (off <= h->n && size <= h->n - off) {
		memcpy(buf, h->raw + off, size);
		return 0;
	}
	return read_exact(fd, buf, size, off);
}

/* Reads and checks the header. */
static int read_headers(int fd, struct head *h, uint64_t *file_size, const char **why)
{
	struct host_stat_size st;
	if (HOST_IS_ERR(HOST(fstat, fd, &st)))
		return *why = "cannot query the file", -DK_E_IO;
	*file_size = (uint64_t)st.size;
	long n = st.size < (int64_t)sizeof(h->eh) ? 0 : HOST(pread64, fd, h->raw, HEAD_BYTES, 0);
	Elf64_Ehdr *eh = &h->eh;
	if (HOST_IS_ERR(n) || n < (long)sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return *why = "not an ELF file", -DK_E_INVALID;
	h->n = (uint64_t)n;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64)
		return *why = "not an x86-64 ELF file", -DK_E_INVALID;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return *why = "not an executable or shared object", -DK_E_INVALID;
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || !eh->e_phnum || eh->e_phnum > MAX_PHDRS)
		return *why = "bad program header table", -DK_E_INVALID;
	uint64_t ph_size = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (eh->e_phoff > *file_size || ph_size > *file_size - eh->e_phoff)
		return *why = "truncated (program headers past the end of the file)",
		       -DK_E_INVALID;
	return 0;
}

/* Finds the span of the PT_LOAD segments and checks each against the file. */
static int load_span(const Elf64_Phdr *ph, int n, uint64_t file_size, uint64_t *lo,
		     uint64_t *hi, const char **why)
{
	*lo = UINT64_MAX, *hi = 0;
	for (int i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_filesz > ph[i].p_memsz || ph[i].p_offset > file_size ||
		    ph[i].p_filesz > file_size - ph[i].p_offset)
			return *why = "truncated (a segment lies past the end of the file)",
			       -DK_E_INVALID;
		if ((ph[i].p_vaddr - ph[i].p_offset) % PAL_PAGE ||
		    ph[i].p_vaddr + ph[i].p_memsz < ph[i].p_vaddr ||
		    ph[i].p_vaddr + ph[i].p_memsz > 0x7ff000000000ull)
			return *why = "bad segment address", -DK_E_INVALID;
		if (ph[i].p_vaddr < *lo)
			*lo = ph[i].p_vaddr;
		if (ph[i].p_vaddr + ph[i].p_memsz > *hi)
			*hi = ph[i].p_vaddr + ph[i].p_memsz;
	}
	if (*hi == 0)
		return *why = "no loadable segment", -DK_E_INVALID;
	*lo = PAL_ALIGN_DOWN(*lo, PAL_PAGE);
	*hi = PAL_ALIGN_UP(*hi, PAL_PAGE);
	return 0;
}

/* A random, 2 MiB-aligned address in the middle of the address space, so
 * the image's base does not depend on the host's mmap layout alone. */
static uint64_t random_base(uint64_t span)
{
	uint64_t r = 0;
	pal_host_random(&r, sizeof(r));
	uint64_t lo = 0x100000000000ull, hi = 0x600000000000ull - span;
	return PAL_ALIGN_DOWN(lo + r % (hi - lo), 2ull << 20);
}

/* mmap; one with MAP_FIXED_NOREPLACE, which an old kernel takes as a
 * hint, is undone when it lands elsewhere and counts as taken (-EEXIST). */
static long map_fixed(uint64_t at, uint64_t len, int prot, int flags, int fd, uint64_t off)
{
	long rc = HOST(mmap, at, len, prot, flags, fd, off);
	if (!HOST_IS_ERR(rc) && (flags & MAP_FIXED_NOREPLACE) && (uint64_t)rc != at) {
		HOST(munmap, rc, len);
		return -EEXIST;
	}
	return rc;
}

static int reserve(uint64_t want, uint64_t span, bool fixed, uint64_t *got)
{
	long p = map_fixed(want, span, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
				   (fixed ? MAP_FIXED_NOREPLACE : 0),
			   -1, 0);
	if (HOST_IS_ERR(p))
		return pal_dk_error(p);
	*got = (uint64_t)p;
	return 0;
}

/* The library OS's writable segment: anonymous memory with the file's
 * bytes read in, not a private mapping of the file.  Then it, its .bss and
 * the library OS's own mappings above (libos/util.c) are one host mapping,
 * which a fork copies once: each mapping with private pages costs about
 * 3.5 us between a fork and the child's exit. */
static int map_segment_anon(int fd, const Elf64_Phdr *p, uint64_t bias)
{
	uint64_t start = PAL_ALIGN_DOWN(p->p_vaddr, PAL_PAGE) + bias;
	uint64_t mem_end = PAL_ALIGN_UP(p->p_vaddr + p->p_memsz, PAL_PAGE) + bias;
	long rc = HOST(mmap, start, mem_end - start, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (HOST_IS_ERR(rc))
		return pal_dk_error(rc);
	if (p->p_filesz && read_exact(fd, (void *)(p->p_vaddr + bias), p->p_filesz, p->p_offset))
		return -DK_E_IO;
	return 0;
}

/* Maps one PT_LOAD segment at bias with fixed (MAP_FIXED or
 * MAP_FIXED_NOREPLACE); "writable" (a library OS image) keeps it writable
 * for relocation (the caller applies the final protections afterwards).
 * On failure nothing of the segment stays mapped. */
static int map_segment(int fd, const Elf64_Phdr *p, uint64_t bias, bool writable, int fixed)
{
	int prot = elf_prot(p->p_flags) | (writable ? PROT_WRITE | PROT_READ : 0);
	uint64_t start = PAL_ALIGN_DOWN(p->p_vaddr, PAL_PAGE) + bias;
	uint64_t file_end = p->p_vaddr + p->p_filesz + bias;
	uint64_t mem_end = PAL_ALIGN_UP(p->p_vaddr + p->p_memsz, PAL_PAGE) + bias;
	uint64_t off = PAL_ALIGN_DOWN(p->p_offset, PAL_PAGE), seg_start = start;
	long rc;
	if (writable && (p->p_flags & PF_W))
		return map_segment_anon(fd, p, bias);
	if (p->p_filesz) {
		uint64_t len = PAL_ALIGN_UP(file_end, PAL_PAGE) - start;
		/* Zero-fill the tail of the last file page: make it writable first. */
		int first_prot = p->p_memsz > p->p_filesz ? prot | PROT_WRITE : prot;
		rc = map_fixed(start, len, first_prot, pal_linux_private_file_flags(prot) | fixed, fd,
			       off);
		if (HOST_IS_ERR(rc))
			return pal_dk_error(rc);
		if (p->p_memsz > p->p_filesz && (file_end % PAL_PAGE))
			memset((void *)file_end, 0, PAL_PAGE - file_end % PAL_PAGE);
		if (first_prot != prot)
			HOST(mprotect, start, len, prot);
		start += len;
	}
	if (mem_end > start) { /* .bss beyond the file */
		rc = map_fixed(start, mem_end - start, prot, MAP_PRIVATE | MAP_ANONYMOUS | fixed, -1, 0);
		if (HOST_IS_ERR(rc)) {
			if (start > seg_start && fixed != MAP_FIXED) /* no reservation to fall back to */
				HOST(munmap, seg_start, start - seg_start);
			return pal_dk_error(rc);
		}
	}
	return 0;
}

/* Do the PT_LOAD segments cover [lo, hi) page after page, in order, with
 * no gap and no shared page?  Then each can go where nothing is yet, and
 * the image needs no reservation: one host mapping less to make, and none
 * for each segment's mapping to split and replace. */
static bool segments_tile(const Elf64_Phdr *ph, int n, uint64_t lo, uint64_t hi)
{
	uint64_t at = lo;
	for (int i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (PAL_ALIGN_DOWN(ph[i].p_vaddr, PAL_PAGE) != at)
			return false;
		at = PAL_ALIGN_UP(ph[i].p_vaddr + ph[i].p_memsz, PAL_PAGE);
	}
	return at == hi;
}

int pal_elf_map(int fd, void *hint, bool writable, struct dk_image_info *info, const char **why)
{
	struct head h;
	uint64_t file_size, lo, hi, base;
	int rc = read_headers(fd, &h, &file_size, why);
	if (rc < 0)
		return rc;
	const Elf64_Ehdr eh = h.eh;
	uint64_t ph_size = (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
	bool in_head = eh.e_phoff + ph_size <= h.n && eh.e_phoff % 8 == 0;
	Elf64_Phdr spill[in_head ? 1 : eh.e_phnum];
	const Elf64_Phdr *ph = in_head ? (const Elf64_Phdr *)(h.raw + eh.e_phoff) : spill;
	if (!in_head && read_exact(fd, spill, ph_size, eh.e_phoff))
		return *why = "cannot read the program headers", -DK_E_IO;
	rc = load_span(ph, eh.e_phnum, file_size, &lo, &hi, why);
	if (rc < 0)
		return rc;
	/* An image at its own addresses whose segments tile its span is mapped
	 * segment by segment where nothing is; the others inside a reservation. */
	bool tiled = eh.e_type == ET_EXEC && segments_tile(ph, eh.e_phnum, lo, hi);
	int fixed = tiled ? MAP_FIXED_NOREPLACE : MAP_FIXED;
	/* What a failure unmaps, [lo, undo_end): the reservation; tiled, the
	 * segments mapped so far (the rest may be another's). */
	uint64_t undo_end = tiled ? lo : hi;
	if (tiled) {
		base = 0;
	} else if (eh.e_type == ET_EXEC) { /* fixed addresses */
		rc = reserve(lo, hi - lo, true, &base);
		base = 0;
	} else {
		uint64_t want = hint ? (uint64_t)hint : random_base(hi - lo);
		rc = reserve(want, hi - lo, true, &base);
		if (rc == -DK_E_EXISTS && !hint)
			rc = reserve(0, hi - lo, false, &base);
		base -= lo;
	}
	if (rc < 0)
		return *why = "cannot reserve address space for the image", rc;
	memset(info, 0, sizeof(*info));
	for (int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD) {
			rc = map_segment(fd, &ph[i], base, writable, fixed);
			if (rc == 0 && tiled)
				undo_end = PAL_ALIGN_UP(ph[i].p_vaddr + ph[i].p_memsz, PAL_PAGE);
		} else if (ph[i].p_type == PT_PHDR)
			info->phdr = ph[i].p_vaddr + base;
		else if (ph[i].p_type == PT_INTERP && ph[i].p_filesz < sizeof(info->interp) &&
			 ph[i].p_offset + ph[i].p_filesz <= file_size)
			read_at_head(fd, &h, info->interp, ph[i].p_filesz, ph[i].p_offset);
		if (rc < 0) {
			if (undo_end > lo)
				HOST(munmap, lo + base, undo_end - lo);
			if (tiled && rc == -DK_E_EXISTS)
				return *why = "cannot reserve address space for the image", rc;
			return *why = "cannot map a segment", rc;
		}
	}
	info->interp[sizeof(info->interp) - 1] = 0;
	if (!info->phdr) /* headers inside the first segment, as is usual */
		for (int i = 0; i < eh.e_phnum; i++)
			if (ph[i].p_type == PT_LOAD && ph[i].p_offset <= eh.e_phoff &&
			    eh.e_phoff < ph[i].p_offset + ph[i].p_filesz)
				info->phdr = ph[i].p_vaddr + (eh.e_phoff - ph[i].p_offset) + base;
	info->base = base;
	info->start = lo + base;
	info->end = hi + base;
	info->entry = eh.e_entry + base;
	info->phnum = eh.e_phnum;
	info->phent = eh.e_phentsize;
	info->type = eh.e_type;
	return 0;
}

/* Re-applies each segment's own protections after relocation. */
static void protect_segments(const struct dk_image_info *info)
{
	const Elf64_Phdr *ph = (const void *)info->phdr;
	for (uint32_t i = 0; ph && i < info->phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		uint64_t s = PAL_ALIGN_DOWN(ph[i].p_vaddr, PAL_PAGE) + info->base;
		uint64_t e = PAL_ALIGN_UP(ph[i].p_vaddr + ph[i].p_memsz, PAL_PAGE) + info->base;
		HOST(mprotect, s, e - s, elf_prot(ph[i].p_flags));
	}
}

struct dyn_info {
	const Elf64_Rela *rela, *jmprel;
	uint64_t relasz, jmprelsz;
	const Elf64_Sym *symtab;
	const char *strtab;
	uint64_t strsz;
	uint64_t nsyms;
};

/* Inside [start, end) of the image? Dynamic entries are untrusted. */
static bool inside(const struct dk_image_info *info, uint64_t addr, uint64_t size)
{
	return addr >= info->start && addr <= info->end && size <= info->end - addr;
}

static uint64_t gnu_hash_nsyms(const uint32_t *gh, const struct dk_image_info *info)
{
	uint32_t nbuckets = gh[0], symoffset = gh[1], bloom_size = gh[2];
	const uint32_t *buckets = gh + 4 + bloom_size * 2;
	const uint32_t *chain = buckets + nbuckets;
	uint32_t last = 0;
	if (!inside(info, (uint64_t)buckets, (uint64_t)nbuckets * 4))
		return 0;
	for (uint32_t i = 0; i < nbuckets; i++)
		if (buckets[i] > last)
			last = buckets[i];
	if (last < symoffset)
		return symoffset;
	while (inside(info, (uint64_t)&chain[last - symoffset], 4) &&
	       !(chain[last - symoffset] & 1))
		last++;
	return last + 1;
}

static int read_dynamic(const struct dk_image_info *info, struct dyn_info *d, const char **why)
{
	const Elf64_Phdr *ph = (const void *)info->phdr;
	const Elf64_Dyn *dyn = NULL;
	memset(d, 0, sizeof(*d));
	for (uint32_t i = 0; ph && i < info->phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const void *)(ph[i].p_vaddr + info->base);
	if (!dyn || !inside(info, (uint64_t)dyn, sizeof(*dyn)))
		return *why = "no dynamic section (not a shared object?)", -DK_E_INVALID;
	for (; inside(info, (uint64_t)dyn, sizeof(*dyn)) && dyn->d_tag != DT_NULL; dyn++) {
		uint64_t v = dyn->d_un.d_val, a = v + info->base;
		switch (dyn->d_tag) {
		case DT_RELA: d->rela = (const void *)a; break;
		case DT_RELASZ: d->relasz = v; break;
		case DT_JMPREL: d->jmprel = (const void *)a; break;
		case DT_PLTRELSZ: d->jmprelsz = v; break;
		case DT_SYMTAB: d->symtab = (const void *)a; break;
		case DT_STRTAB: d->strtab = (const void *)a; break;
		case DT_STRSZ: d->strsz = v; break;
		case DT_HASH:
			if (inside(info, a, 8))
				d->nsyms = ((const uint32_t *)a)[1];
			break;
		case DT_GNU_HASH:
			if (!d->nsyms && inside(info, a, 16))
				d->nsyms = gnu_hash_nsyms((const void *)a, info);
			break;
		case DT_NEEDED:
			return *why = "depends on another shared object (an image must be "
				      "self-contained)", -DK_E_INVALID;
		}
	}
	if (!d->symtab || !d->strtab || !d->nsyms ||
	    !inside(info, (uint64_t)d->symtab, d->nsyms * sizeof(Elf64_Sym)) ||
	    !inside(info, (uint64_t)d->strtab, d->strsz) ||
	    (d->rela && !inside(info, (uint64_t)d->rela, d->relasz)) ||
	    (d->jmprel && !inside(info, (uint64_t)d->jmprel, d->jmprelsz)))
		return *why = "bad dynamic section", -DK_E_INVALID;
	return 0;
}

static const Elf64_Sym *symbol(const struct dyn_info *d, uint64_t i)
{
	return i < d->nsyms && d->symtab[i].st_name < d->strsz ? &d->symtab[i] : NULL;
}

static int relocate(const struct dk_image_info *info, const struct dyn_info *d,
		    const Elf64_Rela *r, uint64_t size, const char **why)
{
	for (uint64_t n = size / sizeof(*r); n--; r++) {
		uint64_t *where = (uint64_t *)(r->r_offset + info->base);
		uint32_t type = ELF64_R_TYPE(r->r_info);
		const Elf64_Sym *s = symbol(d, ELF64_R_SYM(r->r_info));
		if (type == R_X86_64_NONE)
			continue;
		if (!inside(info, (uint64_t)where, 8))
			return *why = "relocation outside the image", -DK_E_INVALID;
		if (type == R_X86_64_RELATIVE) {
			*where = info->base + (uint64_t)r->r_addend;
		} else if (type == R_X86_64_64 || type == R_X86_64_GLOB_DAT ||
			   type == R_X86_64_JUMP_SLOT) {
			uint64_t addend = type == R_X86_64_64 ? (uint64_t)r->r_addend : 0;
			if (s && s->st_shndx == SHN_UNDEF && ELF64_ST_BIND(s->st_info) == STB_WEAK) {
				*where = addend; /* an absent weak symbol is 0, as in ELF */
				continue;
			}
			if (!s || s->st_shndx == SHN_UNDEF)
				return *why = "undefined symbol (an image must be "
					      "self-contained)", -DK_E_INVALID;
			*where = info->base + s->st_value + addend;
		} else {
			return *why = "unsupported relocation type", -DK_E_INVALID;
		}
	}
	return 0;
}

static void *lookup(const struct dk_image_info *info, const struct dyn_info *d,
		    const char *name)
{
	size_t len = strlen(name);
	for (uint64_t i = 1; i < d->nsyms; i++) {
		const Elf64_Sym *s = symbol(d, i);
		if (s && s->st_shndx != SHN_UNDEF && ELF64_ST_TYPE(s->st_info) == STT_FUNC &&
		    d->strsz - s->st_name > len &&
		    !memcmp(d->strtab + s->st_name, name, len + 1))
			return (void *)(info->base + s->st_value);
	}
	return NULL;
}

int pal_elf_load_image(int fd, struct dk_image_info *info, void **entry, const char **why)
{
	struct dyn_info d;
	int rc = pal_elf_map(fd, NULL, true, info, why);
	if (rc < 0)
		return rc;
	if (info->type != ET_DYN) {
		*why = "not a shared object (a library OS image is built with -shared)";
		rc = -DK_E_INVALID;
	} else if ((rc = read_dynamic(info, &d, why)) == 0 &&
		   (rc = relocate(info, &d, d.rela, d.relasz, why)) == 0 &&
		   (rc = relocate(info, &d, d.jmprel, d.jmprelsz, why)) == 0) {
		*entry = lookup(info, &d, DK_LIBOS_ENTRY);
		if (!*entry) {
			*why = "no LibOsInitialize symbol";
			rc = -DK_E_NOT_FOUND;
		}
	}
	if (rc < 0) {
		HOST(munmap, info->start, info->end - info->start);
		return rc;
	}
	protect_segments(info);
	return 0;
}

int pal_host_map_image(struct pal_object *stream, void *hint, struct dk_image_info *info)
{
	const char *why;
	if (stream->fd < 0)
		return -DK_E_UNSUPPORTED;
	/* A new program (an exec) starts with the process's CPU mask, even
	 * when its predecessor forked just before (linux/process.c). */
	pal_linux_unpin(pal_tcb());
	return pal_elf_map(stream->fd, hint, false, info, &why);
}
