/*
 * Memory: mmap, munmap, mprotect, mremap, madvise, brk, msync, mincore, and
 * the library OS's own list of the application's mappings (the VMA list),
 * which feeds /proc/self/maps and, later, checkpoints.
 *
 * The list is a sorted array of non-overlapping ranges under one lock; the
 * lock is also held across the Dk calls that change the address space, so
 * that the list and the host's mappings change together.
 *
 * Anonymous memory is DkVirtualMemoryAlloc'd (RESERVE|COMMIT); file
 * mappings are real DkStreamMap mappings of the file's stream (MAP_SHARED
 * writes reach the file), and the VMA keeps a reference to the stream for
 * msync, madvise and mremap.  MAP_SHARED|MAP_ANONYMOUS is plain anonymous
 * memory: with one process per picoprocess nobody else can see it (fork,
 * issue 5, will have to revisit this).
 */
#include "libos.h"
#include <linux/mman.h>
#include <asm-generic/fcntl.h>

#define PAGE 4096ull
#define PAGE_UP(x) (((uint64_t)(x) + PAGE - 1) & ~(PAGE - 1))
#define USER_TOP 0x800000000000ull
#define MMAP_MIN_ADDR 0x10000ull

/* [addr, addr + len) wraps around or reaches past user space. */
static bool past_user(uint64_t addr, uint64_t len)
{
	return addr + len > USER_TOP || addr + len < addr;
}

struct vma {
	uint64_t start, end;
	int prot;          /* PROT_* */
	int flags;         /* MAP_SHARED or MAP_PRIVATE, | MAP_ANONYMOUS */
	int kind;          /* LIBOS_VMA_* */
	char *name;        /* owned; NULL for none */
	uint64_t offset;   /* file offset of start */
	DK_HANDLE stream;  /* referenced stream for file mappings, or NONE */
	uint64_t dev, inode;
	int on_fork;       /* VMA_DONTFORK, VMA_WIPEONFORK (madvise) */
};
#define VMA_DONTFORK 1   /* a forked child does not get it */
#define VMA_WIPEONFORK 2 /* a forked child gets it zero-filled */

#define vma_lock (libos_proc.locks.mm) /* on the page fork writes anyway */
static struct vma *vmas LIBOS_FORK_HOT;
static size_t nvmas LIBOS_FORK_HOT, capvmas LIBOS_FORK_HOT;

uint64_t libos_brk_start LIBOS_FORK_HOT;

static uint32_t dk_prot(int prot)
{
	return (prot & PROT_READ ? DK_PROT_READ : 0) | (prot & PROT_WRITE ? DK_PROT_WRITE : 0) |
	       (prot & PROT_EXEC ? DK_PROT_EXEC : 0);
}

/* ---- the list ------------------------------------------------------------------ */

