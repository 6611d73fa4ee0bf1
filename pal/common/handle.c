/*
 * The handle table.  A handle is (generation << 32 | slot + 1), so a value
 * that was never handed out, or whose slot has been closed and reused, is
 * refused with -DK_E_BAD_HANDLE instead of reaching freed memory.
 */
#include "pal.h"
#include "common/lock.h"
#include "common/destroy.h"

#define HANDLE_MAX 65536u

struct slot {
	struct pal_object *obj; /* NULL when free */
	uint32_t generation;
	uint32_t next_free;     /* slot index + 1, 0 ends the list */
};

static struct pal_lock table_lock PAL_FORK_HOT;
/* In the PAL's own .bss, not a mapping of its own: pages are backed only
 * as slots are used, and a host fork copies one anonymous mapping fewer
 * (each costs about 3.5 us between a fork and the child's exit). */
static struct slot slots[HANDLE_MAX];
static uint32_t slot_count, first_free;

int pal_handle_new(struct pal_object *obj, DK_HANDLE *out)
{
	uint32_t i;
	pal_lock(&table_lock);
	if (first_free) {
		i = first_free - 1;
		first_free = slots[i].next_free;
	} else if (slot_count < HANDLE_MAX) {
		i = slot_count++;
	} else {
		pal_unlock(&table_lock);
		pal_object_put(obj);
		return -DK_E_LIMIT;
	}
	slots[i].obj = obj;
	slots[i].generation++;
	*out = ((DK_HANDLE)slots[i].generation << 32) | (i + 1);
	pal_unlock(&table_lock);
	return 0;
}

static struct slot *find(DK_HANDLE h)
{
	uint32_t i = (uint32_t)h - 1;
	if ((uint32_t)h == 0 || i >= slot_count || !slots[i].obj ||
	    slots[i].generation != (uint32_t)(h >> 32))
		return NULL;
	return &slots[i];
}

int pal_handle_get(DK_HANDLE h, uint32_t type, struct pal_object **obj)
{
	int rc = -DK_E_BAD_HANDLE;
	pal_lock(&table_lock);
	struct slot *s = find(h);
	if (s && (!type || s->obj->type == type)) {
		pal_object_get(s->obj);
		*obj = s->obj;
		rc = 0;
	}
	pal_unlock(&table_lock);
	return rc;
}

int pal_handle_close(DK_HANDLE h)
{
	struct pal_object *obj;
	pal_lock(&table_lock);
	struct slot *s = find(h);
	if (!s) {
		pal_unlock(&table_lock);
		return -DK_E_BAD_HANDLE;
	}
	obj = s->obj;
	if (obj->handle_refs > 0) { /* referenced: this close drops the reference */
		obj->handle_refs--;
		pal_unlock(&table_lock);
		return 0;
	}
	s->obj = NULL;
	s->next_free = first_free;
	first_free = (uint32_t)(s - slots) + 1;
	pal_unlock(&table_lock);
	pal_object_put(obj);
	return 0;
}

/* DkObjectReference: a second handle value would break "close once per
 * open", so a reference is a count on the same handle: the handle stays
 * valid until it has been closed once more than it was referenced. */
int pal_handle_ref(DK_HANDLE h)
{
	int rc = -DK_E_BAD_HANDLE;
	pal_lock(&table_lock);
	struct slot *s = find(h);
	if (s) {
		s->obj->handle_refs++;
		rc = 0;
	}
	pal_unlock(&table_lock);
	return rc;
}

struct pal_object *pal_object_new(uint32_t type)
{
	struct pal_object *obj = pal_alloc(sizeof(*obj));
	if (obj) {
		obj->type = type;
		obj->refs = 1;
		obj->fd = -1;
		obj->wait_fd = -1;
	}
	return obj;
}

void pal_object_get(struct pal_object *obj)
{
	__atomic_add_fetch(&obj->refs, 1, __ATOMIC_RELAXED);
}

void pal_object_put(struct pal_object *obj)
{
	if (__atomic_sub_fetch(&obj->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	pal_object_destroy(obj);
	pal_free(obj);
}

/* DkProcessFork: as pal_alloc_fork_lock, for the handle table. */
void pal_handle_fork_lock(bool take)
{
	if (take)
		pal_lock(&table_lock);
	else
		pal_unlock(&table_lock);
}

/* Calls fn on every object in the table (a forked child renewing the
 * objects it must not share with its parent). */
void pal_handle_for_each(void (*fn)(struct pal_object *obj))
{
	pal_lock(&table_lock);
	for (uint32_t i = 0; i < slot_count; i++)
		if (slots[i].obj)
			fn(slots[i].obj);
	pal_unlock(&table_lock);
}
