/* The thread downcalls (6), host-independent half: checks and copies; the
 * host hooks (pal_host_thread_*) do the work. */
#include "common/calls.h"
#include "common/sync.h"

int pal_DkThreadCreate(dk_thread_fn fn, void *param, uint32_t flags, DK_HANDLE *thread)
{
	DK_HANDLE h;
	int rc;
	if (!fn || (flags & ~DK_THREAD_NO_SIGNALS))
		return -DK_E_INVALID;
	/* A started thread cannot be taken back: check the output first. */
	rc = pal_probe_out(thread, sizeof(*thread));
	if (rc < 0)
		return rc;
	struct pal_object *obj = pal_object_new(PAL_OBJ_THREAD);
	if (!obj)
		return -DK_E_NO_MEMORY;
	pal_object_get(obj); /* ours until the end of this call */
	rc = pal_handle_new(obj, &h); /* takes the first reference */
	if (rc < 0)
		goto out;
	rc = pal_host_thread_create(fn, param, flags, obj);
	if (rc < 0) {
		pal_handle_close(h);
		goto out;
	}
	rc = PAL_PUT(thread, h);
	if (rc < 0) /* the pointer went bad after the probe: the thread runs on */
		pal_handle_close(h);
out:
	pal_object_put(obj);
	return rc;
}

int pal_DkThreadDelayExecution(uint64_t microseconds, uint64_t *remaining)
{
	uint64_t left = 0;
	int rc;
	if (remaining && (rc = pal_probe_out(remaining, sizeof(*remaining))) < 0)
		return rc;
	rc = pal_host_thread_delay(microseconds, &left);
	/* remaining is optional; it is written only when an exception
	 * interrupted the delay, with the time that was left. */
	if (rc == -DK_E_INTERRUPTED && remaining && PAL_PUT(remaining, left) < 0)
		return -DK_E_BAD_POINTER;
	return rc;
}

int pal_DkThreadYieldExecution(void)
{
	return pal_host_thread_yield();
}

void pal_DkThreadExit(int exit_code)
{
	pal_host_thread_exit(exit_code);
}

int pal_DkThreadGetParameter(void **param)
{
	void *p = pal_tcb()->param;
	return PAL_PUT(param, p);
}

/* DK_HANDLE_NONE raises in the calling thread. */
int pal_DkThreadRaiseException(DK_HANDLE thread, uint64_t arg)
{
	struct pal_object *obj;
	int rc;
	if (thread == DK_HANDLE_NONE) {
		obj = pal_tcb()->obj;
		if (!obj)
			return -DK_E_INVALID;
		pal_object_get(obj);
	} else {
		rc = pal_handle_get(thread, PAL_OBJ_THREAD, &obj);
		if (rc < 0)
			return rc;
	}
	rc = pal_host_thread_raise(obj, arg);
	pal_object_put(obj);
	return rc;
}
