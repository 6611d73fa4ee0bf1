/*
 * futex: WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP, WAIT_BITSET,
 * WAKE_BITSET (private and shared alike: one process per picoprocess, so
 * the key is the address).  The PI family gives -ENOSYS (glibc uses it only
 * for PTHREAD_PRIO_INHERIT mutexes).
 *
 * Wait queues hang off a hash table of buckets, each with its lock.  A
 * waiter lives on its own stack for the duration of the wait and sleeps on
 * its thread's futex event (a synchronization event, thread.c).  A waker
 * takes the waiter off its queue under the bucket lock (state 1), and
 * after unlocking publishes state 2 and sets the event; the waiter trusts
 * only state 2, so a stale set of the event is harmless.  A waiter that
 * times out or is interrupted takes the lock of the bucket it is on now
 * (a requeue may have moved it): still queued, it leaves with the error;
 * already taken, it waits the moment until state 2 and reports success.
 */
#include "libos.h"
#include <linux/futex.h>
#include <linux/mman.h>

#define NBUCKETS 256

struct waiter {
	struct waiter *next, *prev;
	uint64_t key;
	uint32_t bitset;
	int state;          /* 0 queued, 1 taken by a waker, 2 woken; atomic */
	int bucket;         /* atomic: changed by requeue under both locks */
	DK_HANDLE event;
};

struct bucket {
	struct libos_lock lock;
	struct waiter *first, *last;
};

static struct bucket buckets[NBUCKETS];

static int bucket_of(uint64_t key)
{
	return (int)(((key >> 2) * 0x9e3779b97f4a7c15ull) >> 56) & (NBUCKETS - 1);
}

static void q_append(struct bucket *b, struct waiter *w)
{
	w->next = NULL;
	w->prev = b->last;
	if (b->last)
		b->last->next = w;
	else
		b->first = w;
	b->last = w;
}

static void q_unlink(struct bucket *b, struct waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		b->first = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		b->last = w->prev;
	w->next = w->prev = NULL;
}

/* Takes up to n waiters on key (matching bitset) off b onto *list. */
static int take_locked(struct bucket *b, uint64_t key, int n, uint32_t bitset,
		       struct waiter **list)
{
	int count = 0;
	struct waiter *w = b->first;
	while (w && count < n) {
		struct waiter *next = w->next;
		if (w->key == key && (w->bitset & bitset)) {
			q_unlink(b, w);
			__atomic_store_n(&w->state, 1, __ATOMIC_RELAXED);
			w->next = *list;
			*list = w;
			count++;
		}
		w = next;
	}
	return count;
}

/* After the bucket locks are released. */
static void wake_list(struct waiter *w)
{
	while (w) {
		struct waiter *next = w->next;
		DK_HANDLE ev = w->event;
		/* From here on the waiter may return and its memory go. */
		__atomic_store_n(&w->state, 2, __ATOMIC_RELEASE);
		dk->DkEventSet(ev);
		w = next;
	}
}

static void lock2(int i, int j)
{
	if (i == j) {
		libos_lock(&buckets[i].lock);
	} else if (i < j) {
		libos_lock(&buckets[i].lock);
		libos_lock(&buckets[j].lock);
	} else {
		libos_lock(&buckets[j].lock);
		libos_lock(&buckets[i].lock);
	}
}

static void unlock2(int i, int j)
{
	libos_unlock(&buckets[i].lock);
	if (i != j)
		libos_unlock(&buckets[j].lock);
}

static uint64_t clock_ns(uint32_t clock)
{
	uint64_t ns = 0;
	dk->DkSystemTimeQuery(clock, &ns);
	return ns;
}

