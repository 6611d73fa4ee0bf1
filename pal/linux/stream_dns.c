/*
 * "dns:NAME": resolves NAME without libc.  A numeric IPv4/IPv6 literal
 * (IPv6 bare or in brackets) resolves to itself; otherwise /etc/hosts is
 * searched (case-insensitive, every name on a line); otherwise the monitor
 * is asked over the channel (DNS_QUERY), and it resolves the name only if
 * the manifest grants network access.  The picoprocess itself sends no DNS
 * traffic.  Nothing found (or not allowed): -DK_E_NOT_FOUND at open.
 *
 * Reading gives "ADDR\n" per address, IPv4 ones first, then end-of-stream.
 * The offset is the byte position in that text, so reads are stateless.
 */
#include "pal.h"
#include "host.h"
#include "streams.h"
#include "linux/channel.h"
#include <linux/errno.h>
#include <linux/fcntl.h>

#define DNS_MAX_ADDRS 32
#define DNS_NAME_MAX 253
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

/* Asks the monitor (DNS_QUERY over the channel), which resolves with the
 * host's resolver if the manifest grants network access.  Its answer is
 * "ADDR\n..." text; each line is parsed again so the stream's text keeps
 * exactly our format.  No channel, no grant, or no answer: nothing added. */
static void monitor_lookup(const char *name, struct addr_list *out)
{
	enum { TEXT_MAX = 2048 };
	struct moat_msg_header req = {.type = MOAT_MSG_DNS_QUERY}, reply;
	char *text = pal_alloc(TEXT_MAX + 1);
	if (!text)
		return;
	int rc = pal_channel_call(&req, name, strlen(name) + 1, &reply, text, TEXT_MAX, NULL, 0);
	if (rc == 0 && reply.status == 0) {
		size_t len = reply.size - sizeof(reply);
		text[len] = 0; /* the monitor's NUL, or ours if it left it out */
		char *p = text, *line;
		while ((line = next_line(&p))) {
			struct pal_inet a;
			const char *tok;
			size_t n = next_token(&line, &tok);
			if (n && pal_inet_parse_addr(tok, n, &a) == 0)
				list_add(out, a.family, a.addr);
		}
	}
	pal_free(text);
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
			monitor_lookup(name, l);
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
