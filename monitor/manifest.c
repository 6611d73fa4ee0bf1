/*
 * The manifest: parsed with libconfig, then checked key by key.  Every
 * problem becomes one line, "FILE:LINE: what is wrong", and nothing of a
 * half-read manifest is kept.  A key left out takes its value from the
 * built-in default (moat_manifest_default), so a manifest that only sets
 * limits still sees the host's /usr; `mounts = ();` means no mounts at all.
 *
 * libconfig 1.5 quirks handled here: a plain integer literal too large
 * for 32 bits is silently wrapped (5000000000 reads as 705032704), and
 * "@include" opens arbitrary files.  A small scan over the text, which
 * skips strings and comments the way libconfig's scanner does, refuses
 * both before the values are used.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "manifest.h"

#define KIB 1024ULL
#define MIB (1024ULL * KIB)
#define GIB (1024ULL * MIB)
#define TIB (1024ULL * GIB)

#define MAX_TMPFS (16 * GIB)
#define DEFAULT_TMPFS (64 * MIB)
#define MAX_MANIFEST (1024 * 1024)
#define MAX_ENTRIES 4096 /* list lengths: args, env, mounts, ports, ... */

static const struct moat_limits default_limits = {
	.memory = 8 * GIB, .processes = 256, .threads = 1024, .files = 1024, .cpu_seconds = 0,
};

struct ctx {
	const char *name; /* the file, as the user wrote it */
	char *err;
	size_t errlen;
	struct moat_manifest *m;
};

static int failf(struct ctx *c, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(struct ctx *c, int line, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!c->errlen)
		return -1;
	if (line > 0)
		snprintf(c->err, c->errlen, "%s:%d: %s", c->name, line, what);
	else
		snprintf(c->err, c->errlen, "%s: %s", c->name, what);
	/* One line, whatever the manifest held. */
	for (char *p = c->err; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return -1;
}

static int oom(struct ctx *c)
{
	return failf(c, 0, "out of memory");
}

/* A value from the manifest, quoted into a message: printable ASCII only,
 * at most 60 characters.  Up to four live at once. */
static const char *show(const char *s)
{
	static char ring[4][256];
	static int next;
	char *out = ring[next++ & 3];
	size_t n = 0;
	for (; *s && n < 240; s++) {
		unsigned char ch = (unsigned char)*s;
		if (n >= 60) {
			n += (size_t)snprintf(out + n, 4, "...");
			break;
		}
		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			out[n++] = (char)ch;
		else
			n += (size_t)snprintf(out + n, 5, "\\x%02x", ch);
	}
	out[n] = 0;
	return out;
}

static int line_of(const config_setting_t *s)
{
	for (; s; s = s->parent)
		if (config_setting_source_line(s))
			return (int)config_setting_source_line(s);
	return 0;
}

/* libconfig 1.5 leaks its string buffer when a syntax error follows a
 * string (fuzz/regressions/manifest/libconfig-string-leak.conf): not ours
 * to fix, bounded, and the process exits after a bad manifest.  Under
 * LeakSanitizer (make asan, make fuzz) leaks from inside libconfig are
 * therefore not reported; everything manifest.c allocates still is. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}

/* ---- the text scan ------------------------------------------------------ */

static bool ident_start(int ch)
{
	return isalpha(ch) || ch == '*';
}

static bool ident_char(int ch)
{
	return isalnum(ch) || ch == '*' || ch == '-' || ch == '_';
}

/* Refuses what libconfig would get wrong.  include_only: stop at the first
 * @include (checked before parsing, as parsing would open the file). */
static int scan_text(struct ctx *c, const char *t, bool include_only)
{
	int line = 1;
	for (const char *p = t; *p;) {
		if (*p == '\n') {
			line++, p++;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v') {
			p++;
			continue;
		}
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				if (*p == '\n')
					line++;
			}
			if (*p)
				p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (*p && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
				if (*p == '\n')
					line++;
			if (*p)
				p += 2;
		} else if (*p == '@') {
			if (!strncmp(p, "@include", 8))
				return failf(c, line, "@include is not supported in a manifest");
			p++;
		} else if (ident_start((unsigned char)*p)) {
			while (ident_char((unsigned char)*p))
				p++;
		} else if (isdigit((unsigned char)*p) ||
			   ((*p == '-' || *p == '+') && isdigit((unsigned char)p[1]))) {
			const char *start = p;
			if (*p == '-' || *p == '+')
				p++;
			bool hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
			unsigned long long v = 0;
			bool big = false;
			if (hex) {
				for (p += 2; isxdigit((unsigned char)*p); p++) {
					big |= v > 0xfffffffULL;
					v = v * 16 + (unsigned)(isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
				}
			} else {
				for (; isdigit((unsigned char)*p); p++) {
					big |= v > 100000000000ULL;
					v = v * 10 + (unsigned)(*p - '0');
				}
			}
			if (!hex && (*p == '.' || *p == 'e' || *p == 'E')) {
				while (isalnum((unsigned char)*p) || *p == '.' ||
				       ((*p == '-' || *p == '+') && (p[-1] == 'e' || p[-1] == 'E')))
					p++;
				continue;
			}
			if (*p == 'L') {
				p++;
				continue;
			}
			if (!include_only && (big || v > 0x7fffffffULL))
				return failf(c, line,
					     "number %.*s is too large for a plain integer: write a size "
					     "as a string (\"8G\") or add L (%.*sL)",
					     (int)(p - start > 30 ? 30 : p - start), start,
					     (int)(p - start > 30 ? 30 : p - start), start);
		} else {
			p++;
		}
	}
	return 0;
}

/* ---- values ------------------------------------------------------------- */

static int want_string(struct ctx *c, const config_setting_t *s, const char *what,
		       const char **out)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return failf(c, line_of(s), "%s must be a string", what);
	*out = config_setting_get_string(s);
	return 0;
}

