/*
 * The I/O stream downcalls (14, and the three link and metadata additions),
 * host-independent half: argument checks, fault-safe copies of the caller's
 * memory, handle lookup, and dispatch to the provider (struct pal_stream_ops)
 * that owns the URI's scheme.
 *
 * Outputs are written only on success.  Where a call has a side effect that
 * cannot be undone cheaply (a read consumes data, an accept takes a
 * connection), the output pointer is probed first by writing back the value
 * it already holds, so a bad pointer fails before the side effect.
 */
#include "pal.h"
#include "common/calls.h"
#include "common/stream.h"
#include "common/sync.h"

#define ACCESS_ALL (DK_ACCESS_READ | DK_ACCESS_WRITE | DK_ACCESS_APPEND)
#define OPT_ALL                                                                       \
	(DK_OPT_NONBLOCK | DK_OPT_DIRECTORY | DK_OPT_NOFOLLOW | DK_OPT_FIFO | DK_OPT_DATAGRAM | \
	 DK_OPT_SOCKET_FILE)
#define MAP_KIND (DK_MAP_SHARED | DK_MAP_PRIVATE)
#define PROT_ALL (DK_PROT_READ | DK_PROT_WRITE | DK_PROT_EXEC)
/* Linux never moves more than this in one read or write; capping here keeps
 * size_t values from turning negative in a provider's ssize arithmetic. */
#define IO_MAX 0x7ffff000ul

/* The provider whose scheme (with its colon) starts uri; *rest is the rest. */
static const struct pal_stream_ops *find_provider(const char *uri, const char **rest)
{
	for (const struct pal_stream_ops *const *p = pal_host_providers; *p; p++) {
		size_t n = strlen((*p)->scheme);
		if (strncmp(uri, (*p)->scheme, n) == 0) {
			*rest = uri + n;
			return *p;
		}
	}
	return NULL;
}

/* buf's provider: 0, or -DK_E_UNSUPPORTED. */
static int provider_of(const char *buf, const struct pal_stream_ops **ops, const char **rest)
{
	*ops = find_provider(buf, rest);
	return *ops ? 0 : -DK_E_UNSUPPORTED;
}

/* Copies a URI into buf (size bytes) and finds its provider. */
static int uri_in(char *buf, size_t size, const char *uri, const struct pal_stream_ops **ops,
		  const char **rest)
{
	int rc = pal_copy_string_in(buf, uri, size);
	return rc < 0 ? rc : provider_of(buf, ops, rest);
}

/* uri_in for a buffer of the URI's own size, as pal_string_size has just
 * found it: one copy, no second scan.  DkStreamOpen and
 * DkStreamAttributesQuery use one, not DK_URI_MAX bytes: each page of
 * stack a call touches is one more page a forked child copies, and an
 * exec opens its files at a depth the child then returns through. */
static int uri_in_sized(char *buf, size_t size, const char *uri,
			const struct pal_stream_ops **ops, const char **rest)
{
	int rc = pal_copy_in(buf, uri, size);
	if (rc < 0)
		return rc;
	buf[size - 1] = 0; /* the caller's other threads may have changed it */
	return provider_of(buf, ops, rest);
}

/* Probes that the caller's output can be written, without changing it. */
static int probe_out(void *user, size_t n)
{
	uint8_t tmp[16];
	int rc = pal_copy_in(tmp, user, n);
	return rc < 0 ? rc : pal_copy_out(user, tmp, n);
}

/* Looks up a handle usable as a stream: a stream, or a process (whose fd is
 * a stream to the other process).  Takes a reference. */
static int stream_get(DK_HANDLE h, struct pal_object **obj, const struct pal_stream_ops **ops)
{
	int rc = pal_handle_get(h, 0, obj);
	if (rc < 0)
		return rc;
	if ((*obj)->type == PAL_OBJ_STREAM) {
		*ops = (*obj)->stream.ops;
		return 0;
	}
	if ((*obj)->type == PAL_OBJ_PROCESS) {
		*ops = &pal_host_process_stream_ops;
		return 0;
	}
	pal_object_put(*obj);
	return -DK_E_BAD_HANDLE;
}

/* Process streams are always readable and writable. */
static uint32_t stream_access(const struct pal_object *obj)
{
	return obj->type == PAL_OBJ_STREAM ? obj->stream.access
					   : DK_ACCESS_READ | DK_ACCESS_WRITE;
}

