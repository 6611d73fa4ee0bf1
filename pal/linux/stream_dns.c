/*
 * "dns:NAME": resolves NAME without libc.  A numeric IPv4/IPv6 literal
 * (IPv6 bare or in brackets) resolves to itself; otherwise /etc/hosts is
 * searched (case-insensitive, every name on a line); otherwise an A and an
 * AAAA query go over UDP to the first "nameserver" of /etc/resolv.conf
 * (127.0.0.1 if none), 2 s per try, one retry.  NAME is taken as absolute:
 * no "search" domains.  Nothing found: -DK_E_NOT_FOUND at open.
 *
 * Reading gives "ADDR\n" per address, IPv4 ones first, then end-of-stream.
 * The offset is the byte position in that text, so reads are stateless.
 */
#include "pal.h"
#include "host.h"
#include "streams.h"
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/poll.h>
#include <linux/time_types.h>

#define DNS_MAX_ADDRS 32
#define DNS_NAME_MAX 253
#define DNS_TRY_NS 2000000000ll /* 2 s per try */
#define DNS_TRIES 2
#define DNS_TYPE_A 1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_AAAA 28
#define DNS_CLASS_IN 1
#define FILE_MAX 65536

struct addr_list {
	int n;
	struct pal_inet a[DNS_MAX_ADDRS];
};

static void list_add(struct addr_list *l, int family, const uint8_t *addr)
{
	size_t len = family == PAL_AF_INET ? 4 : 16;
	for (int i = 0; i < l->n; i++)
		if (l->a[i].family == family && !memcmp(l->a[i].addr, addr, len))
			return;
	if (l->n == DNS_MAX_ADDRS)
		return;
	memset(&l->a[l->n], 0, sizeof(l->a[0]));
	l->a[l->n].family = family;
	memcpy(l->a[l->n].addr, addr, len);
	l->n++;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive comparison of a with the len bytes at b. */
static bool name_eq(const char *a, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!a[i] || lower(a[i]) != lower(b[i]))
			return false;
	return a[len] == 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Reads a small text file whole (at most FILE_MAX-1 bytes), NUL-terminated. */
static char *read_text_file(const char *path)
{
	long fd = HOST(openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	if (HOST_IS_ERR(fd))
		return NULL;
	char *buf = pal_alloc(FILE_MAX);
	size_t len = 0;
	while (buf && len < FILE_MAX - 1) {
		long rc = HOST(read, fd, buf + len, FILE_MAX - 1 - len);
		if (rc == -EINTR)
			continue;
		if (HOST_IS_ERR(rc) || rc == 0)
			break;
		len += (size_t)rc;
	}
	pal_linux_close((int)fd);
	if (buf)
		buf[len] = 0;
	return buf;
}

/* Splits the next line off *p; comments removed.  NULL at the end. */
static char *next_line(char **p)
{
	char *line = *p;
	if (!*line)
		return NULL;
	char *end = line;
	while (*end && *end != '\n')
		end++;
	*p = *end ? end + 1 : end;
	*end = 0;
	char *hash = strchr(line, '#');
	if (hash)
		*hash = 0;
	return line;
}

/* The next whitespace-separated token of *p and its length; 0 at the end. */
static size_t next_token(char **p, const char **tok)
{
	char *s = *p;
	while (is_space(*s))
		s++;
	*tok = s;
	while (*s && !is_space(*s))
		s++;
	*p = s;
	return (size_t)(s - *tok);
}

static void hosts_lookup(const char *name, struct addr_list *out)
{
	char *text = read_text_file("/etc/hosts");
	char *p = text, *line;
	if (!text)
		return;
	while ((line = next_line(&p))) {
		struct pal_inet a;
		const char *tok;
		size_t n = next_token(&line, &tok);
		if (!n || pal_inet_parse_addr(tok, n, &a) < 0)
			continue;
		while ((n = next_token(&line, &tok)))
			if (name_eq(name, tok, n))
				list_add(out, a.family, a.addr);
	}
	pal_free(text);
}

/* The first "nameserver" of /etc/resolv.conf, or 127.0.0.1 as libc does. */
static void resolv_nameserver(struct pal_inet *ns)
{
	static const char loopback[] = "127.0.0.1";
	char *text = read_text_file("/etc/resolv.conf");
	char *p = text, *line;
	bool found = false;
	while (text && !found && (line = next_line(&p))) {
		const char *tok;
		size_t n = next_token(&line, &tok);
		if (n != 10 || memcmp(tok, "nameserver", 10))
			continue;
		n = next_token(&line, &tok);
		size_t len = 0;
		while (len < n && tok[len] != '%') /* drop an IPv6 zone: "fe80::1%eth0" */
			len++;
		found = pal_inet_parse_addr(tok, len, ns) == 0;
	}
	pal_free(text);
	if (!found)
		pal_inet_parse_addr(loopback, sizeof(loopback) - 1, ns);
	ns->port = 53;
}

/* ---- the DNS wire format (RFC 1035) -------------------------------------- */
static size_t put16(uint8_t *m, size_t at, uint16_t v)
{
	m[at] = (uint8_t)(v >> 8);
	m[at + 1] = (uint8_t)v;
	return at + 2;
}

static uint16_t get16(const uint8_t *m)
{
	return (uint16_t)(m[0] << 8 | m[1]);
}

/* A query for (name, type); name is checked already. */
static size_t dns_build(uint8_t *m, const char *name, uint16_t id, uint16_t type)
{
	size_t at = put16(m, 0, id);
	at = put16(m, at, 0x0100); /* a standard query, recursion desired */
	at = put16(m, at, 1);      /* one question */
	at = put16(m, at, 0);
	at = put16(m, at, 0);
	at = put16(m, at, 0);
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);
		m[at++] = (uint8_t)n;
		memcpy(m + at, name, n);
		at += n;
		name += n + (dot ? 1 : 0);
	}
	m[at++] = 0;
	at = put16(m, at, type);
	return put16(m, at, DNS_CLASS_IN);
}

