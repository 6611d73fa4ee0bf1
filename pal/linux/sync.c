/*
 * Events, semaphores, waiting and abort events on Linux.  Every waitable
 * object is an eventfd (or another pollable descriptor) in obj->wait_fd:
 *   - an event is a plain eventfd: set = add 1, clear = read it to zero;
 *     it is set while the counter is non-zero.  A waiter on an auto-reset
 *     event reads it to zero, taking every pending set at once, so one set
 *     (or several before a wait) releases exactly one waiter.
 *   - a semaphore is an EFD_SEMAPHORE eventfd: a waiter's read takes 1;
 *     obj->sem.count mirrors the counter for the maximum and for Peek.
 * Waits are one ppoll over the descriptors.
 */
#include "pal.h"
#include "common/destroy.h"
#include "common/lock.h"
#include "linux/host.h"
#include "linux/ksig.h"

#define K_EAGAIN 11
#define K_POLLIN 0x001

struct k_pollfd {
	int fd;
	short events;
	short revents;
};

struct k_timespec {
	long sec, nsec;
};

/* Every descriptor the PAL makes is close-on-exec: a child process gets
 * only what DkProcessCreate hands it on purpose. */
int pal_linux_eventfd(unsigned initial, int flags)
{
	long fd = HOST(eventfd2, initial, flags | K_EFD_CLOEXEC);
	return HOST_IS_ERR(fd) ? pal_dk_error(fd) : (int)fd;
}

void pal_linux_close(int fd)
{
	if (fd >= 0)
		HOST(close, fd);
}

/* Adds n to an eventfd counter (never blocks: the counter cannot get near
 * its 2^64 limit from 32-bit counts). */
static int efd_add(int fd, uint64_t n)
{
	long rc = HOST(write, fd, &n, sizeof(n));
	return HOST_IS_ERR(rc) ? pal_dk_error(rc) : 0;
}

/* Takes from a non-blocking eventfd: 1 (semaphore) or all; 0 if empty. */
static int efd_take(int fd, uint64_t *value)
{
	long rc = HOST(read, fd, value, sizeof(*value));
	if (rc == -K_EAGAIN)
		return 0;
	return HOST_IS_ERR(rc) ? pal_dk_error(rc) : 1;
}

/* ---- events ------------------------------------------------------------ */
int pal_host_event_init(struct pal_object *obj, bool auto_reset, bool set)
{
	int fd = pal_linux_eventfd(set ? 1 : 0, K_EFD_NONBLOCK);
	if (fd < 0)
		return fd;
	obj->wait_fd = fd;
	obj->consume = auto_reset;
	obj->event.auto_reset = auto_reset;
	return 0;
}

int pal_host_event_set(struct pal_object *obj)
{
	return efd_add(obj->wait_fd, 1);
}

int pal_host_event_clear(struct pal_object *obj)
{
	uint64_t v;
	int rc = efd_take(obj->wait_fd, &v);
	return rc < 0 ? rc : 0;
}

/* Reading would clear the event, so ask poll instead. */
int pal_host_event_peek(struct pal_object *obj, bool *set)
{
	struct k_pollfd p = {.fd = obj->wait_fd, .events = K_POLLIN};
	struct k_timespec zero = {0, 0};
	long rc = HOST(ppoll, &p, 1, &zero, NULL, 8);
	if (HOST_IS_ERR(rc))
		return pal_dk_error(rc);
	*set = rc > 0 && (p.revents & K_POLLIN);
	return 0;
}

void pal_event_destroy(struct pal_object *obj)
{
	pal_linux_close(obj->wait_fd);
	obj->wait_fd = -1;
}

/* ---- semaphores -------------------------------------------------------- */
int pal_host_sem_init(struct pal_object *obj, uint32_t initial, uint32_t maximum)
{
	int fd = pal_linux_eventfd(initial, K_EFD_SEMAPHORE | K_EFD_NONBLOCK);
	if (fd < 0)
		return fd;
	obj->wait_fd = fd;
	obj->consume = true;
	obj->sem.maximum = maximum;
	obj->sem.count = initial;
	return 0;
}

/*
 * The mirror is raised before the eventfd and lowered after a waiter's
 * read, so it is never below the real counter: checking the maximum
 * against it keeps the real count within the maximum.  (Near the maximum a
 * release racing with a wait may see -DK_E_LIMIT a moment early.)
 */
