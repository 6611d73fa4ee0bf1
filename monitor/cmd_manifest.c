/*
 * moat manifest-check: loads a manifest and prints it normalised, one line
 * per field, or prints the one-line error and exits 1.  Used by the tests
 * and handy when writing a manifest by hand.
 *
 *   moat manifest-check FILE [-- PROG ARGS...]   a file; needs a program,
 *                                               from the file or after --
 *   moat manifest-check --default [-- PROG ...]  the built-in default
 */
#include <stdlib.h>
#include <string.h>
#include "manifest.h"
#include "monitor.h"

/* A value on one line: non-printable bytes and backslashes as \xNN. */
static void put(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			fputc(ch, out);
		else
			fprintf(out, "\\x%02x", ch);
	}
}

static void field(FILE *out, const char *name, const char *value)
{
	fprintf(out, "%s: ", name);
	put(out, value);
	fputc('\n', out);
}

static void dump(FILE *out, const struct moat_manifest *m)
{
	field(out, "file", m->path ? m->path : "(default)");
	field(out, "libos", m->libos ? m->libos : "(default)");
	field(out, "program", m->argv ? m->argv[0] : "(none)");
	for (size_t i = 1; m->argv && m->argv[i]; i++)
		field(out, "arg", m->argv[i]);
	for (size_t i = 0; m->env && m->env[i]; i++)
		field(out, "env", m->env[i]);
	for (size_t i = 0; i < m->nmounts; i++) {
		const struct moat_mount *mt = &m->mounts[i];
		fputs("mount: ", out);
		switch (mt->kind) {
		case MOAT_MOUNT_BIND:
			fputs("bind ", out);
			put(out, mt->host);
			fputc(' ', out);
			put(out, mt->guest);
			fprintf(out, " %s\n", mt->writable ? "rw" : "ro");
			break;
		case MOAT_MOUNT_TMPFS:
			fputs("tmpfs ", out);
			put(out, mt->guest);
			fprintf(out, " %s size=%llu\n", mt->writable ? "rw" : "ro",
				(unsigned long long)mt->size);
			break;
		case MOAT_MOUNT_SYMLINK:
			fputs("symlink ", out);
			put(out, mt->guest);
			fputs(" -> ", out);
			put(out, mt->symlink);
			fputc('\n', out);
			break;
		}
	}
	fprintf(out, "network: %s\n", m->network ? "yes" : "none");
	for (size_t i = 0; i < m->nlisten; i++)
		fprintf(out, "listen: %u\n", m->listen[i]);
	for (size_t i = 0; i < m->nconnect; i++) {
		bool v6 = strchr(m->connect[i].host, ':') != NULL;
		fprintf(out, "connect: %s", v6 ? "[" : "");
		put(out, m->connect[i].host);
		fprintf(out, "%s:%u\n", v6 ? "]" : "", m->connect[i].port);
	}
	fprintf(out, "limits: memory=%llu processes=%llu threads=%llu files=%llu cpu_seconds=%llu\n",
		(unsigned long long)m->limits.memory, (unsigned long long)m->limits.processes,
		(unsigned long long)m->limits.threads, (unsigned long long)m->limits.files,
		(unsigned long long)m->limits.cpu_seconds);
	for (size_t i = 0; m->extensions && m->extensions[i]; i++)
		field(out, "extension", m->extensions[i]);
}

int moat_cmd_manifest_check(int argc, char **argv)
{
	struct moat_manifest m;
	char err[1024];
	int i = 1, rc;
	if (argc < 2 || !strcmp(argv[1], "--"))
		return moat_error(0, "manifest-check", "usage: moat manifest-check FILE|--default "
					   "[-- PROG ARGS...]"), 2;
	const char *file = argv[i++];
	bool builtin = !strcmp(file, "--default");
	if (i < argc && strcmp(argv[i], "--"))
		return moat_error(0, "manifest-check", "unexpected '%s' (try -- PROG ARGS)",
				  argv[i]), 2;
	if (i < argc)
		i++;
	rc = builtin ? moat_manifest_default(&m, err, sizeof(err))
		     : moat_manifest_load(file, &m, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "moat: %s\n", err);
		return 1;
	}
	if (moat_manifest_set_argv(&m, argv + i, argc - i) < 0) {
		moat_manifest_free(&m);
		return moat_error(0, "manifest-check", "out of memory");
	}
	if (!builtin && moat_manifest_require_program(&m, err, sizeof(err)) < 0) {
		fprintf(stderr, "moat: %s\n", err);
		moat_manifest_free(&m);
		return 1;
	}
	dump(stdout, &m);
	moat_manifest_free(&m);
	return fflush(stdout) == 0 ? 0 : 1;
}