static int want_integer(struct ctx *c, const config_setting_t *s, const char *what,
			long long *out)
{
	int type = config_setting_type(s);
	if (type == CONFIG_TYPE_INT)
		*out = config_setting_get_int(s);
	else if (type == CONFIG_TYPE_INT64)
		*out = config_setting_get_int64(s);
	else
		return failf(c, line_of(s), "%s must be a whole number", what);
	return 0;
}

/* "4096", "512K", "64M", "8G" (also lower case).  0 on success. */
static int parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, unit = 1;
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	switch (*p) {
	case 'k': case 'K': unit = KIB, p++; break;
	case 'm': case 'M': unit = MIB, p++; break;
	case 'g': case 'G': unit = GIB, p++; break;
	case 't': case 'T': unit = TIB, p++; break;
	}
	if (*p || (v && v > UINT64_MAX / unit))
		return -1;
	*out = v * unit;
	return 0;
}

static int want_size(struct ctx *c, const config_setting_t *s, const char *what, uint64_t *out)
{
	int type = config_setting_type(s);
	if (type == CONFIG_TYPE_STRING) {
		const char *v = config_setting_get_string(s);
		if (parse_size(v, out) < 0)
			return failf(c, line_of(s),
				     "%s '%s' is not a size (bytes, or a number with K, M or G)",
				     what, show(v));
		return 0;
	}
	long long v;
	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
		return failf(c, line_of(s),
			     "%s must be a size (a number of bytes, or a string such as \"64M\")",
			     what);
	want_integer(c, s, what, &v);
	if (v < 0)
		return failf(c, line_of(s), "%s must not be negative", what);
	*out = (uint64_t)v;
	return 0;
}

static const char *human(uint64_t v)
{
	static char buf[2][32];
	static int next;
	char *out = buf[next++ & 1];
	if (v && v % GIB == 0)
		snprintf(out, 32, "%lluG", (unsigned long long)(v / GIB));
	else if (v && v % MIB == 0)
		snprintf(out, 32, "%lluM", (unsigned long long)(v / MIB));
	else if (v && v % KIB == 0)
		snprintf(out, 32, "%lluK", (unsigned long long)(v / KIB));
	else
		snprintf(out, 32, "%llu", (unsigned long long)v);
	return out;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* An array or list of strings into a NULL-terminated copy. */
static int want_strings(struct ctx *c, const config_setting_t *s, const char *what, char ***out)
{
	int type = config_setting_type(s);
	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
		return failf(c, line_of(s), "%s must be a list of strings [\"...\", ...]", what);
	int n = config_setting_length(s);
	if (n > MAX_ENTRIES)
		return failf(c, line_of(s), "%s has more than %d entries", what, MAX_ENTRIES);
	char **v = calloc((size_t)n + 1, sizeof(*v));
	if (!v)
		return oom(c);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			free_strv(v);
			return failf(c, line_of(e), "%s must be a list of strings [\"...\", ...]",
				     what);
		}
		if (!(v[i] = strdup(config_setting_get_string(e)))) {
			free_strv(v);
			return oom(c);
		}
	}
	*out = v;
	return 0;
}

