/*
 * "tcp.server:ADDR:PORT" (listen; PORT 0 picks a free port),
 * "tcp.client:ADDR:PORT" (connect), and "tcp:LADDR:LPORT,ADDR:PORT"
 * (bind the local end, then connect).  ADDR is "1.2.3.4" or "[::1]".
 * Reading a server of sizeof(DK_HANDLE) bytes accepts a connection; the
 * accepted stream's URI is "tcp:LADDR:LPORT,PEERADDR:PEERPORT".
 *
 * Port convention: DkStreamAttributesQueryByHandle on any tcp handle puts
 * the local port in attr->inode and the peer's port in attr->device (0 for
 * a server), so a caller that listened on port 0 learns the port it got.
 */
#include "pal.h"
#include "host.h"
#include "streams.h"
#include <linux/errno.h>
#include <asm/socket.h>

struct tcp_priv {
	uint16_t local_port, peer_port;
};

static long tcp_socket(int family, uint32_t options)
{
	int type = PAL_SOCK_STREAM | PAL_SOCK_CLOEXEC;
	if (options & DK_OPT_NONBLOCK)
		type |= PAL_SOCK_NONBLOCK;
	return HOST(socket, family, type, 0);
}

static int tcp_bind(int fd, const struct pal_inet *a)
{
	union pal_sockaddr sa;
	int one = 1;
	/* Lets a server restart at once on a port with connections in TIME_WAIT. */
	HOST(setsockopt, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	unsigned len = pal_inet_to_sockaddr(a, &sa);
	long rc = HOST(bind, fd, &sa, len);
	return HOST_IS_ERR(rc) ? pal_linux_sock_error(rc) : 0;
}

static int tcp_connect(int fd, const struct pal_inet *a)
{
	union pal_sockaddr sa;
	unsigned len = pal_inet_to_sockaddr(a, &sa);
	long rc = HOST(connect, fd, &sa, len);
	/* Non-blocking: the connection completes later; until then reads and
	 * writes give -DK_E_WOULD_BLOCK. */
	if (rc == -EINPROGRESS)
		return 0;
	return HOST_IS_ERR(rc) ? pal_linux_sock_error(rc) : 0;
}

static int tcp_local(int fd, struct pal_inet *a)
{
	union pal_sockaddr sa;
	int len = sizeof(sa);
	long rc = HOST(getsockname, fd, &sa, &len);
	if (HOST_IS_ERR(rc))
		return pal_linux_sock_error(rc);
	return pal_inet_from_sockaddr(&sa, a);
}

/* Records the ports (see the convention above) and takes fd. */
static int tcp_finish(struct pal_object *obj, int fd, uint16_t peer_port)
{
	struct pal_inet local;
	struct tcp_priv *p = pal_alloc(sizeof(*p));
	if (!p) {
		pal_linux_close(fd);
		return -DK_E_NO_MEMORY;
	}
	if (tcp_local(fd, &local) == 0)
		p->local_port = local.port;
	p->peer_port = peer_port;
	obj->stream.priv = p;
	obj->fd = obj->wait_fd = fd;
	return 0;
}

/* Opens a socket, binds it to local (if given) and listens or connects. */
static int tcp_setup(struct pal_object *obj, const struct pal_inet *local,
		     const struct pal_inet *remote, uint32_t options)
{
	int family = (local ? local : remote)->family;
	long fd = tcp_socket(family, options);
	if (HOST_IS_ERR(fd))
		return pal_linux_sock_error(fd);
	int rc = local ? tcp_bind((int)fd, local) : 0;
	if (rc == 0 && !remote) {
		long lrc = HOST(listen, fd, PAL_LISTEN_BACKLOG);
		rc = HOST_IS_ERR(lrc) ? pal_linux_sock_error(lrc) : 0;
	}
	if (rc == 0 && remote)
		rc = tcp_connect((int)fd, remote);
	if (rc < 0) {
		pal_linux_close((int)fd);
		return rc;
	}
	return tcp_finish(obj, (int)fd, remote ? remote->port : 0);
}

static int tcp_server_open(struct pal_object *obj, const char *rest, uint32_t access,
			   uint32_t create, uint32_t options, uint32_t mode)
{
	struct pal_inet local;
	(void)access, (void)create, (void)mode;
	int rc = pal_inet_parse_hostport(rest, strlen(rest), &local);
	return rc < 0 ? rc : tcp_setup(obj, &local, NULL, options);
}

static int tcp_client_open(struct pal_object *obj, const char *rest, uint32_t access,
			   uint32_t create, uint32_t options, uint32_t mode)
{
	struct pal_inet remote;
	(void)access, (void)create, (void)mode;
	int rc = pal_inet_parse_hostport(rest, strlen(rest), &remote);
	if (rc < 0)
		return rc;
	if (!remote.port)
		return -DK_E_INVALID;
	return tcp_setup(obj, NULL, &remote, options);
}

static int tcp_open(struct pal_object *obj, const char *rest, uint32_t access,
		    uint32_t create, uint32_t options, uint32_t mode)
{
	struct pal_inet local, remote;
	(void)access, (void)create, (void)mode;
	const char *comma = strchr(rest, ',');
	if (!comma)
		return -DK_E_INVALID;
	int rc = pal_inet_parse_hostport(rest, (size_t)(comma - rest), &local);
	if (rc < 0)
		return rc;
	rc = pal_inet_parse_hostport(comma + 1, strlen(comma + 1), &remote);
	if (rc < 0)
		return rc;
	if (!remote.port || local.family != remote.family)
		return -DK_E_INVALID;
	return tcp_setup(obj, &local, &remote, options);
}

/* Accepts one connection; its handle goes into buf. */
static int tcp_server_read(struct pal_object *obj, uint64_t offset, void *buf, size_t *count)
{
	union pal_sockaddr sa;
	struct pal_inet local, peer;
	char uri[160], l[64], r[64];
	int salen = sizeof(sa);
	(void)offset;

	int rc = pal_linux_accept_check(buf, *count);
	if (rc < 0)
		return rc;
	int flags = PAL_SOCK_CLOEXEC;
	if (obj->stream.options & DK_OPT_NONBLOCK)
		flags |= PAL_SOCK_NONBLOCK; /* the connection inherits the option */
	long fd = HOST_BLOCKING(accept4, obj->fd, &sa, &salen, flags);
	if (HOST_IS_ERR(fd))
		return pal_linux_sock_error(fd);
	struct tcp_priv *p = pal_alloc(sizeof(*p));
	if (!p || pal_inet_from_sockaddr(&sa, &peer) < 0 || tcp_local((int)fd, &local) < 0) {
		pal_free(p);
		pal_linux_close((int)fd);
		return p ? -DK_E_IO : -DK_E_NO_MEMORY;
	}
	p->local_port = local.port;
	p->peer_port = peer.port;
	pal_inet_format_hostport(&local, l, sizeof(l));
	pal_inet_format_hostport(&peer, r, sizeof(r));
	rt_snprintf(uri, sizeof(uri), "%s%s,%s", pal_tcp_ops.scheme, l, r);
	rc = pal_linux_accepted((int)fd, &pal_tcp_ops, uri, obj->stream.options, p, buf);
	if (rc < 0)
		return rc;
	*count = sizeof(DK_HANDLE);
	return 0;
}

static int tcp_attr(struct pal_object *obj, struct dk_stream_attr *attr)
{
	const struct tcp_priv *p = obj->stream.priv;
	attr->type = obj->stream.ops->type;
	attr->inode = p ? p->local_port : 0;
	attr->device = p ? p->peer_port : 0;
	if (attr->type == DK_STREAM_TCP)
		attr->size = pal_linux_bytes_ready(obj->fd);
	return 0;
}

const struct pal_stream_ops pal_tcp_server_ops = {
	.scheme = "tcp.server:",
	.type = DK_STREAM_TCP_SERVER,
	.open = tcp_server_open,
	.read = tcp_server_read,
	.flush = pal_linux_flush_nothing,
	.attr_by_handle = tcp_attr,
	.close = pal_linux_stream_close,
};

const struct pal_stream_ops pal_tcp_client_ops = {
	.scheme = "tcp.client:",
	.type = DK_STREAM_TCP,
	.open = tcp_client_open,
	.read = pal_linux_sock_read,
	.write = pal_linux_sock_write,
	.shutdown = pal_linux_sock_shutdown,
	.flush = pal_linux_flush_nothing,
	.attr_by_handle = tcp_attr,
	.close = pal_linux_stream_close,
};

const struct pal_stream_ops pal_tcp_ops = {
	.scheme = "tcp:",
	.type = DK_STREAM_TCP,
	.open = tcp_open,
	.read = pal_linux_sock_read,
	.write = pal_linux_sock_write,
	.shutdown = pal_linux_sock_shutdown,
	.flush = pal_linux_flush_nothing,
	.attr_by_handle = tcp_attr,
	.close = pal_linux_stream_close,
};