/* deadline: absolute monotonic ns, or 0 for none. */
static long futex_wait(uint32_t *uaddr, uint32_t val, uint64_t deadline, bool expired,
		       uint32_t bitset)
{
	struct libos_thread *t = libos_current();
	struct waiter w = { .key = (uint64_t)uaddr, .bitset = bitset,
			    .event = libos_thread_futex_event(t) };
	if (!w.event)
		return -ENOMEM;
	int bi = bucket_of(w.key);
	struct bucket *b = &buckets[bi];
	uint32_t cur;

	libos_lock(&b->lock);
	if (libos_copy_from_user(&cur, uaddr, sizeof(cur)) < 0) {
		libos_unlock(&b->lock);
		return -EFAULT;
	}
	if (cur != val) {
		libos_unlock(&b->lock);
		return -EAGAIN;
	}
	if (expired) {
		libos_unlock(&b->lock);
		return -ETIMEDOUT;
	}
	w.bucket = bi;
	q_append(b, &w);
	libos_unlock(&b->lock);

	long rc;
	for (;;) {
		int64_t tmo = -1;
		if (deadline) {
			uint64_t now = clock_ns(DK_CLOCK_MONOTONIC);
			tmo = now >= deadline ? 0 : (int64_t)(deadline - now);
		}
		rc = libos_wait(1, &w.event, tmo);
		if (__atomic_load_n(&w.state, __ATOMIC_ACQUIRE) == 2)
			return 0;
		if (rc == 0)
			continue; /* a stale set of the event */
		break;
	}
	/* Timed out, interrupted or failed: leave the queue unless taken. */
	for (;;) {
		bi = __atomic_load_n(&w.bucket, __ATOMIC_ACQUIRE);
		libos_lock(&buckets[bi].lock);
		if (__atomic_load_n(&w.bucket, __ATOMIC_RELAXED) == bi)
			break;
		libos_unlock(&buckets[bi].lock);
	}
	if (__atomic_load_n(&w.state, __ATOMIC_RELAXED) == 0) {
		q_unlink(&buckets[bi], &w);
		libos_unlock(&buckets[bi].lock);
		return rc == -ETIMEDOUT || rc == -EINTR ? rc : -EINTR;
	}
	libos_unlock(&buckets[bi].lock);
	while (__atomic_load_n(&w.state, __ATOMIC_ACQUIRE) != 2)
		dk->DkThreadYieldExecution();
	return 0;
}

static long shared_wake(uint32_t *uaddr, uint32_t count);

/* For the library OS itself (robust lists, CLONE_CHILD_CLEARTID). */
long libos_futex_wake(uint32_t *uaddr, int n)
{
	if (libos_mm_shared((uint64_t)uaddr))
		return shared_wake(uaddr, (uint32_t)n);
	return libos_futex_wake_bitset(uaddr, n, FUTEX_BITSET_MATCH_ANY);
}

long libos_futex_wake_bitset(uint32_t *uaddr, int n, uint32_t bitset)
{
	struct waiter *list = NULL;
	uint64_t key = (uint64_t)uaddr;
	int bi = bucket_of(key);
	if (n <= 0)
		return 0;
	libos_lock(&buckets[bi].lock);
	int count = take_locked(&buckets[bi], key, n, bitset, &list);
	libos_unlock(&buckets[bi].lock);
	wake_list(list);
	return count;
}

static long futex_requeue(uint32_t *uaddr, uint32_t *uaddr2, int nwake, int nmove, bool cmp,
			  uint32_t val3)
{
	uint64_t k1 = (uint64_t)uaddr, k2 = (uint64_t)uaddr2;
	int b1 = bucket_of(k1), b2 = bucket_of(k2);
	struct waiter *list = NULL;
	if (nwake < 0 || nmove < 0)
		return -EINVAL;
	if ((uint64_t)uaddr2 & 3)
		return -EINVAL;
	lock2(b1, b2);
	if (cmp) {
		uint32_t cur;
		if (libos_copy_from_user(&cur, uaddr, sizeof(cur)) < 0) {
			unlock2(b1, b2);
			return -EFAULT;
		}
		if (cur != val3) {
			unlock2(b1, b2);
			return -EAGAIN;
		}
	}
	int woken = take_locked(&buckets[b1], k1, nwake, FUTEX_BITSET_MATCH_ANY, &list);
	int moved = 0;
	struct waiter *w = buckets[b1].first;
	while (w && moved < nmove) {
		struct waiter *next = w->next;
		if (w->key == k1) {
			if (b1 != b2) {
				q_unlink(&buckets[b1], w);
				q_append(&buckets[b2], w);
				__atomic_store_n(&w->bucket, b2, __ATOMIC_RELEASE);
			}
			w->key = k2;
			moved++;
		}
		w = next;
	}
	unlock2(b1, b2);
	wake_list(list);
	return woken + moved;
}