/* Index of the first VMA whose end is above addr. */
static size_t vma_find(uint64_t addr)
{
	size_t lo = 0, hi = nvmas;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (vmas[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void vma_release(struct vma *v)
{
	libos_free(v->name);
	v->name = NULL;
	if (v->stream)
		dk->DkObjectClose(v->stream);
	v->stream = DK_HANDLE_NONE;
}

static bool vma_reserve(size_t extra)
{
	if (nvmas + extra <= capvmas)
		return true;
	size_t cap = capvmas ? capvmas * 2 : 64;
	while (cap < nvmas + extra)
		cap *= 2;
	struct vma *n = libos_realloc(vmas, cap * sizeof(*n));
	if (!n)
		return false;
	vmas = n;
	capvmas = cap;
	return true;
}

static void vma_insert_at(size_t i, const struct vma *v)
{
	if (!vma_reserve(1)) {
		libos_log("mm: out of memory for the mapping list");
		return;
	}
	memmove(&vmas[i + 1], &vmas[i], (nvmas - i) * sizeof(*vmas));
	vmas[i] = *v;
	nvmas++;
}

static void vma_delete_at(size_t i)
{
	vma_release(&vmas[i]);
	memmove(&vmas[i], &vmas[i + 1], (nvmas - i - 1) * sizeof(*vmas));
	nvmas--;
}

/* Makes addr a boundary: a VMA that strictly contains it is cut in two. */
static void vma_split_at(uint64_t addr)
{
	size_t i = vma_find(addr);
	if (i >= nvmas || vmas[i].start >= addr)
		return;
	struct vma right = vmas[i];
	right.start = addr;
	if (!(right.flags & MAP_ANONYMOUS) && right.kind == LIBOS_VMA_FILE)
		right.offset += addr - vmas[i].start;
	right.name = vmas[i].name ? libos_strdup(vmas[i].name) : NULL;
	if (right.stream)
		dk->DkObjectReference(right.stream);
	vmas[i].end = addr;
	vma_insert_at(i + 1, &right);
}

static void vma_remove_locked(uint64_t start, uint64_t end)
{
	libos_patch_memory_changed();
	vma_split_at(start);
	vma_split_at(end);
	size_t i = vma_find(start);
	while (i < nvmas && vmas[i].start < end)
		vma_delete_at(i);
}

static bool vma_same(const struct vma *a, const struct vma *b)
{
	if (a->prot != b->prot || a->flags != b->flags || a->kind != b->kind ||
	    a->on_fork != b->on_fork)
		return false;
	if (a->stream || b->stream)
		return false; /* file mappings: keep each as it was made */
	if (!a->name != !b->name)
		return false;
	return !a->name || strcmp(a->name, b->name) == 0;
}

/* Joins the VMA at i with equal neighbours. */
static void vma_merge_around(size_t i)
{
	if (i >= nvmas)
		return;
	if (i + 1 < nvmas && vmas[i].end == vmas[i + 1].start && vma_same(&vmas[i], &vmas[i + 1])) {
		vmas[i].end = vmas[i + 1].end;
		vma_delete_at(i + 1);
	}
	if (i > 0 && vmas[i - 1].end == vmas[i].start && vma_same(&vmas[i - 1], &vmas[i])) {
		vmas[i - 1].end = vmas[i].end;
		vma_delete_at(i);
	}
}

/* Takes ownership of v->name and v->stream. */
static void vma_add_locked(struct vma *v)
{
	vma_remove_locked(v->start, v->end);
	size_t i = vma_find(v->start);
	vma_insert_at(i, v);
	vma_merge_around(i);
}

static bool vma_overlaps(uint64_t start, uint64_t end)
{
	size_t i = vma_find(start);
	return i < nvmas && vmas[i].start < end;
}

/* Whether [start, end) is fully covered by VMAs. */
static bool vma_covered(uint64_t start, uint64_t end)
{
	size_t i = vma_find(start);
	uint64_t at = start;
	while (at < end) {
		if (i >= nvmas || vmas[i].start > at)
			return false;
		at = vmas[i].end;
		i++;
	}
	return true;
}

void libos_vma_add(uint64_t start, uint64_t end, int prot, int flags, int kind,
		   const char *name, uint64_t offset)
{
	start &= ~(PAGE - 1);
	end = PAGE_UP(end);
	if (end <= start)
		return;
	struct vma v = { .start = start, .end = end, .prot = prot, .flags = flags,
			 .kind = kind, .offset = offset };
	if (kind != LIBOS_VMA_FILE)
		v.flags |= MAP_ANONYMOUS;
	v.name = name ? libos_strdup(name) : NULL;
	libos_lock(&vma_lock);
	vma_add_locked(&v);
	libos_unlock(&vma_lock);
}

void libos_vma_remove(uint64_t start, uint64_t end)
{
	start &= ~(PAGE - 1);
	end = PAGE_UP(end);
	if (end <= start)
		return;
	libos_lock(&vma_lock);
	vma_remove_locked(start, end);
	libos_unlock(&vma_lock);
}

bool libos_mm_check(uint64_t addr, size_t len, int prot)
{
	if (len == 0)
		return true;
	if (past_user(addr, len))
		return false;
	bool ok = true;
	libos_lock(&vma_lock);
	size_t i = vma_find(addr);
	uint64_t at = addr, end = addr + len;
	while (at < end) {
		if (i >= nvmas || vmas[i].start > at || (vmas[i].prot & prot) != prot) {
			ok = false;
			break;
		}
		at = vmas[i].end;
		i++;
	}
	libos_unlock(&vma_lock);
	return ok;
}

static const char *vma_label(const struct vma *v)
{
	if (v->name)
		return v->name;
	switch (v->kind) {
	case LIBOS_VMA_HEAP: return "[heap]";
	case LIBOS_VMA_STACK: return "[stack]";
	case LIBOS_VMA_VDSO: return "[vdso]";
	default: return NULL;
	}
}

size_t libos_vma_format(char *buf, size_t size)
{
	size_t len = 0;
	char line[4096 + 128];
	libos_lock(&vma_lock);
	for (size_t i = 0; i < nvmas; i++) {
		const struct vma *v = &vmas[i];
		int n = rt_snprintf(line, sizeof(line), "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu",
				    (unsigned long)v->start, (unsigned long)v->end,
				    v->prot & PROT_READ ? 'r' : '-', v->prot & PROT_WRITE ? 'w' : '-',
				    v->prot & PROT_EXEC ? 'x' : '-',
				    (v->flags & MAP_TYPE) == MAP_SHARED ? 's' : 'p',
				    (unsigned long)v->offset, (unsigned)((v->dev >> 8) & 0xfff),
				    (unsigned)(v->dev & 0xff), (unsigned long)v->inode);
		if (n < 0)
			n = 0;
		const char *label = vma_label(v);
		if (label) {
			while (n < 73 && (size_t)n < sizeof(line) - 1)
				line[n++] = ' ';
			line[n] = 0;
			n += rt_snprintf(line + n, sizeof(line) - (size_t)n, "%s", label);
			if ((size_t)n >= sizeof(line) - 1)
				n = (int)sizeof(line) - 2;
		}
		line[n++] = '\n';
		line[n] = 0;
		if (len < size) {
			size_t room = size - len;
			memcpy(buf + len, line, (size_t)n < room ? (size_t)n : room);
		}
		len += (size_t)n;
	}
	libos_unlock(&vma_lock);
	if (size)
		buf[len < size ? len : size - 1] = 0;
	return len;
}

void libos_mm_init(void)
{
	/* The lock needs no set-up (its event is made on first contention). */
}

/* ---- mmap ---------------------------------------------------------------------- */

/* Makes [addr, addr + len) a fresh inaccessible reservation, replacing
 * whatever is there in one host step.  Replacing by releasing and mapping
 * again would leave a hole in between, and the library OS's own
 * allocations (the list's array grows while the old VMAs are cut out) may
 * be placed in it by the host, only to be overwritten by the new mapping. */
static long replace_reserve(uint64_t addr, uint64_t len)
{
	int rc = dk->DkVirtualMemoryFree((void *)addr, len, DK_MEM_DECOMMIT);
	return rc < 0 ? libos_errno(rc) : 0;
}

/* A private anonymous mapping this big asks for large pages (DK_MEM_LARGE):
 * a fork then copies a page-table entry per 2 MiB instead of per 4 KiB, so
 * that forking a process with a big heap costs little more than forking a
 * small one.  Smaller mappings do without, since a large page is all
 * backed once any of it is touched. */
#define LARGE_MAPPING (64ull << 20)

/* An anonymous mapping at *addr (exact if fixed, else a hint); reserved:
 * *addr is a replace_reserve'd range, to be committed in place.  shared:
 * MAP_SHARED, memory that stays shared with the children fork makes. */
static long map_anon(uint64_t *addr, uint64_t len, int prot, bool fixed, bool reserved,
		     bool shared)
{
	void *p = (void *)*addr;
	uint32_t kind = shared ? DK_MEM_SHARED : len >= LARGE_MAPPING ? DK_MEM_LARGE : 0;
	int rc;
	if (reserved) {
		if (!prot && !shared)
			return 0;
		rc = dk->DkVirtualMemoryAlloc(&p, len, DK_MEM_COMMIT | kind, dk_prot(prot));
		return rc < 0 ? libos_errno(rc) : 0;
	}
	if (p) {
		rc = dk->DkVirtualMemoryAlloc(&p, len, DK_MEM_RESERVE | DK_MEM_COMMIT | kind,
					      dk_prot(prot));
		if (rc >= 0) {
			*addr = (uint64_t)p;
			return 0;
		}
		if (fixed)
			return rc == -DK_E_EXISTS ? -EEXIST : libos_errno(rc);
	}
	p = NULL;
	rc = dk->DkVirtualMemoryAlloc(&p, len, DK_MEM_RESERVE | DK_MEM_COMMIT | kind,
				      dk_prot(prot));
	if (rc < 0)
		return rc == -DK_E_EXISTS ? -ENOMEM : libos_errno(rc);
	*addr = (uint64_t)p;
	return 0;
}

long libos_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off)
{
	int type = flags & MAP_TYPE;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	bool noreplace = (flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED);
	bool anon = flags & MAP_ANONYMOUS;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE)
		type = MAP_SHARED;
	if (len == 0 || (off & (PAGE - 1)))
		return -EINVAL;
	if (len > USER_TOP)
		return -ENOMEM;
	len = PAGE_UP(len);
	if (!anon && off + len < off)
		return -EOVERFLOW;
	prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
	if (fixed) {
		if (addr & (PAGE - 1))
			return -EINVAL;
		if (past_user(addr, len))
			return -ENOMEM;
	} else {
		addr &= ~(PAGE - 1);
		if (addr < MMAP_MIN_ADDR || past_user(addr, len))
			addr = 0;
	}

	struct libos_file *f = NULL;
	DK_HANDLE stream = DK_HANDLE_NONE;
	if (!anon) {
		f = libos_fd_get(fd);
		if (!f)
			return -EBADF;
		unsigned acc = f->flags & O_ACCMODE;
		if (acc == O_WRONLY || (type == MAP_SHARED && (prot & PROT_WRITE) && acc != O_RDWR)) {
			libos_file_put(f);
			return -EACCES;
		}
		long ok = libos_file_mmap_check(f, prot, type == MAP_SHARED);
		if (ok < 0) {
			libos_file_put(f);
			return ok;
		}
		if (!(f->ops && f->ops->mmap)) {
			stream = libos_file_stream(f);
			if (!stream) {
				libos_file_put(f);
				return -ENODEV;
			}
		}
	}

	long rc = 0;
	bool reserved = false;
	struct vma v = { .prot = prot, .flags = type | (anon ? MAP_ANONYMOUS : 0),
			 .kind = anon ? LIBOS_VMA_ANON : LIBOS_VMA_FILE };
	libos_lock(&vma_lock);
	if (fixed && noreplace && vma_overlaps(addr, addr + len)) {
		rc = -EEXIST;
		goto out;
	}
	if (!noreplace && addr && !fixed && vma_overlaps(addr, addr + len))
		addr = 0; /* the hint is taken */
	if (fixed && !noreplace) {
		/* Replace what is there (with no hole in between: see
		 * replace_reserve). */
		rc = replace_reserve(addr, len);
		if (rc < 0)
			goto out;
		reserved = true;
		vma_remove_locked(addr, addr + len);
	}
	if (anon) {
		rc = map_anon(&addr, len, prot, fixed, reserved, type == MAP_SHARED);
		if (rc < 0)
			goto fail;
	} else if (f->ops && f->ops->mmap) {
		void *a = (void *)addr;
		int mflags = noreplace ? flags & ~MAP_FIXED
			   : fixed ? (flags & ~MAP_FIXED_NOREPLACE) | MAP_FIXED : flags;
		rc = f->ops->mmap(f, &a, len, prot, mflags, off);
		if (rc < 0)
			goto fail;
		addr = (uint64_t)a;
		rc = 0;
	} else {
		uint32_t dkflags = type == MAP_SHARED ? DK_MAP_SHARED : DK_MAP_PRIVATE;
		void *a = (void *)addr;
		if (noreplace) {
			/* Claim the range first, so nothing unknown is replaced. */
			int r = dk->DkVirtualMemoryAlloc(&a, len, DK_MEM_RESERVE, DK_PROT_NONE);
			if (r < 0) {
				rc = r == -DK_E_EXISTS ? -EEXIST : libos_errno(r);
				goto out;
			}
		}
		if (fixed)
			dkflags |= DK_MAP_FIXED;
		int r = dk->DkStreamMap(stream, &a, dk_prot(prot), dkflags, off, len);
		if (r < 0) {
			if (noreplace)
				dk->DkVirtualMemoryFree(a, len, DK_MEM_RELEASE);
			rc = r == -DK_E_UNSUPPORTED || r == -DK_E_NOT_FOUND ? -ENODEV : libos_errno(r);
			goto fail;
		}
		addr = (uint64_t)a;
		if (dk->DkObjectReference(stream) >= 0)
			v.stream = stream;
		struct dk_stream_attr attr;
		if (dk->DkStreamAttributesQueryByHandle(stream, &attr) >= 0) {
			v.dev = attr.device;
			v.inode = attr.inode;
		}
	}
	v.start = addr;
	v.end = addr + len;
	v.offset = anon ? 0 : off;
	if (!anon && f->path)
		v.name = libos_strdup(f->path);
	vma_add_locked(&v);
	rc = (long)addr;
	goto out;
fail:
	if (reserved) /* what was there is gone already, as on Linux */
		dk->DkVirtualMemoryFree((void *)addr, len, DK_MEM_RELEASE);
out:
	libos_unlock(&vma_lock);
	if (f)
		libos_file_put(f);
	return rc;
}

LIBOS_SYSCALL(mmap)
{
	return libos_mmap((uint64_t)a0, (uint64_t)a1, (int)a2, (int)a3, (int)a4, (uint64_t)a5);
}

/* Calls fn on each part of [addr, addr + len) that no trampoline page
 * covers (vma_lock held), and stops at its first error.  The library OS
 * places those pages near the code they serve, in any hole, also one the
 * program punched in a mapping of its own; an munmap or mprotect of the
 * whole mapping goes around them, since the sites rewritten to jump there
 * would crash without them. */
static int around_trampolines(uint64_t addr, uint64_t len,
			      int (*fn)(uint64_t start, uint64_t end, int prot), int prot)
{
	uint64_t at = addr, end = addr + len;
	for (size_t i = vma_find(addr); i < nvmas && vmas[i].start < end; i++) {
		if (vmas[i].kind != LIBOS_VMA_TRAMPOLINE)
			continue;
		int rc = vmas[i].start > at ? fn(at, vmas[i].start, prot) : 0;
		if (rc < 0)
			return rc;
		at = vmas[i].end;
	}
	return at < end ? fn(at, end, prot) : 0;
}

static int unmap_part(uint64_t start, uint64_t end, int prot)
{
	(void)prot;
	int rc = dk->DkVirtualMemoryFree((void *)start, end - start, DK_MEM_RELEASE);
	if (rc >= 0)
		vma_remove_locked(start, end);
	return rc;
}

long libos_munmap(uint64_t addr, uint64_t len)
{
	if ((addr & (PAGE - 1)) || len == 0)
		return -EINVAL;
	len = PAGE_UP(len);
	if (past_user(addr, len))
		return -EINVAL;
	libos_lock(&vma_lock);
	int rc = around_trampolines(addr, len, unmap_part, 0);
	libos_unlock(&vma_lock);
	return rc < 0 ? libos_errno(rc) : 0;
}

LIBOS_SYSCALL(munmap)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	return libos_munmap((uint64_t)a0, (uint64_t)a1);
}

