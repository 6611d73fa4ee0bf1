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
	void *p = NULL;
	if (total < size || pal_host_mem_alloc(&p, total, DK_MEM_RESERVE | DK_MEM_COMMIT,
					       DK_PROT_READ | DK_PROT_WRITE) < 0)
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
			void *p = NULL;
			if (pal_host_mem_alloc(&p, CHUNK, DK_MEM_RESERVE | DK_MEM_COMMIT,
					       DK_PROT_READ | DK_PROT_WRITE) < 0)
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
		pal_host_mem_free(h, h->size, DK_MEM_RELEASE);
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