static long futex_wake_op(uint32_t *uaddr, uint32_t *uaddr2, int nwake, int nwake2,
			  uint32_t encoded)
{
	uint64_t k1 = (uint64_t)uaddr, k2 = (uint64_t)uaddr2;
	int b1 = bucket_of(k1), b2 = bucket_of(k2);
	unsigned op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	int oparg = (int)(encoded << 8) >> 20, cmparg = (int)(encoded << 20) >> 20;
	struct waiter *list = NULL;
	if ((uint64_t)uaddr2 & 3)
		return -EINVAL;
	if ((encoded >> 28) & 8) {
		if ((unsigned)oparg > 31)
			return -EINVAL;
		oparg = 1 << oparg;
	}
	if (op > FUTEX_OP_XOR || cmp > FUTEX_OP_CMP_GE)
		return -ENOSYS;
	/* The word is updated in place: a word not mapped writable is
	 * -EFAULT (as on Linux) rather than a fault in the library OS. */
	if (!libos_mm_check(k2, sizeof(uint32_t), PROT_WRITE))
		return -EFAULT;
	lock2(b1, b2);
	uint32_t old;
	if (libos_copy_from_user(&old, uaddr2, sizeof(old)) < 0) {
		unlock2(b1, b2);
		return -EFAULT;
	}
	for (;;) {
		uint32_t nv;
		switch (op) {
		case FUTEX_OP_SET: nv = (uint32_t)oparg; break;
		case FUTEX_OP_ADD: nv = old + (uint32_t)oparg; break;
		case FUTEX_OP_OR: nv = old | (uint32_t)oparg; break;
		case FUTEX_OP_ANDN: nv = old & ~(uint32_t)oparg; break;
		default: nv = old ^ (uint32_t)oparg; break;
		}
		if (__atomic_compare_exchange_n(uaddr2, &old, nv, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			break;
	}
	int woken = take_locked(&buckets[b1], k1, nwake, FUTEX_BITSET_MATCH_ANY, &list);
	bool hit;
	int o = (int)old;
	switch (cmp) {
	case FUTEX_OP_CMP_EQ: hit = o == cmparg; break;
	case FUTEX_OP_CMP_NE: hit = o != cmparg; break;
	case FUTEX_OP_CMP_LT: hit = o < cmparg; break;
	case FUTEX_OP_CMP_LE: hit = o <= cmparg; break;
	case FUTEX_OP_CMP_GT: hit = o > cmparg; break;
	default: hit = o >= cmparg; break;
	}
	if (hit)
		woken += take_locked(&buckets[b2], k2, nwake2, FUTEX_BITSET_MATCH_ANY, &list);
	unlock2(b1, b2);
	wake_list(list);
	return woken;
}

struct kernel_timespec {
	int64_t tv_sec;
	long tv_nsec;
};

/* A futex word in shared memory (MAP_SHARED) may be another process's too:
 * the host's futex (DkFutexControl) keys it by page.  Bitsets are taken as
 * "any" there; requeue and WAKE_OP stay in the process. */
static long shared_wait(uint32_t *uaddr, uint32_t val, uint64_t deadline, bool expired)
{
	if (expired)
		return -ETIMEDOUT;
	uint64_t us = DK_WAIT_INFINITE;
	if (deadline) {
		uint64_t now = clock_ns(DK_CLOCK_MONOTONIC);
		us = deadline > now ? (deadline - now + 999) / 1000 : 0;
	}
	int rc = dk->DkFutexControl(DK_FUTEX_WAIT, uaddr, val, us, NULL);
	if (rc == -DK_E_WOULD_BLOCK)
		return -EAGAIN;
	if (rc == -DK_E_TIMEOUT)
		return -ETIMEDOUT;
	if (rc == -DK_E_BAD_POINTER)
		return -EFAULT;
	return rc < 0 ? libos_errno(rc) : 0;
}

static long shared_wake(uint32_t *uaddr, uint32_t count)
{
	uint32_t woken = 0;
	int rc = dk->DkFutexControl(DK_FUTEX_WAKE, uaddr, count, 0, &woken);
	if (rc == -DK_E_BAD_POINTER)
		return -EFAULT;
	return rc < 0 ? libos_errno(rc) : (long)woken;
}

LIBOS_SYSCALL(futex)
{
	uint32_t *uaddr = (uint32_t *)a0;
	int op = (int)a1;
	uint32_t val = (uint32_t)a2;
	const struct kernel_timespec *uts = (const void *)a3;
	uint32_t *uaddr2 = (uint32_t *)a4;
	uint32_t val3 = (uint32_t)a5;
	int cmd = op & FUTEX_CMD_MASK;
	bool realtime = op & FUTEX_CLOCK_REALTIME;

	if ((uint64_t)uaddr & 3)
		return -EINVAL;
	/* Only a shared (non-private) op on a MAP_SHARED word may meet another
	 * process; private ops skip the mapping lookup (the common case). */
	bool shared = !(op & FUTEX_PRIVATE_FLAG) && libos_mm_shared((uint64_t)uaddr);
	if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET &&
	    cmd != FUTEX_WAIT_REQUEUE_PI && cmd != FUTEX_LOCK_PI2)
		return -ENOSYS;

	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET: {
		uint32_t bitset = cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3;
		if (!bitset)
			return -EINVAL;
		uint64_t deadline = 0;
		bool expired = false;
		if (uts) {
			struct kernel_timespec ts;
			if (libos_copy_from_user(&ts, uts, sizeof(ts)) < 0)
				return -EFAULT;
			if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
				return -EINVAL;
			uint64_t span = ts.tv_sec > (int64_t)(UINT64_MAX / 2000000000ull)
						? UINT64_MAX / 2
						: (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
			uint64_t now = clock_ns(DK_CLOCK_MONOTONIC);
			if (cmd == FUTEX_WAIT) {
				/* Relative (whatever the clock flag says). */
				deadline = now + span;
			} else {
				uint64_t cnow = realtime ? clock_ns(DK_CLOCK_REALTIME) : now;
				if (span <= cnow)
					expired = true;
				else
					deadline = now + (span - cnow);
			}
		}
		if (shared)
			return shared_wait(uaddr, val, deadline, expired);
		return futex_wait(uaddr, val, deadline, expired, bitset);
	}
	case FUTEX_WAKE:
		if (shared)
			return shared_wake(uaddr, val);
		return libos_futex_wake_bitset(uaddr, (int)val, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		if (shared)
			return shared_wake(uaddr, val);
		return libos_futex_wake_bitset(uaddr, (int)val, val3);
	case FUTEX_REQUEUE:
		return futex_requeue(uaddr, uaddr2, (int)val, (int)(long)uts, false, 0);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, uaddr2, (int)val, (int)(long)uts, true, val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(uaddr, uaddr2, (int)val, (int)(long)uts, val3);
	default:
		/* FUTEX_FD, the PI family: not supported. */
		return -ENOSYS;
	}
}