static int protect_part(uint64_t start, uint64_t end, int prot)
{
	/* The host decides (it knows every mapping, even ones the list lacks). */
	int rc = dk->DkVirtualMemoryProtect((void *)start, end - start, dk_prot(prot));
	if (rc < 0)
		return rc;
	libos_patch_memory_changed();
	vma_split_at(start);
	vma_split_at(end);
	size_t i = vma_find(start);
	size_t first = i;
	for (; i < nvmas && vmas[i].start < end; i++)
		vmas[i].prot = prot;
	/* Merge back what became equal again. */
	if (i > first) {
		vma_merge_around(i - 1);
		vma_merge_around(vma_find(start));
	}
	return 0;
}

LIBOS_SYSCALL(mprotect)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	uint64_t addr = (uint64_t)a0, len = (uint64_t)a1;
	int prot = (int)a2;
	if (addr & (PAGE - 1))
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
	len = PAGE_UP(len);
	if (len == 0)
		return 0;
	if (past_user(addr, len))
		return -ENOMEM;
	libos_lock(&vma_lock);
	int rc = around_trampolines(addr, len, protect_part, prot);
	libos_unlock(&vma_lock);
	if (rc == -DK_E_DENIED)
		return -EACCES;
	return rc < 0 ? libos_errno(rc) : 0;
}

