/*
 * moat freestanding runtime: the few helpers that code inside a picoprocess
 * (PAL, extensions, library OS) needs and may not take from the host libc.
 * Pure functions only: nothing here touches the host, so it may be linked
 * into any layer without opening the ABI.  Implemented in lib/rt/.
 */
#ifndef MOAT_RT_H
#define MOAT_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* The compiler may emit calls to the first four for struct copies. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t rt_strlcpy(char *dst, const char *src, size_t size);
int rt_startswith(const char *s, const char *prefix);

/* Parses a decimal or 0x-hex unsigned number; returns the end, or NULL if
 * there are no digits or it overflows. */
const char *rt_parse_u64(const char *s, uint64_t *value);

/* snprintf subset: %% %c %s %d %i %u %x %p with l, ll, z modifiers,
 * '-', '0' flags and a width.  Returns the length it would have written. */
int rt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int rt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A zone of the address space for a layer's own mappings (lib/rt/zone.c):
 * so that they never land where the host would put the program's next
 * mapping, in a hole the program has just unmapped and still expects
 * EFAULT from.  start = next = where the zone begins, end its limit (0:
 * none), down: it grows toward lower addresses from start (end below
 * start then); next 0: no zone.  rt_zone_take returns an address where place()
 * succeeded for size bytes, or 0 (the caller then lets the host choose);
 * rt_zone_give takes back a range the caller has unmapped.  Not locked. */
#define RT_ZONE_FREE_MAX 32
struct rt_zone_range {
	uint64_t addr, size;
};
struct rt_zone {
	uint64_t start, next, end;
	int down, nfree;
	struct rt_zone_range free[RT_ZONE_FREE_MAX];
};
uint64_t rt_zone_take(struct rt_zone *z, uint64_t size, int (*place)(uint64_t addr, uint64_t size));
void rt_zone_give(struct rt_zone *z, uint64_t addr, uint64_t size);

#endif