/* ---- paths -------------------------------------------------------------- */

/* An absolute guest path without "//", "." or a trailing "/".  Refuses
 * relative paths and "..". */
static int guest_path(struct ctx *c, int line, const char *raw, char **out)
{
	if (!*raw)
		return failf(c, line, "guest path must not be empty");
	if (raw[0] != '/')
		return failf(c, line, "guest path '%s' is not absolute", show(raw));
	size_t len = strlen(raw);
	if (len >= PATH_MAX)
		return failf(c, line, "guest path '%s' is too long", show(raw));
	char *norm = malloc(len + 2), *q = norm;
	if (!norm)
		return oom(c);
	for (const char *p = raw; *p;) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			free(norm);
			return failf(c, line, "guest path '%s' contains '..'", show(raw));
		}
		if (n && !(n == 1 && p[0] == '.')) {
			*q++ = '/';
			memcpy(q, p, n);
			q += n;
		}
		p = end;
	}
	if (q == norm)
		*q++ = '/';
	*q = 0;
	*out = norm;
	return 0;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == 0);
}

/* An absolute host path that exists; resolved, since a bind mount of a
 * symlink is a bind mount of its target. */
static int host_path(struct ctx *c, int line, const char *what, const char *raw, char **out)
{
	if (!*raw)
		return failf(c, line, "%s must not be empty", what);
	if (raw[0] != '/')
		return failf(c, line, "%s '%s' is not absolute", what, show(raw));
	if (strlen(raw) >= PATH_MAX)
		return failf(c, line, "%s '%s' is too long", what, show(raw));
	char *real = realpath(raw, NULL);
	if (!real) {
		if (errno == ENOENT || errno == ENOTDIR)
			return failf(c, line, "%s '%s' does not exist", what, show(raw));
		if (errno == ENOMEM)
			return oom(c);
		return failf(c, line, "%s '%s': %s", what, show(raw), strerror(errno));
	}
	*out = real;
	return 0;
}

/* ---- the sections ------------------------------------------------------- */

static void free_mount(struct moat_mount *mt)
{
	free(mt->host);
	free(mt->guest);
	free(mt->symlink);
}

