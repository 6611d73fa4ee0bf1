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
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/stat.h>
#include <asm/stat.h>

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
	int type = (options & DK_OPT_DATAGRAM ? PAL_SOCK_DGRAM : PAL_SOCK_STREAM) | PAL_SOCK_CLOEXEC;
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
	if (!HOST_IS_ERR(rc) && !(options & DK_OPT_DATAGRAM)) /* a datagram server only reads */
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

/* Accepts one connection; its handle goes into buf.  A datagram server's
 * read takes one datagram instead. */
static int pipe_server_read(struct pal_object *obj, uint64_t offset, void *buf, size_t *count)
{
	char uri[160]; /* NAME fits in sun_path, so in this too */
	if (obj->stream.options & DK_OPT_DATAGRAM)
		return pal_linux_sock_read(obj, offset, buf, count);
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
	attr->type = DK_STREAM_PIPE_SERVER;
	if (obj->stream.options & DK_OPT_DATAGRAM) { /* a socket that reads datagrams */
		attr->type = DK_STREAM_PIPE;
		attr->size = pal_linux_bytes_ready(obj->fd);
	}
	return 0;
}

static int pipe_client_attr(struct pal_object *obj, struct dk_stream_attr *attr)
{
	attr->type = DK_STREAM_PIPE;
	attr->size = pal_linux_bytes_ready(obj->fd);
	return 0;
}

static int unix_message_send(struct pal_object *obj, const void *data, size_t *size,
			     struct pal_object **objs, uint32_t n, uint32_t flags);
static int unix_message_receive(struct pal_object *obj, void *data, size_t *size,
				struct pal_object **objs, uint32_t *n, uint32_t *flags);
static int unix_peer(struct pal_object *obj, struct dk_peer *peer);

/* A datagram server receives datagrams with streams attached; a stream
 * server has no data (it accepts). */
static int pipe_server_message_receive(struct pal_object *obj, void *data, size_t *size,
				       struct pal_object **objs, uint32_t *n, uint32_t *flags)
{
	if (!(obj->stream.options & DK_OPT_DATAGRAM))
		return -DK_E_UNSUPPORTED;
	return unix_message_receive(obj, data, size, objs, n, flags);
}