int pal_DkStreamOpen(const char *uri, uint32_t access, uint32_t create, uint32_t options,
		     uint32_t mode, DK_HANDLE *stream)
{
	const struct pal_stream_ops *ops;
	const char *rest;
	DK_HANDLE h;

	if ((access & ~ACCESS_ALL) || (create & ~DK_CREATE_TRUNCATE) > DK_CREATE_NEW ||
	    (options & ~OPT_ALL) || (mode & ~07777u))
		return -DK_E_INVALID;
	/* A FIFO is made, never only looked for, and is no directory. */
	if ((options & DK_OPT_FIFO) &&
	    ((options & DK_OPT_DIRECTORY) || !(create & (DK_CREATE_ALWAYS | DK_CREATE_NEW))))
		return -DK_E_INVALID;
	/* A socket file is made, never opened: a new name, no access, nothing
	 * but NOFOLLOW (which making never breaks) beside it. */
	bool sock = options & DK_OPT_SOCKET_FILE;
	if (sock && (access || create != DK_CREATE_NEW ||
		     (options & ~(DK_OPT_SOCKET_FILE | DK_OPT_NOFOLLOW))))
		return -DK_E_INVALID;
	int size = pal_string_size(uri, DK_URI_MAX);
	if (size < 0)
		return size;
	char buf[size];
	int rc = uri_in_sized(buf, (size_t)size, uri, &ops, &rest);
	if (rc < 0)
		return rc;
	if (!ops->open)
		return -DK_E_UNSUPPORTED;
	/* Datagrams are for the named pipes only. */
	if ((options & DK_OPT_DATAGRAM) && strcmp(ops->scheme, "pipe.server:") != 0 &&
	    strcmp(ops->scheme, "pipe.client:") != 0)
		return -DK_E_INVALID;
	if (sock && strcmp(ops->scheme, "file:") != 0)
		return -DK_E_INVALID;
	rc = probe_out(stream, sizeof(*stream));
	if (rc < 0)
		return rc;

	struct pal_object *obj = pal_object_new(PAL_OBJ_STREAM);
	if (!obj)
		return -DK_E_NO_MEMORY;
	obj->fd = obj->wait_fd = -1;
	obj->stream.ops = NULL; /* set once open succeeds, so a failure skips close */
	obj->stream.priv = NULL;
	obj->stream.dir_pos = 0;
	obj->stream.uri = pal_strdup(buf);
	obj->stream.access = access;
	obj->stream.options = options;
	if (!obj->stream.uri) {
		pal_object_put(obj);
		return -DK_E_NO_MEMORY;
	}
	rc = ops->open(obj, rest, access, create, options, mode);
	if (rc < 0) {
		/* A failed open has released what it took; nothing to close. */
		pal_object_put(obj);
		return rc;
	}
	if (sock) { /* made: there is no stream */
		pal_object_put(obj);
		h = DK_HANDLE_NONE;
		return PAL_PUT(stream, h);
	}
	obj->stream.ops = ops;
	rc = pal_handle_new(obj, &h); /* drops obj on failure */
	if (rc < 0)
		return rc;
	rc = PAL_PUT(stream, h);
	if (rc < 0)
		pal_handle_close(h);
	return rc;
}

int pal_DkStreamRead(DK_HANDLE stream, uint64_t offset, void *buf, size_t *count)
{
	struct pal_object *obj;
	const struct pal_stream_ops *ops;
	size_t n;

	int rc = pal_copy_in(&n, count, sizeof(n));
	if (rc < 0 || (rc = pal_copy_out(count, &n, sizeof(n))) < 0)
		return rc;
	if (!buf && n)
		return -DK_E_BAD_POINTER;
	if (n > IO_MAX)
		n = IO_MAX;
	rc = stream_get(stream, &obj, &ops);
	if (rc < 0)
		return rc;
	if (!ops->read)
		rc = -DK_E_UNSUPPORTED;
	else if (!(stream_access(obj) & DK_ACCESS_READ))
		rc = -DK_E_DENIED;
	else
		rc = ops->read(obj, offset, buf, &n);
	pal_object_put(obj);
	return rc < 0 ? rc : PAL_PUT(count, n);
}