static int mount_one(struct ctx *c, const config_setting_t *g, struct moat_mount *mt)
{
	int line = line_of(g);
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return failf(c, line, "each mount must be a group { host = \"...\"; ... }");
	const config_setting_t *type = NULL, *host = NULL, *guest = NULL, *mode = NULL, *size = NULL,
			       *target = NULL;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *k = config_setting_get_elem(g, (unsigned)i);
		const char *n = k->name ? k->name : "";
		if (!strcmp(n, "type")) type = k;
		else if (!strcmp(n, "host")) host = k;
		else if (!strcmp(n, "guest")) guest = k;
		else if (!strcmp(n, "mode")) mode = k;
		else if (!strcmp(n, "size")) size = k;
		else if (!strcmp(n, "target")) target = k;
		else
			return failf(c, line_of(k), "unknown key '%s' in a mount", show(n));
	}
	const char *s = "";
	mt->line = line;
	mt->kind = MOAT_MOUNT_BIND;
	if (type) {
		if (want_string(c, type, "mount 'type'", &s) < 0)
			return -1;
		if (!strcmp(s, "bind"))
			mt->kind = MOAT_MOUNT_BIND;
		else if (!strcmp(s, "tmpfs"))
			mt->kind = MOAT_MOUNT_TMPFS;
		else if (!strcmp(s, "symlink"))
			mt->kind = MOAT_MOUNT_SYMLINK;
		else
			return failf(c, line_of(type),
				     "mount type '%s' is not \"bind\", \"tmpfs\" or \"symlink\"",
				     show(s));
	}
	const char *kind = mt->kind == MOAT_MOUNT_BIND ? "a bind" :
			   mt->kind == MOAT_MOUNT_TMPFS ? "a tmpfs" : "a symlink";
	/* Keys that do not belong to the kind. */
	if (host && mt->kind != MOAT_MOUNT_BIND)
		return failf(c, line_of(host), "%s mount takes no 'host'", kind);
	if (size && mt->kind != MOAT_MOUNT_TMPFS)
		return failf(c, line_of(size), "%s mount takes no 'size'", kind);
	if (target && mt->kind != MOAT_MOUNT_SYMLINK)
		return failf(c, line_of(target), "%s mount takes no 'target'", kind);
	if (mode && mt->kind == MOAT_MOUNT_SYMLINK)
		return failf(c, line_of(mode), "a symlink takes no 'mode'");
	/* Required keys. */
	if (mt->kind == MOAT_MOUNT_BIND && !host)
		return failf(c, line, "a bind mount needs 'host'");
	if (mt->kind != MOAT_MOUNT_BIND && !guest)
		return failf(c, line, "%s mount needs 'guest'", kind);
	if (mt->kind == MOAT_MOUNT_SYMLINK && !target)
		return failf(c, line, "a symlink needs 'target'");

	const char *guest_raw = NULL;
	int guest_line = line;
	if (host) {
		if (want_string(c, host, "'host'", &s) < 0 ||
		    host_path(c, line_of(host), "host path", s, &mt->host) < 0)
			return -1;
		guest_raw = s;
		guest_line = line_of(host);
	}
	if (guest) {
		if (want_string(c, guest, "'guest'", &guest_raw) < 0)
			return -1;
		guest_line = line_of(guest);
	}
	if (guest_path(c, guest_line, guest_raw, &mt->guest) < 0)
		return -1;
	if (!strcmp(mt->guest, "/"))
		return failf(c, guest_line, "guest path '/' cannot be a mount: the root is moat's");
	if (under(mt->guest, "/.moat"))
		return failf(c, guest_line, "guest path '%s' is reserved for moat", show(mt->guest));

	mt->writable = mt->kind == MOAT_MOUNT_TMPFS;
	if (mode) {
		if (want_string(c, mode, "'mode'", &s) < 0)
			return -1;
		if (!strcmp(s, "ro"))
			mt->writable = false;
		else if (!strcmp(s, "rw"))
			mt->writable = true;
		else
			return failf(c, line_of(mode), "mode '%s' is not \"ro\" or \"rw\"", show(s));
	}
	if (mt->kind == MOAT_MOUNT_TMPFS) {
		mt->size = DEFAULT_TMPFS;
		if (size) {
			if (want_size(c, size, "tmpfs 'size'", &mt->size) < 0)
				return -1;
			if (mt->size == 0 || mt->size > MAX_TMPFS)
				return failf(c, line_of(size),
					     "tmpfs size %s is out of range (1 byte to 16G)",
					     human(mt->size));
		}
	}
	if (target) {
		if (want_string(c, target, "'target'", &s) < 0)
			return -1;
		if (!*s)
			return failf(c, line_of(target), "symlink 'target' must not be empty");
		if (strlen(s) >= PATH_MAX)
			return failf(c, line_of(target), "symlink 'target' is too long");
		if (!(mt->symlink = strdup(s)))
			return oom(c);
	}
	return 0;
}

static int check_mounts(struct ctx *c)
{
	const struct moat_manifest *m = c->m;
	for (size_t j = 0; j < m->nmounts; j++) {
		const struct moat_mount *b = &m->mounts[j];
		for (size_t i = 0; i < j; i++) {
			const struct moat_mount *a = &m->mounts[i];
			if (!strcmp(a->guest, b->guest))
				return failf(c, b->line,
					     "guest path '%s' is already used by the mount at line %d",
					     show(b->guest), a->line);
		}
		for (size_t i = 0; i < m->nmounts; i++) {
			const struct moat_mount *a = &m->mounts[i];
			if (i == j || !under(b->guest, a->guest) || !strcmp(a->guest, b->guest))
				continue;
			if (a->kind == MOAT_MOUNT_SYMLINK)
				return failf(c, b->line,
					     "guest path '%s' lies under the symlink at line %d",
					     show(b->guest), a->line);
			if (b->kind == MOAT_MOUNT_SYMLINK && a->kind == MOAT_MOUNT_BIND)
				return failf(c, b->line,
					     "symlink '%s' would be made inside the host directory "
					     "bound at line %d",
					     show(b->guest), a->line);
		}
	}
	return 0;
}

static int section_mounts(struct ctx *c, const config_setting_t *s)
{
	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return failf(c, line_of(s), "'mounts' must be a list of groups: ( { ... }, ... )");
	int n = config_setting_length(s);
	if (n > MAX_ENTRIES)
		return failf(c, line_of(s), "'mounts' has more than %d entries", MAX_ENTRIES);
	struct moat_manifest *m = c->m;
	if (n && !(m->mounts = calloc((size_t)n, sizeof(*m->mounts))))
		return oom(c);
	for (int i = 0; i < n; i++) {
		m->nmounts++;
		if (mount_one(c, config_setting_get_elem(s, (unsigned)i), &m->mounts[i]) < 0)
			return -1;
	}
	return check_mounts(c);
}