/* Anonymous memory given back and committed again: it reads as zero. */
static void zero_anon(uint64_t addr, uint64_t len, int prot)
{
	dk->DkVirtualMemoryFree((void *)addr, len, DK_MEM_DECOMMIT);
	void *a = (void *)addr;
	if (prot)
		dk->DkVirtualMemoryAlloc(&a, len, DK_MEM_COMMIT, dk_prot(prot));
}

/* ---- mremap ---------------------------------------------------------------------- */

/* Maps a copy of v's kind at *addr (exact if fixed) for len bytes, whose
 * content corresponds to v's offset voff (for files).  The new range is
 * left with write access for the copy; the caller restores v->prot. */
static long mremap_new(const struct vma *v, uint64_t voff, uint64_t *addr, uint64_t len,
		       bool fixed)
{
	int prot = v->prot | PROT_READ | PROT_WRITE;
	if (!v->stream)
		return map_anon(addr, len, prot, fixed, fixed, false); /* fixed: replace_reserve'd */
	void *a = (void *)*addr;
	uint32_t flags = (v->flags & MAP_TYPE) == MAP_SHARED ? DK_MAP_SHARED : DK_MAP_PRIVATE;
	if ((v->flags & MAP_TYPE) == MAP_SHARED)
		prot = v->prot; /* no copy for shared mappings: the file has it */
	int rc = dk->DkStreamMap(v->stream, &a, dk_prot(prot), flags | (fixed ? DK_MAP_FIXED : 0),
				 v->offset + voff, len);
	if (rc < 0)
		return libos_errno(rc);
	*addr = (uint64_t)a;
	return 0;
}

