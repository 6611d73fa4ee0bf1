/*
 * The library OS's own plumbing: Dk errors as errno values, diagnostics,
 * its memory allocator, locks, and blocking waits.
 */
#include "libos.h"

/* ---- errors ------------------------------------------------------------------ */
long libos_errno(long dk_rc)
{
	if (dk_rc >= 0)
		return dk_rc;
	switch (-dk_rc) {
	case DK_E_INVALID: return -EINVAL;
	case DK_E_BAD_HANDLE: return -EBADF;
	case DK_E_BAD_POINTER: return -EFAULT;
	case DK_E_NO_MEMORY: return -ENOMEM;
	case DK_E_NOT_FOUND: return -ENOENT;
	case DK_E_EXISTS: return -EEXIST;
	case DK_E_DENIED: return -EACCES;
	case DK_E_TIMEOUT: return -ETIMEDOUT;
	case DK_E_INTERRUPTED: return -EINTR;
	case DK_E_WOULD_BLOCK: return -EAGAIN;
	case DK_E_LIMIT: return -EMFILE;
	case DK_E_NOT_IMPLEMENTED: return -ENOSYS;
	case DK_E_UNSUPPORTED: return -EOPNOTSUPP;
	case DK_E_NOT_DIRECTORY: return -ENOTDIR;
	case DK_E_IS_DIRECTORY: return -EISDIR;
	case DK_E_NOT_EMPTY: return -ENOTEMPTY;
	case DK_E_NO_SPACE: return -ENOSPC;
	case DK_E_CLOSED: return -EPIPE;
	case DK_E_REFUSED: return -ECONNREFUSED;
	case DK_E_RESET: return -ECONNRESET;
	case DK_E_ADDRESS_IN_USE: return -EADDRINUSE;
	case DK_E_STILL_RUNNING: return -EBUSY;
	case DK_E_NAME_TOO_LONG: return -ENAMETOOLONG;
	case DK_E_CROSS_DEVICE: return -EXDEV;
	case DK_E_READ_ONLY: return -EROFS;
	case DK_E_LOOP: return -ELOOP;
	case DK_E_IO: return -EIO;
	case DK_E_BUSY: return -EBUSY;
	default: return -EIO;
	}
}

/* ---- diagnostics ------------------------------------------------------------- */
static void vlog(const char *fmt, va_list ap)
{
	char line[1024];
	size_t pre = rt_strlcpy(line, "moat: libos: ", sizeof(line));
	int n = rt_vsnprintf(line + pre, sizeof(line) - pre - 1, fmt, ap);
	size_t len = pre + (n < 0 ? 0 : (size_t)n);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len] = '\n';
	line[len + 1] = 0;
	dk->DkDebugStringPrint(line);
}

void libos_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void libos_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
	dk->DkProcessExit(127);
}

/* ---- the allocator -------------------------------------------------------------
 * Power-of-two size classes from 32 to 4096 bytes (a 16-byte header
 * included), carved from 256 KiB chunks; anything bigger is its own
 * mapping.  A spin lock, not libos_lock (which allocates nothing, but may
 * one day), keeps it safe from any thread. */
#define HDR 16u
#define MIN_SHIFT 5
#define MAX_SHIFT 12
#define NCLASSES (MAX_SHIFT - MIN_SHIFT + 1)
#define CHUNK (256u * 1024)
#define LARGE_TAG 0xffu

struct block_hdr {
	uint64_t size;  /* usable bytes */
	uint32_t cls;   /* class index, or LARGE_TAG */
	uint32_t magic;
};
#define MAGIC 0x6d6f6174u
_Static_assert(sizeof(struct block_hdr) == HDR, "header size");

struct free_block { struct free_block *next; };

static struct {
	struct free_block *free[NCLASSES];
	char *bump, *bump_end;
} heap LIBOS_FORK_HOT;

static void heap_lock(void)
{
	unsigned spins = 0;
	/* The lock is on the page fork writes anyway (libos.h). */
	while (__atomic_test_and_set(&libos_proc.locks.heap, __ATOMIC_ACQUIRE)) {
		if (++spins % 128 == 0)
			dk->DkThreadYieldExecution();
		else
			__builtin_ia32_pause();
	}
}

static void heap_unlock(void)
{
	__atomic_clear(&libos_proc.locks.heap, __ATOMIC_RELEASE);
}

static size_t page_round(size_t n)
{
	return (n + 4095) & ~(size_t)4095;
}