/* Decodes the (possibly compressed) name at *off into out, dotted, and
 * moves *off past it.  -1 if malformed or looping. */
static int dns_name(const uint8_t *m, size_t len, size_t *off, char *out, size_t cap)
{
	size_t pos = *off, n = 0;
	bool jumped = false;
	for (int hops = 0;;) {
		if (pos >= len)
			return -1;
		uint8_t c = m[pos];
		if (c == 0) {
			pos++;
			break;
		}
		if ((c & 0xc0) == 0xc0) {
			if (pos + 1 >= len || ++hops > 64)
				return -1;
			if (!jumped)
				*off = pos + 2;
			jumped = true;
			pos = (size_t)(c & 0x3f) << 8 | m[pos + 1];
			continue;
		}
		if ((c & 0xc0) || pos + 1 + c > len || n + c + 2 > cap)
			return -1;
		if (n)
			out[n++] = '.';
		memcpy(out + n, m + pos + 1, c);
		n += c;
		pos += 1 + (size_t)c;
	}
	if (!jumped)
		*off = pos;
	out[n] = 0;
	return 0;
}

/* Collects the A/AAAA answers for name, following CNAMEs in the answer
 * section.  Returns 0, or -DK_E_NOT_FOUND for a malformed or failed reply. */
static int dns_parse(const uint8_t *m, size_t len, const char *name, struct addr_list *out)
{
	char want[DNS_NAME_MAX + 2], owner[DNS_NAME_MAX + 2];
	if (len < 12 || (m[3] & 0x0f))
		return -DK_E_NOT_FOUND; /* NXDOMAIN, SERVFAIL, ... */
	rt_strlcpy(want, name, sizeof(want));
	size_t at = 12;
	for (uint16_t q = get16(m + 4); q; q--) {
		if (dns_name(m, len, &at, owner, sizeof(owner)) < 0 || at + 4 > len)
			return -DK_E_NOT_FOUND;
		at += 4;
	}
	for (uint16_t an = get16(m + 6); an; an--) {
		if (dns_name(m, len, &at, owner, sizeof(owner)) < 0 || at + 10 > len)
			return -DK_E_NOT_FOUND;
		uint16_t type = get16(m + at), class = get16(m + at + 2);
		size_t rdlen = get16(m + at + 8), rd = at + 10;
		if (rd + rdlen > len)
			return -DK_E_NOT_FOUND;
		at = rd + rdlen;
		if (class != DNS_CLASS_IN || !name_eq(want, owner, strlen(owner)))
			continue;
		if (type == DNS_TYPE_A && rdlen == 4)
			list_add(out, PAL_AF_INET, m + rd);
		else if (type == DNS_TYPE_AAAA && rdlen == 16)
			list_add(out, PAL_AF_INET6, m + rd);
		else if (type == DNS_TYPE_CNAME && dns_name(m, len, &rd, owner, sizeof(owner)) == 0)
			rt_strlcpy(want, owner, sizeof(want));
	}
	return 0;
}