int pal_DkStreamWrite(DK_HANDLE stream, uint64_t offset, const void *buf, size_t *count)
{
	struct pal_object *obj;
	const struct pal_stream_ops *ops;
	size_t n;

	int rc = pal_copy_in(&n, count, sizeof(n));
	if (rc < 0 || (rc = pal_copy_out(count, &n, sizeof(n))) < 0)
		return rc;
	if (!buf && n)
		return -DK_E_BAD_POINTER;
	if (n > IO_MAX)
		n = IO_MAX;
	rc = stream_get(stream, &obj, &ops);
	if (rc < 0)
		return rc;
	if (!ops->write)
		rc = -DK_E_UNSUPPORTED;
	else if (!(stream_access(obj) & (DK_ACCESS_WRITE | DK_ACCESS_APPEND)))
		rc = -DK_E_DENIED;
	else
		rc = ops->write(obj, offset, buf, &n);
	pal_object_put(obj);
	return rc < 0 ? rc : PAL_PUT(count, n);
}

/* Page-aligned, non-empty and not wrapping around the address space. */
/* A mapping's range: its size need not be whole pages (the rest of the
 * last page comes with it), otherwise as pal_range_ok wants it. */
static bool range_ok(uintptr_t addr, size_t size)
{
	return size && size <= (size_t)-1 - PAL_PAGE &&
	       pal_range_ok(addr, PAL_ALIGN_UP(size, PAL_PAGE));
}

int pal_DkStreamMap(DK_HANDLE stream, void **addr, uint32_t prot, uint32_t flags,
		    uint64_t offset, size_t size)
{
	struct pal_object *obj;
	const struct pal_stream_ops *ops;
	void *a;

	int rc = pal_copy_in(&a, addr, sizeof(a));
	if (rc < 0 || (rc = pal_copy_out(addr, &a, sizeof(a))) < 0)
		return rc;
	uint32_t kind = flags & MAP_KIND;
	if ((prot & ~PROT_ALL) || (flags & ~(MAP_KIND | DK_MAP_FIXED)) ||
	    (kind != DK_MAP_SHARED && kind != DK_MAP_PRIVATE) || !size ||
	    (offset & (PAL_PAGE - 1)) || size > (size_t)-1 - PAL_PAGE)
		return -DK_E_INVALID;
	if ((flags & DK_MAP_FIXED) && (!a || !range_ok((uintptr_t)a, size)))
		return -DK_E_INVALID;
	rc = stream_get(stream, &obj, &ops);
	if (rc < 0)
		return rc;
	rc = ops->map ? ops->map(obj, &a, prot, flags, offset, size) : -DK_E_UNSUPPORTED;
	pal_object_put(obj);
	if (rc < 0)
		return rc;
	rc = PAL_PUT(addr, a);
	if (rc < 0)
		pal_host_unmap(a, PAL_ALIGN_UP(size, PAL_PAGE));
	return rc;
}

int pal_DkStreamMapPeBinary(DK_HANDLE stream, void *addr_hint, struct dk_image_info *info)
{
	struct pal_object *obj;
	const struct pal_stream_ops *ops;
	struct dk_image_info out;

	if ((uintptr_t)addr_hint & (PAL_PAGE - 1))
		return -DK_E_INVALID;
	int rc = stream_get(stream, &obj, &ops);
	if (rc < 0)
		return rc;
	memset(&out, 0, sizeof(out));
	/* Only real streams carry an image; a process handle does not. */
	rc = obj->type == PAL_OBJ_STREAM ? pal_host_map_image(obj, addr_hint, &out)
					 : -DK_E_UNSUPPORTED;
	pal_object_put(obj);
	if (rc < 0)
		return rc;
	rc = PAL_PUT(info, out);
	if (rc < 0 && out.end > out.start)
		pal_host_unmap((void *)(uintptr_t)out.start, out.end - out.start);
	return rc;
}

int pal_DkStreamUnmap(void *addr, size_t size)
{
	if (!range_ok((uintptr_t)addr, size))
		return -DK_E_INVALID;
	return pal_host_unmap(addr, size);
}

int pal_DkStreamSetLength(DK_HANDLE stream, uint64_t length)
{
	struct pal_object *obj;
	const struct pal_stream_ops *ops;

	if (length > INT64_MAX)
		return -DK_E_INVALID;
	int rc = stream_get(stream, &obj, &ops);
	if (rc < 0)
		return rc;
	rc = ops->set_length ? ops->set_length(obj, length) : -DK_E_UNSUPPORTED;
	pal_object_put(obj);
	return rc;
}

