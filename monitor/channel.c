/*
 * The monitor's side of the channel: every request a picoprocess sends is
 * checked here before anything acts on it.  moat_channel_decode() is pure
 * (the fuzzer drives it, fuzz/fuzz_channel.c); the two I/O helpers never
 * block and never keep a descriptor a picoprocess tried to pass.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include "channel.h"

static int bad(struct moat_request *out, const char *why)
{
	out->why = why;
	return -1;
}

/* The NUL-terminated string at *p (before end), moving *p past it; NULL if
 * there is no NUL before end. */
static const char *take_string(const char **p, const char *end, size_t *len)
{
	const char *s = *p;
	const char *nul = s < end ? memchr(s, 0, (size_t)(end - s)) : NULL;
	if (!nul)
		return NULL;
	*len = (size_t)(nul - s);
	*p = nul + 1;
	return s;
}

/* An image path: absolute, shorter than MOAT_MSG_MAX_PATH, and without a
 * ".." component.  NULL if good, else what is wrong. */
static const char *check_image(const char *s, size_t len)
{
	if (len == 0)
		return "empty image path";
	if (len >= MOAT_MSG_MAX_PATH)
		return "image path too long";
	if (s[0] != '/')
		return "image path not absolute";
	for (size_t i = 0; i < len;) {
		size_t j = i + 1; /* s[i] == '/' */
		while (j < len && s[j] != '/')
			j++;
		size_t n = j - i - 1;
		if (n == 2 && s[i + 1] == '.' && s[i + 2] == '.')
			return "\"..\" in the image path";
		i = j;
	}
	return NULL;
}

int moat_channel_decode(const void *buf, size_t len, struct moat_request *out)
{
	struct moat_msg_header h;
	memset(out, 0, sizeof(*out));
	if (!buf || len < sizeof(h))
		return bad(out, "shorter than a header");
	if (len > MOAT_MSG_MAX)
		return bad(out, "larger than the maximum");
	memcpy(&h, buf, sizeof(h));
	if (h.size != len)
		return bad(out, "size field does not match the packet");
	if (h.status != 0)
		return bad(out, "non-zero status in a request");
	out->type = h.type;
	out->seq = h.seq;
	out->arg = h.arg;
	const char *p = (const char *)buf + sizeof(h), *end = (const char *)buf + len;
	size_t n;
	switch (h.type) {
	case MOAT_MSG_PROCESS_CREATE: {
		if (h.arg > MOAT_MSG_MAX_ARGS)
			return bad(out, "too many arguments");
		out->image = take_string(&p, end, &n);
		if (!out->image)
			return bad(out, "image path not terminated");
		const char *why = check_image(out->image, n);
		if (why)
			return bad(out, why);
		for (size_t i = 0; i < h.arg; i++) {
			out->args[i] = take_string(&p, end, &n);
			if (!out->args[i])
				return bad(out, "fewer argument strings than the count");
		}
		out->args[h.arg] = NULL;
		out->nargs = (size_t)h.arg;
		break;
	}
	case MOAT_MSG_EXIT_CODE_QUERY:
		break;
	case MOAT_MSG_FORK:
		if (h.arg > MOAT_FORK_SPARES_MAX)
			return bad(out, "too many channels asked for in a fork request");
		break;
	case MOAT_MSG_DNS_QUERY:
		if (h.arg != 0)
			return bad(out, "non-zero arg in a DNS query");
		out->name = take_string(&p, end, &n);
		if (!out->name)
			return bad(out, "host name not terminated");
		if (n == 0 || n >= MOAT_MSG_MAX_NAME)
			return bad(out, "host name empty or too long");
		break;
	case MOAT_MSG_PROCESS_CREATED:
	case MOAT_MSG_EXIT_CODE:
	case MOAT_MSG_DNS_RESULT:
	case MOAT_MSG_FORKED:
		return bad(out, "a reply type sent as a request");
	default:
		return bad(out, "unknown type");
	}
	if (p != end)
		return bad(out, "trailing bytes");
	return 0;
}

/* Room for more descriptors than anyone should send, so that all of them
 * arrive (and get closed) rather than being cut off. */
#define CMSG_FDS_MAX 64

long moat_channel_recv(int fd, void *buf, const char **why)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(CMSG_FDS_MAX * sizeof(int))];
	} control;
	struct iovec iov = {.iov_base = buf, .iov_len = MOAT_MSG_MAX};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n;
	do
		n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
	int had_control = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		had_control = 1;
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < nfds; i++) {
				int got;
				memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				close(got);
			}
		}
	}
	if (had_control || (msg.msg_flags & MSG_CTRUNC)) {
		*why = "descriptors or control data attached";
		return -EPROTO;
	}
	if ((size_t)n > MOAT_MSG_MAX || (msg.msg_flags & MSG_TRUNC)) {
		*why = "larger than the maximum";
		return -EPROTO;
	}
	return n;
}

int moat_channel_send(int fd, uint32_t type, uint32_t seq, int32_t status, uint64_t arg,
		      const void *payload, size_t len, const int *fds, int nfds)
{
	struct moat_msg_header h = {
		.type = type,
		.size = (uint32_t)(sizeof(h) + len),
		.seq = seq,
		.status = status,
		.arg = arg,
	};
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(MOAT_MSG_MAX_FDS * sizeof(int))];
	} control;
	struct iovec iov[2] = {
		{.iov_base = &h, .iov_len = sizeof(h)},
		{.iov_base = (void *)payload, .iov_len = len},
	};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
	if (sizeof(h) + len > MOAT_MSG_MAX || nfds < 0 || nfds > (int)MOAT_MSG_MAX_FDS)
		return -EINVAL;
	if (nfds > 0) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)nfds * sizeof(int));
	}
	ssize_t n;
	do
		n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return (size_t)n == sizeof(h) + len ? 0 : -EMSGSIZE;
}
