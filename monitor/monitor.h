/* The moat command-line tool: one file per verb over a few helpers. */
#ifndef MOAT_MONITOR_H
#define MOAT_MONITOR_H

#include <stdio.h>

/* Prints "moat: WHAT: WHY" (WHY from errno if err != 0) and returns 1. */
int moat_error(int err, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Path of a file installed next to the moat binary (build/pal, build/libos.so),
 * or from the environment variable env if it is set. */
int moat_sibling(const char *name, const char *env, char *buf, size_t size);

int moat_cmd_run(int argc, char **argv);
int moat_cmd_policy(int argc, char **argv);
int moat_cmd_manifest_check(int argc, char **argv);

#endif
