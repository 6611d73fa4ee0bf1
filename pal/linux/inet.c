/*
 * Internet address text <-> binary, without libc: IPv4 dotted quads and
 * IPv6 with "::" compression (and a trailing dotted quad, "::ffff:1.2.3.4").
 * Junk is refused with -DK_E_INVALID; no names, no zone ids.
 */
#include "pal.h"
#include "streams.h"
#include <linux/in.h>
#include <linux/in6.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly four decimal parts 0..255 of 1..3 digits. */
static int parse_v4(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;
		if (part && (i >= len || s[i++] != '.'))
			return -DK_E_INVALID;
		while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 3) {
			v = v * 10 + (unsigned)(s[i++] - '0');
			digits++;
		}
		if (!digits || v > 255)
			return -DK_E_INVALID;
		out[part] = (uint8_t)v;
	}
	return i == len ? 0 : -DK_E_INVALID;
}

static int parse_v6(const char *s, size_t len, uint8_t out[16])
{
	uint16_t head[8], tail[8];
	int nhead = 0, ntail = 0, gap = 0; /* gap: "::" seen */
	size_t i = 0;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 1;
		i = 2;
	} else if (len && s[0] == ':') {
		return -DK_E_INVALID;
	}
	while (i < len) {
		uint16_t *g = gap ? tail : head;
		int *n = gap ? &ntail : &nhead;
		size_t start = i;
		unsigned v = 0;
		while (i < len && hexval(s[i]) >= 0 && i - start < 4)
			v = v * 16 + (unsigned)hexval(s[i++]);
		if (i < len && s[i] == '.') {
			/* A dotted quad ends the address and fills two groups. */
			uint8_t q[4];
			if (nhead + ntail > 6 || parse_v4(s + start, len - start, q) < 0)
				return -DK_E_INVALID;
			g[(*n)++] = (uint16_t)(q[0] << 8 | q[1]);
			g[(*n)++] = (uint16_t)(q[2] << 8 | q[3]);
			i = len;
			break;
		}
		if (i == start || nhead + ntail >= 8)
			return -DK_E_INVALID;
		g[(*n)++] = (uint16_t)v;
		if (i == len)
			break;
		if (s[i++] != ':' || i == len)
			return -DK_E_INVALID;
		if (s[i] == ':') {
			if (gap)
				return -DK_E_INVALID;
			gap = 1;
			i++;
		}
	}
	if (gap ? nhead + ntail > 7 : nhead != 8)
		return -DK_E_INVALID;
	memset(out, 0, 16);
	for (int k = 0; k < nhead; k++) {
		out[2 * k] = (uint8_t)(head[k] >> 8);
		out[2 * k + 1] = (uint8_t)head[k];
	}
	for (int k = 0; k < ntail; k++) {
		int at = 8 - ntail + k;
		out[2 * at] = (uint8_t)(tail[k] >> 8);
		out[2 * at + 1] = (uint8_t)tail[k];
	}
	return 0;
}

static bool has_char(const char *s, size_t len, char c)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == c)
			return true;
	return false;
}

int pal_inet_parse_addr(const char *s, size_t len, struct pal_inet *out)
{
	memset(out, 0, sizeof(*out));
	if (has_char(s, len, ':')) {
		out->family = PAL_AF_INET6;
		return parse_v6(s, len, out->addr);
	}
	out->family = PAL_AF_INET;
	return parse_v4(s, len, out->addr);
}

/* Decimal 0..65535, digits only. */
static int parse_port(const char *s, size_t len, uint16_t *port)
{
	uint32_t v = 0;
	if (!len || len > 5)
		return -DK_E_INVALID;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -DK_E_INVALID;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v > 65535)
		return -DK_E_INVALID;
	*port = (uint16_t)v;
	return 0;
}

