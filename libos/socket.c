/*
 * Sockets for one process (issue 4, item 8).
 *
 * Every socket is a struct libos_file whose priv is a struct lsock.  There
 * are three kinds, chosen by socket():
 *
 *   K_UNIX  AF_UNIX SOCK_STREAM, SOCK_SEQPACKET and SOCK_DGRAM: in memory.
 *           Each socket has a receive queue of messages; a writer appends to
 *           its peer's queue (streams merge messages on read, datagram and
 *           seqpacket sockets keep the boundaries).  bind() registers the
 *           name (a path or an abstract name) in an in-process name table;
 *           a name is free again when its socket is closed; a path name
 *           also gets a host socket file (DK_OPT_SOCKET_FILE: stat gives
 *           S_IFSOCK and open ENXIO in every process) that outlives the
 *           socket until unlinked, so a second bind to the path gives
 *           EADDRINUSE as on Linux.  SCM_RIGHTS passes
 *           descriptors.  Names reach other processes of the sandbox
 *           through the host ("unix names across processes" below): a
 *           stream socket that listens or connects becomes a host stream
 *           (kind K_TCP, domain AF_UNIX); a bound datagram socket reads
 *           from a host datagram socket, and datagrams to names go through
 *           the host.  Seqpacket listeners stay in-process.
 *   K_UDP   AF_INET/AF_INET6 SOCK_DGRAM: the Dk ABI has no datagram
 *           provider, so UDP is in-process loopback only: a table of bound
 *           ports; a datagram to 127.0.0.0/8, 0.0.0.0, ::1 or :: is queued
 *           on the socket bound to that port; any other destination gives
 *           ENETUNREACH.
 *   K_TCP   AF_INET/AF_INET6 SOCK_STREAM over the tcp providers:
 *           listen() opens "tcp.server:ADDR:PORT", accept() reads it,
 *           connect() opens "tcp.client:ADDR:PORT" (or "tcp:L:LP,ADDR:PORT"
 *           when bound first).  bind() to port 0 opens the tcp.server:
 *           at once to learn the port (listen() keeps it, connect() closes
 *           it and binds the learned port).  Servers are always opened with
 *           DK_OPT_NONBLOCK and blocking is done here (DkStreamGetEvent +
 *           libos_wait), so signals interrupt and fcntl(O_NONBLOCK) applies
 *           at once.  MSG_PEEK is emulated with a receive buffer in front of
 *           the stream.
 *
 * Locking: in-memory sockets (unix and udp) share one lock, g_lock, which
 * guards every queue, peer pointer and the name and port tables.  It is
 * never held across a wait or a libos_file_put (a put may release a
 * socket).  A tcp socket has its own lock for its state; Dk calls that
 * block run without it.
 *
 * Readiness of in-memory sockets: three notification events, kept equal
 * to the state by sk_update() after every change: ev_in (set while any of
 * POLLIN/HUP/ERR holds), ev_out (while writable) and ev_io (while either).
 * ops->poll hands out the one that becomes set when the state the caller
 * may still be waiting for changes (ev_in when already writable, ev_out
 * when readable but not writable, ev_io when neither), so a poller never
 * spins on a condition it does not care about.
 *
 * shutdown() of a connected tcp socket half-closes its stream
 * (DkStreamShutdown): after SHUT_WR the peer reads end of stream and this
 * end still reads; the stream stays open until close().
 *
 * ABI gaps (see the report and docs): no wait for writability (a full
 * tcp stream is retried with a back-off; POLLOUT is assumed for tcp), no
 * way to learn the IP addresses of an accepted connection (only ports),
 * no datagram provider (UDP loopback only), no socket options reach the
 * host (they are recorded and reported only).
 */
#include "libos.h"
#include "fs/fs.h"
#include <linux/socket.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/un.h>
#include <linux/net.h>
#include <linux/tcp.h>
#include <linux/poll.h>
#include <linux/sockios.h>
#include <linux/fcntl.h>
#include <linux/stat.h>
#include <asm/socket.h>
#include <asm/ioctls.h>
#include <asm/stat.h>

/* ---- what the UAPI headers leave to libc ---------------------------------- */
#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_SEQPACKET 5
#define SOCK_TYPE_MASK 0xf
#ifndef SOCK_NONBLOCK
#define SOCK_NONBLOCK O_NONBLOCK
#endif
#ifndef SOCK_CLOEXEC
#define SOCK_CLOEXEC O_CLOEXEC
#endif
#define MSG_OOB 0x1
#define MSG_PEEK 0x2
#define MSG_CTRUNC 0x8
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_EOR 0x80
#define MSG_WAITALL 0x100
#define MSG_ERRQUEUE 0x2000
#define MSG_NOSIGNAL 0x4000
#define MSG_WAITFORONE 0x10000
#define MSG_CMSG_CLOEXEC 0x40000000
#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2
#define SCM_RIGHTS 1
#define SIGPIPE 13
#define UIO_MAXIOV 1024

struct iovec {
	void *iov_base;
	size_t iov_len;
};
struct msghdr {
	void *msg_name;
	int msg_namelen;
	struct iovec *msg_iov;
	size_t msg_iovlen;
	void *msg_control;
	size_t msg_controllen;
	unsigned msg_flags;
};
struct mmsghdr {
	struct msghdr msg_hdr;
	unsigned msg_len;
};
struct cmsghdr {
	size_t cmsg_len;
	int cmsg_level;
	int cmsg_type;
};
#define CMSG_ALIGN(len) (((len) + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1))
#define CMSG_SPACE(len) (CMSG_ALIGN(sizeof(struct cmsghdr)) + CMSG_ALIGN(len))
#define CMSG_LEN(len) (CMSG_ALIGN(sizeof(struct cmsghdr)) + (len))
#define CMSG_DATA(c) ((unsigned char *)(c) + CMSG_ALIGN(sizeof(struct cmsghdr)))
struct ucred {
	uint32_t pid, uid, gid;
};
struct sk_linger {
	int l_onoff, l_linger;
};
struct sk_timeval {
	long tv_sec, tv_usec;
};

/* A signal helper may not exist yet at link time. */
#pragma weak libos_signal_send

/* ---- socket state ---------------------------------------------------------- */
enum { K_UNIX = 1, K_UDP, K_TCP };
#define SHUT_R 1
#define SHUT_W 2

union lsaddr {
	__kernel_sa_family_t family;
	struct sockaddr_un un;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* An internet endpoint, IPv4 addresses as v4 (family AF_INET, a[0..3]). */
struct inaddr {
	int family;
	uint8_t a[16];
	uint16_t port; /* host order */
};

struct lmsg {
	struct lmsg *next;
	size_t len, off;
	union lsaddr from;
	uint32_t fromlen;
	int nfiles;
	struct libos_file **files;
	char data[];
};

struct recv_out {
	union lsaddr from;
	uint32_t fromlen;
	struct libos_file **files;
	int nfiles;
	unsigned msg_flags;
};

/* The integer options that are recorded and reported only (the PAL applies
 * none of them): level, name, default, boolean. */
static const struct {
	int level, name, def, boolean;
} int_opts[] = {
	{ SOL_SOCKET, SO_REUSEADDR, 0, 1 },   { SOL_SOCKET, SO_REUSEPORT, 0, 1 },
	{ SOL_SOCKET, SO_KEEPALIVE, 0, 1 },   { SOL_SOCKET, SO_BROADCAST, 0, 1 },
	{ SOL_SOCKET, SO_OOBINLINE, 0, 1 },   { SOL_SOCKET, SO_PASSCRED, 0, 1 },
	{ SOL_SOCKET, SO_DONTROUTE, 0, 1 },   { SOL_SOCKET, SO_PRIORITY, 0, 0 },
	{ SOL_SOCKET, SO_RCVLOWAT, 1, 0 },    { SOL_SOCKET, SO_SNDLOWAT, 1, 0 },
	{ SOL_SOCKET, SO_MARK, 0, 0 },        { SOL_SOCKET, SO_TIMESTAMP, 0, 1 },
	{ SOL_SOCKET, SO_TIMESTAMPNS, 0, 1 }, { SOL_SOCKET, SO_ZEROCOPY, 0, 1 },
	{ SOL_SOCKET, SO_BUSY_POLL, 0, 0 },   { SOL_SOCKET, SO_PASSSEC, 0, 1 },
	{ SOL_SOCKET, SO_NO_CHECK, 0, 1 },
	{ IPPROTO_TCP, TCP_NODELAY, 0, 1 },   { IPPROTO_TCP, TCP_CORK, 0, 1 },
	{ IPPROTO_TCP, TCP_KEEPIDLE, 7200, 0 }, { IPPROTO_TCP, TCP_KEEPINTVL, 75, 0 },
	{ IPPROTO_TCP, TCP_KEEPCNT, 9, 0 },   { IPPROTO_TCP, TCP_QUICKACK, 1, 1 },
	{ IPPROTO_TCP, TCP_DEFER_ACCEPT, 0, 0 }, { IPPROTO_TCP, TCP_USER_TIMEOUT, 0, 0 },
	{ IPPROTO_TCP, TCP_FASTOPEN, 0, 0 },  { IPPROTO_TCP, TCP_SYNCNT, 6, 0 },
	{ IPPROTO_TCP, TCP_LINGER2, 60, 0 },  { IPPROTO_TCP, TCP_WINDOW_CLAMP, 0, 0 },
	{ IPPROTO_TCP, TCP_MAXSEG, 536, 0 },  { IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 0, 1 },
	{ IPPROTO_IP, IP_TOS, 0, 0 },         { IPPROTO_IP, IP_TTL, 64, 0 },
	{ IPPROTO_IP, IP_RECVERR, 0, 1 },     { IPPROTO_IP, IP_PKTINFO, 0, 1 },
	{ IPPROTO_IP, IP_MTU_DISCOVER, 0, 0 }, { IPPROTO_IP, IP_MULTICAST_LOOP, 1, 1 },
	{ IPPROTO_IP, IP_MULTICAST_TTL, 1, 0 }, { IPPROTO_IP, IP_FREEBIND, 0, 1 },
	{ IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 0, 1 }, { IPPROTO_IP, IP_RECVTOS, 0, 1 },
	{ IPPROTO_IPV6, IPV6_V6ONLY, 0, 1 },  { IPPROTO_IPV6, IPV6_TCLASS, 0, 0 },
	{ IPPROTO_IPV6, IPV6_UNICAST_HOPS, 64, 0 }, { IPPROTO_IPV6, IPV6_RECVPKTINFO, 0, 1 },
	{ IPPROTO_IPV6, IPV6_RECVERR, 0, 1 }, { IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 1, 1 },
	{ IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 1, 0 }, { IPPROTO_IPV6, IPV6_MTU_DISCOVER, 0, 0 },
	{ IPPROTO_IPV6, IPV6_RECVTCLASS, 0, 1 },
};
#define N_INT_OPTS (sizeof(int_opts) / sizeof(int_opts[0]))

#define SK_BUF_DEFAULT 212992
#define SK_DGRAM_QLEN 512
#define SK_BACKLOG_MAX 4096
#define UDP_MAX_PAYLOAD 65507

static int opt_index(int level, int name)
{
	for (size_t i = 0; i < N_INT_OPTS; i++)
		if (int_opts[i].level == level && int_opts[i].name == name)
			return (int)i;
	return -1;
}


struct lsock {
	int domain, type, proto, kind;
	uint64_t ino;
	struct libos_file *file;   /* NULL while a connection waits for accept */

	/* addresses */
	union lsaddr local, peer;
	uint32_t local_len, peer_len;
	bool bound, listening, connected;
	int shut;                  /* SHUT_R | SHUT_W, as this end asked */
	int so_error;

	/* options */
	int opt[N_INT_OPTS];
	int rcvbuf, sndbuf;
	struct sk_linger linger;
	int64_t rcvtimeo_ns, sndtimeo_ns; /* 0: none */

	/* in-memory (K_UNIX, K_UDP), under g_lock */
	struct lsock *all_next, *all_prev;
	struct lsock *peer_sk;     /* connected peer (stream pair, dgram target) */
	bool peer_gone;            /* the peer closed: EOF / EPIPE / ECONNREFUSED */
	bool rd_eof;               /* the peer shut down its writing */
	bool peer_rd_shut;         /* the peer shut down its reading: EPIPE */
	struct lmsg *rxq, *rxq_tail;
	size_t rx_bytes, rx_count;
	struct lsock *accq, *accq_tail, *acc_next;
	int acc_count, backlog;
	struct unix_name *name;
	uint64_t name_dev, name_ino; /* a path name's socket file (unix_bind) */
	bool host_peer;            /* a datagram socket connected to a name (by the host) */
	DK_HANDLE to_h;            /* datagrams: the pipe.client: last sent to (under lock) */
	char *to_uri;              /* ... and its URI */
	DK_HANDLE ev_in, ev_out, ev_io;
	signed char st_in, st_out, st_io; /* the events' state; -1 unknown */

