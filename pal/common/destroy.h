/* Per-type destructors, run when an object's last reference goes. */
#ifndef MOAT_PAL_DESTROY_H
#define MOAT_PAL_DESTROY_H

#include "pal.h"

void pal_object_destroy(struct pal_object *obj);
void pal_thread_destroy(struct pal_object *obj);
void pal_process_destroy(struct pal_object *obj);
void pal_event_destroy(struct pal_object *obj);
void pal_semaphore_destroy(struct pal_object *obj);
void pal_stream_destroy(struct pal_object *obj);
void pal_stream_event_destroy(struct pal_object *obj);

#endif
