/*
 * The stream family's pieces that the rest of the PAL needs: the per-type
 * destructors (called by the handle code at an object's last reference) and
 * the host's stream ops for process handles.
 */
#ifndef MOAT_PAL_COMMON_STREAM_H
#define MOAT_PAL_COMMON_STREAM_H

#include "pal.h"

/* PAL_OBJ_STREAM: runs the provider's close (which releases fd and priv)
 * and frees the URI. */
void pal_stream_destroy(struct pal_object *obj);
/* PAL_OBJ_STREAM_EVENT: drops the reference to its stream. */
void pal_stream_event_destroy(struct pal_object *obj);

/*
 * Read/Write/AttributesQueryByHandle on a PAL_OBJ_PROCESS handle go through
 * these host ops; they may touch only obj->fd (the socket to the other
 * process), never obj->stream, which a process object does not have.
 */
extern const struct pal_stream_ops pal_host_process_stream_ops;

#endif