	/* tcp */
	struct libos_lock lock;
	DK_HANDLE h, hev, kick;   /* stream, its event, an event set by shutdown */
	bool dk_nonblock;         /* the stream was opened with DK_OPT_NONBLOCK */
	bool connecting;          /* a non-blocking connect not yet confirmed */
	bool prebound;            /* h is a tcp.server: opened by bind() to port 0 */
	char *peekbuf;
	size_t peek_len, peek_cap;
};

/* The unix name table (this process's sockets; other processes are
 * reached through the host). */
struct unix_name {
	struct unix_name *next;
	struct lsock *sk;
	size_t keylen;
	char key[];
};

static struct libos_lock g_lock;
static struct lsock *g_all;            /* in-memory sockets */
static struct unix_name *g_names;
static uint64_t g_next_ino = 1;
static unsigned g_next_port;
static unsigned g_next_autobind;
static DK_HANDLE g_never;             /* an event never set: for back-off sleeps */

static const struct libos_file_ops sock_ops;

static inline uint16_t bswap16(uint16_t v) { return __builtin_bswap16(v); }

static long sk_dkerr(long rc)
{
	switch (-rc) {
	case DK_E_REFUSED: return -ECONNREFUSED;
	case DK_E_RESET: return -ECONNRESET;
	case DK_E_CLOSED: return -EPIPE;
	case DK_E_ADDRESS_IN_USE: return -EADDRINUSE;
	case DK_E_WOULD_BLOCK: return -EAGAIN;
	case DK_E_INTERRUPTED: return -EINTR;
	case DK_E_TIMEOUT: return -ETIMEDOUT;
	case DK_E_DENIED: return -EACCES;
	case DK_E_INVALID: return -EINVAL;
	case DK_E_NO_MEMORY: return -ENOMEM;
	case DK_E_LIMIT: return -EMFILE;
	case DK_E_NOT_FOUND: return -ENETUNREACH;
	case DK_E_UNSUPPORTED: return -EOPNOTSUPP;
	case DK_E_BAD_POINTER: return -EFAULT;
	default: return libos_errno(rc);
	}
}

static int64_t now_ns(void)
{
	uint64_t t = 0;
	dk->DkSystemTimeQuery(DK_CLOCK_MONOTONIC, &t);
	return (int64_t)t;
}

/* A deadline (0: none) from a timeout option. */
static int64_t deadline_of(int64_t timeo_ns)
{
	return timeo_ns > 0 ? now_ns() + timeo_ns : 0;
}

/* Waits for one of n handles until the deadline.  0 when woken (or timed
 * out with `timeout_ok`), -EAGAIN at the deadline, -EINTR on a signal. */
static long sk_wait(size_t n, const DK_HANDLE *hs, int64_t deadline, int64_t cap_ns)
{
	int64_t t = -1;
	if (deadline) {
		t = deadline - now_ns();
		if (t <= 0)
			return -EAGAIN;
	}
	if (cap_ns > 0 && (t < 0 || t > cap_ns))
		t = cap_ns;
	long rc = libos_wait(n, hs, t);
	if (rc == -ETIMEDOUT)
		return (deadline && now_ns() >= deadline) ? -EAGAIN : 0;
	return rc < 0 ? rc : 0;
}

/* Sleeps a little (interruptibly): for conditions no handle signals. */
static long sk_backoff(int *round, int64_t deadline)
{
	if (!g_never) {
		DK_HANDLE e;
		if (dk->DkNotificationEventCreate(0, &e) < 0)
			return -ENOMEM;
		if (!__sync_bool_compare_and_swap(&g_never, 0, e))
			dk->DkObjectClose(e);
	}
	int64_t ns = 1000000LL << (*round < 4 ? *round : 4); /* 1 to 16 ms */
	(*round)++;
	return sk_wait(1, &g_never, deadline, ns);
}

static void sk_sigpipe(int flags)
{
	if (!(flags & MSG_NOSIGNAL) && libos_signal_send)
		libos_signal_send(libos_current(), SIGPIPE, NULL);
}

/* ---- iovec cursors ---------------------------------------------------------- */
struct iovcur {
	const struct iovec *iov;
	size_t cnt, idx, off;
	bool fault; /* an application buffer was not accessible */
};

static size_t iov_total(const struct iovec *iov, size_t cnt)
{
	size_t t = 0;
	for (size_t i = 0; i < cnt; i++) {
		t += iov[i].iov_len;
		if (t > 0x7ffff000)
			return 0x7ffff000;
	}
	return t;
}

/* Moves up to n bytes between buf and the application's iovecs at the
 * cursor: into them when to_user, out of them otherwise. */
static size_t iov_copy(struct iovcur *c, void *buf, size_t n, bool to_user)
{
	size_t done = 0;
	while (done < n && c->idx < c->cnt) {
		const struct iovec *v = &c->iov[c->idx];
		size_t k = v->iov_len - c->off;
		if (k > n - done)
			k = n - done;
		char *u = (char *)v->iov_base + c->off, *b = (char *)buf + done;
		if ((to_user ? libos_copy_to_user(u, b, k) : libos_copy_from_user(b, u, k)) < 0) {
			c->fault = true;
			break;
		}
		done += k;
		c->off += k;
		if (c->off == v->iov_len) {
			c->idx++;
			c->off = 0;
		}
	}
	return done;
}

static size_t iov_to(struct iovcur *c, const void *src, size_t n)
{
	return iov_copy(c, (void *)src, n, true);
}

static size_t iov_from(struct iovcur *c, void *dst, size_t n)
{
	return iov_copy(c, dst, n, false);
}

/* ---- addresses -------------------------------------------------------------- */
static bool v4mapped(const uint8_t *a)
{
	static const uint8_t pre[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return !memcmp(a, pre, 12);
}

static bool is_any(const struct inaddr *a)
{
	static const uint8_t z[16];
	return !memcmp(a->a, z, a->family == AF_INET ? 4 : 16);
}

/* Loopback (or unspecified, which Linux sends to this host too). */
static bool is_local(const struct inaddr *a)
{
	if (a->family == AF_INET)
		return a->a[0] == 127 || is_any(a);
	static const uint8_t one[16] = { [15] = 1 };
	if (!memcmp(a->a, one, 16) || is_any(a))
		return true;
	return v4mapped(a->a) && (a->a[12] == 127 || !(a->a[12] | a->a[13] | a->a[14] | a->a[15]));
}

static void loopback_of(int family, struct inaddr *a)
{
	memset(a->a, 0, 16);
	a->family = family;
	if (family == AF_INET)
		a->a[0] = 127, a->a[3] = 1;
	else
		a->a[15] = 1;
}

/* The source a loopback route to `to` picks: 127.0.0.1 v4-mapped when the
 * destination is v4-mapped, else its family's loopback; me->port stays. */
static void loopback_for(const struct inaddr *to, struct inaddr *me)
{
	uint16_t p = me->port;
	if (to->family == AF_INET6 && v4mapped(to->a)) {
		memset(me->a, 0, 16);
		me->a[10] = me->a[11] = 0xff;
		me->a[12] = 127, me->a[15] = 1;
	} else {
		loopback_of(to->family, me);
	}
	me->port = p;
}

/* A user sockaddr -> inaddr for a socket of `domain` (v4 on a v6 socket
 * becomes v4-mapped). */
static long in_from_user(int domain, const void *uaddr, uint32_t len, struct inaddr *out)
{
	if (!uaddr || len < sizeof(__kernel_sa_family_t))
		return -EINVAL;
	__kernel_sa_family_t fam;
	memcpy(&fam, uaddr, sizeof(fam));
	memset(out, 0, sizeof(*out));
	if (fam == AF_INET) {
		struct sockaddr_in sin;
		if (len < sizeof(sin))
			return -EINVAL;
		memcpy(&sin, uaddr, sizeof(sin));
		out->port = bswap16(sin.sin_port);
		if (domain == AF_INET6) {
			out->family = AF_INET6;
			out->a[10] = out->a[11] = 0xff;
			memcpy(out->a + 12, &sin.sin_addr, 4);
		} else {
			out->family = AF_INET;
			memcpy(out->a, &sin.sin_addr, 4);
		}
		return 0;
	}
	if (fam == AF_INET6) {
		struct sockaddr_in6 s6;
		if (domain != AF_INET6)
			return -EAFNOSUPPORT;
		if (len < 24) /* SIN6_LEN_RFC2133 */
			return -EINVAL;
		memset(&s6, 0, sizeof(s6));
		memcpy(&s6, uaddr, len < sizeof(s6) ? len : sizeof(s6));
		out->family = AF_INET6;
		out->port = bswap16(s6.sin6_port);
		memcpy(out->a, &s6.sin6_addr, 16);
		return 0;
	}
	return fam == AF_UNSPEC ? -EAFNOSUPPORT : -EAFNOSUPPORT;
}

static uint32_t in_to_sa(const struct inaddr *a, union lsaddr *sa)
{
	memset(sa, 0, sizeof(*sa));
	if (a->family == AF_INET) {
		sa->in.sin_family = AF_INET;
		sa->in.sin_port = bswap16(a->port);
		memcpy(&sa->in.sin_addr, a->a, 4);
		return sizeof(struct sockaddr_in);
	}
	sa->in6.sin6_family = AF_INET6;
	sa->in6.sin6_port = bswap16(a->port);
	memcpy(&sa->in6.sin6_addr, a->a, 16);
	return sizeof(struct sockaddr_in6);
}

static void in_from_sa(const union lsaddr *sa, struct inaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (sa->family == AF_INET6) {
		a->family = AF_INET6;
		a->port = bswap16(sa->in6.sin6_port);
		memcpy(a->a, &sa->in6.sin6_addr, 16);
	} else {
		a->family = AF_INET;
		a->port = bswap16(sa->in.sin_port);
		memcpy(a->a, &sa->in.sin_addr, 4);
	}
}

/* "1.2.3.4:80" or "[0:0:0:0:0:0:0:1]:80"; a v4-mapped address as v4 when
 * `mapped_as_v4`. */
static void in_format(const struct inaddr *a, bool mapped_as_v4, char *buf, size_t size)
{
	const uint8_t *p = a->a;
	if (a->family == AF_INET || (mapped_as_v4 && v4mapped(a->a))) {
		if (a->family != AF_INET)
			p += 12;
		rt_snprintf(buf, size, "%u.%u.%u.%u:%u", p[0], p[1], p[2], p[3], a->port);
		return;
	}
	rt_snprintf(buf, size, "[%x:%x:%x:%x:%x:%x:%x:%x]:%u", p[0] << 8 | p[1], p[2] << 8 | p[3],
		    p[4] << 8 | p[5], p[6] << 8 | p[7], p[8] << 8 | p[9], p[10] << 8 | p[11],
		    p[12] << 8 | p[13], p[14] << 8 | p[15], a->port);
}

/* Copies an address out as Linux does: truncated to *klen (a library OS
 * int), *klen = the real length; -EFAULT if uaddr is not writable. */
static long addr_out(const void *sa, uint32_t len, void *uaddr, int *klen)
{
	if (!uaddr || !klen)
		return 0;
	if (*klen < 0)
		return -EINVAL;
	if (libos_copy_to_user(uaddr, sa, (uint32_t)*klen < len ? (uint32_t)*klen : len) < 0)
		return -EFAULT;
	*klen = (int)len;
	return 0;
}

/* addr_out with the length in application memory (accept, getsockname,
 * recvfrom). */
static long addr_out_user(const void *sa, uint32_t len, void *uaddr, int *ulen)
{
	int l;
	if (!uaddr || !ulen)
		return 0;
	if (libos_copy_from_user(&l, ulen, sizeof(l)) < 0)
		return -EFAULT;
	long rc = addr_out(sa, len, uaddr, &l);
	if (rc == 0 && libos_copy_to_user(ulen, &l, sizeof(l)) < 0)
		rc = -EFAULT;
	return rc;
}

/* Largest socket address accepted from the application. */
#define UADDR_MAX (sizeof(union lsaddr) + 128)

/* Copies an application's socket address into buf (UADDR_MAX bytes). */
static long addr_in(void *buf, const void *uaddr, uint32_t len)
{
	if (len > UADDR_MAX)
		return -EINVAL;
	if (len && libos_copy_from_user(buf, uaddr, len) < 0)
		return -EFAULT;
	return 0;
}

/* addr_in for bind and connect, whose address is required and whose
 * length arrives as a signed int. */
static long addr_arg(void *buf, const void *uaddr, int len)
{
	if (!uaddr)
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	return addr_in(buf, uaddr, (uint32_t)len);
}

/* ---- creation and the file --------------------------------------------------- */
static struct lsock *sk_alloc(int domain, int type, int proto, int kind)
{
	struct lsock *s = libos_alloc(sizeof(*s));
	if (!s)
		return NULL;
	s->domain = domain;
	s->type = type;
	s->proto = proto;
	s->kind = kind;
	s->ino = __sync_fetch_and_add(&g_next_ino, 1);
	for (size_t i = 0; i < N_INT_OPTS; i++)
		s->opt[i] = int_opts[i].def;
	s->rcvbuf = s->sndbuf = SK_BUF_DEFAULT;
	s->st_in = s->st_out = s->st_io = -1;
	s->local.family = (__kernel_sa_family_t)domain;
	s->local_len = sizeof(__kernel_sa_family_t);
	if (kind != K_TCP) {
		if (dk->DkNotificationEventCreate(0, &s->ev_in) < 0) {
			libos_free(s);
			return NULL;
		}
		s->st_in = 0;
	} else if (dk->DkNotificationEventCreate(0, &s->kick) < 0) {
		libos_free(s);
		return NULL;
	}
	if (domain != AF_UNIX) {
		struct inaddr any = { .family = domain };
		s->local_len = in_to_sa(&any, &s->local);
	}
	return s;
}

/* Links an in-memory socket into g_all (g_lock held). */
static void mem_link(struct lsock *s)
{
	s->all_next = g_all;
	if (g_all)
		g_all->all_prev = s;
	g_all = s;
}

static struct libos_file *sk_file(struct lsock *s, int nonblock)
{
	struct libos_file *f = libos_file_new(&sock_ops, O_RDWR | (nonblock ? O_NONBLOCK : 0), s);
	if (f)
		s->file = f;
	return f;
}

static long sk_install(struct lsock *s, int flags)
{
	struct libos_file *f = sk_file(s, flags & SOCK_NONBLOCK);
	if (!f)
		return -ENOMEM;
	long fd = libos_fd_install(f, 0, flags & SOCK_CLOEXEC);
	return fd;
}

static struct lsock *sk_of(struct libos_file *f)
{
	return f && f->ops == &sock_ops ? f->priv : NULL;
}

/* The socket behind fd, referenced in *fp. */
static long sk_get(long fd, struct libos_file **fp, struct lsock **sp)
{
	struct libos_file *f = libos_fd_get((int)fd);
	if (!f)
		return -EBADF;
	struct lsock *s = sk_of(f);
	if (!s) {
		libos_file_put(f);
		return -ENOTSOCK;
	}
	*fp = f;
	*sp = s;
	return 0;
}

/* sk_get, or a host socket (fs_host_socket): *sp NULL then. */
static long sk_get_any(long fd, struct libos_file **fp, struct lsock **sp)
{
	DK_HANDLE h;
	struct libos_file *f = libos_fd_get((int)fd);
	if (f && fs_host_socket(f, &h)) {
		*fp = f;
		*sp = NULL;
		return 0;
	}
	if (f)
		libos_file_put(f);
	return sk_get(fd, fp, sp);
}

static bool conn_oriented(const struct lsock *s)
{
	return s->type != SOCK_DGRAM;
}

/* ---- in-memory sockets: readiness ----------------------------------------------- */
static size_t mem_limit(const struct lsock *t)
{
	return (size_t)(t->rcvbuf > 4096 ? t->rcvbuf : 4096);
}

static bool mem_space(const struct lsock *t, size_t need)
{
	if (t->type != SOCK_STREAM && t->rx_count >= SK_DGRAM_QLEN)
		return false;
	if (t->rx_bytes == 0)
		return true;
	return t->rx_bytes + (need ? need : 1) <= mem_limit(t);
}

static bool ev_ready(DK_HANDLE ev);

static int mem_mask(const struct lsock *s)
{
	int m = 0;
	if (s->listening)
		return s->acc_count ? POLLIN | POLLRDNORM : 0;
	if (s->rx_count || (s->kind == K_UNIX && s->h && ev_ready(s->hev)))
		m |= POLLIN | POLLRDNORM;
	if (s->so_error)
		m |= POLLERR;
	if (s->shut & SHUT_R)
		m |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (conn_oriented(s)) {
		if (s->rd_eof || s->peer_gone)
			m |= POLLIN | POLLRDNORM | POLLRDHUP;
		if (s->peer_gone || s->shut == (SHUT_R | SHUT_W) ||
		    (s->rd_eof && (s->shut & SHUT_W)))
			m |= POLLHUP;
		if (!s->connected && !s->peer_gone)
			return m | POLLOUT | POLLWRNORM | POLLHUP;
		if (s->peer_gone || (s->peer_sk && mem_space(s->peer_sk, 0)))
			m |= POLLOUT | POLLWRNORM;
	} else {
		if (!s->peer_sk || mem_space(s->peer_sk, 0))
			m |= POLLOUT | POLLWRNORM;
	}
	return m;
}

static void ev_sync(DK_HANDLE ev, signed char *st, int want)
{
	if (!ev || *st == want)
		return;
	if (want)
		dk->DkEventSet(ev);
	else
		dk->DkEventClear(ev);
	*st = (signed char)want;
}

/* Makes the events match the state (g_lock held). */
static void sk_update(struct lsock *s)
{
	if (!s)
		return;
	int m = mem_mask(s);
	ev_sync(s->ev_in, &s->st_in, (m & ~(POLLOUT | POLLWRNORM)) != 0);
	ev_sync(s->ev_out, &s->st_out, (m & POLLOUT) != 0);
	ev_sync(s->ev_io, &s->st_io, m != 0);
}

/* After s's queue shrank: the sockets that send to s may write again. */
static void sk_update_senders(struct lsock *s)
{
	if (s->type == SOCK_STREAM || s->type == SOCK_SEQPACKET) {
		sk_update(s->peer_sk);
		return;
	}
	for (struct lsock *x = g_all; x; x = x->all_next)
		if (x->peer_sk == s)
			sk_update(x);
}

static DK_HANDLE lazy_event(DK_HANDLE *ev, signed char *st)
{
	if (!*ev) {
		if (dk->DkNotificationEventCreate(0, ev) < 0)
			return DK_HANDLE_NONE;
		*st = 0;
	}
	return *ev;
}

static int mem_poll(struct lsock *s, DK_HANDLE *wait)
{
	libos_lock(&g_lock);
	int m = mem_mask(s);
	DK_HANDLE w;
	if ((m & POLLOUT) && s->kind == K_UNIX && s->h && !s->rx_count)
		w = s->hev; /* a bound datagram socket: the host's queue */
	else if (m & POLLOUT)
		w = s->ev_in;
	else if (m)
		w = lazy_event(&s->ev_out, &s->st_out);
	else
		w = lazy_event(&s->ev_io, &s->st_io);
	sk_update(s);
	libos_unlock(&g_lock);
	if (wait)
		*wait = w;
	return m;
}

/* ---- in-memory sockets: messages ------------------------------------------------ */
static void msg_free(struct lmsg *m)
{
	while (m) {
		struct lmsg *next = m->next;
		for (int i = 0; i < m->nfiles; i++)
			if (m->files[i])
				libos_file_put(m->files[i]);
		libos_free(m->files);
		libos_free(m);
		m = next;
	}
}

static void rx_push(struct lsock *t, struct lmsg *m)
{
	m->next = NULL;
	if (t->rxq_tail)
		t->rxq_tail->next = m;
	else
		t->rxq = m;
	t->rxq_tail = m;
	t->rx_bytes += m->len;
	t->rx_count++;
	sk_update(t);
}

static struct lmsg *rx_pop(struct lsock *s)
{
	struct lmsg *m = s->rxq;
	if (!m)
		return NULL;
	s->rxq = m->next;
	if (!s->rxq)
		s->rxq_tail = NULL;
	s->rx_bytes -= m->len - m->off;
	s->rx_count--;
	m->next = NULL;
	return m;
}

/* ---- unix names ------------------------------------------------------------------ */
/* The table key of a sockaddr_un: the abstract bytes, or the absolute path. */
static long unix_key(const void *uaddr, uint32_t len, char *key, size_t *keylen,
		     union lsaddr *sa, uint32_t *salen)
{
	size_t off = offsetof(struct sockaddr_un, sun_path);
	if (!uaddr || len < off || len > sizeof(struct sockaddr_un))
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	memcpy(sa, uaddr, len);
	if (sa->family != AF_UNIX)
		return -EINVAL;
	size_t plen = len - off;
	if (plen == 0)
		return -EINVAL;
	if (sa->un.sun_path[0] == 0) { /* abstract: every byte counts */
		memcpy(key, sa->un.sun_path, plen);
		*keylen = plen;
		*salen = len;
		return 0;
	}
	size_t n = strnlen(sa->un.sun_path, plen);
	if (n == sizeof(sa->un.sun_path))
		return -EINVAL;
	*salen = (uint32_t)(off + n + 1);
	if (sa->un.sun_path[0] == '/') {
		memcpy(key, sa->un.sun_path, n);
		*keylen = n;
	} else {
		size_t c = strlen(libos_cwd);
		memcpy(key, libos_cwd, c);
		if (!c || key[c - 1] != '/')
			key[c++] = '/';
		memcpy(key + c, sa->un.sun_path, n);
		*keylen = c + n;
	}
	return 0;
}

static struct unix_name *name_find(const char *key, size_t keylen)
{
	for (struct unix_name *n = g_names; n; n = n->next)
		if (n->keylen == keylen && !memcmp(n->key, key, keylen))
			return n;
	return NULL;
}

static void name_drop(struct lsock *s)
{
	if (!s->name)
		return;
	for (struct unix_name **pp = &g_names; *pp; pp = &(*pp)->next)
		if (*pp == s->name) {
			*pp = s->name->next;
			break;
		}
	libos_free(s->name);
	s->name = NULL;
}

#define KEY_MAX (sizeof(libos_cwd) + sizeof(((struct sockaddr_un *)0)->sun_path) + 2)

static long unix_bind(struct lsock *s, const void *uaddr, uint32_t len)
{
	union lsaddr sa;
	uint32_t salen;
	size_t keylen;
	char *key = libos_alloc(KEY_MAX);
	if (!key)
		return -ENOMEM;
	long rc;
	bool autobind = uaddr && len == sizeof(__kernel_sa_family_t);
	if (autobind) {
		__kernel_sa_family_t fam;
		memcpy(&fam, uaddr, sizeof(fam));
		if (fam != AF_UNIX) {
			libos_free(key);
			return -EINVAL;
		}
		rc = 0;
	} else {
		rc = unix_key(uaddr, len, key, &keylen, &sa, &salen);
	}
	if (rc < 0) {
		libos_free(key);
		return rc;
	}
	libos_lock(&g_lock);
	if (s->bound) {
		rc = -EINVAL;
		goto out;
	}
	if (autobind) { /* Linux's autobind: an abstract name of 5 hex digits */
		for (int tries = 0; tries < 0x100000; tries++) {
			unsigned v = (g_next_autobind++) & 0xfffff;
			memset(&sa, 0, sizeof(sa));
			sa.family = AF_UNIX;
			rt_snprintf(sa.un.sun_path + 1, 6, "%05x", v);
			salen = (uint32_t)offsetof(struct sockaddr_un, sun_path) + 6;
			memcpy(key, sa.un.sun_path, 6);
			keylen = 6;
			if (!name_find(key, keylen))
				break;
		}
	}
	if (name_find(key, keylen)) {
		rc = -EADDRINUSE;
		goto out;
	}
	struct unix_name *n = libos_alloc(sizeof(*n) + keylen);
	if (!n) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(n->key, key, keylen);
	n->keylen = keylen;
	n->sk = s;
	n->next = g_names;
	g_names = n;
	s->name = n;
	s->local = sa;
	s->local_len = salen;
	s->bound = true;
	rc = 0;
	if (!autobind && key[0]) {
		/* A path name: Linux creates the socket file, which outlives the
		 * socket until unlinked, and a bind to an existing path gives
		 * EADDRINUSE.  It is the host's own socket file, which every
		 * process of the sandbox sees as one. */
		libos_unlock(&g_lock);
		key[keylen] = 0;
		struct dk_stream_attr fa;
		memset(&fa, 0, sizeof(fa));
		rc = libos_fs_make_socket(key, &fa);
		if (rc == -EEXIST)
			rc = -EADDRINUSE;
		libos_lock(&g_lock);
		s->name_dev = fa.device;
		s->name_ino = fa.inode;
		if (rc < 0) {
			name_drop(s);
			memset(&s->local, 0, sizeof(s->local));
			s->local.family = AF_UNIX;
			s->local_len = sizeof(__kernel_sa_family_t);
			s->bound = false;
		}
	}
out:
	libos_unlock(&g_lock);
	libos_free(key);
	return rc;
}

/* Finds the socket bound to a unix address (g_lock held). */
static long unix_lookup(const void *uaddr, uint32_t len, struct lsock **out)
{
	union lsaddr sa;
	uint32_t salen;
	size_t keylen;
	char *key = libos_alloc(KEY_MAX);
	if (!key)
		return -ENOMEM;
	long rc = unix_key(uaddr, len, key, &keylen, &sa, &salen);
	if (rc == 0) {
		struct unix_name *n = name_find(key, keylen);
		if (n)
			*out = n->sk;
		else
			rc = key[0] == 0 ? -ECONNREFUSED : -ENOENT;
	}
	libos_free(key);
	return rc;
}

/* ---- unix names across processes ----------------------------------------------------
 * A listening AF_UNIX stream socket is a "pipe.server:" stream, and a
 * connect to a name opens "pipe.client:" with the same name, so the
 * sandbox's processes reach each other's listeners; both ends then are
 * host streams (kind K_TCP with domain AF_UNIX: the tcp code serves them,
 * less what is about internet addresses), which fork shares as it is.
 * The host name of a path is its socket file's identity (device and
 * inode, as Linux finds a socket by its inode: a renamed or linked socket
 * file still leads to it, a socket bound to a recreated path is another);
 * of an abstract name, a hash of its bytes. */
static void unix_abstract_id(const char *b, size_t n, uint64_t id[2])
{
	id[0] = 0xcbf29ce484222325ull; /* FNV-1a, twice with other offsets */
	id[1] = 0x84222325cbf29ce4ull;
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 2; k++)
			id[k] = (id[k] ^ (unsigned char)b[i]) * 0x100000001b3ull;
}

static void unix_uri(char *uri, size_t size, const char *scheme, bool path, const uint64_t id[2])
{
	rt_snprintf(uri, size, "%s%s-%llx-%llx", scheme, path ? "unix" : "unix-abstract",
		    (unsigned long long)id[0], (unsigned long long)id[1]);
}

/* The pipe.client: URI for a unix address, and the address as a socket
 * keeps it (*sa, *salen): -ENOENT (and the like) when its path leads to
 * nothing. */
static long unix_client_uri(const void *uaddr, uint32_t len, char *uri, size_t size,
			    union lsaddr *sa, uint32_t *salen)
{
	size_t keylen;
	uint64_t id[2] = { 0, 0 };
	const size_t at = (KEY_MAX + 15) & ~(size_t)15; /* where the fs_path goes */
	char *key = libos_alloc(at + sizeof(struct fs_path));
	if (!key)
		return -ENOMEM;
	long rc = unix_key(uaddr, len, key, &keylen, sa, salen);
	if (rc == 0 && key[0] == 0) {
		unix_abstract_id(key, keylen, id);
	} else if (rc == 0) {
		struct fs_path *p = (struct fs_path *)(key + at);
		struct stat st;
		key[keylen] = 0;
		rc = fs_resolve_abs(key, p);
		if (rc >= 0)
			rc = p->fs->stat ? p->fs->stat(p, &st, true) : -ECONNREFUSED;
		if (rc >= 0) {
			id[0] = st.st_dev;
			id[1] = st.st_ino;
		}
	}
	if (rc >= 0) {
		unix_uri(uri, size, "pipe.client:", key[0] != 0, id);
		rc = 0;
	}
	libos_free(key);
	return rc;
}

static void mem_detach(struct lsock *s);
static long tcp_adopt(struct lsock *s, DK_HANDLE h, bool nonblock);
static long sk_backoff(int *round, int64_t deadline);

/* Makes the in-memory socket s a host stream socket with stream h (the
 * caller owns s's transition: listen or connect on it). */
static long unix_to_host(struct lsock *s, DK_HANDLE h)
{
	DK_HANDLE kick;
	if (dk->DkNotificationEventCreate(0, &kick) < 0) {
		dk->DkObjectClose(h);
		return -ENOMEM;
	}
	long rc = tcp_adopt(s, h, true);
	if (rc < 0) {
		dk->DkObjectClose(kick);
		return rc;
	}
	mem_detach(s);
	s->kick = kick;
	s->kind = K_TCP;
	return 0;
}

/* Opens the pipe.server: of s's name (bound, unconnected): a listener, or
 * with DK_OPT_DATAGRAM the socket every datagram to the name reaches. */
static long unix_serve(struct lsock *s, uint32_t options, DK_HANDLE *h)
{
	char uri[96];
	uint64_t id[2];
	libos_lock(&g_lock);
	bool path = s->local.un.sun_path[0] != 0;
	if (!s->bound || s->connected || s->peer_gone) {
		libos_unlock(&g_lock);
		return -EINVAL;
	}
	if (path) {
		id[0] = s->name_dev;
		id[1] = s->name_ino;
	} else {
		unix_abstract_id(s->local.un.sun_path,
				 s->local_len - offsetof(struct sockaddr_un, sun_path), id);
	}
	libos_unlock(&g_lock);
	unix_uri(uri, sizeof(uri), "pipe.server:", path, id);
	long rc = dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEVER, DK_OPT_NONBLOCK | options,
				   0, h);
	return rc < 0 ? sk_dkerr(rc) : 0;
}

