/* A spin lock for the PAL's short critical sections (handle table,
 * allocator).  Never held across a blocking host call. */
#ifndef MOAT_PAL_LOCK_H
#define MOAT_PAL_LOCK_H

struct pal_lock {
	int locked;
};

static inline void pal_lock(struct pal_lock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}

static inline void pal_unlock(struct pal_lock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