static int connect_one(struct ctx *c, int line, const char *raw, struct moat_connect *out)
{
	const char *host = raw, *host_end, *colon;
	bool v6 = raw[0] == '[';
	if (v6) {
		host = raw + 1;
		host_end = strchr(host, ']');
		if (!host_end)
			return failf(c, line, "connect destination '%s' has no closing ']'", show(raw));
		colon = host_end + 1;
		if (*colon != ':')
			return failf(c, line, "connect destination '%s' has no port (HOST:PORT)",
				     show(raw));
	} else {
		colon = strrchr(raw, ':');
		if (!colon)
			return failf(c, line, "connect destination '%s' has no port (HOST:PORT)",
				     show(raw));
		host_end = colon;
		if (memchr(raw, ':', (size_t)(colon - raw)))
			return failf(c, line,
				     "connect destination '%s': write an IPv6 address in brackets "
				     "([::1]:80)",
				     show(raw));
	}
	if (host_end == host)
		return failf(c, line, "connect destination '%s' has no host", show(raw));
	for (const char *p = host; p < host_end; p++) {
		bool ok = v6 ? (isxdigit((unsigned char)*p) || *p == ':' || *p == '.')
			     : (isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_');
		if (!ok)
			return failf(c, line, "connect destination '%s' has a bad host name",
				     show(raw));
	}
	const char *port = colon + 1;
	unsigned long v = 0;
	size_t digits = strspn(port, "0123456789");
	if (!digits || port[digits] || digits > 5 || (v = strtoul(port, NULL, 10)) == 0 ||
	    v > 65535)
		return failf(c, line, "connect destination '%s' has a bad port (1-65535)",
			     show(raw));
	if (!(out->host = strndup(host, (size_t)(host_end - host))))
		return oom(c);
	out->port = (uint16_t)v;
	return 0;
}

static int section_network(struct ctx *c, const config_setting_t *s)
{
	struct moat_manifest *m = c->m;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return failf(c, line_of(s),
			     "'network' must be a group: { listen = [...]; connect = [...]; }");
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *k = config_setting_get_elem(s, (unsigned)i);
		const char *n = k->name ? k->name : "";
		int type = config_setting_type(k);
		bool listen = !strcmp(n, "listen");
		if (!listen && strcmp(n, "connect"))
			return failf(c, line_of(k), "unknown key '%s' in 'network'", show(n));
		if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
			return failf(c, line_of(k), listen ? "'listen' must be a list of ports [80, ...]"
							   : "'connect' must be a list of strings "
							     "[\"HOST:PORT\", ...]");
		int len = config_setting_length(k);
		if (len > MAX_ENTRIES)
			return failf(c, line_of(k), "'%s' has more than %d entries", n, MAX_ENTRIES);
		if (!len)
			continue;
		if (listen) {
			if (!(m->listen = calloc((size_t)len, sizeof(*m->listen))))
				return oom(c);
			for (int j = 0; j < len; j++) {
				const config_setting_t *e = config_setting_get_elem(k, (unsigned)j);
				long long port;
				if (want_integer(c, e, "each 'listen' port", &port) < 0)
					return -1;
				if (port < 1 || port > 65535)
					return failf(c, line_of(e),
						     "listen port %lld is out of range (1-65535)", port);
				m->listen[m->nlisten++] = (uint16_t)port;
			}
		} else {
			if (!(m->connect = calloc((size_t)len, sizeof(*m->connect))))
				return oom(c);
			for (int j = 0; j < len; j++) {
				const config_setting_t *e = config_setting_get_elem(k, (unsigned)j);
				const char *v = "";
				if (want_string(c, e, "each 'connect' destination", &v) < 0 ||
				    connect_one(c, line_of(e), v, &m->connect[m->nconnect]) < 0)
					return -1;
				m->nconnect++;
			}
		}
	}
	m->network = m->nlisten || m->nconnect;
	return 0;
}