/* listen() of a bound AF_UNIX stream socket: its pipe.server:. */
static long unix_listen(struct lsock *s)
{
	DK_HANDLE h;
	long rc = unix_serve(s, 0, &h);
	if (rc < 0)
		return rc;
	rc = unix_to_host(s, h);
	if (rc == 0)
		s->listening = true;
	return rc;
}

/* connect() of an AF_UNIX stream socket: to a pipe.server: of any process
 * of the sandbox (a path's socket file must exist: ENOENT). */
static long unix_connect(struct lsock *s, const void *uaddr, uint32_t len, bool nonblock)
{
	char uri[96];
	union lsaddr sa;
	uint32_t salen;
	long rc = unix_client_uri(uaddr, len, uri, sizeof(uri), &sa, &salen);
	if (rc == 0) {
		struct lsock *l = NULL;
		libos_lock(&g_lock);
		if (s->connected || s->peer_gone)
			rc = -EISCONN;
		else if (unix_lookup(uaddr, len, &l) == 0 && l->type != s->type)
			rc = -EPROTOTYPE; /* a seqpacket or datagram socket of this process */
		libos_unlock(&g_lock);
	}
	int round = 0;
	DK_HANDLE h = DK_HANDLE_NONE;
	while (rc == 0) {
		rc = dk->DkStreamOpen(uri, DK_ACCESS_READ | DK_ACCESS_WRITE, DK_CREATE_NEVER,
				      DK_OPT_NONBLOCK, 0, &h);
		if (rc == 0)
			break;
		rc = rc == -DK_E_NOT_FOUND ? -ECONNREFUSED : sk_dkerr(rc);
		if (rc == -EAGAIN && !nonblock) /* the listener's backlog is full */
			rc = sk_backoff(&round, 0);
	}
	if (rc < 0)
		return rc;
	rc = unix_to_host(s, h);
	if (rc == 0) {
		s->peer = sa;
		s->peer_len = salen;
		s->connected = true;
	}
	return rc;
}

/* A unix socket that is a host stream now (listening or connected). */
static bool unix_hosted(const struct lsock *s)
{
	return s->kind == K_TCP && s->domain == AF_UNIX;
}

/* ---- unix datagrams across processes ---------------------------------------------------
 * A datagram socket bound to a name reads from its pipe.server: with
 * DK_OPT_DATAGRAM, and every datagram to a name goes through the host
 * (from this process too, so a bound socket has one queue: the host's):
 * sendto opens the name's pipe.client: (kept for the next datagram to the
 * same name), connect checks there is one.  Each datagram starts with the
 * sender's address (a 32-bit length, then the bytes), which the host
 * does not carry; a socket pair stays in memory. */
#define DGRAM_MAX 212992 /* Linux's default send buffer: the largest datagram */

struct dgram_head {
	uint32_t len; /* of the sender's address that follows; 0: unnamed */
};

static long dgram_serve(struct lsock *s)
{
	DK_HANDLE h, ev;
	long rc = unix_serve(s, DK_OPT_DATAGRAM, &h);
	if (rc < 0)
		return rc;
	if ((rc = dk->DkStreamGetEvent(h, &ev)) < 0) {
		dk->DkObjectClose(h);
		return sk_dkerr(rc);
	}
	libos_lock(&g_lock);
	s->h = h;
	s->hev = ev;
	libos_unlock(&g_lock);
	return 0;
}

/* The pipe.client: for uri, s's kept one if it is that name's (s->lock
 * held); fresh: open it anew. */
static long dgram_client(struct lsock *s, const char *uri, bool fresh, DK_HANDLE *h)
{
	if (s->to_h && !fresh && !strcmp(s->to_uri, uri)) {
		*h = s->to_h;
		return 0;
	}
	if (s->to_h)
		dk->DkObjectClose(s->to_h);
	libos_free(s->to_uri);
	s->to_h = DK_HANDLE_NONE;
	s->to_uri = libos_alloc(strlen(uri) + 1);
	if (!s->to_uri)
		return -ENOMEM;
	memcpy(s->to_uri, uri, strlen(uri) + 1);
	long rc = dk->DkStreamOpen(uri, DK_ACCESS_WRITE, DK_CREATE_NEVER,
				   DK_OPT_DATAGRAM | DK_OPT_NONBLOCK, 0, &s->to_h);
	if (rc < 0)
		return rc == -DK_E_NOT_FOUND ? -ECONNREFUSED : sk_dkerr(rc);
	*h = s->to_h;
	return 0;
}

/* The pipe.client: URI of a datagram destination, refusing a name this
 * process knows to be of another type. */
static long dgram_dest(struct lsock *s, const void *uaddr, uint32_t len, char *uri, size_t size,
		       union lsaddr *sa, uint32_t *salen)
{
	long rc = unix_client_uri(uaddr, len, uri, size, sa, salen);
	if (rc < 0)
		return rc;
	struct lsock *t;
	libos_lock(&g_lock);
	if (unix_lookup(uaddr, len, &t) == 0 && t->type != s->type)
		rc = -EPROTOTYPE;
	libos_unlock(&g_lock);
	return rc;
}

static long pass_stream(struct libos_file *f, DK_HANDLE *h);
static void files_put(struct libos_file **files, int n);

/* Sends one datagram to uaddr through the host; takes the files. */
static long dgram_send(struct lsock *s, struct libos_file *f, struct iovcur *c, size_t total,
		       const void *uaddr, uint32_t ualen, struct libos_file **files, int nfiles,
		       int flags)
{
	bool nonblock = (flags & MSG_DONTWAIT) || (f->flags & O_NONBLOCK);
	int64_t deadline = deadline_of(s->sndtimeo_ns);
	struct dk_passed passed[DK_MESSAGE_HANDLES_MAX];
	char uri[96];
	union lsaddr to;
	uint32_t tolen;
	char *buf = NULL;
	long rc = dgram_dest(s, uaddr, ualen, uri, sizeof(uri), &to, &tolen);
	if (rc == 0 && total > DGRAM_MAX - sizeof(struct dgram_head) - sizeof(union lsaddr))
		rc = -EMSGSIZE;
	if (rc == 0 && nfiles > (int)DK_MESSAGE_HANDLES_MAX)
		rc = -ETOOMANYREFS;
	for (int i = 0; i < nfiles && rc == 0; i++)
		rc = pass_stream(files[i], &passed[i].handle);
	size_t n = 0;
	if (rc == 0 && !(buf = libos_alloc(sizeof(struct dgram_head) + sizeof(union lsaddr) + total)))
		rc = -ENOMEM;
	if (rc == 0) {
		struct dgram_head hd;
		libos_lock(&g_lock);
		hd.len = s->bound ? s->local_len : 0;
		memcpy(buf, &hd, sizeof(hd));
		memcpy(buf + sizeof(hd), &s->local, hd.len);
		libos_unlock(&g_lock);
		n = sizeof(hd) + hd.len;
		n += iov_from(c, buf + n, total);
		if (c->fault)
			rc = -EFAULT;
	}
	int round = 0;
	bool fresh = false;
	while (rc == 0) {
		DK_HANDLE h;
		libos_lock(&s->lock);
		rc = dgram_client(s, uri, fresh, &h);
		if (rc == 0) {
			struct dk_message m = { buf, n, passed, (uint32_t)nfiles, 0 };
			rc = nfiles ? dk->DkStreamMessage(h, DK_MESSAGE_SEND, &m)
				    : dk->DkStreamWrite(h, 0, buf, &m.size);
			rc = rc < 0 ? sk_dkerr(rc) : 0;
		}
		libos_unlock(&s->lock);
		if (rc == -ECONNREFUSED && !fresh) { /* a kept client whose server went */
			fresh = true;
			rc = 0;
		} else if (rc == -EAGAIN && !nonblock) { /* the receiver is full */
			rc = sk_backoff(&round, deadline);
		} else {
			break;
		}
	}
	libos_free(buf);
	if (files)
		files_put(files, nfiles);
	return rc < 0 ? rc : (long)total;
}

static void passed_to_files(const struct dk_passed *passed, uint32_t n, struct recv_out *out);

/* One datagram from the host, if one is there (-EAGAIN if not). */
static long dgram_recv(struct lsock *s, struct iovcur *c, size_t total, int flags,
		       struct recv_out *out)
{
	struct dk_passed passed[DK_MESSAGE_HANDLES_MAX];
	if (flags & MSG_PEEK)
		return -EOPNOTSUPP; /* the host's queue cannot give a datagram back */
	size_t room = total < DGRAM_MAX ? total : DGRAM_MAX;
	char *buf = libos_alloc(sizeof(struct dgram_head) + sizeof(union lsaddr) + room);
	if (!buf)
		return -ENOMEM;
	struct dk_message m = { buf, sizeof(struct dgram_head) + sizeof(union lsaddr) + room,
				passed, DK_MESSAGE_HANDLES_MAX, 0 };
	long rc = dk->DkStreamMessage(s->h, DK_MESSAGE_RECEIVE, &m);
	struct dgram_head hd = { 0 };
	if (rc == 0 && m.size >= sizeof(hd))
		memcpy(&hd, buf, sizeof(hd));
	if (rc < 0) {
		rc = sk_dkerr(rc);
	} else if (m.size < sizeof(hd) || hd.len > sizeof(union lsaddr) ||
		   sizeof(hd) + hd.len > m.size) {
		for (uint32_t i = 0; i < m.count; i++) /* not from a library OS: dropped */
			dk->DkObjectClose(passed[i].handle);
		rc = -EAGAIN;
	} else {
		size_t dlen = m.size - sizeof(hd) - hd.len;
		size_t k = iov_to(c, buf + sizeof(hd) + hd.len, dlen < total ? dlen : total);
		if (dlen > k)
			out->msg_flags |= MSG_TRUNC;
		memset(&out->from, 0, sizeof(out->from));
		memcpy(&out->from, buf + sizeof(hd), hd.len);
		out->from.family = AF_UNIX;
		out->fromlen = hd.len ? hd.len : sizeof(__kernel_sa_family_t);
		passed_to_files(passed, m.count, out);
		if (m.flags & DK_MESSAGE_TRUNCATED)
			out->msg_flags |= MSG_CTRUNC;
		rc = c->fault ? -EFAULT : (long)(flags & MSG_TRUNC ? dlen : k);
	}
	libos_free(buf);
	return rc;
}

/* connect() of a datagram socket to a name: checked with the host. */
static long dgram_connect(struct lsock *s, const void *uaddr, uint32_t len)
{
	char uri[96];
	union lsaddr sa;
	uint32_t salen;
	DK_HANDLE h;
	long rc = dgram_dest(s, uaddr, len, uri, sizeof(uri), &sa, &salen);
	if (rc < 0)
		return rc;
	libos_lock(&s->lock);
	rc = dgram_client(s, uri, true, &h);
	libos_unlock(&s->lock);
	if (rc < 0)
		return rc;
	libos_lock(&g_lock);
	s->peer_sk = NULL;
	s->peer = sa;
	s->peer_len = salen;
	s->host_peer = s->connected = true;
	s->peer_gone = false;
	sk_update(s);
	libos_unlock(&g_lock);
	return 0;
}

/* ---- udp ports -------------------------------------------------------------------- */
static bool udp_overlap(const struct lsock *x, const struct inaddr *a)
{
	struct inaddr b;
	in_from_sa(&x->local, &b);
	if (b.port != a->port)
		return false;
	if (is_any(&b) || is_any(a))
		return true;
	return b.family == a->family && !memcmp(b.a, a->a, 16);
}

static long udp_bind_locked(struct lsock *s, struct inaddr *a)
{
	if (!is_local(a))
		return -EADDRNOTAVAIL;
	if (a->port == 0) {
		if (!g_next_port) {
			uint16_t r = 0;
			dk->DkRandomBitsRead(&r, sizeof(r));
			g_next_port = 32768 + r % 28232;
		}
		for (int i = 0; i < 28232 && !a->port; i++) {
			unsigned p = g_next_port++;
			if (g_next_port > 60999)
				g_next_port = 32768;
			a->port = (uint16_t)p;
			for (struct lsock *x = g_all; x; x = x->all_next)
				if (x != s && x->kind == K_UDP && x->bound && udp_overlap(x, a)) {
					a->port = 0;
					break;
				}
		}
		if (!a->port)
			return -EADDRINUSE;
	} else {
		bool reuse = s->opt[0] || s->opt[1];
		for (struct lsock *x = g_all; x; x = x->all_next)
			if (x != s && x->kind == K_UDP && x->bound && udp_overlap(x, a) &&
			    !(reuse && (x->opt[0] || x->opt[1])))
				return -EADDRINUSE;
	}
	s->local_len = in_to_sa(a, &s->local);
	s->bound = true;
	return 0;
}

/* The socket a datagram to `to` goes to (g_lock held). */
static struct lsock *udp_find(const struct inaddr *to)
{
	struct inaddr v4 = *to;
	if (to->family == AF_INET6 && v4mapped(to->a)) {
		v4.family = AF_INET;
		memmove(v4.a, to->a + 12, 4);
		memset(v4.a + 4, 0, 12);
	}
	struct lsock *best = NULL;
	for (struct lsock *x = g_all; x; x = x->all_next) {
		if (x->kind != K_UDP || !x->bound)
			continue;
		struct inaddr b;
		in_from_sa(&x->local, &b);
		if (b.port != v4.port)
			continue;
		if (v4.family == AF_INET) {
			if (b.family == AF_INET6) {
				if (x->opt[opt_index(IPPROTO_IPV6, IPV6_V6ONLY)])
					continue;
				if (!is_any(&b) && !(v4mapped(b.a) && !memcmp(b.a + 12, v4.a, 4)))
					continue;
			} else if (!is_any(&b) && memcmp(b.a, v4.a, 4)) {
				continue;
			}
		} else {
			if (b.family != AF_INET6 || (!is_any(&b) && memcmp(b.a, v4.a, 16)))
				continue;
		}
		if (!best || !is_any(&b))
			best = x;
	}
	return best;
}

