/*
 * "pipe.server:NAME" and "pipe.client:NAME": named pipes scoped to one
 * sandbox.  They are AF_UNIX stream sockets in the abstract namespace,
 * named "moat-<sandbox_id in hex>-NAME", so two sandboxes using the same
 * NAME never meet (the sandbox's network namespace also separates them).
 * Reading a server of sizeof(DK_HANDLE) bytes accepts a connection.
 */
#include "pal.h"
#include "host.h"
#include "streams.h"
#include <linux/un.h>

/* Builds the abstract address for NAME; returns its length or an error. */
static int pipe_addr(const char *name, struct sockaddr_un *sa)
{
	if (!*name)
		return -DK_E_INVALID;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = PAL_AF_UNIX;
	/* sun_path[0] stays 0: the abstract namespace, no file is created. */
	size_t room = sizeof(sa->sun_path) - 1;
	int n = rt_snprintf(sa->sun_path + 1, room, "moat-%llx-%s",
			    (unsigned long long)pal_state.start.sandbox_id, name);
	if (n < 0 || (size_t)n >= room)
		return -DK_E_NAME_TOO_LONG;
	/* The name's length, not a NUL, ends an abstract address. */
	return (int)(__builtin_offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

static long pipe_socket(uint32_t options)
{
	int type = PAL_SOCK_STREAM | PAL_SOCK_CLOEXEC;
	if (options & DK_OPT_NONBLOCK)
		type |= PAL_SOCK_NONBLOCK;
	return HOST(socket, PAL_AF_UNIX, type, 0);
}

static int pipe_server_open(struct pal_object *obj, const char *name, uint32_t access,
			    uint32_t create, uint32_t options, uint32_t mode)
{
	struct sockaddr_un sa;
	(void)access, (void)create, (void)mode;
	int len = pipe_addr(name, &sa);
	if (len < 0)
		return len;
	long fd = pipe_socket(options);
	if (HOST_IS_ERR(fd))
		return pal_linux_sock_error(fd);
	long rc = HOST(bind, fd, &sa, len);
	if (!HOST_IS_ERR(rc))
		rc = HOST(listen, fd, PAL_LISTEN_BACKLOG);
	if (HOST_IS_ERR(rc)) {
		pal_linux_close((int)fd);
		return pal_linux_sock_error(rc); /* EADDRINUSE: the name is taken */
	}
	obj->fd = obj->wait_fd = (int)fd; /* readable = a connection is pending */
	return 0;
}

static int pipe_client_open(struct pal_object *obj, const char *name, uint32_t access,
			    uint32_t create, uint32_t options, uint32_t mode)
{
	struct sockaddr_un sa;
	(void)access, (void)create, (void)mode;
	int len = pipe_addr(name, &sa);
	if (len < 0)
		return len;
	long fd = pipe_socket(options);
	if (HOST_IS_ERR(fd))
		return pal_linux_sock_error(fd);
	long rc = HOST(connect, fd, &sa, len);
	if (HOST_IS_ERR(rc)) {
		pal_linux_close((int)fd);
		return pal_linux_sock_error(rc); /* no server: -DK_E_REFUSED */
	}
	obj->fd = obj->wait_fd = (int)fd;
	return 0;
}

/* Accepts one connection; its handle goes into buf. */
static int pipe_server_read(struct pal_object *obj, uint64_t offset, void *buf, size_t *count)
{
	char uri[160]; /* NAME fits in sun_path, so in this too */
	(void)offset;
	int rc = pal_linux_accept_check(buf, *count);
	if (rc < 0)
		return rc;
	int flags = PAL_SOCK_CLOEXEC;
	if (obj->stream.options & DK_OPT_NONBLOCK)
		flags |= PAL_SOCK_NONBLOCK; /* the connection inherits the option */
	long fd = HOST_BLOCKING(accept4, obj->fd, NULL, NULL, flags);
	if (HOST_IS_ERR(fd))
		return pal_linux_sock_error(fd);
	/* The accepted end is named like its peer: pipe.client:NAME. */
	const char *name = obj->stream.uri + strlen(pal_pipe_server_ops.scheme);
	rt_snprintf(uri, sizeof(uri), "%s%s", pal_pipe_client_ops.scheme, name);
	rc = pal_linux_accepted((int)fd, &pal_pipe_client_ops, uri, obj->stream.options, NULL,
				buf);
	if (rc < 0)
		return rc;
	*count = sizeof(DK_HANDLE);
	return 0;
}

static int pipe_server_attr(struct pal_object *obj, struct dk_stream_attr *attr)
{
	(void)obj;
	attr->type = DK_STREAM_PIPE_SERVER;
	return 0;
}

static int pipe_client_attr(struct pal_object *obj, struct dk_stream_attr *attr)
{
	attr->type = DK_STREAM_PIPE;
	attr->size = pal_linux_bytes_ready(obj->fd);
	return 0;
}

const struct pal_stream_ops pal_pipe_server_ops = {
	.scheme = "pipe.server:",
	.type = DK_STREAM_PIPE_SERVER,
	.open = pipe_server_open,
	.read = pipe_server_read,
	.flush = pal_linux_flush_nothing,
	.attr_by_handle = pipe_server_attr,
	.close = pal_linux_stream_close,
};

const struct pal_stream_ops pal_pipe_client_ops = {
	.scheme = "pipe.client:",
	.type = DK_STREAM_PIPE,
	.open = pipe_client_open,
	.read = pal_linux_sock_read,
	.write = pal_linux_sock_write,
	.shutdown = pal_linux_sock_shutdown,
	.flush = pal_linux_flush_nothing,
	.attr_by_handle = pipe_client_attr,
	.close = pal_linux_stream_close,
};

/* ---- anonymous pipes (DkStreamPipeCreate) ---------------------------------
 * A host pipe: exactly Linux's semantics (PIPE_BUF atomicity, capacity,
 * end of stream once every write end is closed, EPIPE without readers),
 * and, being a host object, shared by the processes DkProcessFork makes. */
static int anon_pipe_attr(struct pal_object *obj, struct dk_stream_attr *attr)
{
	attr->type = DK_STREAM_PIPE;
	attr->mode = 0600; /* as Linux shows a pipe */
	attr->readable = !!(obj->stream.access & DK_ACCESS_READ);
	attr->writable = !!(obj->stream.access & DK_ACCESS_WRITE);
	attr->size = obj->stream.access & DK_ACCESS_READ ? pal_linux_bytes_ready(obj->fd) : 0;
	/* The host pipe's identity: both ends of one pipe match, two pipes
	 * differ (diff <(...) <(...) compares them). */
	uint64_t st[18];
	if (!HOST_IS_ERR(HOST(fstat, obj->fd, st))) {
		attr->device = st[0];
		attr->inode = st[1];
	}
	return 0;
}

static const struct pal_stream_ops anon_pipe_ops = {
	.scheme = "pipe:",
	.type = DK_STREAM_PIPE,
	.read = pal_linux_sock_read,
	.write = pal_linux_sock_write,
	.flush = pal_linux_flush_nothing,
	.attr_by_handle = anon_pipe_attr,
	.close = pal_linux_stream_close,
};

#define K_O_NONBLOCK 04000
#define K_O_CLOEXEC 02000000

static int anon_pipe_end(struct pal_object *obj, int fd, uint32_t access, uint32_t options)
{
	obj->fd = fd;
	obj->wait_fd = access == DK_ACCESS_READ ? fd : -1;
	obj->stream.ops = &anon_pipe_ops;
	obj->stream.access = access;
	obj->stream.options = options;
	obj->stream.uri = pal_strdup("pipe:");
	return obj->stream.uri ? 0 : -DK_E_NO_MEMORY;
}

/* DK_OPT_DUPLEX: a host stream socket pair, both ends read and written,
 * with half-close (DkStreamShutdown); with DK_OPT_DATAGRAM a datagram
 * pair, whose reads and writes are whole messages. */
static const struct pal_stream_ops duplex_ops = {
	.scheme = "pipe:",
	.type = DK_STREAM_PIPE,
	.read = pal_linux_sock_read,
	.write = pal_linux_sock_write,
	.shutdown = pal_linux_sock_shutdown,
	.flush = pal_linux_flush_nothing,
	.attr_by_handle = anon_pipe_attr,
	.close = pal_linux_stream_close,
};

int pal_host_pipe_create(uint32_t options, struct pal_object *read_end,
			 struct pal_object *write_end)
{
	int fds[2];
	long rc;
	if (options & DK_OPT_DUPLEX)
		rc = HOST(socketpair, PAL_AF_UNIX,
			  (options & DK_OPT_DATAGRAM ? PAL_SOCK_DGRAM : PAL_SOCK_STREAM) |
				  PAL_SOCK_CLOEXEC |
				  (options & DK_OPT_NONBLOCK ? PAL_SOCK_NONBLOCK : 0),
			  0, fds);
	else
		rc = HOST(pipe2, fds, K_O_CLOEXEC | (options & DK_OPT_NONBLOCK ? K_O_NONBLOCK : 0));
	if (HOST_IS_ERR(rc))
		return pal_dk_error(rc);
	const uint32_t rw = DK_ACCESS_READ | DK_ACCESS_WRITE;
	bool duplex = options & DK_OPT_DUPLEX;
	int r = anon_pipe_end(read_end, fds[0], duplex ? rw : DK_ACCESS_READ, options);
	int w = anon_pipe_end(write_end, fds[1], duplex ? rw : DK_ACCESS_WRITE, options);
	if (duplex) {
		read_end->stream.ops = write_end->stream.ops = &duplex_ops;
		read_end->wait_fd = fds[0]; /* each end is readable */
		write_end->wait_fd = fds[1];
	}
	return r < 0 ? r : w; /* the objects own the descriptors either way */
}
