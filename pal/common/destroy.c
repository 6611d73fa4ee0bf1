#include "common/destroy.h"

void pal_object_destroy(struct pal_object *obj)
{
	switch (obj->type) {
	case PAL_OBJ_THREAD: pal_thread_destroy(obj); break;
	case PAL_OBJ_PROCESS: pal_process_destroy(obj); break;
	case PAL_OBJ_EVENT: pal_event_destroy(obj); break;
	case PAL_OBJ_SEMAPHORE: pal_semaphore_destroy(obj); break;
	case PAL_OBJ_STREAM: pal_stream_destroy(obj); break;
	case PAL_OBJ_STREAM_EVENT: pal_stream_event_destroy(obj); break;
	}
}
