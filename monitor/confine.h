/*
 * Confinement of one picoprocess, applied by the sandbox's init in the
 * child between fork and execve of the PAL, in this order: resource limits,
 * capabilities dropped (with securebits so execve cannot regain them),
 * no_new_privs, descriptors other than 0-2 and keep[] closed, Landlock
 * (files from the mounts, TCP ports from the grants, execute only for the
 * PAL), and last the seccomp allowlist (libseccomp), which must permit
 * the one execve that follows.
 */
#ifndef MOAT_CONFINE_H
#define MOAT_CONFINE_H

#include <stdio.h>
#include "manifest.h"

/* Applies everything above to the calling process.  On failure writes a
 * reason into err and returns -errno; the caller must then _exit. */
int moat_confine_self(const struct moat_manifest *m, const int *keep, int nkeep, char *err,
		      size_t errlen);

/* `moat policy`: prints the seccomp allowlist, one call per line, its name
 * first and its argument rules after it. */
int moat_policy_print(const struct moat_manifest *m, FILE *out);

/* Checks the host can confine at all (Landlock ABI, seccomp); one line on
 * failure. */
int moat_confine_probe(char *err, size_t errlen);

#endif