static int section_limits(struct ctx *c, const config_setting_t *s)
{
	static const struct {
		const char *name;
		size_t offset;
		uint64_t min, max;
		bool size;
		const char *range;
	} keys[] = {
		{ "memory", offsetof(struct moat_limits, memory), 16 * MIB, TIB, true, "16M to 1T" },
		{ "processes", offsetof(struct moat_limits, processes), 1, 4096, false, "1 to 4096" },
		{ "threads", offsetof(struct moat_limits, threads), 1, 65536, false, "1 to 65536" },
		{ "files", offsetof(struct moat_limits, files), 16, 1048576, false, "16 to 1048576" },
		{ "cpu_seconds", offsetof(struct moat_limits, cpu_seconds), 0, 365 * 86400, false,
		  "0 for none, up to 31536000, a year" },
	};
	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return failf(c, line_of(s), "'limits' must be a group: { memory = \"512M\"; ... }");
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *k = config_setting_get_elem(s, (unsigned)i);
		const char *n = k->name ? k->name : "";
		size_t j = 0;
		while (j < sizeof(keys) / sizeof(keys[0]) && strcmp(keys[j].name, n))
			j++;
		if (j == sizeof(keys) / sizeof(keys[0]))
			return failf(c, line_of(k), "unknown key '%s' in 'limits'", show(n));
		char what[32];
		snprintf(what, sizeof(what), "'%s'", n);
		uint64_t v;
		if (keys[j].size) {
			if (want_size(c, k, what, &v) < 0)
				return -1;
		} else {
			long long iv;
			if (want_integer(c, k, what, &iv) < 0)
				return -1;
			if (iv < 0)
				return failf(c, line_of(k), "'%s' must not be negative", n);
			v = (uint64_t)iv;
		}
		if (v < keys[j].min || v > keys[j].max) {
			char shown[32];
			snprintf(shown, sizeof(shown), "%llu", (unsigned long long)v);
			return failf(c, line_of(k), "'%s' %s is out of range (%s)", n,
				     keys[j].size ? human(v) : shown, keys[j].range);
		}
		*(uint64_t *)((char *)&c->m->limits + keys[j].offset) = v;
	}
	return 0;
}

static bool simple_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_' || *s == '-'))
			return false;
	return true;
}

static int check_env(struct ctx *c, const config_setting_t *s)
{
	char **env = c->m->env;
	for (size_t i = 0; env[i]; i++) {
		int line = line_of(config_setting_get_elem(s, (unsigned)i));
		const char *eq = strchr(env[i], '=');
		if (!eq)
			return failf(c, line, "env entry '%s' is not KEY=value", show(env[i]));
		bool ok = eq > env[i] && !isdigit((unsigned char)env[i][0]);
		for (const char *p = env[i]; ok && p < eq; p++)
			ok = isalnum((unsigned char)*p) || *p == '_';
		if (!ok)
			return failf(c, line, "env entry '%s': the name must be letters, digits and _",
				     show(env[i]));
		for (size_t j = 0; j < i; j++)
			if (!strncmp(env[j], env[i], (size_t)(eq - env[i]) + 1))
				return failf(c, line, "env entry '%s' sets %.*s a second time",
					     show(env[i]), (int)(eq - env[i] > 60 ? 60 : eq - env[i]),
					     env[i]);
	}
	return 0;
}

static int check_extensions(struct ctx *c, const config_setting_t *s)
{
	char **ext = c->m->extensions;
	for (size_t i = 0; ext[i]; i++) {
		int line = line_of(config_setting_get_elem(s, (unsigned)i));
		if (!simple_name(ext[i]))
			return failf(c, line, "extension '%s' is not a simple name ([a-z0-9_-]+)",
				     show(ext[i]));
		for (size_t j = 0; j < i; j++)
			if (!strcmp(ext[i], ext[j]))
				return failf(c, line, "extension '%s' is listed twice", show(ext[i]));
	}
	return 0;
}

/* The default's mounts, for a manifest without a `mounts` key. */
static int default_mounts(struct moat_manifest *m, char *err, size_t errlen);