/* ---- in-memory sockets: operations ------------------------------------------------ */
static long mem_connect_stream(struct lsock *s, const void *uaddr, uint32_t len, bool nonblock)
{
	struct lsock *srv = sk_alloc(s->domain, s->type, s->proto, K_UNIX);
	if (!srv)
		return -ENOMEM;
	int round = 0;
	long rc;
	for (;;) {
		struct lsock *l = NULL;
		libos_lock(&g_lock);
		if (s->connected || s->peer_gone) {
			rc = -EISCONN;
			goto out;
		}
		if (s->listening) {
			rc = -EINVAL;
			goto out;
		}
		rc = unix_lookup(uaddr, len, &l);
		if (rc < 0)
			goto out;
		if (l->type != s->type) {
			rc = -EPROTOTYPE;
			goto out;
		}
		if (!l->listening) {
			rc = -ECONNREFUSED;
			goto out;
		}
		if (l->acc_count < l->backlog) {
			srv->local = l->local;
			srv->local_len = l->local_len;
			srv->bound = l->bound;
			srv->peer = s->local;
			srv->peer_len = s->local_len;
			srv->connected = s->connected = true;
			srv->peer_sk = s;
			s->peer_sk = srv;
			s->peer = l->local;
			s->peer_len = l->local_len;
			mem_link(srv);
			if (l->accq_tail)
				l->accq_tail->acc_next = srv;
			else
				l->accq = srv;
			l->accq_tail = srv;
			l->acc_count++;
			sk_update(l);
			sk_update(s);
			sk_update(srv);
			libos_unlock(&g_lock);
			return 0;
		}
		libos_unlock(&g_lock);
		if (nonblock)
			rc = -EAGAIN;
		else
			rc = sk_backoff(&round, 0);
		if (rc < 0)
			break;
	}
	goto free;
out:
	libos_unlock(&g_lock);
free:
	dk->DkObjectClose(srv->ev_in);
	libos_free(srv);
	return rc;
}

static long mem_connect_dgram(struct lsock *s, const void *uaddr, uint32_t len)
{
	__kernel_sa_family_t fam = AF_UNSPEC;
	if (uaddr && len >= sizeof(fam))
		memcpy(&fam, uaddr, sizeof(fam));
	struct inaddr to;
	long rc = 0;
	if (fam != AF_UNSPEC && s->kind == K_UDP) {
		rc = in_from_user(s->domain, uaddr, len, &to);
		if (rc < 0)
			return rc;
		if (!is_local(&to))
			return -ENETUNREACH;
	}
	if (fam != AF_UNSPEC && s->kind == K_UNIX)
		return dgram_connect(s, uaddr, len);
	libos_lock(&g_lock);
	if (fam == AF_UNSPEC) { /* dissolve the association */
		s->peer_sk = NULL;
		s->host_peer = false;
		s->connected = false;
		s->peer_gone = false;
		s->peer_len = 0;
		goto out;
	}
	if (s->kind == K_UNIX) {
		struct lsock *t;
		rc = unix_lookup(uaddr, len, &t);
		if (rc < 0)
			goto out;
		if (t->type != s->type) {
			rc = -EPROTOTYPE;
			goto out;
		}
		s->peer_sk = t;
		s->peer = t->local;
		s->peer_len = t->local_len;
	} else {
		if (!s->bound) {
			struct inaddr any = { .family = s->domain };
			rc = udp_bind_locked(s, &any);
			if (rc < 0)
				goto out;
		}
		struct inaddr me;
		in_from_sa(&s->local, &me);
		if (is_any(&me)) {
			loopback_for(&to, &me);
			s->local_len = in_to_sa(&me, &s->local);
		}
		s->peer_len = in_to_sa(&to, &s->peer);
		s->peer_sk = NULL; /* udp looks the port up at each send */
	}
	s->connected = true;
	s->peer_gone = false;
out:
	sk_update(s);
	libos_unlock(&g_lock);
	return rc;
}

/* Sends from the iov cursor; `files` (n of them, referenced) go with the
 * first byte.  Returns bytes sent or -errno; takes the files' references
 * either way. */
static long mem_send(struct lsock *s, struct libos_file *f, struct iovcur *c, size_t total,
		     const void *uaddr, uint32_t ualen, struct libos_file **files, int nfiles,
		     int flags)
{
	bool nonblock = (flags & MSG_DONTWAIT) || (f->flags & O_NONBLOCK);
	int64_t deadline = deadline_of(s->sndtimeo_ns);
	size_t sent = 0;
	int round = 0;
	long rc;
	struct inaddr to;
	bool udp_to = false;

	if (s->kind == K_UDP) {
		if (uaddr) {
			rc = in_from_user(s->domain, uaddr, ualen, &to);
			if (rc == -EAFNOSUPPORT && ualen >= 2 && !*(const uint16_t *)uaddr && s->connected)
				udp_to = false;
			else if (rc < 0)
				goto fail;
			else
				udp_to = true;
		}
		if (!udp_to) {
			if (!s->connected) {
				rc = -EDESTADDRREQ;
				goto fail;
			}
			in_from_sa(&s->peer, &to);
		}
		if (to.port == 0) {
			rc = -EINVAL;
			goto fail;
		}
		if (!is_local(&to)) {
			rc = -ENETUNREACH;
			goto fail;
		}
		if (total > UDP_MAX_PAYLOAD) {
			rc = -EMSGSIZE;
			goto fail;
		}
	}
	if (conn_oriented(s) && uaddr && ualen) {
		rc = s->connected ? -EISCONN : -EOPNOTSUPP;
		goto fail;
	}
	if (s->kind == K_UNIX && s->type == SOCK_DGRAM) {
		union lsaddr peer;
		uint32_t peer_len;
		libos_lock(&g_lock);
		bool host = uaddr || s->host_peer, shut = s->shut & SHUT_W;
		peer = s->peer;
		peer_len = s->peer_len;
		libos_unlock(&g_lock);
		if (shut) {
			rc = -EPIPE;
			goto fail;
		}
		if (host) /* to a name: through the host */
			return dgram_send(s, f, c, total, uaddr ? uaddr : &peer,
					  uaddr ? ualen : peer_len, files, nfiles, flags);
	}

	for (;;) {
		struct lsock *t = NULL;
		DK_HANDLE wait = DK_HANDLE_NONE;
		libos_lock(&g_lock);
		if (s->shut & SHUT_W) {
			rc = -EPIPE;
			goto unlock_fail;
		}
		if (s->kind == K_UDP) {
			if (!s->bound) {
				struct inaddr any = { .family = s->domain };
				rc = udp_bind_locked(s, &any);
				if (rc < 0)
					goto unlock_fail;
			}
			t = udp_find(&to);
			struct inaddr me;
			in_from_sa(&s->local, &me);
			if (!t) {
				/* nobody listens: dropped, as on a network */
				rc = (!udp_to && s->connected) ? -ECONNREFUSED : (long)total;
				goto unlock_fail;
			}
			if (t->connected) {
				struct inaddr tp;
				in_from_sa(&t->peer, &tp);
				if (tp.port != me.port) { /* filtered by the receiver */
					rc = (long)total;
					goto unlock_fail;
				}
			}
			if (!mem_space(t, total)) { /* a full receiver drops */
				rc = (long)total;
				goto unlock_fail;
			}
		} else if (conn_oriented(s)) {
			if (!s->connected && !s->peer_gone) {
				rc = -ENOTCONN;
				goto unlock_fail;
			}
			t = s->peer_sk;
			if (!t || s->peer_gone || s->peer_rd_shut) {
				rc = -EPIPE;
				goto unlock_fail;
			}
			if (s->type == SOCK_SEQPACKET && total > mem_limit(t)) {
				rc = -EMSGSIZE;
				goto unlock_fail;
			}
		} else { /* unix datagram */
			if (uaddr) {
				rc = unix_lookup(uaddr, ualen, &t);
				if (rc < 0)
					goto unlock_fail;
			} else {
				t = s->peer_sk;
				if (!t) {
					rc = s->peer_gone ? -ECONNREFUSED : -ENOTCONN;
					goto unlock_fail;
				}
			}
			if (t->type != SOCK_DGRAM) {
				rc = -EPROTOTYPE;
				goto unlock_fail;
			}
			if (t->peer_sk && t->peer_sk != s) {
				rc = -EPERM;
				goto unlock_fail;
			}
			if (t->shut & SHUT_R) {
				rc = -EPIPE;
				goto unlock_fail;
			}
			if (total > mem_limit(t)) {
				rc = -EMSGSIZE;
				goto unlock_fail;
			}
		}
		size_t chunk = total - sent;
		if (s->type == SOCK_STREAM) {
			size_t lim = mem_limit(t);
			size_t room = t->rx_bytes < lim ? lim - t->rx_bytes : 0;
			if (chunk > room)
				chunk = room;
		} else if (!mem_space(t, total)) {
			chunk = 0;
		}
		if (chunk || (s->type != SOCK_STREAM && total == 0) ||
		    (s->type == SOCK_STREAM && total == 0)) {
			struct lmsg *m = libos_alloc(sizeof(*m) + chunk);
			if (!m) {
				rc = sent ? (long)sent : -ENOMEM;
				goto unlock_fail;
			}
			iov_from(c, m->data, chunk);
			if (c->fault) {
				libos_free(m);
				rc = sent ? (long)sent : -EFAULT;
				goto unlock_fail;
			}
			m->len = chunk;
			if (s->kind == K_UDP) {
				struct inaddr me, tb;
				in_from_sa(&s->local, &me);
				in_from_sa(&t->local, &tb);
				if (is_any(&me)) {
					uint16_t p = me.port;
					loopback_of(me.family, &me);
					me.port = p;
				}
				if (tb.family == AF_INET6 && me.family == AF_INET) {
					uint8_t v4[4];
					memcpy(v4, me.a, 4);
					memset(me.a, 0, 16);
					me.a[10] = me.a[11] = 0xff;
					memcpy(me.a + 12, v4, 4);
					me.family = AF_INET6;
				}
				m->fromlen = in_to_sa(&me, &m->from);
			} else {
				m->from = s->local;
				m->fromlen = s->local_len;
			}
			if (nfiles) {
				m->files = files;
				m->nfiles = nfiles;
				files = NULL;
				nfiles = 0;
			}
			if (s->type == SOCK_STREAM && chunk == 0) {
				libos_free(m); /* a zero-length stream send moves nothing */
			} else {
				rx_push(t, m);
			}
			sent += chunk;
			if (sent >= total) {
				libos_unlock(&g_lock);
				return (long)sent;
			}
		}
		/* full */
		if (conn_oriented(s) || t == s->peer_sk)
			wait = lazy_event(&s->ev_out, &s->st_out);
		sk_update(s);
		libos_unlock(&g_lock);
		if (nonblock) {
			rc = sent ? (long)sent : -EAGAIN;
			goto fail;
		}
		rc = wait ? sk_wait(1, &wait, deadline, 0) : sk_backoff(&round, deadline);
		if (rc < 0) {
			if (sent)
				rc = (long)sent;
			goto fail;
		}
	}
unlock_fail:
	libos_unlock(&g_lock);
fail:
	if (files) {
		for (int i = 0; i < nfiles; i++)
			libos_file_put(files[i]);
		libos_free(files);
	}
	if (rc == -EPIPE)
		sk_sigpipe(flags);
	if (rc > 0 && sent > (size_t)rc)
		rc = (long)sent;
	return rc;
}

static long mem_recv(struct lsock *s, struct libos_file *f, struct iovcur *c, size_t total,
		     int flags, struct recv_out *out)
{
	bool nonblock = (flags & MSG_DONTWAIT) || (f->flags & O_NONBLOCK);
	int64_t deadline = deadline_of(s->rcvtimeo_ns);
	size_t got = 0;
	long rc;
	for (;;) {
		libos_lock(&g_lock);
		if (s->listening) {
			rc = -EINVAL;
			goto out;
		}
		if (conn_oriented(s) && !s->connected && !s->peer_gone) {
			rc = -ENOTCONN;
			goto out;
		}
		if (s->rxq) {
			bool shrank = false;
			if (s->type == SOCK_STREAM) {
				struct lmsg *m = s->rxq;
				while (m && got < total) {
					if (m->nfiles && got) /* descriptors start a new read */
						break;
					size_t avail = m->len - m->off;
					if (flags & MSG_PEEK) {
						size_t k = iov_to(c, m->data + m->off, avail < total - got ? avail : total - got);
						got += k;
						m = m->next;
						continue;
					}
					size_t k = iov_to(c, m->data + m->off, avail < total - got ? avail : total - got);
					got += k;
					m->off += k;
					s->rx_bytes -= k;
					shrank = true;
					if (m->nfiles && !out->files) {
						out->files = m->files;
						out->nfiles = m->nfiles;
						m->files = NULL;
						m->nfiles = 0;
					}
					if (m->off == m->len) {
						struct lmsg *d = m;
						m = m->next;
						s->rxq = m;
						if (!m)
							s->rxq_tail = NULL;
						s->rx_count--;
						d->next = NULL;
						libos_free(d->files);
						libos_free(d);
					} else {
						break;
					}
					if (out->files)
						break;
				}
				out->fromlen = 0;
			} else {
				struct lmsg *m = s->rxq;
				size_t k = iov_to(c, m->data, m->len < total ? m->len : total);
				got = k;
				if (m->len > k)
					out->msg_flags |= MSG_TRUNC;
				if (flags & MSG_TRUNC)
					got = m->len;
				out->from = m->from;
				out->fromlen = m->fromlen;
				if (!(flags & MSG_PEEK)) {
					rx_pop(s);
					if (m->nfiles) {
						out->files = m->files;
						out->nfiles = m->nfiles;
					} else {
						libos_free(m->files);
					}
					libos_free(m);
					shrank = true;
				}
			}
			if (shrank) {
				sk_update(s);
				sk_update_senders(s);
			}
			bool more = s->type == SOCK_STREAM && (flags & MSG_WAITALL) &&
				    !(flags & MSG_PEEK) && got < total && !out->files && !c->fault;
			if (!more) {
				/* A bad buffer: -EFAULT unless stream bytes were stored. */
				rc = c->fault && (s->type != SOCK_STREAM || !got) ? -EFAULT : (long)got;
				goto out;
			}
		}
		if ((s->shut & SHUT_R) || (conn_oriented(s) && (s->rd_eof || s->peer_gone))) {
			rc = (long)got;
			goto out;
		}
		if (s->so_error) {
			rc = got ? (long)got : -s->so_error;
			if (!got)
				s->so_error = 0;
			goto out;
		}
		DK_HANDLE evs[2] = { s->ev_in, s->hev };
		bool host = s->kind == K_UNIX && s->h; /* a bound datagram socket */
		libos_unlock(&g_lock);
		if (host && (rc = dgram_recv(s, c, total, flags, out)) != -EAGAIN)
			return rc;
		if (nonblock)
			return got ? (long)got : -EAGAIN;
		rc = sk_wait(host ? 2 : 1, evs, deadline, 0);
		if (rc < 0)
			return got ? (long)got : rc;
	}
out:
	libos_unlock(&g_lock);
	return rc;
}