int pal_DkStreamFlush(DK_HANDLE stream)
{
	struct pal_object *obj;
	const struct pal_stream_ops *ops;

	int rc = stream_get(stream, &obj, &ops);
	if (rc < 0)
		return rc;
	rc = ops->flush ? ops->flush(obj) : -DK_E_UNSUPPORTED;
	pal_object_put(obj);
	return rc;
}

int pal_DkStreamDelete(const char *uri)
{
	char buf[DK_URI_MAX];
	const struct pal_stream_ops *ops;
	const char *rest;

	int rc = uri_in(buf, sizeof(buf), uri, &ops, &rest);
	if (rc < 0)
		return rc;
	return ops->delete ? ops->delete(rest) : -DK_E_UNSUPPORTED;
}

int pal_DkStreamRename(const char *old_uri, const char *new_uri)
{
	char old_buf[DK_URI_MAX], new_buf[DK_URI_MAX];
	const struct pal_stream_ops *old_ops, *new_ops;
	const char *old_rest, *new_rest;

	int rc = uri_in(old_buf, sizeof(old_buf), old_uri, &old_ops, &old_rest);
	if (rc < 0)
		return rc;
	rc = uri_in(new_buf, sizeof(new_buf), new_uri, &new_ops, &new_rest);
	if (rc < 0)
		return rc;
	/* A rename stays within one provider (file: to file:). */
	if (old_ops != new_ops || !old_ops->rename)
		return -DK_E_UNSUPPORTED;
	return old_ops->rename(old_rest, new_rest);
}

int pal_DkStreamGetEvent(DK_HANDLE stream, DK_HANDLE *event)
{
	struct pal_object *obj;
	const struct pal_stream_ops *ops;
	DK_HANDLE h;

	int rc = probe_out(event, sizeof(*event));
	if (rc < 0)
		return rc;
	rc = stream_get(stream, &obj, &ops);
	if (rc < 0)
		return rc;
	struct pal_object *ev = pal_object_new(PAL_OBJ_STREAM_EVENT);
	if (!ev) {
		pal_object_put(obj);
		return -DK_E_NO_MEMORY;
	}
	/* Signaled while the stream is readable; the event borrows the
	 * stream's descriptor and keeps the stream alive with our reference. */
	ev->fd = -1;
	ev->wait_fd = obj->type == PAL_OBJ_PROCESS ? obj->fd : obj->wait_fd;
	ev->stream_event.stream = obj;
	rc = pal_handle_new(ev, &h); /* on failure drops ev, and so obj */
	if (rc < 0)
		return rc;
	rc = PAL_PUT(event, h);
	if (rc < 0)
		pal_handle_close(h);
	return rc;
}

int pal_DkStreamEnumerateChildren(DK_HANDLE directory, char *buf, size_t *size)
{
	struct pal_object *obj;
	const struct pal_stream_ops *ops;
	size_t n;

	int rc = pal_copy_in(&n, size, sizeof(n));
	if (rc < 0 || (rc = pal_copy_out(size, &n, sizeof(n))) < 0)
		return rc;
	if (!buf && n)
		return -DK_E_BAD_POINTER;
	rc = stream_get(directory, &obj, &ops);
	if (rc < 0)
		return rc;
	rc = ops->enumerate ? ops->enumerate(obj, buf, &n) : -DK_E_UNSUPPORTED;
	pal_object_put(obj);
	return rc < 0 ? rc : PAL_PUT(size, n);
}

int pal_DkStreamAttributesQuery(const char *uri, struct dk_stream_attr *attr)
{
	const struct pal_stream_ops *ops;
	const char *rest;
	struct dk_stream_attr a;

	int size = pal_string_size(uri, DK_URI_MAX);
	if (size < 0)
		return size;
	char buf[size];
	int rc = uri_in_sized(buf, (size_t)size, uri, &ops, &rest);
	if (rc < 0)
		return rc;
	if (!ops->attr)
		return -DK_E_UNSUPPORTED;
	memset(&a, 0, sizeof(a));
	rc = ops->attr(rest, &a);
	return rc < 0 ? rc : PAL_PUT(attr, a);
}