LIBOS_SYSCALL(mremap)
{
	LIBOS_UNUSED_ARGS(a5);
	uint64_t old = (uint64_t)a0, old_len = (uint64_t)a1, new_len = (uint64_t)a2;
	int flags = (int)a3;
	uint64_t new_addr = (uint64_t)a4;
	if (old & (PAGE - 1))
		return -EINVAL;
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	old_len = PAGE_UP(old_len);
	new_len = PAGE_UP(new_len);
	if (new_len == 0 || new_len > USER_TOP)
		return -EINVAL;
	if (old_len == 0)
		return -EINVAL; /* duplicating a shared mapping: not supported */
	if ((flags & MREMAP_DONTUNMAP) && old_len != new_len)
		return -EINVAL;
	if (flags & MREMAP_FIXED) {
		if (new_addr & (PAGE - 1) || new_addr + new_len > USER_TOP)
			return -EINVAL;
		if (new_addr < old + old_len && old < new_addr + new_len)
			return -EINVAL;
	}

	long rc;
	libos_lock(&vma_lock);
	size_t i = vma_find(old);
	if (i >= nvmas || vmas[i].start > old || vmas[i].end < old + old_len) {
		rc = -EFAULT;
		goto out;
	}
	struct vma v = vmas[i];
	uint64_t voff = old - v.start; /* where the old range sits in v */

	if (!(flags & MREMAP_FIXED)) {
		if (new_len <= old_len) {
			if (new_len < old_len) {
				dk->DkVirtualMemoryFree((void *)(old + new_len), old_len - new_len,
							DK_MEM_RELEASE);
				vma_remove_locked(old + new_len, old + old_len);
			}
			rc = (long)old;
			goto out;
		}
		/* Grow in place if the next range is free. */
		uint64_t gstart = old + old_len, glen = new_len - old_len;
		if (gstart + glen <= USER_TOP && !vma_overlaps(gstart, gstart + glen)) {
			void *a = (void *)gstart;
			int r;
			if (!v.stream) {
				r = dk->DkVirtualMemoryAlloc(&a, glen, DK_MEM_RESERVE | DK_MEM_COMMIT,
							     dk_prot(v.prot));
			} else {
				r = dk->DkVirtualMemoryAlloc(&a, glen, DK_MEM_RESERVE, DK_PROT_NONE);
				if (r >= 0) {
					uint32_t fl = (v.flags & MAP_TYPE) == MAP_SHARED ? DK_MAP_SHARED
											 : DK_MAP_PRIVATE;
					r = dk->DkStreamMap(v.stream, &a, dk_prot(v.prot), fl | DK_MAP_FIXED,
							    v.offset + voff + old_len, glen);
					if (r < 0)
						dk->DkVirtualMemoryFree((void *)gstart, glen, DK_MEM_RELEASE);
				}
			}
			if (r >= 0) {
				struct vma n = v;
				n.start = gstart;
				n.end = gstart + glen;
				n.offset = v.stream ? v.offset + voff + old_len : 0;
				n.name = v.name ? libos_strdup(v.name) : NULL;
				if (n.stream)
					dk->DkObjectReference(n.stream);
				vma_add_locked(&n);
				rc = (long)old;
				goto out;
			}
		}
		if (!(flags & MREMAP_MAYMOVE)) {
			rc = -ENOMEM;
			goto out;
		}
		new_addr = 0;
	} else {
		/* Replaced with no hole in between (see replace_reserve). */
		rc = replace_reserve(new_addr, new_len);
		if (rc < 0)
			goto out;
		vma_remove_locked(new_addr, new_addr + new_len);
	}

	/* Move: a new mapping, the contents copied, the old one gone. */
	rc = mremap_new(&v, voff, &new_addr, new_len, flags & MREMAP_FIXED);
	if (rc < 0) {
		if (flags & MREMAP_FIXED)
			dk->DkVirtualMemoryFree((void *)new_addr, new_len, DK_MEM_RELEASE);
		goto out;
	}
	bool copy = !v.stream || (v.flags & MAP_TYPE) != MAP_SHARED;
	if (copy) {
		if (!(v.prot & PROT_READ))
			dk->DkVirtualMemoryProtect((void *)old, old_len, dk_prot(v.prot | PROT_READ));
		memcpy((void *)new_addr, (void *)old, old_len < new_len ? old_len : new_len);
		if ((v.prot | PROT_READ | PROT_WRITE) != v.prot)
			dk->DkVirtualMemoryProtect((void *)new_addr, new_len, dk_prot(v.prot));
	}
	if (flags & MREMAP_DONTUNMAP) {
		if (!v.stream) {
			zero_anon(old, old_len, v.prot);
		} else if (copy && !(v.prot & PROT_READ)) {
			dk->DkVirtualMemoryProtect((void *)old, old_len, dk_prot(v.prot));
		}
	} else {
		dk->DkVirtualMemoryFree((void *)old, old_len, DK_MEM_RELEASE);
	}
	struct vma n = v;
	n.start = new_addr;
	n.end = new_addr + new_len;
	n.offset = v.stream ? v.offset + voff : 0;
	n.name = v.name ? libos_strdup(v.name) : NULL;
	if (n.stream)
		dk->DkObjectReference(n.stream);
	if (!(flags & MREMAP_DONTUNMAP))
		vma_remove_locked(old, old + old_len);
	vma_add_locked(&n);
	rc = (long)new_addr;
out:
	libos_unlock(&vma_lock);
	return rc;
}

/* ---- madvise, msync, mincore ------------------------------------------------------- */

/* What a forked child gets of [start, end) (MADV_DONTFORK and friends);
 * vma_lock held.  The fork leaves such memory behind (DkProcessFork's
 * ranges, libos_mm_fork_ranges), and the child makes the wiped part anew
 * (libos_mm_fork_child).  WIPEONFORK is for private anonymous memory only,
 * as on Linux. */
static bool on_fork_used; /* set_on_fork has run: forks look for marks */