static int parse_root(struct ctx *c, const config_setting_t *root)
{
	struct moat_manifest *m = c->m;
	const config_setting_t *program = NULL, *args = NULL, *mounts = NULL;
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *k = config_setting_get_elem(root, (unsigned)i);
		const char *n = k->name ? k->name : "";
		const char *v = "";
		if (!strcmp(n, "program")) {
			program = k;
		} else if (!strcmp(n, "args")) {
			args = k;
		} else if (!strcmp(n, "env")) {
			if (want_strings(c, k, "'env'", &m->env) < 0 || check_env(c, k) < 0)
				return -1;
		} else if (!strcmp(n, "libos")) {
			if (want_string(c, k, "'libos'", &v) < 0 ||
			    host_path(c, line_of(k), "'libos'", v, &m->libos) < 0)
				return -1;
		} else if (!strcmp(n, "mounts")) {
			mounts = k;
			if (section_mounts(c, k) < 0)
				return -1;
		} else if (!strcmp(n, "network")) {
			if (section_network(c, k) < 0)
				return -1;
		} else if (!strcmp(n, "limits")) {
			if (section_limits(c, k) < 0)
				return -1;
		} else if (!strcmp(n, "extensions")) {
			if (want_strings(c, k, "'extensions'", &m->extensions) < 0 ||
			    check_extensions(c, k) < 0)
				return -1;
		} else {
			return failf(c, line_of(k), "unknown key '%s'", show(n));
		}
	}
	if (args && !program)
		return failf(c, line_of(args), "'args' given without 'program'");
	if (program) {
		const char *prog = "";
		char **rest = NULL;
		if (want_string(c, program, "'program'", &prog) < 0)
			return -1;
		if (!*prog)
			return failf(c, line_of(program), "'program' must not be empty");
		if (args && want_strings(c, args, "'args'", &rest) < 0)
			return -1;
		size_t n = 0;
		while (rest && rest[n])
			n++;
		if (!(m->argv = calloc(n + 2, sizeof(*m->argv))) || !(m->argv[0] = strdup(prog))) {
			free_strv(rest);
			return oom(c);
		}
		if (n)
			memcpy(m->argv + 1, rest, n * sizeof(*rest));
		free(rest);
	}
	if (!m->extensions && !(m->extensions = calloc(1, sizeof(*m->extensions))))
		return oom(c);
	if (!mounts && default_mounts(m, c->err, c->errlen) < 0)
		return -1;
	return 0;
}

int moat_manifest_parse(const char *text, const char *name, struct moat_manifest *m, char *err,
			size_t errlen)
{
	struct ctx c = { .name = name ? name : "manifest", .err = err, .errlen = errlen, .m = m };
	config_t cfg;
	memset(m, 0, sizeof(*m));
	m->limits = default_limits;
	if (errlen)
		err[0] = 0;
	if (scan_text(&c, text, true) < 0)
		return -1;
	config_init(&cfg);
	if (!config_read_string(&cfg, text)) {
		failf(&c, config_error_line(&cfg), "%s",
		      config_error_text(&cfg) ? config_error_text(&cfg) : "syntax error");
		config_destroy(&cfg);
		return -1;
	}
	int rc = scan_text(&c, text, false);
	if (rc == 0 && name && !(m->path = strdup(name)))
		rc = oom(&c);
	if (rc == 0)
		rc = parse_root(&c, config_root_setting(&cfg));
	config_destroy(&cfg);
	if (rc < 0)
		moat_manifest_free(m);
	return rc;
}