int pal_host_sem_release(struct pal_object *obj, uint32_t count, uint32_t *previous)
{
	uint32_t old = __atomic_load_n(&obj->sem.count, __ATOMIC_ACQUIRE);
	do {
		if (count > obj->sem.maximum - old)
			return -DK_E_LIMIT;
	} while (!__atomic_compare_exchange_n(&obj->sem.count, &old, old + count, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	int rc = efd_add(obj->wait_fd, count);
	if (rc < 0) {
		__atomic_sub_fetch(&obj->sem.count, count, __ATOMIC_ACQ_REL);
		return rc;
	}
	*previous = old;
	return 0;
}

void pal_semaphore_destroy(struct pal_object *obj)
{
	pal_linux_close(obj->wait_fd);
	obj->wait_fd = -1;
}

/* A thread object's wait_fd is the eventfd its exit sets. */
void pal_thread_destroy(struct pal_object *obj)
{
	pal_linux_close(obj->wait_fd);
	obj->wait_fd = -1;
}

/* ---- waiting ----------------------------------------------------------- */

/* Takes a unit from a "consume" object; 0 if another waiter was first. */
static int take_unit(struct pal_object *obj)
{
	uint64_t v;
	int rc = efd_take(obj->wait_fd, &v);
	if (rc > 0 && obj->type == PAL_OBJ_SEMAPHORE)
		__atomic_sub_fetch(&obj->sem.count, 1, __ATOMIC_ACQ_REL);
	return rc;
}

/*
 * After a poll: the first object in order that is signaled and, if it
 * consumes, whose unit this thread got.  1 with *index set, 0 if none.
 * Any revents counts: POLLHUP/POLLERR (a closed peer) make a read return
 * at once, and counting POLLNVAL keeps a bad descriptor from spinning.
 */
static int pick(size_t n, struct pal_object **objs, const struct k_pollfd *p, size_t *index)
{
	for (size_t i = 0; i < n; i++) {
		if (objs[i]->wait_fd >= 0 && !p[i].revents)
			continue;
		if (objs[i]->consume && objs[i]->wait_fd >= 0) {
			int rc = take_unit(objs[i]);
			if (rc <= 0) {
				if (rc < 0)
					return rc;
				continue; /* another waiter took it */
			}
		}
		*index = i;
		return 1;
	}
	return 0;
}

/*
 * The raw ppoll system call writes the time left back into its timespec,
 * so retrying after a lost race continues with the remaining time and
 * needs no clock reads.  A wait_fd of -1 is always signaled (poll ignores
 * negative descriptors, pick() counts them as ready).
 */
int pal_host_wait_any(size_t n, struct pal_object **objs, uint64_t timeout_us, size_t *index)
{
	struct k_pollfd p[64];
	struct k_timespec ts, *tsp = NULL;
	bool always = false;
	if (n > ARRAY_LEN(p))
		return -DK_E_INVALID;
	for (size_t i = 0; i < n; i++) {
		p[i].fd = objs[i]->wait_fd;
		p[i].events = K_POLLIN;
		p[i].revents = 0;
		always |= objs[i]->wait_fd < 0;
	}
	if (always)
		timeout_us = 0;
	if (timeout_us != DK_WAIT_INFINITE) {
		ts.sec = (long)(timeout_us / 1000000);
		ts.nsec = (long)(timeout_us % 1000000) * 1000;
		tsp = &ts;
	}
	/* A signal that came just before a wait that may sleep (while the
	 * layer above was deciding to wait) must end it too: with signals
	 * blocked, the check and the wait are one step, ppoll unblocking them
	 * as it sleeps.  A poll (no timeout) only looks. */
	struct pal_tcb *tcb = pal_tcb();
	uint32_t raises = tcb->raises_delivered;
	bool may_sleep = timeout_us != 0; /* a poll costs no mask changes */
	for (;;) {
		uint64_t open = 0;
		if (may_sleep) {
			open = pal_linux_sigmask(~(uint64_t)0 & ~K_SYNC_SIGNALS);
			if (__atomic_exchange_n(&tcb->signal_unseen, 0, __ATOMIC_ACQ_REL)) {
				pal_linux_sigmask(open);
				return -DK_E_INTERRUPTED;
			}
		}
		long rc = HOST(ppoll, p, n, tsp, may_sleep ? &open : NULL, 8);
		if (may_sleep) {
			pal_linux_sigmask(open);
			pal_linux_wait_returned(tcb);
		}
		if (rc == -K_EINTR)
			__atomic_store_n(&tcb->signal_unseen, 0, __ATOMIC_RELEASE);
		/* ppoll is never restarted: only a raised exception interrupts
		 * the wait; other signals (abort requests) just poll again. */
		if (rc == -K_EINTR && pal_tcb()->raises_delivered != raises)
			return -DK_E_INTERRUPTED;
		if (rc == -K_EINTR)
			continue;
		if (HOST_IS_ERR(rc))
			return pal_dk_error(rc);
		int got = pick(n, objs, p, index);
		if (got != 0)
			return got < 0 ? got : 0;
		if (rc == 0 && !always)
			return -DK_E_TIMEOUT;
		if (tsp && ts.sec == 0 && ts.nsec == 0)
			return -DK_E_TIMEOUT; /* lost every race and no time is left */
	}
}

/* ---- abort events -------------------------------------------------------- */
#define ABORT_MAX 16

static struct pal_object *abort_events[ABORT_MAX];
static int abort_count; /* entries below it are complete; atomic */
static struct pal_lock abort_lock;

int pal_host_abort_register(struct pal_object *event)
{
	int rc = 0;
	pal_lock(&abort_lock);
	int n = abort_count;
	for (int i = 0; i < n; i++)
		if (abort_events[i] == event)
			goto out; /* already registered */
	if (n == ABORT_MAX) {
		rc = -DK_E_LIMIT;
		goto out;
	}
	pal_object_get(event); /* registered for the life of the process */
	abort_events[n] = event;
	__atomic_store_n(&abort_count, n + 1, __ATOMIC_RELEASE);
out:
	pal_unlock(&abort_lock);
	return rc;
}

/* Called from a signal handler: only loads and eventfd writes, no lock. */
int pal_linux_abort_raise(void)
{
	int n = __atomic_load_n(&abort_count, __ATOMIC_ACQUIRE);
	for (int i = 0; i < n; i++)
		efd_add(abort_events[i]->wait_fd, 1);
	return n;
}

void pal_host_abort_signal(void)
{
	pal_linux_abort_raise();
}

/* ---- after DkProcessFork, in the child ------------------------------------
 * Events, semaphores and thread objects are host eventfds, which the fork
 * shares with the parent: a child setting or consuming one would wake or
 * rob the parent's waiters.  The child gives each a fresh eventfd with the
 * same state (read without consuming: a poll for events, the mirror count
 * for semaphores).  The threads that did not come along count as exited. */
static int renew_fd(int old, unsigned value, int flags)
{
	int fd = pal_linux_eventfd(value, flags);
	if (fd < 0)
		return old; /* out of descriptors: stay shared rather than break */
	pal_linux_close(old);
	return fd;
}

static void renew(struct pal_object *obj)
{
	struct k_pollfd p = {.fd = obj->wait_fd, .events = K_POLLIN};
	struct k_timespec zero = {0, 0};
	switch (obj->type) {
	case PAL_OBJ_EVENT:
		HOST(ppoll, &p, 1, &zero, NULL, 8);
		obj->wait_fd = renew_fd(obj->wait_fd, (p.revents & K_POLLIN) ? 1 : 0,
					K_EFD_NONBLOCK);
		break;
	case PAL_OBJ_SEMAPHORE:
		obj->wait_fd = renew_fd(obj->wait_fd, obj->sem.count,
					K_EFD_SEMAPHORE | K_EFD_NONBLOCK);
		break;
	case PAL_OBJ_THREAD: {
		bool self = obj->thread.tcb == pal_tcb();
		if (!self) {
			obj->thread.tcb = NULL;
			__atomic_store_n(&obj->thread.exited, 1, __ATOMIC_RELEASE);
		}
		obj->wait_fd = renew_fd(obj->wait_fd, self ? 0 : 1, K_EFD_NONBLOCK);
		break;
	}
	default:
		break;
	}
}

void pal_linux_fork_child_objects(void)
{
	pal_handle_for_each(renew);
}
