/*
 * A zone of the address space for a layer's own mappings (include/moat/rt.h):
 * where the next one goes, and which ranges given back to use first.  The
 * caller maps and unmaps; place() tries one address and fails if any of it
 * is taken.  New ranges are 2 MiB apart (upward from start, or downward
 * from it), and what a range leaves of its 2 MiB is kept for the next
 * small ones.
 */
#include <moat/rt.h>
#include <stdbool.h>

#define ZONE_ALIGN (2ull << 20)
#define ZONE_TRIES 16

static void keep(struct rt_zone *z, uint64_t addr, uint64_t size)
{
	if (size >= 4096 && z->nfree < RT_ZONE_FREE_MAX)
		z->free[z->nfree++] = (struct rt_zone_range){addr, size};
}

/* First fit among the ranges given back.  A range whose place is found
 * taken is dropped whole (what took its start likely took the rest). */
static uint64_t reuse(struct rt_zone *z, uint64_t size, int (*place)(uint64_t, uint64_t))
{
	for (int i = 0; i < z->nfree;) {
		struct rt_zone_range *r = &z->free[i];
		if (r->size < size) {
			i++;
			continue;
		}
		uint64_t at = r->addr;
		if (!place(at, size)) {
			z->free[i] = z->free[--z->nfree];
			continue;
		}
		r->addr += size;
		r->size -= size;
		if (!r->size)
			z->free[i] = z->free[--z->nfree];
		return at;
	}
	return 0;
}

uint64_t rt_zone_take(struct rt_zone *z, uint64_t size, int (*place)(uint64_t, uint64_t))
{
	uint64_t at = reuse(z, size, place);
	if (at || !z->next)
		return at;
	uint64_t span = (size + ZONE_ALIGN - 1) & ~(ZONE_ALIGN - 1);
	for (int i = 0; i < ZONE_TRIES; i++) {
		if (span < size)
			return 0;
		if (z->down) {
			if (z->next < z->end + span)
				return 0;
			at = z->next -= span;
		} else {
			at = z->next;
			if (at + span < at || (z->end && at + span > z->end))
				return 0;
			z->next += span;
		}
		if (place(at, size)) {
			keep(z, at + size, span - size);
			return at;
		}
	}
	return 0;
}

void rt_zone_give(struct rt_zone *z, uint64_t addr, uint64_t size)
{
	bool inside = z->down ? addr >= z->next && addr < z->start
			      : addr >= z->start && addr < z->next;
	if (z->next && inside)
		keep(z, addr, size);
}