static int64_t now_ns(void)
{
	struct __kernel_timespec ts;
	HOST(clock_gettime, 1 /* CLOCK_MONOTONIC */, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* Waits up to DNS_TRY_NS for the reply to query id; its length, 0 on
 * timeout, or a negative error. */
static long dns_await(int fd, uint16_t id, uint8_t *resp, size_t cap)
{
	int64_t deadline = now_ns() + DNS_TRY_NS;
	for (;;) {
		int64_t left = deadline - now_ns();
		if (left <= 0)
			return 0;
		struct __kernel_timespec ts = {left / 1000000000ll, left % 1000000000ll};
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long rc = HOST(ppoll, &p, 1, &ts, NULL, 0);
		if (rc == -EINTR || rc == 0)
			continue;
		if (HOST_IS_ERR(rc))
			return rc;
		rc = HOST(read, fd, resp, cap);
		if (rc == -EINTR || rc == -EAGAIN)
			continue;
		if (HOST_IS_ERR(rc))
			return rc; /* e.g. ECONNREFUSED: nothing listens there */
		/* A stray or stale datagram is skipped: id and "response" bit. */
		if (rc >= 12 && get16(resp) == id && (resp[2] & 0x80))
			return rc;
	}
}

/* One question to the nameserver; 0 and the answers, or an error. */
static int dns_ask(int fd, const char *name, uint16_t type, struct addr_list *out)
{
	uint8_t query[DNS_NAME_MAX + 24], resp[2048];
	uint16_t id;
	if (pal_host_random(&id, sizeof(id)) < 0)
		id = (uint16_t)now_ns();
	size_t qlen = dns_build(query, name, id, type);
	for (int tries = 0; tries < DNS_TRIES; tries++) {
		long rc = HOST(write, fd, query, qlen);
		if (!HOST_IS_ERR(rc))
			rc = dns_await(fd, id, resp, sizeof(resp));
		if (HOST_IS_ERR(rc))
			return -DK_E_NOT_FOUND;
		if (rc > 0)
			return dns_parse(resp, (size_t)rc, name, out);
	}
	return -DK_E_TIMEOUT;
}

static void dns_query(const char *name, struct addr_list *out)
{
	struct pal_inet ns;
	union pal_sockaddr sa;
	resolv_nameserver(&ns);
	long fd = HOST(socket, ns.family, PAL_SOCK_DGRAM | PAL_SOCK_CLOEXEC, 0);
	if (HOST_IS_ERR(fd))
		return;
	unsigned len = pal_inet_to_sockaddr(&ns, &sa);
	if (!HOST_IS_ERR(HOST(connect, fd, &sa, len))) {
		/* A server that never answered A will not answer AAAA either. */
		if (dns_ask((int)fd, name, DNS_TYPE_A, out) != -DK_E_TIMEOUT)
			dns_ask((int)fd, name, DNS_TYPE_AAAA, out);
	}
	pal_linux_close((int)fd);
}

/* Host names: labels of 1..63 bytes, at most 253 in all, one trailing dot
 * allowed (and dropped into out). */
static int dns_check_name(const char *name, char *out)
{
	size_t len = strlen(name), label = 0;
	if (len && name[len - 1] == '.')
		len--;
	if (!len || len > DNS_NAME_MAX)
		return -DK_E_INVALID;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c == '.') {
			if (!label)
				return -DK_E_INVALID;
			label = 0;
		} else if (is_space(c) || c == '#' || ++label > 63) {
			return -DK_E_INVALID;
		}
	}
	if (!label)
		return -DK_E_INVALID;
	memcpy(out, name, len);
	out[len] = 0;
	return 0;
}

