/*
 * Events, semaphores and waiting (10 downcalls), host-independent half.
 * Every waitable object carries a host descriptor (wait_fd) that the host
 * polls; see pal.h and pal/linux/sync.c.
 */
#include "common/calls.h"
#include "common/sync.h"

int pal_publish_handle(struct pal_object *obj, DK_HANDLE *user_out)
{
	DK_HANDLE h;
	int rc = pal_handle_new(obj, &h);
	if (rc < 0)
		return rc;
	rc = PAL_PUT(user_out, h);
	if (rc < 0)
		pal_handle_close(h);
	return rc;
}

int pal_probe_out(void *user, size_t n)
{
	uint8_t tmp[16];
	int rc = pal_copy_in(tmp, user, n);
	return rc < 0 ? rc : pal_copy_out(user, tmp, n);
}

static int event_create(bool auto_reset, int initially_set, DK_HANDLE *event)
{
	struct pal_object *obj = pal_object_new(PAL_OBJ_EVENT);
	if (!obj)
		return -DK_E_NO_MEMORY;
	int rc = pal_host_event_init(obj, auto_reset, initially_set != 0);
	if (rc < 0) {
		pal_object_put(obj);
		return rc;
	}
	return pal_publish_handle(obj, event);
}

/* Manual reset: stays set, releasing every waiter, until cleared. */
int pal_DkNotificationEventCreate(int initially_set, DK_HANDLE *event)
{
	return event_create(false, initially_set, event);
}

/* Auto reset: a successful wait clears it, so one set releases one waiter. */
int pal_DkSynchronizationEventCreate(int initially_set, DK_HANDLE *event)
{
	return event_create(true, initially_set, event);
}

int pal_DkSemaphoreCreate(uint32_t initial, uint32_t maximum, DK_HANDLE *sem)
{
	if (maximum == 0 || initial > maximum)
		return -DK_E_INVALID;
	struct pal_object *obj = pal_object_new(PAL_OBJ_SEMAPHORE);
	if (!obj)
		return -DK_E_NO_MEMORY;
	int rc = pal_host_sem_init(obj, initial, maximum);
	if (rc < 0) {
		pal_object_put(obj);
		return rc;
	}
	return pal_publish_handle(obj, sem);
}

/* previous is optional.  A release past the maximum changes nothing and
 * fails with -DK_E_LIMIT. */
int pal_DkSemaphoreRelease(DK_HANDLE sem, uint32_t count, uint32_t *previous)
{
	struct pal_object *obj;
	uint32_t prev;
	int rc;
	if (count == 0)
		return -DK_E_INVALID;
	if (previous && (rc = pal_probe_out(previous, sizeof(*previous))) < 0)
		return rc;
	rc = pal_handle_get(sem, PAL_OBJ_SEMAPHORE, &obj);
	if (rc < 0)
		return rc;
	rc = pal_host_sem_release(obj, count, &prev);
	pal_object_put(obj);
	if (rc == 0 && previous)
		rc = PAL_PUT(previous, prev);
	return rc;
}

/* The count is a snapshot: other threads may change it at any time. */
int pal_DkSemaphorePeek(DK_HANDLE sem, uint32_t *count)
{
	struct pal_object *obj;
	int rc = pal_handle_get(sem, PAL_OBJ_SEMAPHORE, &obj);
	if (rc < 0)
		return rc;
	uint32_t c = __atomic_load_n(&obj->sem.count, __ATOMIC_ACQUIRE);
	pal_object_put(obj);
	return PAL_PUT(count, c);
}

/* Runs one event hook on a handle that must be an event. */
static int event_op(DK_HANDLE event, int (*op)(struct pal_object *))
{
	struct pal_object *obj;
	int rc = pal_handle_get(event, PAL_OBJ_EVENT, &obj);
	if (rc < 0)
		return rc;
	rc = op(obj);
	pal_object_put(obj);
	return rc;
}

int pal_DkEventSet(DK_HANDLE event)
{
	return event_op(event, pal_host_event_set);
}

int pal_DkEventClear(DK_HANDLE event)
{
	return event_op(event, pal_host_event_clear);
}

int pal_DkEventPeek(DK_HANDLE event, int *is_set)
{
	struct pal_object *obj;
	bool set = false;
	int rc = pal_handle_get(event, PAL_OBJ_EVENT, &obj);
	if (rc < 0)
		return rc;
	rc = pal_host_event_peek(obj, &set);
	pal_object_put(obj);
	if (rc < 0)
		return rc;
	int v = set;
	return PAL_PUT(is_set, v);
}

/*
 * Waits until one of count handles (1..64, any waitable kind: thread,
 * process, event, semaphore, stream, stream event) is signaled and stores
 * the index of the first signaled one in *signaled (optional).  The
 * objects stay referenced during the wait, so a handle closed meanwhile
 * cannot pull a descriptor from under the host's poll.
 */
int pal_DkObjectsWaitAny(size_t count, const DK_HANDLE *handles, uint64_t timeout_us,
			 size_t *signaled)
{
	DK_HANDLE h[PAL_WAIT_MAX];
	struct pal_object *objs[PAL_WAIT_MAX];
	size_t n = 0, index = 0;
	int rc;
	if (count == 0 || count > PAL_WAIT_MAX)
		return -DK_E_INVALID;
	rc = pal_copy_in(h, handles, count * sizeof(h[0]));
	if (rc < 0)
		return rc;
	/* A wait may consume a unit (auto-reset event, semaphore): check the
	 * output before that happens. */
	if (signaled && (rc = pal_probe_out(signaled, sizeof(*signaled))) < 0)
		return rc;
	for (n = 0; n < count; n++) {
		rc = pal_handle_get(h[n], 0, &objs[n]);
		if (rc < 0)
			goto out;
	}
	rc = pal_host_wait_any(count, objs, timeout_us, &index);
	if (rc == 0 && signaled)
		rc = PAL_PUT(signaled, index);
out:
	while (n > 0)
		pal_object_put(objs[--n]);
	return rc;
}

/* The event is set when the host asks the picoprocess to stop (SIGTERM,
 * SIGINT, SIGHUP on Linux).  At most 16 events; they stay registered (and
 * referenced) for the life of the process. */
int pal_DkAbortEventRegister(DK_HANDLE event)
{
	return event_op(event, pal_host_abort_register);
}