static long set_on_fork(uint64_t start, uint64_t end, int advice)
{
	size_t i;
	if (advice == MADV_WIPEONFORK)
		for (i = vma_find(start); i < nvmas && vmas[i].start < end; i++)
			if (vmas[i].stream || (vmas[i].flags & MAP_TYPE) != MAP_PRIVATE ||
			    vmas[i].kind == LIBOS_VMA_FILE)
				return -EINVAL;
	on_fork_used = true;
	vma_split_at(start);
	vma_split_at(end);
	for (i = vma_find(start); i < nvmas && vmas[i].start < end; i++) {
		int *m = &vmas[i].on_fork;
		*m = advice == MADV_DONTFORK	  ? *m | VMA_DONTFORK
		     : advice == MADV_DOFORK	  ? *m & ~VMA_DONTFORK
		     : advice == MADV_WIPEONFORK ? *m | VMA_WIPEONFORK
						  : *m & ~VMA_WIPEONFORK;
	}
	for (i = vma_find(start); i < nvmas && vmas[i].start <= end; i++)
		vma_merge_around(i);
	return 0;
}

/* The mappings pick() selects, as runs of mappings that touch: at most
 * max ranges (DkProcessFork's left-behind ones).  vma_lock held. */
static uint32_t ranges_of(struct dk_range *out, uint32_t max, bool (*pick)(const struct vma *))
{
	uint32_t n = 0;
	for (size_t i = 0; i < nvmas; i++) {
		const struct vma *v = &vmas[i];
		if (!pick(v))
			continue;
		if (n && out[n - 1].addr + out[n - 1].size == v->start)
			out[n - 1].size += v->end - v->start;
		else if (n < max)
			out[n++] = (struct dk_range){v->start, v->end - v->start};
		else
			break;
	}
	return n;
}

static bool marked_for_fork(const struct vma *v)
{
	return v->on_fork != 0;
}

uint32_t libos_mm_fork_ranges(struct dk_range *out, uint32_t max)
{
	if (!on_fork_used) /* (no walk of the list on every fork) */
		return 0;
	libos_lock(&vma_lock);
	uint32_t n = ranges_of(out, max, marked_for_fork);
	libos_unlock(&vma_lock);
	return n;
}

/* In a forked child: MADV_DONTFORK memory is not there, MADV_WIPEONFORK
 * memory is made anew, zero-filled, with its protection. */
void libos_mm_fork_child(void)
{
	libos_lock(&vma_lock);
	for (size_t i = nvmas; i-- > 0;) {
		struct vma *v = &vmas[i];
		if (!v->on_fork)
			continue;
		void *at = (void *)v->start;
		if ((v->on_fork & VMA_DONTFORK) ||
		    dk->DkVirtualMemoryAlloc(&at, v->end - v->start, DK_MEM_RESERVE | DK_MEM_COMMIT,
					     dk_prot(v->prot)) < 0)
			vma_delete_at(i);
	}
	libos_unlock(&vma_lock);
}

LIBOS_SYSCALL(madvise)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	uint64_t addr = (uint64_t)a0, len = (uint64_t)a1;
	int advice = (int)a2;
	if (addr & (PAGE - 1))
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_DONTNEED: case MADV_FREE: case MADV_REMOVE: case MADV_DONTFORK:
	case MADV_DOFORK: case MADV_MERGEABLE: case MADV_UNMERGEABLE: case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP: case MADV_WIPEONFORK:
	case MADV_KEEPONFORK: case MADV_COLD: case MADV_PAGEOUT: case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE: case 24 /* DONTNEED_LOCKED */: case 25 /* COLLAPSE */:
		break;
	default:
		return -EINVAL;
	}
	len = PAGE_UP(len);
	if (len == 0)
		return 0;
	if (past_user(addr, len))
		return -ENOMEM;
	libos_lock(&vma_lock);
	long rc = vma_covered(addr, addr + len) ? 0 : -ENOMEM;
	if (advice == MADV_DONTFORK || advice == MADV_DOFORK || advice == MADV_WIPEONFORK ||
	    advice == MADV_KEEPONFORK) {
		long r = set_on_fork(addr, addr + len, advice);
		libos_unlock(&vma_lock);
		return r < 0 ? r : rc;
	}
	if (advice == MADV_DONTNEED || advice == 24) {
		/* Drop the contents: anonymous memory reads as zero again, a
		 * private file mapping as the file again. */
		for (size_t i = vma_find(addr); i < nvmas && vmas[i].start < addr + len; i++) {
			struct vma *v = &vmas[i];
			uint64_t s = v->start > addr ? v->start : addr;
			uint64_t e = v->end < addr + len ? v->end : addr + len;
			if (!v->stream && v->kind == LIBOS_VMA_FILE) {
				/* The image's segments, or a file system's own mapping:
				 * left alone. */
			} else if (!v->stream) {
				zero_anon(s, e - s, v->prot);
			} else if ((v->flags & MAP_TYPE) == MAP_PRIVATE) {
				void *a = (void *)s;
				dk->DkStreamMap(v->stream, &a, dk_prot(v->prot),
						DK_MAP_PRIVATE | DK_MAP_FIXED,
						v->offset + (s - v->start), e - s);
			}
		}
	}
	libos_unlock(&vma_lock);
	return rc;
}

LIBOS_SYSCALL(msync)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	uint64_t addr = (uint64_t)a0, len = (uint64_t)a1;
	int flags = (int)a2;
	if (addr & (PAGE - 1))
		return -EINVAL;
	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	len = PAGE_UP(len);
	if (past_user(addr, len))
		return -ENOMEM;
	DK_HANDLE flush[16];
	size_t nflush = 0;
	libos_lock(&vma_lock);
	long rc = vma_covered(addr, addr + len) ? 0 : -ENOMEM;
	for (size_t i = vma_find(addr); i < nvmas && vmas[i].start < addr + len; i++) {
		struct vma *v = &vmas[i];
		if (!v->stream || (v->flags & MAP_TYPE) != MAP_SHARED || !(flags & MS_SYNC))
			continue;
		bool seen = false;
		for (size_t j = 0; j < nflush; j++)
			seen |= flush[j] == v->stream;
		if (!seen && nflush < 16 && dk->DkObjectReference(v->stream) >= 0)
			flush[nflush++] = v->stream;
	}
	libos_unlock(&vma_lock);
	/* Shared mappings write straight to the file (the host's page cache);
	 * MS_SYNC also puts it on storage. */
	for (size_t j = 0; j < nflush; j++) {
		int r = dk->DkStreamFlush(flush[j]);
		if (r < 0 && rc == 0)
			rc = libos_errno(r);
		dk->DkObjectClose(flush[j]);
	}
	return rc;
}

