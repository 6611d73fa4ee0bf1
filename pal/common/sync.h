/*
 * Shared by the thread, synchronisation and process downcalls
 * (pal/common/thread.c, sync.c, process.c).  The per-type destructors
 * (pal_thread_destroy, pal_event_destroy, pal_semaphore_destroy,
 * pal_process_destroy) are declared in common/destroy.h; they close host
 * descriptors, so the Linux host implements them (pal/linux/sync.c and
 * process.c).
 */
#ifndef MOAT_PAL_COMMON_SYNC_H
#define MOAT_PAL_COMMON_SYNC_H

#include "pal.h"
#include "common/destroy.h"

/* Most handles DkObjectsWaitAny takes at once (docs/ABI.md). */
#define PAL_WAIT_MAX 64

/* Gives obj (its reference is consumed, also on failure) a handle and
 * stores the handle at *user_out; if that store faults the handle is closed
 * again, so the caller's output is written only on success. */
int pal_publish_handle(struct pal_object *obj, DK_HANDLE *user_out);

/* Fails with -DK_E_BAD_POINTER unless n (<= 16) bytes at user can be read
 * and written; writes back what is there.  Used before a side effect that
 * cannot be undone (a thread started, a child process created). */
int pal_probe_out(void *user, size_t n);

#endif