int pal_DkStreamAttributesQueryByHandle(DK_HANDLE stream, struct dk_stream_attr *attr)
{
	struct pal_object *obj;
	const struct pal_stream_ops *ops;
	struct dk_stream_attr a;

	int rc = stream_get(stream, &obj, &ops);
	if (rc < 0)
		return rc;
	memset(&a, 0, sizeof(a));
	rc = ops->attr_by_handle ? ops->attr_by_handle(obj, &a) : -DK_E_UNSUPPORTED;
	/* For a handle, "may read/write" is what it was opened for. */
	uint32_t access = stream_access(obj);
	a.readable = !!(access & DK_ACCESS_READ);
	a.writable = !!(access & (DK_ACCESS_WRITE | DK_ACCESS_APPEND));
	pal_object_put(obj);
	return rc < 0 ? rc : PAL_PUT(attr, a);
}

void pal_stream_destroy(struct pal_object *obj)
{
	if (obj->stream.ops && obj->stream.ops->close)
		obj->stream.ops->close(obj);
	obj->stream.ops = NULL;
	pal_free(obj->stream.uri);
	obj->stream.uri = NULL;
}

void pal_stream_event_destroy(struct pal_object *obj)
{
	if (obj->stream_event.stream)
		pal_object_put(obj->stream_event.stream);
	obj->stream_event.stream = NULL;
	obj->wait_fd = -1; /* borrowed from the stream: not ours to close */
}

/* ---- the additions: links and metadata (file: only in version 1) ------------- */

#define ATTR_WHICH_ALL (DK_ATTR_MODE | DK_ATTR_TIMES | DK_ATTR_NOFOLLOW)

/* Probes that the caller's attribute record can be written, unchanged. */
static int probe_attr(struct dk_stream_attr *user)
{
	struct dk_stream_attr tmp;
	int rc = pal_copy_in(&tmp, user, sizeof(tmp));
	return rc < 0 ? rc : pal_copy_out(user, &tmp, sizeof(tmp));
}

/* Two forms: with size, a symbolic link's text (truncated to *size bytes,
 * no NUL) and, if attr is non-NULL, the link's own attributes; with buf and
 * size NULL, only the attributes of whatever uri names, a final link not
 * followed (lstat). */
int pal_DkStreamLinkRead(const char *uri, char *buf, size_t *size, struct dk_stream_attr *attr)
{
	char ubuf[DK_URI_MAX], text[DK_URI_MAX];
	const struct pal_stream_ops *ops;
	const char *rest;
	struct dk_stream_attr a;
	size_t n = 0, len = 0;
	int rc;

	if (!size && (buf || !attr))
		return -DK_E_INVALID; /* the attributes-only form needs attr and no buf */
	if (size) {
		rc = pal_copy_in(&n, size, sizeof(n));
		if (rc < 0 || (rc = pal_copy_out(size, &n, sizeof(n))) < 0)
			return rc;
		if (!buf && n)
			return -DK_E_BAD_POINTER;
	}
	if (attr && (rc = probe_attr(attr)) < 0)
		return rc;
	rc = uri_in(ubuf, sizeof(ubuf), uri, &ops, &rest);
	if (rc < 0)
		return rc;
	if (!ops->link_read)
		return -DK_E_UNSUPPORTED;
	memset(&a, 0, sizeof(a));
	rc = ops->link_read(rest, size ? text : NULL, &len, attr ? &a : NULL);
	if (rc < 0)
		return rc;
	if (size) {
		if (len > n)
			len = n;
		if ((rc = pal_copy_out(buf, text, len)) < 0 || (rc = PAL_PUT(size, len)) < 0)
			return rc;
	}
	return attr ? PAL_PUT(attr, a) : 0;
}

int pal_DkStreamLinkCreate(const char *target, const char *link_uri, uint32_t kind)
{
	char tbuf[DK_URI_MAX], lbuf[DK_URI_MAX];
	const struct pal_stream_ops *ops, *tops;
	const char *rest, *trest;

	if (kind != DK_LINK_SYMBOLIC && kind != DK_LINK_HARD)
		return -DK_E_INVALID;
	int rc = uri_in(lbuf, sizeof(lbuf), link_uri, &ops, &rest);
	if (rc < 0)
		return rc;
	if (kind == DK_LINK_SYMBOLIC) {
		/* Free text, stored as is; only the kernel reads it, when it
		 * follows the link under the sandbox's own rules. */
		if ((rc = pal_copy_string_in(tbuf, target, DK_URI_MAX)) < 0)
			return rc;
		if (!tbuf[0])
			return -DK_E_INVALID;
		trest = tbuf;
	} else {
		if ((rc = uri_in(tbuf, sizeof(tbuf), target, &tops, &trest)) < 0)
			return rc;
		/* A hard link stays within one provider (file: to file:). */
		if (tops != ops)
			return -DK_E_UNSUPPORTED;
	}
	return ops->link_create ? ops->link_create(trest, rest, kind) : -DK_E_UNSUPPORTED;
}