LIBOS_SYSCALL(mincore)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	uint64_t addr = (uint64_t)a0, len = (uint64_t)a1;
	unsigned char *vec = (unsigned char *)a2;
	if (addr & (PAGE - 1))
		return -EINVAL;
	len = PAGE_UP(len);
	if (len == 0)
		return 0;
	if (past_user(addr, len))
		return -ENOMEM;
	libos_lock(&vma_lock);
	bool ok = vma_covered(addr, addr + len);
	libos_unlock(&vma_lock);
	if (!ok)
		return -ENOMEM;
	/* Everything mapped counts as resident. */
	unsigned char ones[256];
	memset(ones, 1, sizeof(ones));
	for (uint64_t n = len / PAGE, at = 0; at < n;) {
		uint64_t chunk = n - at < sizeof(ones) ? n - at : sizeof(ones);
		if (libos_copy_to_user(vec + at, ones, chunk) < 0)
			return -EFAULT;
		at += chunk;
	}
	return 0;
}

/* ---- brk --------------------------------------------------------------------------
 * The heap follows the program (libos_brk_start, set by the loader).  The
 * first brk reserves up to 1 GiB there and commits it as the break grows. */
static uint64_t brk_base LIBOS_FORK_HOT, brk_cur LIBOS_FORK_HOT, brk_committed LIBOS_FORK_HOT,
	brk_limit LIBOS_FORK_HOT;
static bool brk_ready LIBOS_FORK_HOT;

static void brk_init(void)
{
	brk_ready = true;
	uint64_t base = PAGE_UP(libos_brk_start);
	for (uint64_t size = 1ull << 30; size >= (16ull << 20); size >>= 1) {
		void *a = (void *)base;
		if (!base)
			break;
		if (dk->DkVirtualMemoryAlloc(&a, size, DK_MEM_RESERVE, DK_PROT_NONE) >= 0) {
			brk_base = base;
			brk_limit = base + size;
			break;
		}
	}
	if (!brk_base) {
		/* Nothing free after the program: anywhere will do. */
		void *a = NULL;
		uint64_t size = 1ull << 30;
		if (dk->DkVirtualMemoryAlloc(&a, size, DK_MEM_RESERVE, DK_PROT_NONE) < 0)
			return;
		brk_base = (uint64_t)a;
		brk_limit = brk_base + size;
	}
	brk_cur = brk_committed = brk_base;
}

LIBOS_SYSCALL(brk)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	uint64_t want = (uint64_t)a0;
	libos_lock(&vma_lock);
	if (!brk_ready)
		brk_init();
	if (!brk_base || want < brk_base || want > brk_limit)
		goto out;
	uint64_t commit = PAGE_UP(want);
	if (commit > brk_committed) {
		void *a = (void *)brk_committed;
		if (dk->DkVirtualMemoryAlloc(&a, commit - brk_committed, DK_MEM_COMMIT,
					     DK_PROT_READ | DK_PROT_WRITE) < 0)
			goto out;
	} else if (commit < brk_committed) {
		dk->DkVirtualMemoryFree((void *)commit, brk_committed - commit, DK_MEM_DECOMMIT);
	}
	vma_remove_locked(brk_base, brk_committed > commit ? brk_committed : commit);
	if (commit > brk_base) {
		struct vma v = { .start = brk_base, .end = commit, .prot = PROT_READ | PROT_WRITE,
				 .flags = MAP_PRIVATE | MAP_ANONYMOUS, .kind = LIBOS_VMA_HEAP };
		vma_add_locked(&v);
	}
	brk_committed = commit;
	brk_cur = want;
out:;
	long rc = (long)brk_cur;
	libos_unlock(&vma_lock);
	return rc;
}

/* fork: the mapping list is never copied half-updated. */
void libos_mm_fork_lock(bool take)
{
	if (take)
		libos_lock(&vma_lock);
	else
		libos_unlock(&vma_lock);
}

/* The break starts again after the next program (vma_lock held). */
static void brk_forget(void)
{
	brk_base = brk_cur = brk_committed = brk_limit = 0;
	brk_ready = false;
}

/* Gives back [start, end) of the old program's memory, with the break's
 * reservation when it touches the range (it lies right after the program
 * it belongs to): one host call for both.  Clears brk_base once released. */
static void release_run(uint64_t start, uint64_t end)
{
	if (brk_base && brk_base == end)
		end = brk_limit, brk_base = 0;
	else if (brk_base && brk_limit == start)
		start = brk_base, brk_base = 0;
	dk->DkVirtualMemoryFree((void *)start, end - start, DK_MEM_RELEASE);
}

/* execve, past the point of no return: the old program's memory goes (all
 * but the vDSO), and the break starts again after the new program. */
void libos_mm_exec_release(void)
{
	libos_lock(&vma_lock);
	/* Back to front; mappings that touch are given back in one call (a
	 * program's and its libraries' segments mostly do). */
	uint64_t run_start = 0, run_end = 0;
	for (size_t i = nvmas; i-- > 0;) {
		struct vma *v = &vmas[i];
		if (v->kind == LIBOS_VMA_VDSO)
			continue;
		if (v->kind == LIBOS_VMA_HEAP)
			continue; /* inside the break's reservation, released below */
		if (run_end && v->end != run_start) {
			release_run(run_start, run_end);
			run_end = 0;
		}
		if (!run_end)
			run_end = v->end;
		run_start = v->start;
		vma_delete_at(i);
	}
	if (run_end)
		release_run(run_start, run_end);
	for (size_t i = nvmas; i-- > 0;)
		if (vmas[i].kind == LIBOS_VMA_HEAP)
			vma_delete_at(i);
	if (brk_base) /* touching none of the program's memory */
		dk->DkVirtualMemoryFree((void *)brk_base, brk_limit - brk_base, DK_MEM_RELEASE);
	brk_forget();
	libos_unlock(&vma_lock);
}

