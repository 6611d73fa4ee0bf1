/*
 * The manifest: what a sandbox runs and what it may see and reach.
 * Written by hand in libconfig syntax (comments allowed); see
 * docs/MANIFEST.md.  moat_manifest_default() builds the policy that
 * `moat run -- PROG` uses when no file is given.
 */
#ifndef MOAT_MANIFEST_H
#define MOAT_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum moat_mount_kind { MOAT_MOUNT_BIND = 1, MOAT_MOUNT_TMPFS = 2, MOAT_MOUNT_SYMLINK = 3 };

struct moat_mount {
	int kind;          /* enum moat_mount_kind */
	char *host;        /* BIND: the host path resolved (realpath); else NULL */
	char *guest;       /* absolute path inside the sandbox, normalised */
	char *symlink;     /* SYMLINK: create guest as a symlink to this; else NULL */
	bool writable;
	uint64_t size;     /* TMPFS: bytes, 0 = default (64 MiB) */
	int line;          /* manifest line, for messages; 0 if built in */
};

struct moat_connect {
	char *host;        /* name or address as written */
	uint16_t port;
};

struct moat_limits {
	uint64_t memory;      /* bytes of address space per picoprocess, 0 = none */
	uint64_t processes;   /* picoprocesses in the sandbox, at least 1 */
	uint64_t threads;     /* host threads per sandbox user (RLIMIT_NPROC) */
	uint64_t files;       /* open descriptors per picoprocess */
	uint64_t cpu_seconds; /* CPU time per picoprocess, 0 = none */
};

struct moat_manifest {
	char *path;            /* the file, or NULL for the built-in default */
	char *libos;           /* library OS image (host path), NULL = default */
	char **argv;           /* program and arguments, NULL-terminated; NULL when the
				  manifest names no program (then argv after -- must) */
	char **env;            /* "KEY=value", NULL-terminated; NULL when not given */
	struct moat_mount *mounts;
	size_t nmounts;
	uint16_t *listen;      /* TCP ports the sandbox may listen on */
	size_t nlisten;
	struct moat_connect *connect; /* TCP destinations it may connect to */
	size_t nconnect;
	bool network;          /* any network grant at all (listen or connect) */
	struct moat_limits limits;
	char **extensions;     /* extension layer names, NULL-terminated */
};

/* Loads and checks a manifest.  On failure returns -1 and writes one line,
 * "FILE:LINE: what is wrong", into err. */
int moat_manifest_load(const char *path, struct moat_manifest *m, char *err, size_t errlen);
/* Parses a manifest held in memory (the fuzzer's entry point). */
int moat_manifest_parse(const char *text, const char *name, struct moat_manifest *m, char *err,
			size_t errlen);
/* The built-in default: host /usr, /bin, /lib*, /etc read-only; a private
 * tmpfs at /tmp; the current directory read-write; no network. */
int moat_manifest_default(struct moat_manifest *m, char *err, size_t errlen);
/* Command-line arguments after "--" replace the manifest's program. */
int moat_manifest_set_argv(struct moat_manifest *m, char *const *argv, int argc);
/* 0 if there is a program to run; else -1 and one line in err. */
int moat_manifest_require_program(const struct moat_manifest *m, char *err, size_t errlen);
void moat_manifest_free(struct moat_manifest *m);

#endif
