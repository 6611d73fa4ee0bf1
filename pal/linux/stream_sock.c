/*
 * Helpers shared by the Linux stream providers, and the stream ops of
 * process handles (whose fd is a socket to the other process).
 */
#include "pal.h"
#include "host.h"
#include "streams.h"
#include "common/stream.h"
#include <linux/errno.h>
#include <asm/ioctls.h>

int pal_linux_sock_error(long rc)
{
	switch (rc) {
	case -EPIPE:
		return -DK_E_CLOSED;
	case -ECONNREFUSED:
		return -DK_E_REFUSED;
	case -ECONNRESET:
	case -ECONNABORTED:
		return -DK_E_RESET;
	case -EAGAIN:
	case -EINPROGRESS:
		return -DK_E_WOULD_BLOCK;
	case -EADDRINUSE:
		return -DK_E_ADDRESS_IN_USE;
	case -ETIMEDOUT:
		return -DK_E_TIMEOUT;
	default:
		return pal_dk_error(rc);
	}
}

void pal_linux_stream_close(struct pal_object *obj)
{
	if (obj->fd >= 0)
		pal_linux_close(obj->fd);
	obj->fd = obj->wait_fd = -1;
	pal_free(obj->stream.priv);
	obj->stream.priv = NULL;
}

int pal_linux_flush_nothing(struct pal_object *obj)
{
	(void)obj;
	return 0;
}

int pal_linux_sock_read(struct pal_object *obj, uint64_t offset, void *buf, size_t *count)
{
	(void)offset;
	long rc = HOST_BLOCKING(read, obj->fd, buf, *count);
	if (HOST_IS_ERR(rc))
		return pal_linux_sock_error(rc);
	*count = (size_t)rc;
	return 0;
}

int pal_linux_sock_write(struct pal_object *obj, uint64_t offset, const void *buf,
			 size_t *count)
{
	(void)offset;
	/* SIGPIPE is ignored process-wide, so a closed peer gives EPIPE. */
	long rc = HOST_BLOCKING(write, obj->fd, buf, *count);
	if (HOST_IS_ERR(rc))
		return pal_linux_sock_error(rc);
	*count = (size_t)rc;
	return 0;
}

int pal_linux_sock_shutdown(struct pal_object *obj, uint32_t how)
{
	/* Linux's SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2: DK_SHUTDOWN_* minus one. */
	int host_how = (int)how - 1;
	long rc = HOST(shutdown, obj->fd, host_how);
	if (rc == -ENOTCONN)
		return -DK_E_CLOSED; /* not (or no longer) connected */
	return HOST_IS_ERR(rc) ? pal_linux_sock_error(rc) : 0;
}

int pal_linux_take_fds(const struct k_msghdr *m, int *fds, int nfds)
{
	const char *p = m->control, *end = p + m->controllen;
	int k = 0;
	while ((size_t)(end - p) >= sizeof(struct k_cmsghdr)) {
		struct k_cmsghdr c;
		memcpy(&c, p, sizeof(c));
		if (c.len < sizeof(c) || c.len > (size_t)(end - p))
			break;
		if (c.level == K_SOL_SOCKET && c.type == K_SCM_RIGHTS) {
			size_t n = (c.len - sizeof(c)) / sizeof(int);
			for (size_t i = 0; i < n; i++) {
				int fd;
				memcpy(&fd, p + sizeof(c) + i * sizeof(int), sizeof(fd));
				if (k < nfds)
					fds[k++] = fd;
				else
					pal_linux_close(fd);
			}
		}
		p += K_CMSG_SPACE(c.len - sizeof(c));
	}
	return k;
}

uint64_t pal_linux_bytes_ready(int fd)
{
	int n = 0;
	long rc = HOST(ioctl, fd, FIONREAD, &n);
	return HOST_IS_ERR(rc) || n < 0 ? 0 : (uint64_t)n;
}

int pal_linux_accept_check(void *buf, size_t count)
{
	DK_HANDLE h;
	if (count < sizeof(DK_HANDLE))
		return -DK_E_INVALID;
	/* Probe now: a bad buffer found after accept4 would lose the connection. */
	int rc = pal_copy_in(&h, buf, sizeof(h));
	return rc < 0 ? rc : pal_copy_out(buf, &h, sizeof(h));
}