/* ---- the library OS's own mappings ------------------------------------------------
 * In a zone upward from the end of the library OS's image (rt_zone; the
 * PAL's own go downward from its start), not wherever the host finds
 * room, which may be a hole the program has just unmapped: the host
 * places the program's mappings top-down from below the stack, far from
 * here.  Next to the image, the first ones share its page tables, which a
 * fork copies.  Under the heap lock (which fork holds). */
extern char _end[] __attribute__((visibility("hidden")));
#define OWN_ZONE (64ull << 30) /* then the host chooses */
static struct rt_zone own;

static int own_place(uint64_t addr, uint64_t size)
{
	void *p = (void *)addr;
	return dk->DkVirtualMemoryAlloc(&p, size, DK_MEM_RESERVE | DK_MEM_COMMIT,
					DK_PROT_READ | DK_PROT_WRITE) == 0;
}

static void *map_pages(size_t size)
{
	if (!own.start) {
		own.start = own.next = page_round((uint64_t)_end);
		own.end = own.start + OWN_ZONE;
	}
	void *p = (void *)rt_zone_take(&own, size, own_place);
	if (!p && dk->DkVirtualMemoryAlloc(&p, size, DK_MEM_RESERVE | DK_MEM_COMMIT,
					   DK_PROT_READ | DK_PROT_WRITE) < 0)
		return NULL;
	return p;
}

static void unmap_pages(void *p, size_t size)
{
	if (dk->DkVirtualMemoryFree(p, size, DK_MEM_RELEASE) == 0)
		rt_zone_give(&own, (uint64_t)p, size);
}

void *libos_map_own(size_t size)
{
	heap_lock();
	void *p = map_pages(page_round(size));
	heap_unlock();
	return p;
}

void libos_unmap_own(void *p, size_t size)
{
	heap_lock();
	unmap_pages(p, page_round(size));
	heap_unlock();
}

void *libos_alloc(size_t size)
{
	struct block_hdr *h;
	if (size > ((size_t)1 << MAX_SHIFT) - HDR) {
		if (size > ((size_t)1 << 46))
			return NULL;
		size_t total = page_round(size + HDR);
		h = libos_map_own(total); /* zeroed by the PAL */
		if (!h)
			return NULL;
		h->size = total - HDR;
		h->cls = LARGE_TAG;
		h->magic = MAGIC;
		return h + 1;
	}
	unsigned cls = 0;
	while (((size_t)1 << (cls + MIN_SHIFT)) - HDR < size)
		cls++;
	size_t bsize = (size_t)1 << (cls + MIN_SHIFT);
	heap_lock();
	struct free_block *fb = heap.free[cls];
	if (fb) {
		heap.free[cls] = fb->next;
		h = (struct block_hdr *)fb;
	} else {
		if ((size_t)(heap.bump_end - heap.bump) < bsize) {
			char *c = map_pages(CHUNK);
			if (!c) {
				heap_unlock();
				return NULL;
			}
			/* The rest of the old chunk is simply abandoned. */
			heap.bump = c;
			heap.bump_end = c + CHUNK;
		}
		h = (struct block_hdr *)heap.bump;
		heap.bump += bsize;
	}
	heap_unlock();
	h->size = bsize - HDR;
	h->cls = cls;
	h->magic = MAGIC;
	memset(h + 1, 0, bsize - HDR);
	return h + 1;
}

static struct block_hdr *header_of(void *p)
{
	struct block_hdr *h = (struct block_hdr *)p - 1;
	if (h->magic != MAGIC)
		libos_die("allocator: bad pointer %p freed or resized", p);
	return h;
}

void libos_free(void *p)
{
	if (!p)
		return;
	struct block_hdr *h = header_of(p);
	if (h->cls == LARGE_TAG) {
		h->magic = 0;
		libos_unmap_own(h, h->size + HDR);
		return;
	}
	unsigned cls = h->cls;
	h->magic = 0;
	struct free_block *fb = (struct free_block *)h;
	heap_lock();
	fb->next = heap.free[cls];
	heap.free[cls] = fb;
	heap_unlock();
}

void *libos_realloc(void *p, size_t size)
{
	if (!p)
		return libos_alloc(size);
	struct block_hdr *h = header_of(p);
	if (size <= h->size) {
		/* Keep "zeroed" true for the caller growing it again later. */
		memset((char *)p + size, 0, h->size - size);
		return p;
	}
	void *n = libos_alloc(size);
	if (!n)
		return NULL;
	memcpy(n, p, h->size);
	libos_free(p);
	return n;
}