static long mem_listen(struct lsock *s, int backlog)
{
	if (s->kind == K_UDP || s->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	libos_lock(&g_lock);
	long rc = 0;
	if (!s->bound)
		rc = -EINVAL;
	else if (s->connected || s->peer_gone)
		rc = -EINVAL;
	else {
		if (backlog < 0 || backlog > SK_BACKLOG_MAX)
			backlog = SK_BACKLOG_MAX;
		s->backlog = backlog + 1;
		s->listening = true;
		sk_update(s);
	}
	libos_unlock(&g_lock);
	return rc;
}

static long mem_accept(struct lsock *s, struct libos_file *f, int flags, struct lsock **out)
{
	int64_t deadline = deadline_of(s->rcvtimeo_ns);
	for (;;) {
		libos_lock(&g_lock);
		if (!s->listening) {
			libos_unlock(&g_lock);
			return -EINVAL;
		}
		struct lsock *n = s->accq;
		if (n) {
			s->accq = n->acc_next;
			if (!s->accq)
				s->accq_tail = NULL;
			s->acc_count--;
			n->acc_next = NULL;
			sk_update(s);
			libos_unlock(&g_lock);
			*out = n;
			return 0;
		}
		DK_HANDLE ev = s->ev_in;
		libos_unlock(&g_lock);
		if ((f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT))
			return -EAGAIN;
		long rc = sk_wait(1, &ev, deadline, 0);
		if (rc < 0)
			return rc;
	}
}

static long mem_shutdown(struct lsock *s, int how)
{
	libos_lock(&g_lock);
	long rc = 0;
	if (conn_oriented(s) && !s->connected && !s->peer_gone) {
		rc = -ENOTCONN;
		goto out;
	}
	int bits = how == SHUT_RD ? SHUT_R : how == SHUT_WR ? SHUT_W : SHUT_R | SHUT_W;
	s->shut |= bits;
	struct lsock *p = s->peer_sk;
	if (p && conn_oriented(s)) {
		if (bits & SHUT_W)
			p->rd_eof = true;
		if (bits & SHUT_R)
			p->peer_rd_shut = true;
		sk_update(p);
	}
	sk_update(s);
out:
	libos_unlock(&g_lock);
	return rc;
}

static void mem_release(struct lsock *s);

/* Takes s out of the in-memory world: its name, peers, queues and events
 * go (s itself stays). */
static void mem_detach(struct lsock *s)
{
	struct lmsg *q;
	struct lsock *acc;
	libos_lock(&g_lock);
	if (s->all_prev)
		s->all_prev->all_next = s->all_next;
	else if (g_all == s)
		g_all = s->all_next;
	if (s->all_next)
		s->all_next->all_prev = s->all_prev;
	name_drop(s);
	struct lsock *p = s->peer_sk;
	if (p && p->peer_sk == s) {
		p->peer_sk = NULL;
		p->peer_gone = true;
		sk_update(p);
	}
	for (struct lsock *x = g_all; x; x = x->all_next)
		if (x->peer_sk == s) {
			x->peer_sk = NULL;
			x->peer_gone = true;
			sk_update(x);
		}
	s->peer_sk = NULL;
	q = s->rxq;
	s->rxq = s->rxq_tail = NULL;
	acc = s->accq;
	s->accq = s->accq_tail = NULL;
	libos_unlock(&g_lock);
	msg_free(q);
	while (acc) {
		struct lsock *n = acc->acc_next;
		mem_release(acc);
		acc = n;
	}
	if (s->ev_in)
		dk->DkObjectClose(s->ev_in);
	if (s->ev_out)
		dk->DkObjectClose(s->ev_out);
	if (s->ev_io)
		dk->DkObjectClose(s->ev_io);
	s->ev_in = s->ev_out = s->ev_io = DK_HANDLE_NONE;
	s->all_next = s->all_prev = NULL;
}

static void sk_free(struct lsock *s);

static void mem_release(struct lsock *s)
{
	mem_detach(s);
	sk_free(s); /* a datagram socket's host streams too */
}

/* ---- tcp -------------------------------------------------------------------------- */
/* Abortive close (SO_LINGER {1, 0}): the ABI cannot send a reset, so a
 * close that Linux would turn into one only records the connection's ports
 * here (as "local,peer" of the closing end) when the peer is a local
 * address; a socket of this process at the other end of it then reports
 * ECONNRESET (and EOF after it) as a Linux peer would.  A peer in another
 * process sees an orderly close.  The oldest entry gives way. */
#define N_RESETS 32
static struct {
	uint16_t lport, pport;
} g_resets[N_RESETS];
static unsigned g_reset_next;
static struct libos_lock g_reset_lock; /* a leaf: taken under a socket's lock */

static void tcp_ports(const struct lsock *s, uint16_t *l, uint16_t *p)
{
	struct inaddr a;
	in_from_sa(&s->local, &a);
	*l = a.port;
	in_from_sa(&s->peer, &a);
	*p = a.port;
}

/* Finds (and forgets) a reset of the connection local,peer as seen from
 * the other end. */
static bool reset_take(uint16_t lport, uint16_t pport)
{
	bool hit = false;
	if (!lport || !pport)
		return false;
	libos_lock(&g_reset_lock);
	for (unsigned i = 0; i < N_RESETS; i++) {
		if (g_resets[i].lport == pport && g_resets[i].pport == lport) {
			g_resets[i].lport = g_resets[i].pport = 0;
			hit = true;
		}
	}
	libos_unlock(&g_reset_lock);
	return hit;
}

/* A connection was made: a stale reset of the same ports must not hit it. */
static void reset_forget(const struct lsock *s)
{
	uint16_t l, p;
	tcp_ports(s, &l, &p);
	reset_take(l, p);
	reset_take(p, l);
}

/* Lock held: a reset by an in-process peer becomes ECONNRESET, then EOF. */
static void tcp_check_reset(struct lsock *s)
{
	if (!s->connected || s->shut == (SHUT_R | SHUT_W) || s->domain == AF_UNIX)
		return;
	uint16_t l, p;
	tcp_ports(s, &l, &p);
	if (!reset_take(l, p))
		return;
	s->so_error = ECONNRESET;
	s->connecting = false;
	s->peek_len = 0;
	s->shut |= SHUT_R | SHUT_W;
}

static void tcp_abort_note(struct lsock *s)
{
	if (s->kind != K_TCP || s->domain == AF_UNIX || !s->connected || !s->linger.l_onoff ||
	    s->linger.l_linger ||
	    s->shut == (SHUT_R | SHUT_W))
		return;
	struct inaddr peer;
	in_from_sa(&s->peer, &peer);
	if (!is_local(&peer))
		return;
	uint16_t l, p;
	tcp_ports(s, &l, &p);
	if (!l || !p)
		return;
	libos_lock(&g_reset_lock);
	g_resets[g_reset_next % N_RESETS].lport = l;
	g_resets[g_reset_next % N_RESETS].pport = p;
	g_reset_next++;
	libos_unlock(&g_reset_lock);
}

static long tcp_adopt(struct lsock *s, DK_HANDLE h, bool nonblock);
static uint16_t tcp_port(DK_HANDLE h, uint16_t *peer);

static long tcp_bind(struct lsock *s, const void *uaddr, uint32_t len)
{
	struct inaddr a;
	long rc = in_from_user(s->domain, uaddr, len, &a);
	if (rc < 0)
		return rc;
	libos_lock(&s->lock);
	if (s->bound || s->listening || s->connected || s->connecting)
		rc = -EINVAL;
	else if (a.port == 0) {
		/* Linux picks the port at bind, and getsockname reports it.  The
		 * ABI learns a port only from an open stream, so the server is
		 * opened now (listening early does no harm to a socket that will
		 * listen; connect() closes it and binds the learned port). */
		char uri[96], host[64];
		in_format(&a, false, host, sizeof(host));
		rt_snprintf(uri, sizeof(uri), "tcp.server:%s", host);
		DK_HANDLE h;
		rc = dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEVER, DK_OPT_NONBLOCK, 0, &h);
		if (rc < 0) {
			/* port 0 is never taken: the address is not local */
			rc = (rc == -DK_E_INVALID || rc == -DK_E_ADDRESS_IN_USE) ? -EADDRNOTAVAIL
										: sk_dkerr(rc);
		} else {
			a.port = tcp_port(h, NULL);
			rc = a.port ? tcp_adopt(s, h, true) : (dk->DkObjectClose(h), -EADDRNOTAVAIL);
			if (rc == 0) {
				s->prebound = true;
				s->local_len = in_to_sa(&a, &s->local);
				s->bound = true;
			}
		}
	} else {
		s->local_len = in_to_sa(&a, &s->local);
		s->bound = true;
	}
	libos_unlock(&s->lock);
	return rc;
}

/* Closes the server a bind to port 0 opened (lock held). */
static void tcp_unprebind(struct lsock *s)
{
	if (!s->prebound)
		return;
	if (s->hev)
		dk->DkObjectClose(s->hev);
	if (s->h)
		dk->DkObjectClose(s->h);
	s->h = s->hev = DK_HANDLE_NONE;
	s->prebound = false;
}

/* Adopts a connected stream (the lock need not be held: not yet shared, or
 * the caller owns the transition). */
static long tcp_adopt(struct lsock *s, DK_HANDLE h, bool nonblock)
{
	DK_HANDLE ev;
	long rc = dk->DkStreamGetEvent(h, &ev);
	if (rc < 0) {
		dk->DkObjectClose(h);
		return sk_dkerr(rc);
	}
	s->h = h;
	s->hev = ev;
	s->dk_nonblock = nonblock;
	return 0;
}

static uint16_t tcp_port(DK_HANDLE h, uint16_t *peer)
{
	struct dk_stream_attr attr;
	memset(&attr, 0, sizeof(attr));
	if (dk->DkStreamAttributesQueryByHandle(h, &attr) < 0)
		return 0;
	if (peer)
		*peer = (uint16_t)attr.device;
	return (uint16_t)attr.inode;
}

static long tcp_listen(struct lsock *s, int backlog)
{
	(void)backlog; /* the provider listens with a backlog of 128 */
	libos_lock(&s->lock);
	if (s->listening) {
		libos_unlock(&s->lock);
		return 0;
	}
	if (s->connected || s->connecting || s->shut) {
		libos_unlock(&s->lock);
		return -EINVAL;
	}
	if (s->prebound) {
		/* bind() opened the server already */
		s->prebound = false;
		s->listening = true;
		libos_unlock(&s->lock);
		return 0;
	}
	struct inaddr a;
	in_from_sa(&s->local, &a);
	char uri[96], host[64];
	in_format(&a, false, host, sizeof(host));
	rt_snprintf(uri, sizeof(uri), "tcp.server:%s", host);
	DK_HANDLE h;
	long rc = dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEVER, DK_OPT_NONBLOCK, 0, &h);
	if (rc < 0) {
		libos_unlock(&s->lock);
		return rc == -DK_E_INVALID ? -EADDRNOTAVAIL : sk_dkerr(rc);
	}
	rc = tcp_adopt(s, h, true);
	if (rc == 0) {
		a.port = tcp_port(h, NULL);
		s->local_len = in_to_sa(&a, &s->local);
		s->bound = true;
		s->listening = true;
	}
	libos_unlock(&s->lock);
	return rc;
}

static long tcp_accept(struct lsock *s, struct libos_file *f, int flags, struct lsock **out)
{
	int64_t deadline = deadline_of(s->rcvtimeo_ns);
	DK_HANDLE conn;
	for (;;) {
		libos_lock(&s->lock);
		DK_HANDLE h = s->h, hs[2] = { s->hev, s->kick };
		bool ok = s->listening && !(s->shut & SHUT_R);
		libos_unlock(&s->lock);
		if (!ok)
			return -EINVAL;
		size_t n = sizeof(conn);
		long rc = dk->DkStreamRead(h, 0, &conn, &n);
		if (rc == 0 && n == sizeof(conn))
			break;
		if (rc != -DK_E_WOULD_BLOCK)
			return rc == -DK_E_BAD_HANDLE ? -EINVAL : sk_dkerr(rc);
		if ((f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT))
			return -EAGAIN;
		rc = sk_wait(2, hs, deadline, 0);
		if (rc < 0)
			return rc;
	}
	struct lsock *n = sk_alloc(s->domain, s->type, s->proto, K_TCP);
	if (!n) {
		dk->DkObjectClose(conn);
		return -ENOMEM;
	}
	long rc = tcp_adopt(n, conn, true);
	if (rc < 0) {
		dk->DkObjectClose(n->kick);
		libos_free(n);
		return rc;
	}
	memcpy(n->opt, s->opt, sizeof(n->opt)); /* accepted sockets inherit */
	n->rcvbuf = s->rcvbuf;
	n->sndbuf = s->sndbuf;
	n->linger = s->linger;
	n->bound = n->connected = true;
	*out = n;
	if (unix_hosted(s)) { /* the listener's name; the peer's is unknown */
		n->local = s->local;
		n->local_len = s->local_len;
		n->peer.family = AF_UNIX;
		n->peer_len = sizeof(__kernel_sa_family_t);
		return 0;
	}
	uint16_t pport = 0;
	struct inaddr l, p;
	in_from_sa(&s->local, &l);
	l.port = tcp_port(conn, &pport);
	/* The ABI gives the ports only: the addresses are the listener's, and
	 * loopback for a loopback listener; a wildcard listener leaves the
	 * peer's address unspecified. */
	p = l;
	if (is_local(&l) && !is_any(&l))
		p.port = pport;
	else {
		memset(p.a, 0, 16);
		p.port = pport;
	}
	n->local_len = in_to_sa(&l, &n->local);
	n->peer_len = in_to_sa(&p, &n->peer);
	reset_forget(n);
	return 0;
}

static long tcp_connect(struct lsock *s, struct libos_file *f, const void *uaddr, uint32_t len)
{
	struct inaddr to;
	long rc = in_from_user(s->domain, uaddr, len, &to);
	if (rc < 0)
		return rc;
	if (to.port == 0)
		return -ECONNREFUSED;
	bool nonblock = f->flags & O_NONBLOCK;
	libos_lock(&s->lock);
	if (s->listening || s->connected) {
		libos_unlock(&s->lock);
		return -EISCONN;
	}
	if (s->connecting) {
		libos_unlock(&s->lock);
		return -EALREADY;
	}
	s->connecting = true;
	tcp_unprebind(s);
	struct inaddr me;
	in_from_sa(&s->local, &me);
	bool use_local = s->bound && (me.port || !is_any(&me));
	libos_unlock(&s->lock);

	char uri[160], l[64], r[64];
	in_format(&to, !use_local, r, sizeof(r));
	if (use_local) {
		in_format(&me, false, l, sizeof(l));
		rt_snprintf(uri, sizeof(uri), "tcp:%s,%s", l, r);
	} else {
		rt_snprintf(uri, sizeof(uri), "tcp.client:%s", r);
	}
	DK_HANDLE h;
	rc = dk->DkStreamOpen(uri, DK_ACCESS_READ | DK_ACCESS_WRITE, DK_CREATE_NEVER,
			      nonblock ? DK_OPT_NONBLOCK : 0, 0, &h);
	libos_lock(&s->lock);
	if (rc < 0) {
		s->connecting = false;
		libos_unlock(&s->lock);
		rc = sk_dkerr(rc);
		if (rc == -EINVAL)
			rc = -EADDRNOTAVAIL;
		return rc;
	}
	rc = tcp_adopt(s, h, nonblock);
	if (rc < 0) {
		s->connecting = false;
		libos_unlock(&s->lock);
		return rc;
	}
	if (!use_local && is_local(&to))
		loopback_for(&to, &me);
	me.port = tcp_port(h, NULL);
	s->local_len = in_to_sa(&me, &s->local);
	s->peer_len = in_to_sa(&to, &s->peer);
	s->bound = s->connected = true;
	s->connecting = nonblock; /* confirmed by the first read or write */
	libos_unlock(&s->lock);
	reset_forget(s);
	return nonblock ? -EINPROGRESS : 0;
}

static bool ev_ready(DK_HANDLE ev)
{
	size_t i;
	return ev && dk->DkObjectsWaitAny(1, &ev, 0, &i) == 0;
}

/* One read from the stream into buf: bytes, 0 at EOF, or -errno
 * (-EAGAIN when nothing is ready). */
static long tcp_read_once(struct lsock *s, DK_HANDLE h, DK_HANDLE hev, void *buf, size_t n)
{
	if (!s->dk_nonblock && !ev_ready(hev))
		return -EAGAIN;
	size_t cnt = n;
	long rc = dk->DkStreamRead(h, 0, buf, &cnt);
	if (rc < 0) {
		if (rc == -DK_E_BAD_HANDLE)
			return 0; /* shut down by another thread */
		return sk_dkerr(rc);
	}
	return (long)cnt;
}

/* A non-blocking connect: learns its outcome when the stream says
 * something (lock held).  Data goes to the peek buffer. */
static void tcp_probe(struct lsock *s)
{
	if (!s->connecting || !s->dk_nonblock || s->peek_len || !s->h)
		return;
	if (!ev_ready(s->hev)) {
		/* Nothing to read: a write of nothing says whether the connect
		 * is still in progress (WOULD_BLOCK), done (0) or failed. */
		size_t zero = 0;
		long rc = dk->DkStreamWrite(s->h, 0, "", &zero);
		if (rc == 0)
			s->connecting = false;
		else if (rc != -DK_E_WOULD_BLOCK) {
			rc = sk_dkerr(rc);
			s->so_error = rc == -EPIPE ? ECONNREFUSED : (int)-rc;
			s->connecting = false;
		}
		return;
	}
	if (!s->peekbuf) {
		s->peekbuf = libos_alloc(4096);
		if (!s->peekbuf)
			return;
		s->peek_cap = 4096;
	}
	long rc = tcp_read_once(s, s->h, s->hev, s->peekbuf, s->peek_cap);
	if (rc > 0) {
		s->peek_len = (size_t)rc;
		s->connecting = false;
	} else if (rc == 0) {
		s->connecting = false;
	} else if (rc != -EAGAIN) {
		s->so_error = (int)-rc;
		s->connecting = false;
	}
}

static long tcp_recv(struct lsock *s, struct libos_file *f, void *buf, size_t len, int flags)
{
	bool nonblock = (flags & MSG_DONTWAIT) || (f->flags & O_NONBLOCK);
	int64_t deadline = deadline_of(s->rcvtimeo_ns);
	size_t got = 0;
	if (flags & MSG_OOB)
		return -EINVAL;
	for (;;) {
		libos_lock(&s->lock);
		if (!s->connected) {
			libos_unlock(&s->lock);
			return -ENOTCONN;
		}
		tcp_check_reset(s);
		if (s->so_error) {
			long e = -s->so_error;
			s->so_error = 0;
			libos_unlock(&s->lock);
			return got ? (long)got : e;
		}
		if (s->peek_len) {
			size_t k = s->peek_len < len - got ? s->peek_len : len - got;
			if (libos_copy_to_user((char *)buf + got, s->peekbuf, k) < 0) {
				libos_unlock(&s->lock);
				return got ? (long)got : -EFAULT;
			}
			if (!(flags & MSG_PEEK)) {
				memmove(s->peekbuf, s->peekbuf + k, s->peek_len - k);
				s->peek_len -= k;
			}
			got += k;
			if (got < len && !(flags & (MSG_PEEK | MSG_WAITALL)) && !s->peek_len) {
				/* and what else is there already, as a read would */
				long r = tcp_read_once(s, s->h, s->hev, (char *)buf + got, len - got);
				got += r > 0 ? (size_t)r : 0;
			}
			if (got == len || (flags & MSG_PEEK) || !(flags & MSG_WAITALL)) {
				libos_unlock(&s->lock);
				return (long)got;
			}
		}
		if (s->shut & SHUT_R) {
			libos_unlock(&s->lock);
			return (long)got;
		}
		DK_HANDLE h = s->h, hs[2] = { s->hev, s->kick };
		long rc;
		if (flags & MSG_PEEK) {
			if (s->peek_cap < len) {
				char *nb = libos_realloc(s->peekbuf, len);
				if (!nb) {
					libos_unlock(&s->lock);
					return -ENOMEM;
				}
				s->peekbuf = nb;
				s->peek_cap = len;
			}
			/* the lock is held across a non-blocking read here */
			rc = tcp_read_once(s, h, hs[0], s->peekbuf, len);
			if (rc > 0) {
				s->peek_len = (size_t)rc;
				if (libos_copy_to_user(buf, s->peekbuf, (size_t)rc) < 0)
					rc = -EFAULT; /* the bytes stay in peekbuf */
			}
			libos_unlock(&s->lock);
		} else {
			libos_unlock(&s->lock);
			rc = tcp_read_once(s, h, hs[0], (char *)buf + got, len - got);
		}
		if (rc >= 0 && s->connecting) {
			libos_lock(&s->lock);
			s->connecting = false;
			libos_unlock(&s->lock);
		}
		if (rc > 0) {
			got += (size_t)rc;
			if (got == len || !(flags & MSG_WAITALL) || (flags & MSG_PEEK))
				return (long)got;
			continue;
		}
		if (rc == 0)
			return (long)got;
		if (rc != -EAGAIN)
			return got ? (long)got : rc;
		if (nonblock)
			return got ? (long)got : -EAGAIN;
		rc = sk_wait(2, hs, deadline, 0);
		if (rc < 0)
			return got ? (long)got : rc;
	}
}

static long tcp_send(struct lsock *s, struct libos_file *f, const void *buf, size_t len, int flags)
{
	bool nonblock = (flags & MSG_DONTWAIT) || (f->flags & O_NONBLOCK);
	int64_t deadline = deadline_of(s->sndtimeo_ns);
	size_t sent = 0;
	int round = 0;
	long rc;
	libos_lock(&s->lock);
	tcp_check_reset(s);
	if (s->so_error) {
		rc = -s->so_error;
		s->so_error = 0;
		libos_unlock(&s->lock);
		return rc;
	}
	if (!s->connected || (s->shut & SHUT_W)) {
		libos_unlock(&s->lock);
		sk_sigpipe(flags);
		return -EPIPE;
	}
	DK_HANDLE h = s->h, kick = s->kick;
	libos_unlock(&s->lock);
	if (len == 0)
		return 0;
	while (sent < len) {
		size_t n = len - sent;
		rc = dk->DkStreamWrite(h, 0, (const char *)buf + sent, &n);
		if (rc == 0) {
			if (s->connecting) {
				libos_lock(&s->lock);
				s->connecting = false;
				libos_unlock(&s->lock);
			}
			sent += n;
			if (nonblock)
				break;
			continue;
		}
		if (rc == -DK_E_WOULD_BLOCK) {
			if (nonblock || sent)
				break;
			/* No wait for writability in the ABI: back off and retry. */
			rc = sk_wait(1, &kick, deadline, (1000000LL << (round < 4 ? round : 4)));
			round++;
			if (rc < 0)
				return rc;
			if (s->shut & SHUT_W) {
				sk_sigpipe(flags);
				return -EPIPE;
			}
			continue;
		}
		if (sent)
			break;
		rc = rc == -DK_E_BAD_HANDLE ? -EPIPE : sk_dkerr(rc);
		if (rc == -EPIPE)
			sk_sigpipe(flags);
		return rc;
	}
	return sent ? (long)sent : -EAGAIN;
}