/* In the child of a fork for execve: the host left every piece of the
 * application's memory behind (libos_mm_app_ranges), so there is no host
 * mapping to undo (each one call), only the list to clear: execve's
 * release then finds nothing of the application's. */
void libos_mm_app_left_behind(void)
{
	libos_lock(&vma_lock);
	for (size_t i = nvmas; i-- > 0;)
		if (vmas[i].kind != LIBOS_VMA_VDSO)
			vma_delete_at(i);
	brk_forget();
	libos_unlock(&vma_lock);
}

/* [vdso] stays (execve keeps it); the heap lies inside the break's
 * reservation, which goes as one range. */
static bool app_memory(const struct vma *v)
{
	return v->kind != LIBOS_VMA_VDSO && v->kind != LIBOS_VMA_HEAP;
}

/* The application's memory, for a fork whose child replaces its program at
 * once; what does not fit in max ranges is copied, as in any fork. */
uint32_t libos_mm_app_ranges(struct dk_range *out, uint32_t max)
{
	libos_lock(&vma_lock);
	uint32_t n = ranges_of(out, max, app_memory);
	if (brk_base && brk_limit > brk_base) {
		/* Usually right after the program's image: one range with it,
		 * one host call less on each side of a fork. */
		uint32_t i = 0;
		while (i < n && out[i].addr + out[i].size != brk_base)
			i++;
		if (i < n)
			out[i].size += brk_limit - brk_base;
		else if (n < max)
			out[n++] = (struct dk_range){brk_base, brk_limit - brk_base};
	}
	libos_unlock(&vma_lock);
	return n;
}

/* Whether addr lies in a MAP_SHARED mapping (futex: such a word may be
 * shared with other processes, so the host's futex keys it). */
bool libos_mm_shared(uint64_t addr)
{
	libos_lock(&vma_lock);
	size_t i = vma_find(addr);
	bool shared = i < nvmas && vmas[i].start <= addr &&
		      (vmas[i].flags & MAP_TYPE) == MAP_SHARED;
	libos_unlock(&vma_lock);
	return shared;
}

/* ---- for the system call fast path (patch.c) ------------------------------------ */

/* Writes n bytes over code at addr, which must lie in one private mapping
 * that is readable and executable but not writable (with file_only, a
 * file's: a program's or a library's text); the pages get their
 * protection back.  The caller makes sure no other thread of the process
 * runs meanwhile. */
long libos_mm_write_text(uint64_t addr, const void *bytes, size_t n, bool file_only)
{
	uint64_t page = addr & ~(PAGE - 1), end = PAGE_UP(addr + n);
	long rc = -EPERM;
	libos_lock(&vma_lock);
	size_t i = vma_find(addr);
	const struct vma *v = i < nvmas ? &vmas[i] : NULL;
	if (v && v->start <= page && v->end >= end &&
	    (v->kind == LIBOS_VMA_FILE ||
	     (!file_only && (v->kind == LIBOS_VMA_ANON || v->kind == LIBOS_VMA_TRAMPOLINE))) &&
	    (v->flags & MAP_TYPE) == MAP_PRIVATE &&
	    (v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) == (PROT_READ | PROT_EXEC)) {
		rc = libos_errno(dk->DkVirtualMemoryProtect((void *)page, end - page,
							     DK_PROT_READ | DK_PROT_WRITE));
		if (rc == 0) {
			rc = libos_copy_to_user((void *)addr, bytes, n);
			dk->DkVirtualMemoryProtect((void *)page, end - page, dk_prot(v->prot));
		}
	}
	libos_unlock(&vma_lock);
	return rc;
}

/* A fresh anonymous mapping of len bytes within `reach` bytes of near (in
 * a hole of the list that the host also finds free), listed under name.
 * 0, or -ENOMEM when no hole close enough takes it. */
long libos_mm_map_near(uint64_t near, uint64_t reach, uint64_t len, int prot, const char *name,
		       uint64_t *out)
{
	long rc = -ENOMEM;
	libos_lock(&vma_lock);
	/* The holes next to near's neighbours first: below each VMA from
	 * near's downwards, and above each from near's upwards. */
	size_t at = vma_find(near);
	for (size_t step = 0; step < 64 && rc < 0; step++) {
		for (int side = 0; side < 2 && rc < 0; side++) {
			size_t i = side ? at + step : at - step;
			if ((!side && step > at) || i >= nvmas)
				continue;
			uint64_t cand = side ? vmas[i].end : vmas[i].start - len;
			bool free = side ? (i + 1 == nvmas || vmas[i + 1].start >= cand + len)
					 : (i == 0 || vmas[i - 1].end <= cand);
			uint64_t dist = cand > near ? cand - near : near - cand;
			if (!free || dist > reach || cand < MMAP_MIN_ADDR || past_user(cand, len))
				continue;
			void *p = (void *)cand;
			if (dk->DkVirtualMemoryAlloc(&p, len, DK_MEM_RESERVE | DK_MEM_COMMIT,
						     dk_prot(prot)) < 0)
				continue;
			struct vma v = {.start = cand, .end = cand + len, .prot = prot,
					.flags = MAP_PRIVATE | MAP_ANONYMOUS,
					.kind = LIBOS_VMA_TRAMPOLINE, .name = libos_strdup(name)};
			vma_add_locked(&v);
			*out = cand;
			rc = 0;
		}
	}
	libos_unlock(&vma_lock);
	return rc;
}