int pal_linux_accepted(int fd, const struct pal_stream_ops *ops, const char *uri,
		       uint32_t options, void *priv, void *buf)
{
	DK_HANDLE h;
	struct pal_object *obj = pal_object_new(PAL_OBJ_STREAM);
	if (!obj) {
		pal_linux_close(fd);
		pal_free(priv);
		return -DK_E_NO_MEMORY;
	}
	obj->fd = obj->wait_fd = fd;
	obj->stream.ops = ops;
	obj->stream.access = DK_ACCESS_READ | DK_ACCESS_WRITE;
	obj->stream.options = options & DK_OPT_NONBLOCK;
	obj->stream.dir_pos = 0;
	obj->stream.priv = priv;
	obj->stream.uri = pal_strdup(uri);
	if (!obj->stream.uri) {
		pal_object_put(obj); /* closes fd, frees priv */
		return -DK_E_NO_MEMORY;
	}
	int rc = pal_handle_new(obj, &h); /* drops obj (fd, priv) on failure */
	if (rc < 0)
		return rc;
	rc = pal_copy_out(buf, &h, sizeof(h));
	if (rc < 0)
		pal_handle_close(h);
	return rc;
}

#define K_F_GETFL 3
#define K_F_SETFL 4
#define K_O_APPEND 02000
#define K_O_NONBLOCK 04000

/* The host open file's O_NONBLOCK and O_APPEND (DK_STREAM_GET_STATUS and
 * _SET_STATUS): shared with every process that shares the open file.  The
 * stream's own DK_OPT_NONBLOCK follows, for what the PAL decides by it
 * (the option an accepted connection inherits). */
int pal_host_stream_status(struct pal_object *obj, bool set, uint32_t *status)
{
	long fl = HOST(fcntl, obj->fd, K_F_GETFL, 0);
	if (HOST_IS_ERR(fl))
		return pal_dk_error(fl);
	if (set) {
		long want = fl & ~(long)(K_O_APPEND | K_O_NONBLOCK);
		if (*status & DK_STATUS_NONBLOCK)
			want |= K_O_NONBLOCK;
		if (*status & DK_STATUS_APPEND)
			want |= K_O_APPEND;
		long rc = HOST(fcntl, obj->fd, K_F_SETFL, want & (K_O_APPEND | K_O_NONBLOCK));
		if (HOST_IS_ERR(rc))
			return rc == -EPERM ? -DK_E_DENIED : pal_dk_error(rc);
		fl = want;
	}
	if (fl & K_O_NONBLOCK)
		__atomic_or_fetch(&obj->stream.options, DK_OPT_NONBLOCK, __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&obj->stream.options, ~DK_OPT_NONBLOCK, __ATOMIC_RELAXED);
	*status = (fl & K_O_NONBLOCK ? DK_STATUS_NONBLOCK : 0) |
		  (fl & K_O_APPEND ? DK_STATUS_APPEND : 0);
	return 0;
}

/* ---- process handles as streams -------------------------------------------- */
/* These see a PAL_OBJ_PROCESS object: only obj->fd is meaningful. */
static int process_read(struct pal_object *obj, uint64_t offset, void *buf, size_t *count)
{
	return obj->fd < 0 ? -DK_E_UNSUPPORTED : pal_linux_sock_read(obj, offset, buf, count);
}

static int process_write(struct pal_object *obj, uint64_t offset, const void *buf,
			 size_t *count)
{
	return obj->fd < 0 ? -DK_E_UNSUPPORTED : pal_linux_sock_write(obj, offset, buf, count);
}

static int process_attr(struct pal_object *obj, struct dk_stream_attr *attr)
{
	attr->type = DK_STREAM_PROCESS;
	attr->size = obj->fd < 0 ? 0 : pal_linux_bytes_ready(obj->fd);
	return 0;
}

const struct pal_stream_ops pal_host_process_stream_ops = {
	.scheme = "process:", /* never matched: not in pal_host_providers */
	.type = DK_STREAM_PROCESS,
	.read = process_read,
	.write = process_write,
	.flush = pal_linux_flush_nothing,
	.attr_by_handle = process_attr,
};
