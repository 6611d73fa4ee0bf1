/*
 * The confinement policy as data, shared by confine.c (which applies it),
 * policy.c (the seccomp allowlist table) and cmd_policy.c (which prints
 * it).  Internal to the monitor.
 */
#ifndef MOAT_POLICY_H
#define MOAT_POLICY_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "manifest.h"

/* ---- seccomp (policy.c) ------------------------------------------------ */

/* Number of host calls in the allowlist. */
size_t moat_policy_count(void);
/* Adds every allow rule to ctx (a scmp_filter_ctx); self is the pid the
 * tgkill rule pins.  Returns 0 or -errno with a reason in err. */
int moat_policy_add_rules(void *ctx, pid_t self, char *err, size_t errlen);

/* ---- Landlock (confine.c) ---------------------------------------------- */

/* Landlock rights, as in <linux/landlock.h> (defined here because the
 * installed headers may predate the running kernel's ABI). */
#define MOAT_LL_FS_EXECUTE (1ull << 0)
#define MOAT_LL_FS_WRITE_FILE (1ull << 1)
#define MOAT_LL_FS_READ_FILE (1ull << 2)
#define MOAT_LL_FS_READ_DIR (1ull << 3)
#define MOAT_LL_FS_REMOVE_DIR (1ull << 4)
#define MOAT_LL_FS_REMOVE_FILE (1ull << 5)
#define MOAT_LL_FS_MAKE_CHAR (1ull << 6)
#define MOAT_LL_FS_MAKE_DIR (1ull << 7)
#define MOAT_LL_FS_MAKE_REG (1ull << 8)
#define MOAT_LL_FS_MAKE_SOCK (1ull << 9)
#define MOAT_LL_FS_MAKE_FIFO (1ull << 10)
#define MOAT_LL_FS_MAKE_BLOCK (1ull << 11)
#define MOAT_LL_FS_MAKE_SYM (1ull << 12)
#define MOAT_LL_FS_REFER (1ull << 13)    /* ABI 2 */
#define MOAT_LL_FS_TRUNCATE (1ull << 14) /* ABI 3 */
#define MOAT_LL_FS_IOCTL_DEV (1ull << 15) /* ABI 5 */
#define MOAT_LL_NET_BIND_TCP (1ull << 0)  /* ABI 4 */
#define MOAT_LL_NET_CONNECT_TCP (1ull << 1)
#define MOAT_LL_SCOPE_ABSTRACT_UNIX (1ull << 0) /* ABI 6 */
#define MOAT_LL_SCOPE_SIGNAL (1ull << 1)

/* Rights a read-only and a read-write mount grant (before masking to the
 * ABI), and the rights that apply to a non-directory. */
#define MOAT_LL_RO (MOAT_LL_FS_READ_FILE | MOAT_LL_FS_READ_DIR)
#define MOAT_LL_RW                                                                        \
	(MOAT_LL_RO | MOAT_LL_FS_WRITE_FILE | MOAT_LL_FS_REMOVE_DIR | MOAT_LL_FS_REMOVE_FILE | \
	 MOAT_LL_FS_MAKE_DIR | MOAT_LL_FS_MAKE_REG | MOAT_LL_FS_MAKE_SOCK |                   \
	 MOAT_LL_FS_MAKE_FIFO | MOAT_LL_FS_MAKE_SYM | MOAT_LL_FS_REFER | MOAT_LL_FS_TRUNCATE)
#define MOAT_LL_FILE_RIGHTS                                                             \
	(MOAT_LL_FS_EXECUTE | MOAT_LL_FS_WRITE_FILE | MOAT_LL_FS_READ_FILE |             \
	 MOAT_LL_FS_TRUNCATE | MOAT_LL_FS_IOCTL_DEV)

/* The running kernel's Landlock ABI version, or -errno. */
int moat_landlock_abi(void);
/* Filesystem rights Landlock handles at a given ABI (all it knows). */
uint64_t moat_landlock_fs_handled(int abi);

/* One path rule derived from a manifest. */
struct moat_ll_rule {
	const char *path;   /* guest path */
	uint64_t access;    /* before masking to the ABI */
	const char *why;    /* "mount (read-only)", "moat's files", ... */
	int optional;       /* 1: skipped without complaint when absent;
			     * 2: applied only inside the sandbox's view */
};
/* Calls fn for each path rule; stops at and returns fn's first non-zero. */
int moat_landlock_rules(const struct moat_manifest *m,
			int (*fn)(const struct moat_ll_rule *r, void *arg), void *arg);
/* "read_file,read_dir,..." for a set of fs rights. */
void moat_landlock_fs_names(uint64_t access, char *buf, size_t size);

#endif