/* "[::1]" or "::1" or "1.2.3.4": the literal itself. */
static bool dns_literal(const char *name, struct addr_list *out)
{
	struct pal_inet a;
	size_t len = strlen(name);
	if (len >= 2 && name[0] == '[' && name[len - 1] == ']') {
		name++;
		len -= 2;
	}
	if (pal_inet_parse_addr(name, len, &a) < 0)
		return false;
	list_add(out, a.family, a.addr);
	return true;
}

/* The read text: "ADDR\n" per address, IPv4 first. */
static char *dns_text(const struct addr_list *l)
{
	size_t cap = (size_t)l->n * 48 + 1, at = 0;
	char *text = pal_alloc(cap);
	if (!text)
		return NULL;
	for (int family = PAL_AF_INET; family; family = family == PAL_AF_INET ? PAL_AF_INET6 : 0)
		for (int i = 0; i < l->n; i++) {
			if (l->a[i].family != family)
				continue;
			pal_inet_format_addr(&l->a[i], text + at, cap - at);
			at += strlen(text + at);
			text[at++] = '\n';
		}
	text[at] = 0;
	return text;
}

static int dns_open(struct pal_object *obj, const char *rest, uint32_t access,
		    uint32_t create, uint32_t options, uint32_t mode)
{
	char name[DNS_NAME_MAX + 1];
	(void)access, (void)create, (void)options, (void)mode;
	struct addr_list *l = pal_alloc(sizeof(*l));
	if (!l)
		return -DK_E_NO_MEMORY;
	int rc = 0;
	if (!dns_literal(rest, l)) {
		rc = dns_check_name(rest, name);
		if (rc == 0)
			hosts_lookup(name, l);
		if (rc == 0 && !l->n)
			dns_query(name, l);
	}
	if (rc == 0 && !l->n)
		rc = -DK_E_NOT_FOUND;
	if (rc == 0) {
		obj->stream.priv = dns_text(l);
		rc = obj->stream.priv ? 0 : -DK_E_NO_MEMORY;
	}
	pal_free(l);
	obj->fd = obj->wait_fd = -1; /* always readable */
	return rc;
}

static int dns_read(struct pal_object *obj, uint64_t offset, void *buf, size_t *count)
{
	const char *text = obj->stream.priv;
	size_t len = strlen(text);
	size_t n = offset >= len ? 0 : len - (size_t)offset;
	if (n > *count)
		n = *count;
	int rc = n ? pal_copy_out(buf, text + offset, n) : 0;
	if (rc < 0)
		return rc;
	*count = n;
	return 0;
}

static int dns_attr(struct pal_object *obj, struct dk_stream_attr *attr)
{
	attr->type = DK_STREAM_DNS;
	attr->size = strlen(obj->stream.priv);
	return 0;
}

const struct pal_stream_ops pal_dns_ops = {
	.scheme = "dns:",
	.type = DK_STREAM_DNS,
	.open = dns_open,
	.read = dns_read,
	.flush = pal_linux_flush_nothing,
	.attr_by_handle = dns_attr,
	.close = pal_linux_stream_close,
};