static long tcp_shutdown(struct lsock *s, int how)
{
	libos_lock(&s->lock);
	long rc = 0;
	if (s->listening) {
		if (how == SHUT_WR) {
			libos_unlock(&s->lock);
			return -ENOTCONN;
		}
		/* Linux: a blocked accept returns EINVAL; the port is freed. */
		DK_HANDLE h = s->h, ev = s->hev;
		s->h = s->hev = DK_HANDLE_NONE;
		s->listening = false;
		s->shut |= SHUT_R | SHUT_W;
		dk->DkEventSet(s->kick);
		libos_unlock(&s->lock);
		if (ev)
			dk->DkObjectClose(ev);
		if (h)
			dk->DkObjectClose(h);
		return 0;
	}
	if (!s->connected) {
		libos_unlock(&s->lock);
		return -ENOTCONN;
	}
	/* Half-close through the stream (DkStreamShutdown): after SHUT_WR the
	 * peer reads end of stream while this end still reads; the handle
	 * stays open until close(), so the peer sees a FIN, never a reset. */
	uint32_t dk_how = how == SHUT_RD	? DK_SHUTDOWN_READ
			  : how == SHUT_WR ? DK_SHUTDOWN_WRITE
					   : DK_SHUTDOWN_READ | DK_SHUTDOWN_WRITE;
	if (s->h) {
		rc = dk->DkStreamShutdown(s->h, dk_how);
		if (rc == -DK_E_CLOSED)
			rc = -ENOTCONN; /* reset: no longer connected, as on Linux */
		else if (rc < 0)
			rc = sk_dkerr(rc);
	}
	if (rc == 0) {
		s->shut |= (dk_how & DK_SHUTDOWN_READ ? SHUT_R : 0) |
			   (dk_how & DK_SHUTDOWN_WRITE ? SHUT_W : 0);
		dk->DkEventSet(s->kick);
	}
	libos_unlock(&s->lock);
	return rc;
}

static int tcp_poll(struct lsock *s, DK_HANDLE *wait)
{
	int m = 0;
	libos_lock(&s->lock);
	DK_HANDLE w = s->hev ? s->hev : DK_HANDLE_NONE;
	if (s->listening) {
		if (ev_ready(s->hev))
			m |= POLLIN | POLLRDNORM;
	} else if (!s->connected) {
		m = POLLOUT | POLLWRNORM | POLLHUP;
		w = DK_HANDLE_NONE;
	} else {
		tcp_check_reset(s);
		tcp_probe(s);
		if (s->shut == (SHUT_R | SHUT_W)) {
			m |= POLLIN | POLLRDNORM | POLLRDHUP | POLLHUP;
			w = DK_HANDLE_NONE;
		} else {
			/* POLLOUT is assumed: the ABI cannot wait for writability. */
			m |= POLLOUT | POLLWRNORM;
			if (s->shut & SHUT_R)
				m |= POLLIN | POLLRDNORM | POLLRDHUP;
			if (s->peek_len)
				m |= POLLIN | POLLRDNORM;
			else if (ev_ready(s->hev)) {
				m |= POLLIN | POLLRDNORM;
				struct dk_stream_attr attr;
				memset(&attr, 0, sizeof(attr));
				if (dk->DkStreamAttributesQueryByHandle(s->h, &attr) == 0 && attr.size == 0)
					m |= POLLRDHUP; /* end of stream (or an error) */
			}
		}
		if (s->so_error)
			m |= POLLERR;
	}
	libos_unlock(&s->lock);
	if (wait)
		*wait = w;
	return m;
}

/* Frees s with its host streams and events (not the in-memory part). */
static void sk_free(struct lsock *s)
{
	DK_HANDLE hs[] = { s->hev, s->h, s->kick, s->to_h };
	for (size_t i = 0; i < sizeof(hs) / sizeof(hs[0]); i++)
		if (hs[i])
			dk->DkObjectClose(hs[i]);
	libos_free(s->to_uri);
	libos_free(s->peekbuf);
	libos_free(s);
}


/* ---- the file operations ------------------------------------------------------- */
static long sk_sendv(struct lsock *s, struct libos_file *f, const struct iovec *iov, size_t cnt,
		     const void *addr, uint32_t alen, struct libos_file **files, int nfiles, int flags)
{
	size_t total = iov_total(iov, cnt);
	if (s->kind == K_TCP) {
		if (files) {
			for (int i = 0; i < nfiles; i++)
				libos_file_put(files[i]);
			libos_free(files);
		}
		if (flags & MSG_OOB)
			return -EOPNOTSUPP;
		size_t sent = 0;
		for (size_t i = 0; i < cnt; i++) {
			if (!iov[i].iov_len)
				continue;
			long rc = tcp_send(s, f, iov[i].iov_base, iov[i].iov_len,
					   sent ? flags | MSG_NOSIGNAL : flags);
			if (rc < 0)
				return sent ? (long)sent : rc;
			sent += (size_t)rc;
			if ((size_t)rc < iov[i].iov_len)
				break;
		}
		if (!sent && total == 0 && cnt == 0)
			return tcp_send(s, f, NULL, 0, flags);
		return (long)sent;
	}
	if (flags & MSG_OOB) {
		if (files) {
			for (int i = 0; i < nfiles; i++)
				libos_file_put(files[i]);
			libos_free(files);
		}
		return -EOPNOTSUPP;
	}
	struct iovcur c = { iov, cnt, 0, 0, false };
	return mem_send(s, f, &c, total, addr, alen, files, nfiles, flags);
}

static long sk_recvv(struct lsock *s, struct libos_file *f, const struct iovec *iov, size_t cnt,
		     int flags, struct recv_out *out)
{
	size_t total = iov_total(iov, cnt);
	if (s->kind == K_TCP) {
		if (cnt == 1 || total == 0)
			return tcp_recv(s, f, cnt ? iov[0].iov_base : NULL, total, flags);
		size_t bn = total < 262144 ? total : 262144;
		char *b = libos_alloc(bn);
		if (!b)
			return -ENOMEM;
		long rc = tcp_recv(s, f, b, bn, flags);
		if (rc > 0) {
			struct iovcur c = { iov, cnt, 0, 0, false };
			iov_to(&c, b, (size_t)rc);
			if (c.fault)
				rc = -EFAULT;
		}
		libos_free(b);
		return rc;
	}
	if (flags & MSG_OOB)
		return -EINVAL;
	struct iovcur c = { iov, cnt, 0, 0, false };
	return mem_recv(s, f, &c, total, flags, out);
}

static long sock_read(struct libos_file *f, void *buf, size_t n)
{
	struct lsock *s = f->priv;
	struct iovec v = { buf, n };
	struct recv_out out;
	memset(&out, 0, sizeof(out));
	long rc = sk_recvv(s, f, &v, 1, 0, &out);
	if (out.files) { /* read(2) cannot take descriptors: they are closed */
		for (int i = 0; i < out.nfiles; i++)
			libos_file_put(out.files[i]);
		libos_free(out.files);
	}
	return rc;
}

static long sock_write(struct libos_file *f, const void *buf, size_t n)
{
	struct iovec v = { (void *)buf, n };
	return sk_sendv(f->priv, f, &v, 1, NULL, 0, NULL, 0, 0);
}

static long sock_pread(struct libos_file *f, void *buf, size_t n, uint64_t off)
{
	(void)f, (void)buf, (void)n, (void)off;
	return -ESPIPE;
}

static long sock_pwrite(struct libos_file *f, const void *buf, size_t n, uint64_t off)
{
	(void)f, (void)buf, (void)n, (void)off;
	return -ESPIPE;
}

static long sock_seek(struct libos_file *f, int64_t off, int whence)
{
	(void)f, (void)off, (void)whence;
	return -ESPIPE;
}

static long sock_stat(struct libos_file *f, void *kstat)
{
	struct lsock *s = f->priv;
	struct stat *st = kstat;
	memset(st, 0, sizeof(*st));
	st->st_dev = 8; /* sockfs */
	st->st_ino = s->ino;
	st->st_mode = S_IFSOCK | 0777;
	st->st_nlink = 1;
	st->st_uid = libos_proc.uid;
	st->st_gid = libos_proc.gid;
	st->st_blksize = 4096;
	return 0;
}

static long sock_ioctl(struct libos_file *f, unsigned long cmd, unsigned long arg)
{
	struct lsock *s = f->priv;
	int *p = (int *)arg;
	switch (cmd) {
	case FIONREAD: { /* == SIOCINQ */
		long n = 0;
		if (!p)
			return -EFAULT;
		if (s->kind == K_TCP) {
			libos_lock(&s->lock);
			if (s->listening) {
				libos_unlock(&s->lock);
				return -EINVAL;
			}
			n = (long)s->peek_len;
			struct dk_stream_attr attr;
			memset(&attr, 0, sizeof(attr));
			if (s->h && s->connected &&
			    dk->DkStreamAttributesQueryByHandle(s->h, &attr) == 0)
				n += (long)attr.size;
			libos_unlock(&s->lock);
		} else {
			libos_lock(&g_lock);
			if (s->listening)
				n = -EINVAL;
			else if (s->type == SOCK_STREAM)
				n = (long)s->rx_bytes;
			else
				n = s->rxq ? (long)s->rxq->len : 0;
			libos_unlock(&g_lock);
			if (n < 0)
				return n;
		}
		int v = n > 0x7fffffff ? 0x7fffffff : (int)n;
		return libos_copy_to_user(p, &v, sizeof(v)) < 0 ? -EFAULT : 0;
	}
	case SIOCOUTQ: {
		int zero = 0;
		return libos_copy_to_user(p, &zero, sizeof(zero)) < 0 ? -EFAULT : 0;
	}
	case FIONBIO: {
		int on;
		if (libos_copy_from_user(&on, p, sizeof(on)) < 0)
			return -EFAULT;
		if (on)
			__atomic_or_fetch(&f->flags, O_NONBLOCK, __ATOMIC_SEQ_CST);
		else
			__atomic_and_fetch(&f->flags, ~(unsigned)O_NONBLOCK, __ATOMIC_SEQ_CST);
		return 0;
	}
	default:
		return -ENOTTY;
	}
}

static int sock_poll(struct libos_file *f, DK_HANDLE *wait)
{
	struct lsock *s = f->priv;
	return s->kind == K_TCP ? tcp_poll(s, wait) : mem_poll(s, wait);
}

static void sock_release(struct libos_file *f)
{
	struct lsock *s = f->priv;
	if (!s)
		return;
	f->priv = NULL;
	if (s->kind == K_TCP) {
		tcp_abort_note(s);
		sk_free(s);
	} else {
		mem_release(s);
	}
}

static const struct libos_file_ops sock_ops = {
	.read = sock_read,
	.write = sock_write,
	.pread = sock_pread,
	.pwrite = sock_pwrite,
	.seek = sock_seek,
	.stat = sock_stat,
	.ioctl = sock_ioctl,
	.poll = sock_poll,
	.release = sock_release,
};

bool libos_is_socket(struct libos_file *f)
{
	return f && f->ops == &sock_ops;
}

/* ---- system calls ------------------------------------------------------------------ */
static long sk_create(int domain, int type, int proto, struct lsock **out)
{
	int kind;
	int t = type & SOCK_TYPE_MASK;
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	switch (domain) {
	case AF_UNIX:
		if (t != SOCK_STREAM && t != SOCK_DGRAM && t != SOCK_SEQPACKET)
			return -ESOCKTNOSUPPORT;
		if (proto != 0 && proto != AF_UNIX)
			return -EPROTONOSUPPORT;
		kind = K_UNIX;
		break;
	case AF_INET:
	case AF_INET6:
		if (t == SOCK_STREAM) {
			if (proto != 0 && proto != IPPROTO_TCP)
				return -EPROTONOSUPPORT;
			kind = K_TCP;
			proto = IPPROTO_TCP;
		} else if (t == SOCK_DGRAM) {
			if (proto != 0 && proto != IPPROTO_UDP)
				return -EPROTONOSUPPORT;
			kind = K_UDP;
			proto = IPPROTO_UDP;
		} else if (t == 3 /* SOCK_RAW */) {
			return -EPERM;
		} else {
			return -ESOCKTNOSUPPORT;
		}
		break;
	default:
		return -EAFNOSUPPORT;
	}
	struct lsock *s = sk_alloc(domain, t, proto, kind);
	if (!s)
		return -ENOMEM;
	if (kind != K_TCP) {
		libos_lock(&g_lock);
		mem_link(s);
		sk_update(s);
		libos_unlock(&g_lock);
	}
	*out = s;
	return 0;
}

static void sk_destroy(struct lsock *s)
{
	if (s->kind == K_TCP) {
		tcp_abort_note(s);
		sk_free(s);
	}
	else
		mem_release(s);
}

LIBOS_SYSCALL(socket)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	struct lsock *s;
	long rc = sk_create((int)a0, (int)a1, (int)a2, &s);
	if (rc < 0)
		return rc;
	rc = sk_install(s, (int)a1);
	if (rc < 0 && !s->file)
		sk_destroy(s);
	return rc;
}

LIBOS_SYSCALL(socketpair)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	int *sv = (int *)a3;
	if ((int)a0 != AF_UNIX)
		return (int)a0 == AF_INET || (int)a0 == AF_INET6 ? -EOPNOTSUPP : -EAFNOSUPPORT;
	if (!sv)
		return -EFAULT;
	struct lsock *x, *y;
	long rc = sk_create((int)a0, (int)a1, (int)a2, &x);
	if (rc < 0)
		return rc;
	rc = sk_create((int)a0, (int)a1, (int)a2, &y);
	if (rc < 0) {
		sk_destroy(x);
		return rc;
	}
	libos_lock(&g_lock);
	x->peer_sk = y;
	y->peer_sk = x;
	x->connected = y->connected = true;
	x->peer = y->local;
	x->peer_len = y->local_len;
	y->peer = x->local;
	y->peer_len = x->local_len;
	sk_update(x);
	sk_update(y);
	libos_unlock(&g_lock);
	long fx = sk_install(x, (int)a1);
	if (fx < 0) {
		if (!x->file)
			sk_destroy(x);
		sk_destroy(y);
		return fx;
	}
	long fy = sk_install(y, (int)a1);
	if (fy < 0) {
		if (!y->file)
			sk_destroy(y);
		libos_fd_close((int)fx);
		return fy;
	}
	int out[2] = { (int)fx, (int)fy };
	if (libos_copy_to_user(sv, out, sizeof(out)) < 0) {
		/* Linux installs neither descriptor. */
		libos_fd_close((int)fx);
		libos_fd_close((int)fy);
		return -EFAULT;
	}
	return 0;
}

LIBOS_SYSCALL(bind)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	struct libos_file *f;
	struct lsock *s;
	long rc = sk_get(a0, &f, &s);
	if (rc < 0)
		return rc;
	uint64_t kaddr[(UADDR_MAX + 7) / 8];
	const void *ua = kaddr;
	uint32_t len = (uint32_t)a2;
	if ((rc = addr_arg(kaddr, (const void *)a1, (int)a2)) < 0)
		;
	else if (s->kind == K_UNIX) {
		rc = unix_bind(s, ua, len);
		if (rc == 0 && s->type == SOCK_DGRAM && (rc = dgram_serve(s)) < 0) {
			libos_lock(&g_lock); /* unbound again; a path's file stays */
			name_drop(s);
			s->bound = false;
			s->local_len = sizeof(__kernel_sa_family_t);
			libos_unlock(&g_lock);
		}
	}
	else if (unix_hosted(s))
		rc = -EINVAL; /* listening or connected already */
	else if (s->kind == K_TCP)
		rc = tcp_bind(s, ua, len);
	else {
		struct inaddr a;
		rc = in_from_user(s->domain, ua, len, &a);
		if (rc == 0) {
			libos_lock(&g_lock);
			rc = s->bound ? -EINVAL : udp_bind_locked(s, &a);
			libos_unlock(&g_lock);
		}
	}
	libos_file_put(f);
	return rc;
}

LIBOS_SYSCALL(listen)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct libos_file *f;
	struct lsock *s;
	long rc = sk_get(a0, &f, &s);
	if (rc < 0)
		return rc;
	if (s->kind == K_TCP)
		rc = unix_hosted(s) && !s->listening ? -EINVAL : tcp_listen(s, (int)a1);
	else {
		if (s->kind == K_UNIX && !s->bound && s->type != SOCK_DGRAM) {
			/* Linux autobinds an unnamed unix socket that listens. */
			__kernel_sa_family_t fam = AF_UNIX;
			rc = unix_bind(s, &fam, sizeof(fam));
		}
		if (rc == 0 && s->kind == K_UNIX && s->type == SOCK_STREAM)
			rc = unix_listen(s); /* reachable from the sandbox's processes */
		else if (rc == 0)
			rc = mem_listen(s, (int)a1);
	}
	libos_file_put(f);
	return rc;
}

static long do_accept(long fd, void *uaddr, int *ulen, int flags)
{
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	struct libos_file *f;
	struct lsock *s, *n = NULL;
	long rc = sk_get(fd, &f, &s);
	if (rc < 0)
		return rc;
	int klen = 0;
	if (s->type == SOCK_DGRAM)
		rc = -EOPNOTSUPP;
	else if (uaddr && ulen && libos_copy_from_user(&klen, ulen, sizeof(klen)) < 0)
		rc = -EFAULT;
	else if (uaddr && (!ulen || klen < 0))
		rc = -EINVAL;
	else if (s->kind == K_TCP)
		rc = tcp_accept(s, f, 0, &n);
	else
		rc = mem_accept(s, f, 0, &n);
	libos_file_put(f);
	if (rc < 0)
		return rc;
	union lsaddr pa = n->peer;
	uint32_t plen = n->peer_len;
	rc = sk_install(n, flags);
	if (rc < 0) {
		if (!n->file)
			sk_destroy(n);
		return rc;
	}
	/* Linux keeps the new descriptor when the address cannot be stored. */
	addr_out_user(&pa, plen, uaddr, ulen);
	return rc;
}

LIBOS_SYSCALL(accept)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return do_accept(a0, (void *)a1, (int *)a2, 0);
}

LIBOS_SYSCALL(accept4)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	return do_accept(a0, (void *)a1, (int *)a2, (int)a3);
}