int pal_DkStreamAttributesSet(const char *uri, const struct dk_stream_attr *attr, uint32_t which)
{
	char buf[DK_URI_MAX];
	const struct pal_stream_ops *ops;
	const char *rest;
	struct dk_stream_attr a;

	/* Something to set; NOFOLLOW qualifies times only (Linux cannot
	 * change a link's own mode). */
	if ((which & ~ATTR_WHICH_ALL) || !(which & (DK_ATTR_MODE | DK_ATTR_TIMES)) ||
	    ((which & DK_ATTR_NOFOLLOW) && (which & DK_ATTR_MODE)))
		return -DK_E_INVALID;
	int rc = pal_copy_in(&a, attr, sizeof(a));
	if (rc < 0)
		return rc;
	if (which & DK_ATTR_MODE) {
		if (a.mode & ~07777u)
			return -DK_E_INVALID;
		if (a.mode & 06000u)
			return -DK_E_DENIED; /* no setuid/setgid files from a sandbox */
	}
	rc = uri_in(buf, sizeof(buf), uri, &ops, &rest);
	if (rc < 0)
		return rc;
	return ops->attr_set ? ops->attr_set(rest, &a, which) : -DK_E_UNSUPPORTED;
}

/* The console's terminal.  The op and size are checked, and the caller's
 * struct probed (read and written back), before the handle is looked at. */
int pal_DkStreamConsoleControl(DK_HANDLE console, uint32_t op, void *arg, size_t size)
{
	struct pal_object *obj;
	const struct pal_stream_ops *ops;
	union {
		struct dk_termios t;
		struct dk_winsize w;
		uint32_t status;
		struct dk_peer peer;
	} u;
	size_t want;

	switch (op) {
	case DK_STREAM_GET_STATUS:
	case DK_STREAM_SET_STATUS:
		want = sizeof(uint32_t);
		break;
	case DK_CONSOLE_GET_MODES:
	case DK_CONSOLE_SET_MODES:
	case DK_CONSOLE_SET_MODES_DRAIN:
	case DK_CONSOLE_SET_MODES_FLUSH:
		want = sizeof(struct dk_termios);
		break;
	case DK_CONSOLE_GET_WINSIZE:
		want = sizeof(struct dk_winsize);
		break;
	case DK_STREAM_GET_PEER:
		want = sizeof(struct dk_peer);
		break;
	default:
		return -DK_E_INVALID;
	}
	if (size != want)
		return -DK_E_INVALID;
	memset(&u, 0, sizeof(u));
	int rc = pal_copy_in(&u, arg, want);
	if (rc < 0)
		return rc;
	int get = op == DK_CONSOLE_GET_MODES || op == DK_CONSOLE_GET_WINSIZE ||
		  op == DK_STREAM_GET_STATUS || op == DK_STREAM_GET_PEER;
	if (op == DK_STREAM_SET_STATUS && (u.status & ~(DK_STATUS_NONBLOCK | DK_STATUS_APPEND)))
		return -DK_E_INVALID;
	if (get && (rc = pal_copy_out(arg, &u, want)) < 0)
		return rc;
	if ((rc = stream_get(console, &obj, &ops)) < 0)
		return rc;
	if (op == DK_STREAM_GET_STATUS || op == DK_STREAM_SET_STATUS)
		/* The console's host file is the user's terminal's too, and a
		 * process handle's stream is the PAL's own: neither is the
		 * caller's to change. */
		rc = obj->type != PAL_OBJ_STREAM || ops->type == DK_STREAM_CONSOLE || obj->fd < 0
			     ? -DK_E_UNSUPPORTED
			     : pal_host_stream_status(obj, op == DK_STREAM_SET_STATUS, &u.status);
	else if (op == DK_STREAM_GET_PEER)
		rc = obj->type == PAL_OBJ_STREAM && ops->peer ? ops->peer(obj, &u.peer)
							      : -DK_E_UNSUPPORTED;
	else
		rc = ops->console_control ? ops->console_control(obj, op, &u) : -DK_E_UNSUPPORTED;
	pal_object_put(obj);
	if (rc < 0)
		return rc;
	return get ? pal_copy_out(arg, &u, want) : 0;
}