char *libos_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = libos_alloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* ---- locks ----------------------------------------------------------------------
 * The classic three-state mutex, with a synchronization event in place of
 * a futex: a waiter marks the lock contended (2) and sleeps on the event;
 * an unlock that finds it contended sets the event, which releases one
 * waiter (or the next one to wait). */
static DK_HANDLE lock_event(struct libos_lock *l)
{
	DK_HANDLE ev = __atomic_load_n(&l->event, __ATOMIC_ACQUIRE);
	if (ev)
		return ev;
	if (dk->DkSynchronizationEventCreate(0, &ev) < 0)
		return DK_HANDLE_NONE;
	DK_HANDLE expected = DK_HANDLE_NONE;
	if (!__atomic_compare_exchange_n(&l->event, &expected, ev, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		dk->DkObjectClose(ev);
		ev = expected;
	}
	return ev;
}

void libos_lock(struct libos_lock *l)
{
	int c = 0;
	if (__atomic_compare_exchange_n(&l->state, &c, 1, false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		return;
	for (unsigned spins = 0; spins < 100; spins++) {
		__builtin_ia32_pause();
		c = 0;
		if (__atomic_load_n(&l->state, __ATOMIC_RELAXED) == 0 &&
		    __atomic_compare_exchange_n(&l->state, &c, 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
	}
	DK_HANDLE ev = lock_event(l);
	while (__atomic_exchange_n(&l->state, 2, __ATOMIC_ACQUIRE) != 0) {
		if (ev)
			dk->DkObjectsWaitAny(1, &ev, DK_WAIT_INFINITE, NULL);
		else
			dk->DkThreadYieldExecution(); /* no event: degrade to spinning */
	}
}

void libos_unlock(struct libos_lock *l)
{
	if (__atomic_exchange_n(&l->state, 0, __ATOMIC_RELEASE) == 2) {
		DK_HANDLE ev = lock_event(l);
		if (ev)
			dk->DkEventSet(ev);
	}
}

/* ---- blocking -------------------------------------------------------------------- */
__attribute__((weak)) bool libos_signal_pending(struct libos_thread *t)
{
	return t && (t->sigpending & ~t->sigmask) != 0;
}

static uint64_t now_ns(void)
{
	uint64_t ns = 0;
	dk->DkSystemTimeQuery(DK_CLOCK_MONOTONIC, &ns);
	return ns;
}

long libos_wait(size_t n, const DK_HANDLE *handles, int64_t timeout_ns)
{
	DK_HANDLE hs[64];
	struct libos_thread *t = libos_current();
	if (n > 63)
		return -EINVAL;
	libos_process_settled();
	memcpy(hs, handles, n * sizeof(*hs));
	size_t count = n;
	if (t && t->wake)
		hs[count++] = t->wake;
	if (count == 0) {
		/* Nothing to wait for: a plain sleep. */
		if (timeout_ns < 0)
			libos_die("libos_wait: nothing to wait for, for ever");
		uint64_t rem = 0;
		int rc = dk->DkThreadDelayExecution(((uint64_t)timeout_ns + 999) / 1000, &rem);
		return rc == -DK_E_INTERRUPTED ? -EINTR : rc < 0 ? libos_errno(rc) : -ETIMEDOUT;
	}
	uint64_t deadline = timeout_ns < 0 ? 0 : now_ns() + (uint64_t)timeout_ns;
	for (;;) {
		uint64_t us = DK_WAIT_INFINITE;
		if (timeout_ns >= 0) {
			uint64_t now = now_ns();
			us = now >= deadline ? 0 : (deadline - now + 999) / 1000;
		}
		size_t idx = 0;
		int rc = dk->DkObjectsWaitAny(count, hs, us, &idx);
		if (rc == -DK_E_TIMEOUT)
			return -ETIMEDOUT;
		/* A signal from outside (recorded by the dispatcher) becomes
		 * pending here, so that a wait for signals sees it. */
		if (libos_signal_incoming_any())
			libos_signal_drain();
		if (rc == -DK_E_INTERRUPTED)
			return -EINTR;
		if (rc < 0)
			return libos_errno(rc);
		if (idx < n)
			return (long)idx;
		/* The wake event: a real signal, or a stale wake-up left over
		 * from one already delivered. */
		if (libos_signal_pending(t))
			return -EINTR;
	}
}

/* fork: the heap is never copied half-updated by another thread. */
void libos_heap_fork_lock(bool take)
{
	if (take)
		heap_lock();
	else
		heap_unlock();
}