LIBOS_SYSCALL(connect)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	struct libos_file *f;
	struct lsock *s;
	long rc = sk_get(a0, &f, &s);
	if (rc < 0)
		return rc;
	uint64_t kaddr[(UADDR_MAX + 7) / 8];
	const void *ua = kaddr;
	uint32_t len = (uint32_t)a2;
	if ((rc = addr_arg(kaddr, (const void *)a1, (int)a2)) < 0)
		;
	else if (unix_hosted(s))
		rc = s->listening ? -EINVAL : -EISCONN;
	else if (s->kind == K_TCP)
		rc = tcp_connect(s, f, ua, len);
	else if (s->type == SOCK_DGRAM)
		rc = mem_connect_dgram(s, ua, len);
	else if (s->type == SOCK_STREAM)
		rc = unix_connect(s, ua, len, f->flags & O_NONBLOCK);
	else
		rc = mem_connect_stream(s, ua, len, f->flags & O_NONBLOCK);
	libos_file_put(f);
	return rc;
}

/* Takes SCM_RIGHTS descriptors out of a control buffer (referenced). */
static long cmsg_files(const struct msghdr *m, struct libos_file ***filesp, int *np)
{
	*filesp = NULL;
	*np = 0;
	if (!m->msg_control || m->msg_controllen < sizeof(struct cmsghdr))
		return 0;
	if (m->msg_controllen > 65536)
		return -ENOBUFS;
	char *kc = libos_alloc(m->msg_controllen);
	if (!kc)
		return -ENOMEM;
	if (libos_copy_from_user(kc, m->msg_control, m->msg_controllen) < 0) {
		libos_free(kc);
		return -EFAULT;
	}
	const char *p = kc, *end = p + m->msg_controllen;
	struct libos_file **files = NULL;
	int n = 0;
	long rc = 0;
	while (p + sizeof(struct cmsghdr) <= end) {
		const struct cmsghdr *c = (const struct cmsghdr *)p;
		if (c->cmsg_len < sizeof(struct cmsghdr) || p + c->cmsg_len > end) {
			rc = -EINVAL;
			break;
		}
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			if (n + k > 253) {
				rc = -EINVAL;
				break;
			}
			struct libos_file **nf = libos_realloc(files, (n + k) * sizeof(*nf));
			if (!nf) {
				rc = -ENOMEM;
				break;
			}
			files = nf;
			const int *fds = (const int *)CMSG_DATA(c);
			for (size_t i = 0; i < k; i++) {
				struct libos_file *x = libos_fd_get(fds[i]);
				if (!x) {
					rc = -EBADF;
					break;
				}
				files[n++] = x;
			}
			if (rc < 0)
				break;
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == 2 /* SCM_CREDENTIALS */) {
			/* accepted and ignored: every process has the same identity */
		} else if (c->cmsg_level != SOL_SOCKET) {
			/* IP_PKTINFO and friends: ignored */
		} else {
			rc = -EINVAL;
			break;
		}
		p += CMSG_ALIGN(c->cmsg_len);
	}
	libos_free(kc);
	if (rc < 0) {
		for (int i = 0; i < n; i++)
			libos_file_put(files[i]);
		libos_free(files);
		return rc;
	}
	*filesp = files;
	*np = n;
	return 0;
}

static long do_sendmsg(struct libos_file *f, struct lsock *s, struct msghdr *m, int flags)
{
	if (m->msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	if (m->msg_iovlen && !m->msg_iov)
		return -EFAULT;
	if (m->msg_namelen < 0)
		return -EINVAL;
	struct libos_file **files = NULL;
	int nfiles = 0;
	if (s->kind == K_UNIX) {
		long rc = cmsg_files(m, &files, &nfiles);
		if (rc < 0)
			return rc;
	}
	uint64_t kaddr[(UADDR_MAX + 7) / 8];
	const void *addr = m->msg_namelen ? m->msg_name : NULL;
	if (s->kind == K_TCP)
		addr = NULL; /* tcp ignores the address */
	if (addr) {
		long rc = addr_in(kaddr, addr, (uint32_t)m->msg_namelen);
		if (rc < 0) {
			for (int i = 0; i < nfiles; i++)
				libos_file_put(files[i]);
			libos_free(files);
			return rc;
		}
		addr = kaddr;
	}
	return sk_sendv(s, f, m->msg_iov, m->msg_iovlen, addr, (uint32_t)m->msg_namelen, files,
			nfiles, flags);
}

/* Installs received descriptors into the control buffer. */
static long cmsg_put_files(struct msghdr *m, struct recv_out *out, int flags)
{
	size_t used = 0;
	if (out->files) {
		size_t room = m->msg_control && m->msg_controllen >= CMSG_LEN(sizeof(int))
				      ? (m->msg_controllen - CMSG_LEN(0)) / sizeof(int)
				      : 0;
		int n = out->nfiles, k = 0;
		if (room > 253)
			room = 253;
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(253 * sizeof(int))];
		} kc;
		struct cmsghdr *c = &kc.h;
		int *fds = room ? (int *)CMSG_DATA(c) : NULL;
		for (int i = 0; i < n; i++) {
			if ((size_t)k < room) {
				long fd = libos_fd_install(out->files[i], 0, flags & MSG_CMSG_CLOEXEC);
				if (fd >= 0) {
					fds[k++] = (int)fd;
					continue;
				}
			} else {
				m->msg_flags |= MSG_CTRUNC;
			}
			libos_file_put(out->files[i]);
		}
		libos_free(out->files);
		out->files = NULL;
		if (k) {
			c->cmsg_len = CMSG_LEN(k * sizeof(int));
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			used = CMSG_SPACE(k * sizeof(int));
			if (used > m->msg_controllen)
				used = m->msg_controllen;
			if (libos_copy_to_user(m->msg_control, c, used) < 0)
				return -EFAULT; /* the descriptors stay installed */
		}
	}
	m->msg_controllen = used;
	return 0;
}

static long do_recvmsg(struct libos_file *f, struct lsock *s, struct msghdr *m, int flags)
{
	if (m->msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	if (m->msg_iovlen && !m->msg_iov)
		return -EFAULT;
	if (flags & MSG_ERRQUEUE)
		return -EAGAIN;
	struct recv_out out;
	memset(&out, 0, sizeof(out));
	long rc = sk_recvv(s, f, m->msg_iov, m->msg_iovlen, flags, &out);
	m->msg_flags = out.msg_flags;
	if (rc < 0) {
		if (out.files) {
			for (int i = 0; i < out.nfiles; i++)
				libos_file_put(out.files[i]);
			libos_free(out.files);
		}
		return rc;
	}
	if (m->msg_name) {
		/* The sender's address, else a connected unix peer's, else none. */
		const void *sa = NULL;
		uint32_t salen = 0;
		if (out.fromlen && s->type == SOCK_DGRAM)
			sa = &out.from, salen = out.fromlen;
		else if (s->kind == K_UNIX && s->type != SOCK_STREAM)
			sa = &s->peer, salen = s->peer_len ? s->peer_len : 2;
		int l = m->msg_namelen;
		if (sa && addr_out(sa, salen, m->msg_name, &l) == -EFAULT)
			rc = -EFAULT;
		m->msg_namelen = sa ? l : 0;
	}
	if (cmsg_put_files(m, &out, flags) < 0)
		rc = -EFAULT;
	return rc;
}

/* ---- sockets whose stream is the host's ------------------------------------------
 * A socket pair end moved to the host at fork (fs_sockets_share) and a
 * socket received from another process are host files of a Unix socket
 * stream (fs_host_socket).  sendmsg and recvmsg reach them here, with
 * SCM_RIGHTS carried by the host (DkStreamMessage): the receiver gets the
 * sender's open files, their positions and status flags with them. */
#define HOST_MSG_MAX 262144

static void share_pair(struct lsock *x, struct lsock *y);
static bool share_ok(const struct lsock *s);

/* The stream to pass for f: a host-backed file's own; an in-memory pipe
 * or socket pair moves to the host first, as at fork.  Other files of the
 * library OS's own (eventfds, epolls, listening or unpaired in-memory
 * sockets, /proc files) cannot cross: -EOPNOTSUPP. */
static long pass_stream(struct libos_file *f, DK_HANDLE *h)
{
	long rc = fs_pipe_share(f);
	if (rc < 0)
		return rc;
	struct lsock *x = sk_of(f), *y = NULL;
	if (x) {
		libos_lock(&g_lock);
		y = x->peer_sk && x->peer_sk->peer_sk == x ? x->peer_sk : NULL;
		bool ok = y && share_ok(x) && share_ok(y);
		libos_unlock(&g_lock);
		if (ok)
			share_pair(x, y);
	}
	*h = libos_file_stream(f);
	return *h ? 0 : -EOPNOTSUPP;
}

static void files_put(struct libos_file **files, int n)
{
	for (int i = 0; i < n; i++)
		libos_file_put(files[i]);
	libos_free(files);
}

static long host_sendmsg(DK_HANDLE hs, struct msghdr *m, int flags)
{
	struct libos_file **files;
	int nfiles;
	struct dk_passed passed[DK_MESSAGE_HANDLES_MAX];
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	long rc = cmsg_files(m, &files, &nfiles);
	if (rc < 0)
		return rc;
	if (nfiles > (int)DK_MESSAGE_HANDLES_MAX) {
		files_put(files, nfiles);
		return -ETOOMANYREFS;
	}
	for (int i = 0; i < nfiles && rc == 0; i++)
		rc = pass_stream(files[i], &passed[i].handle);
	size_t total = iov_total(m->msg_iov, m->msg_iovlen);
	size_t n = total < HOST_MSG_MAX ? total : HOST_MSG_MAX;
	char *buf = rc == 0 ? libos_alloc(n ? n : 1) : NULL;
	if (rc == 0 && !buf)
		rc = -ENOMEM;
	if (rc == 0) {
		struct iovcur c = { m->msg_iov, m->msg_iovlen, 0, 0, false };
		iov_from(&c, buf, n);
		struct dk_message msg = { buf, n, passed, (uint32_t)nfiles,
					  flags & MSG_DONTWAIT ? DK_MESSAGE_DONTWAIT : 0 };
		if (c.fault)
			rc = -EFAULT;
		else if ((rc = dk->DkStreamMessage(hs, DK_MESSAGE_SEND, &msg)) < 0)
			rc = libos_errno(rc);
		else
			rc = (long)msg.size;
	}
	libos_free(buf);
	files_put(files, nfiles);
	if (rc == -EPIPE)
		sk_sigpipe(flags);
	return rc;
}

static long cmsg_put_files(struct msghdr *m, struct recv_out *out, int flags);

static long host_recvmsg(DK_HANDLE hs, struct msghdr *m, int flags)
{
	struct dk_passed passed[DK_MESSAGE_HANDLES_MAX];
	if (flags & (MSG_OOB | MSG_PEEK))
		return -EOPNOTSUPP; /* the host stream cannot give bytes back */
	size_t total = iov_total(m->msg_iov, m->msg_iovlen);
	size_t n = total < HOST_MSG_MAX ? total : HOST_MSG_MAX;
	size_t room = m->msg_control && m->msg_controllen >= CMSG_LEN(sizeof(int))
			      ? (m->msg_controllen - CMSG_LEN(0)) / sizeof(int)
			      : 0;
	if (room > DK_MESSAGE_HANDLES_MAX)
		room = DK_MESSAGE_HANDLES_MAX;
	char *buf = libos_alloc(n ? n : 1);
	if (!buf)
		return -ENOMEM;
	struct dk_message msg = { buf, n, passed, (uint32_t)room,
				  flags & MSG_DONTWAIT ? DK_MESSAGE_DONTWAIT : 0 };
	long rc = dk->DkStreamMessage(hs, DK_MESSAGE_RECEIVE, &msg);
	if (rc < 0) {
		libos_free(buf);
		return libos_errno(rc);
	}
	struct iovcur c = { m->msg_iov, m->msg_iovlen, 0, 0, false };
	iov_to(&c, buf, msg.size);
	libos_free(buf);
	rc = c.fault ? -EFAULT : (long)msg.size;
	struct recv_out out;
	memset(&out, 0, sizeof(out));
	passed_to_files(passed, msg.count, &out);
	m->msg_flags = msg.flags & DK_MESSAGE_TRUNCATED ? MSG_CTRUNC : 0;
	m->msg_namelen = 0; /* the peer has no name */
	if (rc < 0) {
		files_put(out.files, out.nfiles);
		m->msg_controllen = 0;
		return rc;
	}
	if (cmsg_put_files(m, &out, flags) < 0)
		rc = -EFAULT;
	return rc;
}

/* Streams that came with a message become host files in out (those that
 * cannot are closed). */
static void passed_to_files(const struct dk_passed *passed, uint32_t n, struct recv_out *out)
{
	out->files = n ? libos_alloc(n * sizeof(*out->files)) : NULL;
	out->nfiles = 0;
	for (uint32_t i = 0; i < n; i++) {
		/* A socket answers DK_STREAM_GET_PEER; a pipe or file does not. */
		struct dk_peer peer;
		uint32_t type = dk->DkStreamConsoleControl(passed[i].handle, DK_STREAM_GET_PEER,
							   &peer, sizeof(peer)) == 0
					? DK_STREAM_TCP
					: passed[i].type;
		struct libos_file *f;
		if (!out->files)
			dk->DkObjectClose(passed[i].handle);
		else if (fs_host_from_stream(passed[i].handle, type, passed[i].access, &f) == 0)
			out->files[out->nfiles++] = f;
	}
	if (!out->nfiles) {
		libos_free(out->files);
		out->files = NULL;
	}
}

/* A receive with MSG_WAITALL on a host stream socket: until n bytes came,
 * the end of the stream, or an error (what came before it is the result).
 * A datagram or packet socket takes one message, as Linux does. */
static long host_recv_all(DK_HANDLE h, char *buf, size_t n, int flags)
{
	struct dk_peer peer;
	bool stream = dk->DkStreamConsoleControl(h, DK_STREAM_GET_PEER, &peer, sizeof(peer)) < 0 ||
		      peer.kind == DK_SOCKET_STREAM;
	size_t got = 0;
	do {
		struct iovec v = { buf + got, n - got };
		struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
		long rc = host_recvmsg(h, &m, flags & ~MSG_WAITALL);
		if (rc <= 0)
			return got ? (long)got : rc;
		got += (size_t)rc;
	} while (stream && got < n);
	return (long)got;
}

/* send/recv on a socket pair end that moved to the host at fork
 * (fs_sockets_share): plain reads and writes of its stream, or with flags
 * (MSG_DONTWAIT, MSG_NOSIGNAL, MSG_WAITALL ...) messages of one buffer.
 * false if fd is not one. */
static bool moved_io(long fd, void *buf, size_t n, bool recv, int flags, long *rc)
{
	struct libos_file *f = libos_fd_get((int)fd);
	DK_HANDLE h;
	if (!f)
		return false;
	bool moved = fs_host_socket(f, &h);
	struct iovec v = { buf, n };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
	if (moved && !flags)
		*rc = recv ? fs_read(f, buf, n) : fs_write(f, buf, n);
	else if (moved && recv && (flags & MSG_WAITALL) && !(flags & MSG_DONTWAIT) && n)
		*rc = host_recv_all(h, buf, n, flags);
	else if (moved)
		*rc = recv ? host_recvmsg(h, &m, flags) : host_sendmsg(h, &m, flags);
	libos_file_put(f);
	return moved;
}

LIBOS_SYSCALL(sendto)
{
	struct libos_file *f;
	struct lsock *s;
	long rc;
	if (!a4 && moved_io(a0, (void *)a1, (size_t)a2, false, (int)a3, &rc))
		return rc;
	rc = sk_get(a0, &f, &s);
	if (rc < 0)
		return rc;
	struct iovec v = { (void *)a1, (size_t)a2 };
	struct msghdr m = { .msg_name = (void *)a4, .msg_namelen = a4 ? (int)a5 : 0,
			    .msg_iov = &v, .msg_iovlen = 1 };
	if (!a1 && a2)
		rc = -EFAULT;
	else
		rc = do_sendmsg(f, s, &m, (int)a3);
	libos_file_put(f);
	return rc;
}

LIBOS_SYSCALL(recvfrom)
{
	struct libos_file *f;
	struct lsock *s;
	long rc;
	if (!a4 && moved_io(a0, (void *)a1, (size_t)a2, true, (int)a3, &rc))
		return rc;
	rc = sk_get(a0, &f, &s);
	if (rc < 0)
		return rc;
	int *ulen = (int *)a5;
	int klen = 0;
	struct iovec v = { (void *)a1, (size_t)a2 };
	struct msghdr m = { .msg_name = (void *)a4, .msg_iov = &v, .msg_iovlen = 1 };
	if (a4 && !ulen)
		m.msg_name = NULL;
	if (a4 && ulen && libos_copy_from_user(&klen, ulen, sizeof(klen)) < 0)
		rc = -EFAULT;
	else if ((m.msg_namelen = klen) < 0)
		rc = -EINVAL;
	else if (!a1 && a2)
		rc = -EFAULT;
	else {
		rc = do_recvmsg(f, s, &m, (int)a3);
		if (rc >= 0 && m.msg_name && ulen &&
		    libos_copy_to_user(ulen, &m.msg_namelen, sizeof(int)) < 0)
			rc = -EFAULT;
	}
	libos_file_put(f);
	return rc;
}

/* Reads an application's msghdr into *m, and its iovec array into library
 * OS memory (*iovp, to free; m->msg_iov points at it). */
static long msg_from_user(const void *um, struct msghdr *m, struct iovec **iovp)
{
	*iovp = NULL;
	if (libos_copy_from_user(m, um, sizeof(*m)) < 0)
		return -EFAULT;
	if (m->msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	if (!m->msg_iovlen)
		return 0;
	struct iovec *v = libos_alloc(m->msg_iovlen * sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (libos_copy_from_user(v, m->msg_iov, m->msg_iovlen * sizeof(*v)) < 0) {
		libos_free(v);
		return -EFAULT;
	}
	m->msg_iov = v;
	*iovp = v;
	return 0;
}

/* Stores recvmsg's results (msg_namelen, msg_controllen, msg_flags). */
static long msg_to_user(struct msghdr *um, const struct msghdr *m)
{
	if (libos_copy_to_user(&um->msg_namelen, &m->msg_namelen, sizeof(m->msg_namelen)) < 0 ||
	    libos_copy_to_user(&um->msg_controllen, &m->msg_controllen,
			       sizeof(m->msg_controllen)) < 0 ||
	    libos_copy_to_user(&um->msg_flags, &m->msg_flags, sizeof(m->msg_flags)) < 0)
		return -EFAULT;
	return 0;
}

/* sendmsg or recvmsg with control data on a unix host stream socket
 * (its stream never blocks: the wait is here, as for tcp). */
static long hosted_msg(struct libos_file *f, struct lsock *s, struct msghdr *m, int flags,
		       bool recv)
{
	bool nonblock = (flags & MSG_DONTWAIT) || (f->flags & O_NONBLOCK);
	int64_t deadline = deadline_of(recv ? s->rcvtimeo_ns : s->sndtimeo_ns);
	int round = 0;
	for (;;) {
		DK_HANDLE hs[2] = { s->hev, s->kick };
		if (recv && (s->shut & SHUT_R))
			return 0;
		if (!recv && (s->shut & SHUT_W)) {
			sk_sigpipe(flags);
			return -EPIPE;
		}
		long rc = recv ? host_recvmsg(s->h, m, flags) : host_sendmsg(s->h, m, flags);
		if (rc != -EAGAIN || nonblock)
			return rc;
		rc = recv ? sk_wait(2, hs, deadline, 0) : sk_backoff(&round, deadline);
		if (rc < 0)
			return rc;
	}
}

/* One sendmsg or recvmsg on an application's msghdr at um; a receive
 * stores its results back into it.  s is NULL for a host socket. */
static long msg_xfer(struct libos_file *f, struct lsock *s, struct msghdr *um, int flags,
		     bool recv)
{
	struct msghdr m;
	struct iovec *iov;
	long rc = msg_from_user(um, &m, &iov);
	DK_HANDLE h;
	if (rc == 0 && !s && fs_host_socket(f, &h))
		rc = recv ? host_recvmsg(h, &m, flags) : host_sendmsg(h, &m, flags);
	else if (rc == 0 && unix_hosted(s) && s->connected &&
		 (recv ? m.msg_control && m.msg_controllen && !s->peek_len : m.msg_controllen))
		rc = hosted_msg(f, s, &m, flags, recv); /* descriptors may come or go */
	else if (rc == 0)
		rc = recv ? do_recvmsg(f, s, &m, flags) : do_sendmsg(f, s, &m, flags);
	libos_free(iov);
	if (recv && rc >= 0 && msg_to_user(um, &m) < 0)
		rc = -EFAULT;
	return rc;
}

/* sendmmsg and recvmmsg: the count done, or the first error when none
 * was; a receive's MSG_WAITFORONE stops waiting after the first message. */
static long mmsg_xfer(long fd, struct mmsghdr *v, unsigned vlen, int flags, bool recv)
{
	struct libos_file *f;
	struct lsock *s;
	long rc = sk_get_any(fd, &f, &s);
	if (rc < 0)
		return rc;
	unsigned n = vlen > UIO_MAXIOV ? UIO_MAXIOV : vlen;
	int fl = recv ? flags & ~MSG_WAITFORONE : flags;
	unsigned i;
	for (i = 0; i < n; i++) {
		rc = msg_xfer(f, s, &v[i].msg_hdr, fl, recv);
		if (rc < 0)
			break;
		unsigned len = (unsigned)rc;
		if (libos_copy_to_user(&v[i].msg_len, &len, sizeof(len)) < 0) {
			rc = -EFAULT;
			break;
		}
		if (recv && (flags & MSG_WAITFORONE))
			fl |= MSG_DONTWAIT;
	}
	libos_file_put(f);
	return i ? (long)i : rc;
}

LIBOS_SYSCALL(sendmsg)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	struct libos_file *f;
	struct lsock *s;
	long rc = sk_get_any(a0, &f, &s);
	if (rc < 0)
		return rc;
	rc = msg_xfer(f, s, (struct msghdr *)a1, (int)a2, false);
	libos_file_put(f);
	return rc;
}

LIBOS_SYSCALL(recvmsg)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	struct libos_file *f;
	struct lsock *s;
	long rc = sk_get_any(a0, &f, &s);
	if (rc < 0)
		return rc;
	rc = msg_xfer(f, s, (struct msghdr *)a1, (int)a2, true);
	libos_file_put(f);
	return rc;
}

LIBOS_SYSCALL(sendmmsg)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	return mmsg_xfer(a0, (struct mmsghdr *)a1, (unsigned)a2, (int)a3, false);
}

