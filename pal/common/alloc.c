/*
 * The PAL's own allocator: power-of-two size classes from 16 bytes to 2 KiB
 * carved from 64 KiB chunks, larger blocks straight from the host.  The PAL
 * allocates little (handle objects, URIs), so simplicity wins over speed.
 */
#include "pal.h"
#include "common/lock.h"

#define CLASS_MIN_SHIFT 4
#define CLASS_COUNT 8 /* 16 .. 2048 */
#define CHUNK (64u * 1024)

struct block_header {
	uint64_t size; /* class index, or the mapping size for a large block */
	uint64_t large;
};

static struct pal_lock alloc_lock PAL_FORK_HOT;
static void *free_list[CLASS_COUNT];
static char *chunk_cur, *chunk_end;

/* ---- the PAL's own mappings ------------------------------------------------
 * Once the library OS is loaded, they go into a zone downward from its
 * image (rt_zone; the library OS's own go upward from its end), not
 * wherever the host finds room, which may be a hole the program has just
 * unmapped (and still expects EFAULT from).  Close to the image, they
 * share its page tables' upper levels, which a fork copies.  At most
 * 1 GiB.  Under alloc_lock. */
#define OWN_ZONE (1ull << 30)
static struct rt_zone own;

void pal_own_zone_below(uint64_t image_start)
{
	uint64_t top = image_start & ~(uint64_t)(PAL_PAGE - 1);
	if (top < 2 * OWN_ZONE)
		return;
	own = (struct rt_zone){.start = top, .next = top, .end = top - OWN_ZONE, .down = 1};
}

static int own_place(uint64_t addr, uint64_t size)
{
	void *p = (void *)addr;
	return pal_host_mem_alloc(&p, size, DK_MEM_RESERVE | DK_MEM_COMMIT,
				  DK_PROT_READ | DK_PROT_WRITE) == 0;
}

static void *own_map_locked(size_t size)
{
	void *p = (void *)rt_zone_take(&own, size, own_place);
	if (!p && pal_host_mem_alloc(&p, size, DK_MEM_RESERVE | DK_MEM_COMMIT,
				     DK_PROT_READ | DK_PROT_WRITE) < 0)
		return NULL;
	return p;
}

void *pal_own_map(size_t size)
{
	pal_lock(&alloc_lock);
	void *p = own_map_locked(size);
	pal_unlock(&alloc_lock);
	return p;
}

/* A range the caller has unmapped (or, a thread's stack, is about to on its
 * way out: until then a place() there fails and the range is dropped). */
void pal_own_unmapped(void *p, size_t size)
{
	pal_lock(&alloc_lock);
	rt_zone_give(&own, (uint64_t)p, size);
	pal_unlock(&alloc_lock);
}

void pal_own_unmap(void *p, size_t size)
{
	if (pal_host_mem_free(p, size, DK_MEM_RELEASE) == 0)
		pal_own_unmapped(p, size);
}

static int size_class(size_t size)
{
	for (int c = 0; c < CLASS_COUNT; c++)
		if (size <= (1ul << (c + CLASS_MIN_SHIFT)))
			return c;
	return -1;
}

static void *alloc_large(size_t size)
{
	size_t total = PAL_ALIGN_UP(size + sizeof(struct block_header), PAL_PAGE);
	void *p = total < size ? NULL : pal_own_map(total);
	if (!p)
		return NULL;
	struct block_header *h = p;
	h->size = total;
	h->large = 1;
	return h + 1;
}

static void *alloc_small(int c)
{
	size_t bsize = (1ul << (c + CLASS_MIN_SHIFT)) + sizeof(struct block_header);
	struct block_header *h = free_list[c];
	if (h) {
		free_list[c] = *(void **)(h + 1);
	} else {
		if ((size_t)(chunk_end - chunk_cur) < bsize) {
			/* The first chunk is in the PAL's own .bss: most processes
			 * need no other, and a host fork then copies no mapping
			 * of the allocator's (each costs about 3.5 us between a
			 * fork and the child's exit, and a page table page). */
			static char first[CHUNK] __attribute__((aligned(64)));
			void *p = chunk_cur ? own_map_locked(CHUNK) : first;
			if (!p)
				return NULL;
			chunk_cur = p;
			chunk_end = chunk_cur + CHUNK;
		}
		h = (struct block_header *)chunk_cur;
		chunk_cur += bsize;
	}
	h->size = (uint64_t)c;
	h->large = 0;
	return h + 1;
}

void *pal_alloc(size_t size)
{
	int c = size_class(size);
	void *p;
	if (c < 0)
		return alloc_large(size);
	pal_lock(&alloc_lock);
	p = alloc_small(c);
	pal_unlock(&alloc_lock);
	if (p)
		memset(p, 0, 1ul << (c + CLASS_MIN_SHIFT));
	return p;
}

void pal_free(void *p)
{
	if (!p)
		return;
	struct block_header *h = (struct block_header *)p - 1;
	if (h->large) {
		pal_own_unmap(h, h->size);
		return;
	}
	pal_lock(&alloc_lock);
	*(void **)p = free_list[h->size];
	free_list[h->size] = h;
	pal_unlock(&alloc_lock);
}

char *pal_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = pal_alloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* DkProcessFork: the lock is taken around the host fork, so the child's
 * copy of the allocator is never caught half-updated by another thread. */
void pal_alloc_fork_lock(bool take)
{
	if (take)
		pal_lock(&alloc_lock);
	else
		pal_unlock(&alloc_lock);
}
