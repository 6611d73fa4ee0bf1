/*
 * The Linux host's stream providers (one struct pal_stream_ops per URI
 * scheme) and the helpers they share.
 */
#ifndef MOAT_PAL_LINUX_STREAMS_H
#define MOAT_PAL_LINUX_STREAMS_H

#include "pal.h"

extern const struct pal_stream_ops pal_file_ops;
extern const struct pal_stream_ops pal_null_ops;
extern const struct pal_stream_ops pal_stdin_ops;
extern const struct pal_stream_ops pal_stdout_ops;
extern const struct pal_stream_ops pal_stderr_ops;
extern const struct pal_stream_ops pal_pipe_server_ops;
extern const struct pal_stream_ops pal_pipe_client_ops;
extern const struct pal_stream_ops pal_tcp_server_ops;
extern const struct pal_stream_ops pal_tcp_client_ops;
extern const struct pal_stream_ops pal_tcp_ops;
extern const struct pal_stream_ops pal_dns_ops;
extern const struct pal_stream_ops pal_http_server_ops;
extern const struct pal_stream_ops pal_http_application_ops;

/* Socket constants: libc's, not in the kernel UAPI headers. */
#define PAL_AF_UNIX 1
#define PAL_AF_INET 2
#define PAL_AF_INET6 10
#define PAL_SOCK_STREAM 1
#define PAL_SOCK_DGRAM 2
#define PAL_SOCK_SEQPACKET 5
#define PAL_SOCK_NONBLOCK 04000      /* O_NONBLOCK */
#define PAL_SOCK_CLOEXEC 02000000    /* O_CLOEXEC */
#define PAL_LISTEN_BACKLOG 128

/* ---- shared by every provider (stream_sock.c) ---------------------------- */
/* Like pal_dk_error, with the socket errors spelled out. */
int pal_linux_sock_error(long host_rc);
/* ops->close for providers whose state is obj->fd plus one pal_alloc'd priv. */
void pal_linux_stream_close(struct pal_object *obj);
/* ops->flush for streams with no buffering of their own. */
int pal_linux_flush_nothing(struct pal_object *obj);
/* Read/write on a connected socket (or any fd); the offset is ignored. */
int pal_linux_sock_read(struct pal_object *obj, uint64_t offset, void *buf, size_t *count);
/* Half-close of a connected socket (DkStreamShutdown). */
int pal_linux_sock_shutdown(struct pal_object *obj, uint32_t how);
int pal_linux_sock_write(struct pal_object *obj, uint64_t offset, const void *buf,
			 size_t *count);
/* Bytes ready to read on fd (FIONREAD), 0 if the host cannot say. */
uint64_t pal_linux_bytes_ready(int fd);
/* Checks that a server read may store a handle in buf (before accepting). */
int pal_linux_accept_check(void *buf, size_t count);
/* Wraps an accepted connection fd in a new stream and stores its handle in
 * buf.  Takes fd and priv (pal_alloc'd or NULL) even on failure. */
int pal_linux_accepted(int fd, const struct pal_stream_ops *ops, const char *uri,
		       uint32_t options, void *priv, void *buf);

/* ---- internet addresses (inet.c) ------------------------------------------ */
struct pal_inet {
	int family;          /* PAL_AF_INET or PAL_AF_INET6 */
	uint16_t port;       /* host byte order */
	uint8_t addr[16];    /* network order; 4 bytes used for IPv4 */
};
/* Big enough for any struct sockaddr_in/sockaddr_in6. */
union pal_sockaddr {
	uint16_t family;
	uint8_t bytes[28];
	uint64_t align_;
};
/* Parses a bare IPv4 "1.2.3.4" or IPv6 "::1" address of len bytes. */
int pal_inet_parse_addr(const char *s, size_t len, struct pal_inet *out);
/* Parses "ADDR:PORT" of len bytes, IPv6 in brackets: "[::1]:80". */
int pal_inet_parse_hostport(const char *s, size_t len, struct pal_inet *out);
/* Formats the address (IPv6 compressed, RFC 5952, no brackets). */
void pal_inet_format_addr(const struct pal_inet *a, char *buf, size_t size);
/* Formats "ADDR:PORT", with brackets for IPv6. */
void pal_inet_format_hostport(const struct pal_inet *a, char *buf, size_t size);
unsigned pal_inet_to_sockaddr(const struct pal_inet *a, union pal_sockaddr *sa);
int pal_inet_from_sockaddr(const union pal_sockaddr *sa, struct pal_inet *a);

#endif