int pal_inet_parse_hostport(const char *s, size_t len, struct pal_inet *out)
{
	size_t colon;
	int rc;

	if (len && s[0] == '[') {
		size_t close = 1;
		while (close < len && s[close] != ']')
			close++;
		if (close >= len || close + 1 >= len || s[close + 1] != ':')
			return -DK_E_INVALID;
		rc = pal_inet_parse_addr(s + 1, close - 1, out);
		if (rc == 0 && out->family != PAL_AF_INET6)
			return -DK_E_INVALID; /* brackets are for IPv6 only */
		colon = close + 1;
	} else {
		colon = 0;
		while (colon < len && s[colon] != ':')
			colon++;
		if (colon >= len)
			return -DK_E_INVALID;
		rc = pal_inet_parse_addr(s, colon, out);
		if (rc == 0 && out->family != PAL_AF_INET)
			return -DK_E_INVALID; /* bare IPv6 needs brackets */
	}
	if (rc < 0)
		return rc;
	return parse_port(s + colon + 1, len - colon - 1, &out->port);
}

/* RFC 5952: lower-case hex, the longest run (2+) of zero groups as "::". */
static void format_v6(const uint8_t a[16], char *buf, size_t size)
{
	uint16_t g[8];
	int best = -1, best_len = 0;
	for (int k = 0; k < 8; k++)
		g[k] = (uint16_t)(a[2 * k] << 8 | a[2 * k + 1]);
	for (int k = 0; k < 8;) {
		int run = 0;
		while (k + run < 8 && !g[k + run])
			run++;
		if (run > best_len && run >= 2) {
			best = k;
			best_len = run;
		}
		k += run ? run : 1;
	}
	size_t at = 0;
	buf[0] = 0;
	for (int k = 0; k < 8; k++) {
		if (k == best) {
			at += (size_t)rt_snprintf(buf + at, at < size ? size - at : 0, "::");
			k += best_len - 1;
			continue;
		}
		const char *sep = (k == 0 || k == best + best_len) ? "" : ":";
		at += (size_t)rt_snprintf(buf + at, at < size ? size - at : 0, "%s%x", sep, g[k]);
	}
}

void pal_inet_format_addr(const struct pal_inet *a, char *buf, size_t size)
{
	if (a->family == PAL_AF_INET6)
		format_v6(a->addr, buf, size);
	else
		rt_snprintf(buf, size, "%u.%u.%u.%u", a->addr[0], a->addr[1], a->addr[2],
			    a->addr[3]);
}

void pal_inet_format_hostport(const struct pal_inet *a, char *buf, size_t size)
{
	char addr[64];
	pal_inet_format_addr(a, addr, sizeof(addr));
	if (a->family == PAL_AF_INET6)
		rt_snprintf(buf, size, "[%s]:%u", addr, a->port);
	else
		rt_snprintf(buf, size, "%s:%u", addr, a->port);
}

static uint16_t swap16(uint16_t v)
{
	return (uint16_t)(v << 8 | v >> 8);
}

unsigned pal_inet_to_sockaddr(const struct pal_inet *a, union pal_sockaddr *sa)
{
	memset(sa, 0, sizeof(*sa));
	if (a->family == PAL_AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
		s6->sin6_family = PAL_AF_INET6;
		s6->sin6_port = swap16(a->port);
		memcpy(&s6->sin6_addr, a->addr, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
	s4->sin_family = PAL_AF_INET;
	s4->sin_port = swap16(a->port);
	memcpy(&s4->sin_addr, a->addr, 4);
	return sizeof(*s4);
}

int pal_inet_from_sockaddr(const union pal_sockaddr *sa, struct pal_inet *a)
{
	memset(a, 0, sizeof(*a));
	if (sa->family == PAL_AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		a->family = PAL_AF_INET6;
		a->port = swap16(s6->sin6_port);
		memcpy(a->addr, &s6->sin6_addr, 16);
		return 0;
	}
	if (sa->family == PAL_AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		a->family = PAL_AF_INET;
		a->port = swap16(s4->sin_port);
		memcpy(a->addr, &s4->sin_addr, 4);
		return 0;
	}
	return -DK_E_INVALID;
}