const struct pal_stream_ops pal_pipe_server_ops = {
	.scheme = "pipe.server:",
	.type = DK_STREAM_PIPE_SERVER,
	.open = pipe_server_open,
	.read = pipe_server_read,
	.flush = pal_linux_flush_nothing,
	.attr_by_handle = pipe_server_attr,
	.message_receive = pipe_server_message_receive,
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
	.message_send = unix_message_send,
	.message_receive = unix_message_receive,
	.peer = unix_peer,
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
 * pair, whose reads and writes are whole messages; with DK_OPT_SEQPACKET
 * a sequenced-packet pair (messages, and end of stream). */
static const struct pal_stream_ops duplex_ops = {
	.scheme = "pipe:",
	.type = DK_STREAM_PIPE,
	.read = pal_linux_sock_read,
	.write = pal_linux_sock_write,
	.shutdown = pal_linux_sock_shutdown,
	.flush = pal_linux_flush_nothing,
	.attr_by_handle = anon_pipe_attr,
	.message_send = unix_message_send,
	.message_receive = unix_message_receive,
	.peer = unix_peer,
	.close = pal_linux_stream_close,
};

int pal_host_pipe_create(uint32_t options, struct pal_object *read_end,
			 struct pal_object *write_end)
{
	int fds[2];
	long rc;
	if (options & DK_OPT_DUPLEX)
		rc = HOST(socketpair, PAL_AF_UNIX,
			  (options & DK_OPT_DATAGRAM	  ? PAL_SOCK_DGRAM
			   : options & DK_OPT_SEQPACKET ? PAL_SOCK_SEQPACKET
							: PAL_SOCK_STREAM) |
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

/* ---- streams passed along a Unix stream (DkStreamMessage) -------------------
 * The host carries them: sendmsg with SCM_RIGHTS, so only descriptors the
 * sender holds cross, and the receiver gets the same open file (its
 * position, status flags and locks). */

/* What may be passed: host streams the receiver can rebuild from the
 * descriptor alone (files, FIFOs and devices, pipes, connected Unix
 * streams).  Servers, tcp streams, the console, null: and dns: stay. */
static bool passable(const struct pal_object *obj)
{
	const struct pal_stream_ops *ops = obj->stream.ops;
	return obj->fd >= 0 && (ops == &pal_file_ops || ops == &anon_pipe_ops ||
				ops == &duplex_ops || ops == &pal_pipe_client_ops);
}

static int unix_message_send(struct pal_object *obj, const void *data, size_t *size,
			     struct pal_object **objs, uint32_t n, uint32_t flags)
{
	union {
		struct k_cmsghdr h;
		char b[K_CMSG_SPACE(DK_MESSAGE_HANDLES_MAX * sizeof(int))];
	} c;
	int fds[DK_MESSAGE_HANDLES_MAX];
	for (uint32_t i = 0; i < n; i++) {
		if (!passable(objs[i]))
			return -DK_E_UNSUPPORTED;
		fds[i] = objs[i]->fd;
	}
	struct k_iovec iov = { (void *)data, *size };
	struct k_msghdr m = { .iov = &iov, .iovlen = 1 };
	if (n) {
		memset(&c, 0, sizeof(c));
		c.h.len = K_CMSG_LEN(n * sizeof(int));
		c.h.level = K_SOL_SOCKET;
		c.h.type = K_SCM_RIGHTS;
		memcpy(c.b + sizeof(c.h), fds, n * sizeof(int));
		m.control = &c;
		m.controllen = K_CMSG_SPACE(n * sizeof(int));
	}
	long rc = HOST_BLOCKING(sendmsg, obj->fd, &m,
				K_MSG_NOSIGNAL | (flags & DK_MESSAGE_DONTWAIT ? K_MSG_DONTWAIT : 0));
	if (HOST_IS_ERR(rc))
		return pal_linux_sock_error(rc);
	*size = (size_t)rc;
	return 0;
}

/* A stream object for a descriptor that came in a message (taken either
 * way): a file: stream for anything but a socket (a FIFO and a device read
 * and write as file: does them), a duplex stream for a socket. */
static struct pal_object *received_stream(int fd)
{
	struct stat st;
	long fl = HOST(fcntl, fd, F_GETFL, 0);
	long rc = HOST(fstat, fd, &st);
	struct pal_object *obj = NULL;
	/* Anonymous inodes (eventfds, pidfds, epolls) have no type: refused. */
	if (!HOST_IS_ERR(fl) && !HOST_IS_ERR(rc) && (st.st_mode & S_IFMT))
		obj = pal_object_new(PAL_OBJ_STREAM);
	if (!obj) {
		pal_linux_close(fd);
		return NULL;
	}
	bool sock = S_ISSOCK(st.st_mode);
	uint32_t access = (fl & O_ACCMODE) == O_RDONLY ? DK_ACCESS_READ
			  : (fl & O_ACCMODE) == O_WRONLY ? DK_ACCESS_WRITE
							 : DK_ACCESS_READ | DK_ACCESS_WRITE;
	if (fl & O_APPEND)
		access |= DK_ACCESS_APPEND;
	obj->fd = fd;
	obj->wait_fd = access & DK_ACCESS_READ ? fd : -1;
	obj->stream.ops = sock ? &duplex_ops : &pal_file_ops;
	obj->stream.access = access;
	obj->stream.options = fl & O_NONBLOCK ? DK_OPT_NONBLOCK : 0;
	obj->stream.uri = pal_strdup(obj->stream.ops->scheme);
	if (!obj->stream.uri) {
		pal_object_put(obj); /* closes fd */
		return NULL;
	}
	return obj;
}

static int unix_message_receive(struct pal_object *obj, void *data, size_t *size,
				struct pal_object **objs, uint32_t *n, uint32_t *flags)
{
	uint64_t control[K_CMSG_SPACE(DK_MESSAGE_HANDLES_MAX * sizeof(int)) / 8];
	int fds[DK_MESSAGE_HANDLES_MAX];
	struct k_iovec iov = { data, *size };
	struct k_msghdr m = { .iov = &iov, .iovlen = 1 };
	if (*n) { /* without room the host closes what comes (MSG_CTRUNC) */
		m.control = control;
		m.controllen = K_CMSG_SPACE(*n * sizeof(int));
	}
	long rc = HOST_BLOCKING(recvmsg, obj->fd, &m,
				K_MSG_CMSG_CLOEXEC |
					(*flags & DK_MESSAGE_DONTWAIT ? K_MSG_DONTWAIT : 0));
	if (HOST_IS_ERR(rc))
		return pal_linux_sock_error(rc);
	int k = m.control ? pal_linux_take_fds(&m, fds, (int)*n) : 0;
	uint32_t got = 0;
	*flags = m.flags & K_MSG_CTRUNC ? DK_MESSAGE_TRUNCATED : 0;
	for (int i = 0; i < k; i++) {
		objs[got] = received_stream(fds[i]);
		if (objs[got])
			got++;
		else
			*flags |= DK_MESSAGE_TRUNCATED;
	}
	*n = got;
	*size = (size_t)rc;
	return 0;
}

/* SO_PEERCRED: the host gives the peer's pid in the caller's pid namespace,
 * the sandbox's, so it is the id DkProcessIdControl gives that process. */
static int unix_peer(struct pal_object *obj, struct dk_peer *peer)
{
	struct {
		int32_t pid;
		uint32_t uid, gid;
	} cr;
	uint32_t len = sizeof(cr);
	long rc = HOST(getsockopt, obj->fd, K_SOL_SOCKET, K_SO_PEERCRED, &cr, &len);
	if (HOST_IS_ERR(rc))
		return pal_linux_sock_error(rc);
	peer->pid = cr.pid;
	peer->uid = cr.uid;
	peer->gid = cr.gid;
	int type = 0;
	len = sizeof(type);
	rc = HOST(getsockopt, obj->fd, K_SOL_SOCKET, K_SO_TYPE, &type, &len);
	if (HOST_IS_ERR(rc))
		return pal_linux_sock_error(rc);
	peer->kind = type == PAL_SOCK_DGRAM	   ? DK_SOCKET_DATAGRAM
		     : type == PAL_SOCK_SEQPACKET ? DK_SOCKET_SEQPACKET
						  : DK_SOCKET_STREAM;
	return 0;
}