int moat_manifest_load(const char *path, struct moat_manifest *m, char *err, size_t errlen)
{
	struct ctx c = { .name = path, .err = err, .errlen = errlen, .m = m };
	memset(m, 0, sizeof(*m));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return failf(&c, 0, "cannot read the manifest: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return failf(&c, 0, "cannot read the manifest: not a regular file");
	}
	if (st.st_size > MAX_MANIFEST) {
		close(fd);
		return failf(&c, 0, "the manifest is larger than %d bytes", MAX_MANIFEST);
	}
	char *text = malloc((size_t)st.st_size + 1);
	size_t len = 0;
	if (!text) {
		close(fd);
		return oom(&c);
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, text + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			free(text);
			return failf(&c, 0, "cannot read the manifest: %s", strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	text[len] = 0;
	const char *nul = memchr(text, 0, len);
	if (nul) {
		int line = 1;
		for (const char *p = text; p < nul; p++)
			line += *p == '\n';
		free(text);
		return failf(&c, line, "a NUL byte: the manifest must be text");
	}
	int rc = moat_manifest_parse(text, path, m, err, errlen);
	free(text);
	return rc;
}

/* ---- the built-in default ----------------------------------------------- */

static int add_mount(struct moat_manifest *m, int kind, const char *host, const char *guest,
		     const char *symlink, bool writable, uint64_t size)
{
	struct moat_mount *v = realloc(m->mounts, (m->nmounts + 1) * sizeof(*v));
	if (!v)
		return -1;
	m->mounts = v;
	struct moat_mount *mt = &v[m->nmounts];
	memset(mt, 0, sizeof(*mt));
	mt->kind = kind;
	mt->writable = writable;
	mt->size = size;
	if ((host && !(mt->host = strdup(host))) || !(mt->guest = strdup(guest)) ||
	    (symlink && !(mt->symlink = strdup(symlink)))) {
		free_mount(mt);
		return -1;
	}
	m->nmounts++;
	return 0;
}

static int default_mounts(struct moat_manifest *m, char *err, size_t errlen)
{
	static const char *const system[] = { "/usr", "/bin", "/lib", "/lib64", "/lib32",
					      "/libx32", "/sbin", "/etc" };
	for (size_t i = 0; i < sizeof(system) / sizeof(system[0]); i++) {
		const char *g = system[i];
		struct stat st;
		if (lstat(g, &st) < 0)
			continue;
		char *real = realpath(g, NULL);
		if (!real)
			continue; /* a dangling link */
		int rc = 0;
		if (S_ISLNK(st.st_mode) && under(real, "/usr") && m->nmounts &&
		    !strcmp(m->mounts[0].guest, "/usr")) {
			/* /bin -> usr/bin on a merged-/usr system: the same link. */
			char link[PATH_MAX];
			ssize_t n = readlink(g, link, sizeof(link) - 1);
			if (n > 0) {
				link[n] = 0;
				rc = add_mount(m, MOAT_MOUNT_SYMLINK, NULL, g, link, false, 0);
			}
		} else if (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)) {
			struct stat target;
			if (stat(real, &target) == 0 && S_ISDIR(target.st_mode))
				rc = add_mount(m, MOAT_MOUNT_BIND, real, g, NULL, false, 0);
		}
		free(real);
		if (rc < 0)
			goto oom;
	}
	/* The current directory, read-write, unless it is the root or inside
	 * one of the read-only system directories.  Inside /tmp it is mounted
	 * over the tmpfs, so it is listed after it; if it is /tmp itself, it
	 * replaces the tmpfs. */
	char *cwd = getcwd(NULL, 0);
	if ((!cwd || strcmp(cwd, "/tmp")) &&
	    add_mount(m, MOAT_MOUNT_TMPFS, NULL, "/tmp", NULL, true, DEFAULT_TMPFS) < 0) {
		free(cwd);
		goto oom;
	}
	if (cwd && cwd[0] == '/' && strcmp(cwd, "/") && !under(cwd, "/.moat")) {
		bool skip = false;
		for (size_t i = 0; i < m->nmounts; i++)
			if (m->mounts[i].kind != MOAT_MOUNT_TMPFS && under(cwd, m->mounts[i].guest))
				skip = true;
		if (!skip && add_mount(m, MOAT_MOUNT_BIND, cwd, cwd, NULL, true, 0) < 0) {
			free(cwd);
			goto oom;
		}
	}
	free(cwd);
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int moat_manifest_default(struct moat_manifest *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->limits = default_limits;
	if (errlen)
		err[0] = 0;
	if (!(m->extensions = calloc(1, sizeof(*m->extensions)))) {
		moat_manifest_free(m);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (default_mounts(m, err, errlen) < 0) {
		moat_manifest_free(m);
		return -1;
	}
	return 0;
}

int moat_manifest_set_argv(struct moat_manifest *m, char *const *argv, int argc)
{
	if (argc <= 0)
		return 0;
	char **v = calloc((size_t)argc + 1, sizeof(*v));
	if (!v)
		return -1;
	for (int i = 0; i < argc; i++)
		if (!(v[i] = strdup(argv[i]))) {
			free_strv(v);
			return -1;
		}
	free_strv(m->argv);
	m->argv = v;
	return 0;
}

int moat_manifest_require_program(const struct moat_manifest *m, char *err, size_t errlen)
{
	if (m->argv && m->argv[0])
		return 0;
	if (m->path)
		snprintf(err, errlen,
			 "%s: no program to run: set 'program' in the manifest or give one after --",
			 m->path);
	else
		snprintf(err, errlen, "run: no program to run: give one after --");
	return -1;
}

void moat_manifest_free(struct moat_manifest *m)
{
	free(m->path);
	free(m->libos);
	free_strv(m->argv);
	free_strv(m->env);
	for (size_t i = 0; i < m->nmounts; i++)
		free_mount(&m->mounts[i]);
	free(m->mounts);
	free(m->listen);
	for (size_t i = 0; i < m->nconnect; i++)
		free(m->connect[i].host);
	free(m->connect);
	free_strv(m->extensions);
	memset(m, 0, sizeof(*m));
}