/* Half-close of a connected tcp or pipe stream.  how is checked before the
 * handle is looked at. */
int pal_DkStreamShutdown(DK_HANDLE stream, uint32_t how)
{
	struct pal_object *obj;
	const struct pal_stream_ops *ops;

	if (how == 0 || (how & ~(DK_SHUTDOWN_READ | DK_SHUTDOWN_WRITE)))
		return -DK_E_INVALID;
	int rc = stream_get(stream, &obj, &ops);
	if (rc < 0)
		return rc;
	rc = ops->shutdown ? ops->shutdown(obj, how) : -DK_E_UNSUPPORTED;
	pal_object_put(obj);
	return rc;
}

/* An anonymous pipe (pipe(2)): two streams, read end and write end, that
 * stay connected across DkProcessFork. */
int pal_DkStreamPipeCreate(uint32_t options, DK_HANDLE *read_end, DK_HANDLE *write_end)
{
	uint32_t kinds = options & (DK_OPT_DATAGRAM | DK_OPT_SEQPACKET);
	if ((options & ~(DK_OPT_NONBLOCK | DK_OPT_DUPLEX | DK_OPT_DATAGRAM | DK_OPT_SEQPACKET)) ||
	    (kinds && !(options & DK_OPT_DUPLEX)) || kinds == (DK_OPT_DATAGRAM | DK_OPT_SEQPACKET))
		return -DK_E_INVALID;
	int rc = pal_probe_out(read_end, sizeof(*read_end));
	if (rc == 0)
		rc = pal_probe_out(write_end, sizeof(*write_end));
	if (rc < 0)
		return rc;
	struct pal_object *r = pal_object_new(PAL_OBJ_STREAM);
	struct pal_object *w = pal_object_new(PAL_OBJ_STREAM);
	if (!r || !w) {
		if (r)
			pal_object_put(r);
		if (w)
			pal_object_put(w);
		return -DK_E_NO_MEMORY;
	}
	rc = pal_host_pipe_create(options, r, w);
	if (rc < 0) {
		pal_object_put(r);
		pal_object_put(w);
		return rc;
	}
	DK_HANDLE hr, hw;
	rc = pal_handle_new(r, &hr);
	if (rc < 0) {
		pal_object_put(w);
		return rc;
	}
	rc = pal_handle_new(w, &hw);
	if (rc < 0) {
		pal_handle_close(hr);
		return rc;
	}
	/* Both outputs were probed writable; a racing unmap loses the ends. */
	rc = PAL_PUT(read_end, hr);
	if (rc == 0)
		rc = PAL_PUT(write_end, hw);
	if (rc < 0) {
		pal_handle_close(hr);
		pal_handle_close(hw);
	}
	return rc;
}

/* Moves a file: stream's own position (the one DK_OFFSET_CURRENT reads and
 * writes at, shared with DkProcessFork's children). */
int pal_DkStreamSeek(DK_HANDLE stream, int64_t offset, uint32_t whence, uint64_t *position)
{
	struct pal_object *obj;
	const struct pal_stream_ops *ops;
	if (whence > DK_SEEK_END)
		return -DK_E_INVALID;
	int rc = pal_probe_out(position, sizeof(*position));
	if (rc < 0)
		return rc;
	rc = stream_get(stream, &obj, &ops);
	if (rc < 0)
		return rc;
	uint64_t pos = 0;
	rc = ops->seek ? ops->seek(obj, offset, whence, &pos) : -DK_E_UNSUPPORTED;
	pal_object_put(obj);
	return rc < 0 ? rc : PAL_PUT(position, pos);
}

/* File locks the host keeps (fcntl record locks, OFD locks, flock). */
int pal_DkStreamLock(DK_HANDLE stream, uint32_t kind, uint32_t flags, struct dk_lock *lock)
{
	struct pal_object *obj;
	const struct pal_stream_ops *ops;
	struct dk_lock lk;
	if (kind < DK_LOCK_RANGE || kind > DK_LOCK_WHOLE ||
	    (flags & ~(DK_LOCK_WAIT | DK_LOCK_TEST)) ||
	    ((flags & DK_LOCK_TEST) && (kind == DK_LOCK_WHOLE || (flags & DK_LOCK_WAIT))))
		return -DK_E_INVALID;
	int rc = pal_copy_in(&lk, lock, sizeof(lk));
	if (rc < 0)
		return rc;
	if (lk.type > DK_LOCK_UNLOCK || lk.start > INT64_MAX || lk.length > INT64_MAX ||
	    ((flags & DK_LOCK_TEST) && lk.type == DK_LOCK_UNLOCK))
		return -DK_E_INVALID;
	rc = stream_get(stream, &obj, &ops);
	if (rc < 0)
		return rc;
	rc = ops->lock ? ops->lock(obj, kind, flags, &lk) : -DK_E_UNSUPPORTED;
	pal_object_put(obj);
	if (rc == 0 && (flags & DK_LOCK_TEST))
		rc = pal_copy_out(lock, &lk, sizeof(lk));
	return rc;
}