LIBOS_SYSCALL(recvmmsg)
{
	LIBOS_UNUSED_ARGS(a4, a5); /* the timeout is not applied */
	return mmsg_xfer(a0, (struct mmsghdr *)a1, (unsigned)a2, (int)a3, true);
}

LIBOS_SYSCALL(shutdown)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct libos_file *f;
	struct lsock *s;
	DK_HANDLE h;
	struct libos_file *m = libos_fd_get((int)a0);
	if (m && fs_host_socket(m, &h)) { /* moved to the host at fork */
		long r = (int)a1 < SHUT_RD || (int)a1 > SHUT_RDWR
				 ? -EINVAL
				 : libos_errno(dk->DkStreamShutdown(h, (uint32_t)a1 + 1));
		libos_file_put(m);
		return r;
	}
	if (m)
		libos_file_put(m);
	long rc = sk_get(a0, &f, &s);
	if (rc < 0)
		return rc;
	int how = (int)a1;
	if (how < SHUT_RD || how > SHUT_RDWR)
		rc = -EINVAL;
	else if (s->kind == K_TCP)
		rc = tcp_shutdown(s, how);
	else
		rc = mem_shutdown(s, how);
	libos_file_put(f);
	return rc;
}

static long do_getname(long fd, void *uaddr, int *ulen, bool peer)
{
	struct libos_file *f;
	struct lsock *s;
	long rc = sk_get_any(fd, &f, &s);
	if (rc < 0)
		return rc;
	if (!uaddr || !ulen) {
		libos_file_put(f);
		return -EFAULT;
	}
	union lsaddr a;
	uint32_t len;
	if (!s) { /* a host socket: its ends have no names */
		a.family = AF_UNIX;
		rc = addr_out_user(&a, sizeof(a.family), uaddr, ulen);
		libos_file_put(f);
		return rc;
	}
	struct libos_lock *l = s->kind == K_TCP ? &s->lock : &g_lock;
	libos_lock(l);
	if (peer) {
		if (!s->connected && !(s->kind == K_UNIX && s->peer_gone && s->peer_len))
			rc = -ENOTCONN;
		a = s->peer;
		len = s->peer_len;
	} else {
		a = s->local;
		len = s->local_len;
	}
	libos_unlock(l);
	if (rc == 0)
		rc = addr_out_user(&a, len, uaddr, ulen);
	libos_file_put(f);
	return rc;
}

LIBOS_SYSCALL(getsockname)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return do_getname(a0, (void *)a1, (int *)a2, false);
}

LIBOS_SYSCALL(getpeername)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return do_getname(a0, (void *)a1, (int *)a2, true);
}

static bool level_ok(const struct lsock *s, int level)
{
	switch (level) {
	case SOL_SOCKET: return true;
	case IPPROTO_TCP: return s->kind == K_TCP && s->domain != AF_UNIX;
	case IPPROTO_UDP: return s->kind == K_UDP;
	case IPPROTO_IP: return s->domain != AF_UNIX;
	case IPPROTO_IPV6: return s->domain == AF_INET6;
	default: return false;
	}
}

static long timeo_in(const void *val, uint32_t len, int64_t *out)
{
	struct sk_timeval tv;
	if (len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0)
		*out = 0;
	else
		*out = tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
	return 0;
}

LIBOS_SYSCALL(setsockopt)
{
	LIBOS_UNUSED_ARGS(a5);
	struct libos_file *f;
	struct lsock *s;
	long rc = sk_get(a0, &f, &s);
	if (rc < 0)
		return rc;
	int level = (int)a1, name = (int)a2;
	const void *val = (const void *)a3;
	uint32_t len = (uint32_t)a4;
	int iv = 0;
	if ((int)a4 < 0) {
		rc = -EINVAL;
		goto out;
	}
	if (!val && len) {
		rc = -EFAULT;
		goto out;
	}
	/* The option value, in library OS memory (the options read at most
	 * a struct timeval). */
	uint64_t kval[8];
	if (len && libos_copy_from_user(kval, val, len < sizeof(kval) ? len : sizeof(kval)) < 0) {
		rc = -EFAULT;
		goto out;
	}
	val = kval;
	if (len >= sizeof(int))
		memcpy(&iv, val, sizeof(int));
	if (!level_ok(s, level)) {
		rc = -ENOPROTOOPT;
		goto out;
	}
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_RCVBUF:
		case SO_SNDBUF:
		case SO_RCVBUFFORCE:
		case SO_SNDBUFFORCE:
			if (len < sizeof(int)) {
				rc = -EINVAL;
				goto out;
			}
			iv = iv < 2304 ? 2304 : iv > 0x7fffffff / 2 ? 0x7fffffff / 2 : iv;
			if (name == SO_RCVBUF || name == SO_RCVBUFFORCE)
				s->rcvbuf = iv * 2;
			else
				s->sndbuf = iv * 2;
			goto out;
		case SO_LINGER:
			if (len < sizeof(struct sk_linger)) {
				rc = -EINVAL;
				goto out;
			}
			memcpy(&s->linger, val, sizeof(s->linger));
			s->linger.l_onoff = !!s->linger.l_onoff;
			goto out;
		case SO_RCVTIMEO_OLD:
		case SO_RCVTIMEO_NEW:
			rc = timeo_in(val, len, &s->rcvtimeo_ns);
			goto out;
		case SO_SNDTIMEO_OLD:
		case SO_SNDTIMEO_NEW:
			rc = timeo_in(val, len, &s->sndtimeo_ns);
			goto out;
		case SO_BINDTODEVICE:
		case SO_ATTACH_FILTER:
		case SO_DETACH_FILTER:
		case SO_LOCK_FILTER:
			goto out; /* accepted, no effect */
		default:
			break;
		}
	}
	if (level == IPPROTO_IP || level == IPPROTO_IPV6) {
		/* Multicast membership and the like: accepted, no effect. */
		if ((level == IPPROTO_IP && (name == IP_ADD_MEMBERSHIP || name == IP_DROP_MEMBERSHIP ||
					     name == IP_MULTICAST_IF)) ||
		    (level == IPPROTO_IPV6 && (name == IPV6_ADD_MEMBERSHIP ||
					       name == IPV6_DROP_MEMBERSHIP ||
					       name == IPV6_MULTICAST_IF)))
			goto out;
	}
	if (level == IPPROTO_TCP && name == TCP_CONGESTION)
		goto out;
	int i = opt_index(level, name);
	if (i < 0) {
		rc = -ENOPROTOOPT;
		goto out;
	}
	if (len < sizeof(int)) {
		if (len >= 1 && level != SOL_SOCKET) /* Linux takes a byte for IP options */
			iv = *(const unsigned char *)val;
		else {
			rc = -EINVAL;
			goto out;
		}
	}
	if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY && s->bound) {
		rc = -EINVAL;
		goto out;
	}
	s->opt[i] = int_opts[i].boolean ? !!iv : iv;
out:
	libos_file_put(f);
	return rc;
}

LIBOS_SYSCALL(getsockopt)
{
	LIBOS_UNUSED_ARGS(a5);
	struct libos_file *f;
	struct lsock *s;
	long rc = sk_get_any(a0, &f, &s);
	if (rc < 0)
		return rc;
	int level = (int)a1, name = (int)a2;
	void *val = (void *)a3;
	int *ulen = (int *)a4;
	union {
		int i;
		struct sk_linger l;
		struct sk_timeval tv;
		struct ucred cr;
	} o;
	uint32_t olen = sizeof(int);
	memset(&o, 0, sizeof(o));
	int klen;
	if (!ulen || libos_copy_from_user(&klen, ulen, sizeof(klen)) < 0 || (!val && klen)) {
		rc = -EFAULT;
		goto out;
	}
	if (klen < 0) {
		rc = -EINVAL;
		goto out;
	}
	if (!s) { /* a host socket: a pair moved at fork, or one passed in */
		DK_HANDLE h;
		struct dk_peer peer;
		fs_host_socket(f, &h);
		bool known = (level == SOL_SOCKET && (name == SO_TYPE || name == SO_PEERCRED)) &&
			     dk->DkStreamConsoleControl(h, DK_STREAM_GET_PEER, &peer,
							sizeof(peer)) == 0;
		switch (level == SOL_SOCKET ? name : -1) {
		case SO_DOMAIN: o.i = AF_UNIX; goto copy;
		case SO_ERROR:
		case SO_ACCEPTCONN: o.i = 0; goto copy;
		case SO_TYPE:
			o.i = !known || peer.kind == DK_SOCKET_STREAM ? SOCK_STREAM
			      : peer.kind == DK_SOCKET_DATAGRAM	    ? SOCK_DGRAM
								    : SOCK_SEQPACKET;
			goto copy;
		case SO_PEERCRED:
			o.cr.pid = known ? (uint32_t)peer.pid : (uint32_t)libos_proc.pid;
			o.cr.uid = libos_proc.uid;
			o.cr.gid = libos_proc.gid;
			olen = sizeof(o.cr);
			goto copy;
		default: /* its type and options are not known here */
			rc = -ENOPROTOOPT;
			goto out;
		}
	}
	if (!level_ok(s, level)) {
		rc = -ENOPROTOOPT;
		goto out;
	}
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_TYPE: o.i = s->type; goto copy;
		case SO_DOMAIN: o.i = s->domain; goto copy;
		case SO_PROTOCOL: o.i = s->proto; goto copy;
		case SO_ACCEPTCONN: o.i = s->listening; goto copy;
		case SO_ERROR:
			if (s->kind == K_TCP) {
				libos_lock(&s->lock);
				tcp_probe(s);
				o.i = s->so_error;
				s->so_error = 0;
				libos_unlock(&s->lock);
			} else {
				libos_lock(&g_lock);
				o.i = s->so_error;
				s->so_error = 0;
				sk_update(s);
				libos_unlock(&g_lock);
			}
			goto copy;
		case SO_RCVBUF: o.i = s->rcvbuf; goto copy;
		case SO_SNDBUF: o.i = s->sndbuf; goto copy;
		case SO_LINGER: o.l = s->linger; olen = sizeof(o.l); goto copy;
		case SO_RCVTIMEO_OLD:
		case SO_RCVTIMEO_NEW:
		case SO_SNDTIMEO_OLD:
		case SO_SNDTIMEO_NEW: {
			int64_t t = (name == SO_RCVTIMEO_OLD || name == SO_RCVTIMEO_NEW)
					    ? s->rcvtimeo_ns
					    : s->sndtimeo_ns;
			o.tv.tv_sec = t / 1000000000LL;
			o.tv.tv_usec = (t % 1000000000LL) / 1000;
			olen = sizeof(o.tv);
			goto copy;
		}
		case SO_PEERCRED: {
			struct dk_peer peer;
			if (s->domain != AF_UNIX) {
				rc = -ENOPROTOOPT;
				goto out;
			}
			/* A host stream's peer is the host's to say; in memory the
			 * peer is this process. */
			if (unix_hosted(s) && s->connected &&
			    dk->DkStreamConsoleControl(s->h, DK_STREAM_GET_PEER, &peer,
						       sizeof(peer)) == 0)
				o.cr.pid = (uint32_t)peer.pid;
			else
				o.cr.pid = (uint32_t)libos_proc.pid;
			o.cr.uid = libos_proc.uid;
			o.cr.gid = libos_proc.gid;
			olen = sizeof(o.cr);
			goto copy;
		}
		default:
			break;
		}
	}
	int i = opt_index(level, name);
	if (i < 0) {
		rc = -ENOPROTOOPT;
		goto out;
	}
	o.i = s->opt[i];
copy:
	if ((uint32_t)klen < olen && olen == sizeof(int) && klen > 0 && level != SOL_SOCKET) {
		unsigned char b = (unsigned char)o.i; /* Linux: a byte for IP options */
		olen = 1;
		if (libos_copy_to_user(val, &b, 1) < 0 ||
		    libos_copy_to_user(ulen, &olen, sizeof(int)) < 0)
			rc = -EFAULT;
		goto out;
	}
	if ((uint32_t)klen < olen)
		olen = (uint32_t)klen;
	if (libos_copy_to_user(val, &o, olen) < 0 || libos_copy_to_user(ulen, &olen, sizeof(int)) < 0)
		rc = -EFAULT;
out:
	libos_file_put(f);
	return rc;
}

/* ---- before fork: stream pairs become host socket pairs --------------------------------
 * A connected AF_UNIX stream pair whose two ends are both open here lives
 * in this process's memory, which fork copies rather than shares.  Before
 * a fork each such pair moves to a host socket pair (DkStreamPipeCreate
 * with DK_OPT_DUPLEX): what is queued goes in first, and each end's open
 * file becomes a host file in place, so its descriptors stay.  Such a
 * socket then reads, writes, polls and shuts down as before, and fstat
 * still says socket; the socket calls proper (send, recv, sendmsg, recvmsg,
 * shutdown) reach it through moved_io, host_sendmsg and host_recvmsg.  A
 * datagram pair moves to a host datagram pair (DK_OPT_DATAGRAM) and a
 * sequenced-packet pair to a host one (DK_OPT_SEQPACKET), message for
 * message.  Pairs with
 * descriptors in flight (SCM_RIGHTS) or more than 64 KiB queued stay in the
 * process. */
#define SHARE_QUEUED_MAX 65536

static bool share_ok(const struct lsock *s)
{
	if (s->kind != K_UNIX || !s->connected || s->listening ||
	    !s->file || s->rx_bytes > SHARE_QUEUED_MAX)
		return false;
	for (const struct lmsg *m = s->rxq; m; m = m->next)
		if (m->nfiles)
			return false;
	return true;
}

/* Writes what s has queued into to (the host end whose peer s becomes): a
 * datagram or packet in one write, a stream's bytes in as many as it takes. */
static bool share_queued(struct lsock *s, DK_HANDLE to)
{
	for (struct lmsg *m = s->rxq; m; m = m->next) {
		size_t off = m->off;
		do {
			size_t n = m->len - off;
			if (dk->DkStreamWrite(to, 0, m->data + off, &n) < 0 ||
			    (s->type != SOCK_STREAM ? n != m->len - off : !n))
				return false;
			off += n;
		} while (off < m->len);
	}
	return true;
}

static void share_pair(struct lsock *x, struct lsock *y)
{
	DK_HANDLE h[2];
	uint32_t opt = DK_OPT_DUPLEX | (x->type == SOCK_DGRAM	   ? DK_OPT_DATAGRAM
					: x->type == SOCK_SEQPACKET ? DK_OPT_SEQPACKET
								     : 0);
	if (x->type != y->type || dk->DkStreamPipeCreate(opt, &h[0], &h[1]) < 0)
		return;
	if (!share_queued(x, h[1]) || !share_queued(y, h[0])) {
		dk->DkObjectClose(h[0]);
		dk->DkObjectClose(h[1]);
		return;
	}
	struct libos_file *fx = x->file, *fy = y->file;
	libos_lock(&g_lock);
	x->peer_sk = y->peer_sk = NULL; /* neither sees the other go */
	libos_unlock(&g_lock);
	if (fs_host_adopt(fx, h[0], DK_STREAM_TCP) < 0 || fs_host_adopt(fy, h[1], DK_STREAM_TCP) < 0)
		libos_die("fork: out of memory moving a socket pair to the host");
	x->file = y->file = NULL;
	mem_release(x); /* frees x */
	mem_release(y);
}

void fs_sockets_share(void)
{
	struct libos_file *f;
	for (int fd = libos_fd_next(0, &f); fd >= 0; fd = libos_fd_next(fd + 1, &f)) {
		struct lsock *x = sk_of(f), *y = x ? x->peer_sk : NULL;
		if (x && y && y->peer_sk == x && share_ok(x) && share_ok(y))
			share_pair(x, y);
		libos_file_put(f);
	}
}