/* Bytes with streams attached, along a connected Unix stream.  The message
 * and the handle array are copied in (and probed writable for a receive)
 * before anything moves; the streams to send are looked up first. */
int pal_DkStreamMessage(DK_HANDLE stream, uint32_t op, struct dk_message *msg)
{
	struct dk_message m;
	struct dk_passed passed[DK_MESSAGE_HANDLES_MAX];
	struct pal_object *objs[DK_MESSAGE_HANDLES_MAX];
	struct pal_object *obj;
	const struct pal_stream_ops *ops;
	bool send = op == DK_MESSAGE_SEND;

	if (op != DK_MESSAGE_SEND && op != DK_MESSAGE_RECEIVE)
		return -DK_E_INVALID;
	int rc = probe_out(msg, sizeof(*msg));
	if (rc < 0)
		return rc;
	rc = pal_copy_in(&m, msg, sizeof(m));
	if (rc < 0)
		return rc;
	if (m.count > DK_MESSAGE_HANDLES_MAX || (send && m.count && !m.size) ||
	    (m.flags & ~DK_MESSAGE_DONTWAIT))
		return -DK_E_INVALID; /* streams travel with a byte */
	if (m.size > IO_MAX)
		m.size = IO_MAX;
	if (m.count) {
		rc = send ? pal_copy_in(passed, m.handles, m.count * sizeof(passed[0]))
			  : probe_out(m.handles, m.count * sizeof(passed[0]));
		if (rc < 0)
			return rc;
	}
	rc = stream_get(stream, &obj, &ops);
	if (rc < 0)
		return rc;
	uint32_t n = 0, flags = send ? 0 : m.flags; /* in, then out (receive) */
	if (obj->type != PAL_OBJ_STREAM ||
	    !(send ? (void *)ops->message_send : (void *)ops->message_receive))
		rc = -DK_E_UNSUPPORTED;
	else if (!(obj->stream.access & (send ? DK_ACCESS_WRITE : DK_ACCESS_READ)))
		rc = -DK_E_DENIED;
	else if (send) {
		for (; n < m.count && rc == 0; n++)
			rc = pal_handle_get(passed[n].handle, PAL_OBJ_STREAM, &objs[n]);
		if (rc < 0)
			n--; /* the failed lookup took nothing */
		else
			rc = ops->message_send(obj, m.data, &m.size, objs, n, m.flags);
		for (uint32_t i = 0; i < n; i++)
			pal_object_put(objs[i]);
	} else {
		n = m.count;
		rc = ops->message_receive(obj, m.data, &m.size, objs, &n, &flags);
		if (rc < 0)
			n = 0;
		/* The new streams become handles; one that cannot is lost. */
		uint32_t k = 0;
		for (uint32_t i = 0; i < n; i++) {
			struct dk_stream_attr a;
			memset(&a, 0, sizeof(a));
			a.type = objs[i]->stream.ops->type;
			if (objs[i]->stream.ops->attr_by_handle)
				objs[i]->stream.ops->attr_by_handle(objs[i], &a);
			passed[k].type = a.type;
			passed[k].access = objs[i]->stream.access;
			if (pal_handle_new(objs[i], &passed[k].handle) == 0)
				k++;
			else
				flags |= DK_MESSAGE_TRUNCATED;
		}
		n = k;
		if (n && pal_copy_out(m.handles, passed, n * sizeof(passed[0])) < 0) {
			for (uint32_t i = 0; i < n; i++) /* probed, then unmapped: lost */
				pal_handle_close(passed[i].handle);
			rc = -DK_E_BAD_POINTER;
		}
	}
	pal_object_put(obj);
	if (rc < 0)
		return rc;
	m.count = n;
	m.flags = flags;
	return pal_copy_out(msg, &m, sizeof(m));
}
