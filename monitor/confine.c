/*
 * Confinement of one picoprocess (confine.h).  Runs in the sandbox's init's
 * child, between fork and execve of the PAL, inside the sandbox's
 * namespaces and pivoted mount view.  Each step only takes away: once it
 * returns, everything the process (and the PAL it execs, and every byte
 * an attacker puts there) can do is bounded by the kernel.  See
 * docs/SECURITY.md for the reasoning.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <linux/magic.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "confine.h"
#include "policy.h"
#include "sandbox.h"

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#define LL_CREATE_RULESET_VERSION (1u << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2

/* The kernel's structures, spelled out for the same reason as the rights. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;             /* ABI 6 */
};
struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));
struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

#define FAIL(e, ...) (snprintf(err, errlen, __VA_ARGS__), -(e))

/* ---- Landlock policy as data (shared with `moat policy`) --------------- */

int moat_landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
	return v < 0 ? -errno : (int)v;
}

uint64_t moat_landlock_fs_handled(int abi)
{
	uint64_t all = (MOAT_LL_FS_MAKE_SYM << 1) - 1; /* ABI 1: bits 0-12 */
	if (abi >= 2)
		all |= MOAT_LL_FS_REFER;
	if (abi >= 3)
		all |= MOAT_LL_FS_TRUNCATE;
	if (abi >= 5)
		all |= MOAT_LL_FS_IOCTL_DEV;
	return abi >= 1 ? all : 0;
}

int moat_landlock_rules(const struct moat_manifest *m,
			int (*fn)(const struct moat_ll_rule *r, void *arg), void *arg)
{
	int rc;
	for (size_t i = 0; i < m->nmounts; i++) {
		const struct moat_mount *mt = &m->mounts[i];
		if (mt->kind != MOAT_MOUNT_BIND && mt->kind != MOAT_MOUNT_TMPFS)
			continue;
		struct moat_ll_rule r = {
			.path = mt->guest,
			.access = mt->writable ? MOAT_LL_RW : MOAT_LL_RO,
			.why = mt->kind == MOAT_MOUNT_TMPFS
				       ? "tmpfs (read-write)"
				       : (mt->writable ? "mount (read-write)" : "mount (read-only)"),
			/* Only outside the sandbox's view (tests) can one be absent. */
			.optional = 1,
		};
		if ((rc = fn(&r, arg)))
			return rc;
	}
	static const struct moat_ll_rule fixed[] = {
		{ MOAT_GUEST_DIR, MOAT_LL_RO, "moat's files (read-only)", 1 },
		{ MOAT_GUEST_PAL, MOAT_LL_FS_READ_FILE | MOAT_LL_FS_EXECUTE,
		  "the PAL: the only executable file", 1 },
		{ "/dev/null", MOAT_LL_FS_READ_FILE | MOAT_LL_FS_WRITE_FILE, "if present", 1 },
		/* The view's root is a read-only tmpfs of mount points only, each
		 * already listable: listing it too (access("/", R_OK), opendir
		 * "/") reveals nothing more.  Only inside the view (optional 2):
		 * on a host root it would open every directory to listing. */
		{ "/", MOAT_LL_FS_READ_DIR, "the view's root: listing only", 2 },
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if ((rc = fn(&fixed[i], arg)))
			return rc;
	return 0;
}

void moat_landlock_fs_names(uint64_t access, char *buf, size_t size)
{
	static const char *const names[] = {
		"execute", "write_file", "read_file", "read_dir", "remove_dir", "remove_file",
		"make_char", "make_dir", "make_reg", "make_sock", "make_fifo", "make_block",
		"make_sym", "refer", "truncate", "ioctl_dev",
	};
	size_t len = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(access & (1ull << i)))
			continue;
		int n = snprintf(buf + len, size - len, "%s%s", len ? "," : "", names[i]);
		if (n < 0 || (size_t)n >= size - len)
			return;
		len += (size_t)n;
	}
}

/* ---- the steps ---------------------------------------------------------- */

static int set_limit(int res, uint64_t want, const char *name, char *err, size_t errlen)
{
	struct rlimit cur;
	if (getrlimit(res, &cur) < 0)
		return FAIL(errno, "getrlimit %s: %s", name, strerror(errno));
	rlim_t v = (rlim_t)want;
	/* Raising the hard limit needs privilege outside the user namespace:
	 * the manifest can only lower what the host already imposes. */
	if (cur.rlim_max != RLIM_INFINITY && v > cur.rlim_max)
		v = cur.rlim_max;
	struct rlimit nl = { v, v };
	if (setrlimit(res, &nl) < 0)
		return FAIL(errno, "setrlimit %s %llu: %s", name, (unsigned long long)v,
			    strerror(errno));
	return 0;
}

static int set_limits(const struct moat_limits *l, char *err, size_t errlen)
{
	int rc = 0;
	/* RLIMIT_AS comes last of all, in moat_confine_self. */
	if (l->threads && (rc = set_limit(RLIMIT_NPROC, l->threads, "RLIMIT_NPROC", err, errlen)))
		return rc;
	if (l->files && (rc = set_limit(RLIMIT_NOFILE, l->files, "RLIMIT_NOFILE", err, errlen)))
		return rc;
	if (l->cpu_seconds) {
		/* SIGXCPU at the limit (the library OS may pass it on), SIGKILL a
		 * second later. */
		struct rlimit cur, nl;
		if (getrlimit(RLIMIT_CPU, &cur) < 0)
			return FAIL(errno, "getrlimit RLIMIT_CPU: %s", strerror(errno));
		nl.rlim_cur = l->cpu_seconds;
		nl.rlim_max = l->cpu_seconds + 1;
		if (cur.rlim_max != RLIM_INFINITY && nl.rlim_max > cur.rlim_max)
			nl.rlim_max = cur.rlim_max;
		if (nl.rlim_cur > nl.rlim_max)
			nl.rlim_cur = nl.rlim_max;
		if (setrlimit(RLIMIT_CPU, &nl) < 0)
			return FAIL(errno, "setrlimit RLIMIT_CPU: %s", strerror(errno));
	}
	return set_limit(RLIMIT_CORE, 0, "RLIMIT_CORE", err, errlen);
}

static int capget_all(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return (int)syscall(SYS_capget, &h, d);
}

/* No capability and no uid 0: nothing to regain, even without securebits
 * (no_new_privs stops setuid and file capabilities). */
static int powerless(void)
{
	uid_t r, e, s;
	struct __user_cap_data_struct d[2];
	if (getresuid(&r, &e, &s) < 0 || !r || !e || !s || capget_all(d) < 0)
		return 0;
	for (int i = 0; i < 2; i++)
		if (d[i].effective || d[i].permitted || d[i].inheritable)
			return 0;
	return 1;
}

static int drop_capabilities(char *err, size_t errlen)
{
	/* Root inside the user namespace must not get capabilities back on
	 * execve, nor keep them across a uid change, nor raise ambient ones;
	 * and the bits are locked so nothing can turn them off again. */
	unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
			     SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
			     SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	int weak = 0; /* no CAP_SETPCAP, but nothing to lose either */
	if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) < 0) {
		if (errno != EPERM || !powerless())
			return FAIL(errno, "securebits: %s", strerror(errno));
		weak = 1;
	}
	for (int cap = 0; cap < 64; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL) /* past the last capability */
			break;
		if (errno == EPERM && weak)
			break;
		return FAIL(errno, "dropping capability %d from the bounding set: %s", cap,
			    strerror(errno));
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return FAIL(errno, "clearing ambient capabilities: %s", strerror(errno));
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d) < 0)
		return FAIL(errno, "capset: %s", strerror(errno));
	if (capget_all(d) < 0)
		return FAIL(errno, "capget: %s", strerror(errno));
	for (int i = 0; i < 2; i++)
		if (d[i].effective || d[i].permitted || d[i].inheritable)
			return FAIL(EPERM, "capabilities remain after capset");
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int close_range_(unsigned lo, unsigned hi)
{
	if (lo > hi)
		return 0;
	if (syscall(SYS_close_range, lo, hi, 0) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	long max = sysconf(_SC_OPEN_MAX);
	for (long fd = lo; fd <= (long)hi && fd < (max > 0 ? max : 65536); fd++)
		close((int)fd);
	return 0;
}

static int close_descriptors(const int *keep, int nkeep, char *err, size_t errlen)
{
	int k[64], n = 0;
	if (nkeep < 0 || nkeep > 64)
		return FAIL(EINVAL, "too many descriptors to keep (%d)", nkeep);
	for (int i = 0; i < nkeep; i++)
		if (keep[i] > 2)
			k[n++] = keep[i];
	qsort(k, (size_t)n, sizeof(int), cmp_int);
	unsigned lo = 3;
	for (int i = 0; i < n; i++) {
		if ((unsigned)k[i] < lo) /* duplicate */
			continue;
		int rc = close_range_(lo, (unsigned)k[i] - 1);
		if (rc < 0)
			return FAIL(-rc, "close_range: %s", strerror(-rc));
		lo = (unsigned)k[i] + 1;
	}
	int rc = close_range_(lo, ~0u);
	if (rc < 0)
		return FAIL(-rc, "close_range: %s", strerror(-rc));
	return 0;
}

struct ll_add {
	int ruleset;
	uint64_t handled;
	char *err;
	size_t errlen;
};

/* Whether this process sees the sandbox's view: its root is the read-only
 * tmpfs that sandbox.c builds, holding moat's files. */
static int in_sandbox_view(void)
{
	struct statfs sf;
	struct stat st;
	return statfs("/", &sf) == 0 && sf.f_type == TMPFS_MAGIC && (sf.f_flags & ST_RDONLY) &&
	       stat(MOAT_GUEST_PAL, &st) == 0 && S_ISREG(st.st_mode);
}

static int ll_add_path(const struct moat_ll_rule *r, void *arg)
{
	struct ll_add *a = arg;
	char *err = a->err;
	size_t errlen = a->errlen;
	if (r->optional == 2 && !in_sandbox_view())
		return 0;
	int fd = open(r->path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		if (r->optional && (errno == ENOENT || errno == ENOTDIR))
			return 0;
		return FAIL(errno, "landlock: %s: %s", r->path, strerror(errno));
	}
	struct stat st;
	struct ll_path_beneath_attr pb = { .allowed_access = r->access & a->handled,
					   .parent_fd = fd };
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return FAIL(e, "landlock: %s: %s", r->path, strerror(e));
	}
	if (!S_ISDIR(st.st_mode))
		pb.allowed_access &= MOAT_LL_FILE_RIGHTS;
	int rc = 0;
	if (pb.allowed_access &&
	    syscall(SYS_landlock_add_rule, a->ruleset, LL_RULE_PATH_BENEATH, &pb, 0) < 0)
		rc = FAIL(errno, "landlock: rule for %s: %s", r->path, strerror(errno));
	close(fd);
	return rc;
}

static int ll_add_port(int ruleset, uint64_t access, uint16_t port, char *err, size_t errlen)
{
	struct ll_net_port_attr np = { .allowed_access = access, .port = port };
	if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &np, 0) < 0)
		return FAIL(errno, "landlock: rule for tcp port %u: %s", (unsigned)port,
			    strerror(errno));
	return 0;
}

static int apply_landlock(const struct moat_manifest *m, char *err, size_t errlen)
{
	int abi = moat_landlock_abi();
	if (abi < 1)
		return FAIL(abi < 0 ? -abi : ENOSYS, "Landlock is not available: %s",
			    strerror(abi < 0 ? -abi : ENOSYS));
	if (m->network && abi < 4)
		return FAIL(EOPNOTSUPP,
			    "Landlock ABI %d cannot restrict TCP ports (4 needed for the "
			    "manifest's network grants)",
			    abi);
	struct ll_ruleset_attr attr = { .handled_access_fs = moat_landlock_fs_handled(abi) };
	size_t size = sizeof(attr.handled_access_fs);
	if (abi >= 4) {
		/* Without any network grant the private network namespace (loopback
		 * only) is the barrier and in-sandbox TCP must keep working; with
		 * grants, exactly the granted ports. */
		if (m->network)
			attr.handled_access_net = MOAT_LL_NET_BIND_TCP | MOAT_LL_NET_CONNECT_TCP;
		size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		/* Signals only within the domain (this picoprocess).  Abstract unix
		 * sockets: without a network grant the sandbox's private network
		 * namespace has its own abstract namespace, and named pipes join
		 * picoprocesses of one sandbox (each its own domain), so they stay
		 * unscoped.  With a grant the sandbox shares the host's network
		 * namespace, whose abstract sockets (X11, D-Bus, ...) must stay out
		 * of reach: scoped, at the price of named pipes between
		 * picoprocesses (docs/SECURITY.md). */
		attr.scoped = MOAT_LL_SCOPE_SIGNAL | (m->network ? MOAT_LL_SCOPE_ABSTRACT_UNIX : 0);
		size = sizeof(attr);
	} else if (m->network) {
		return FAIL(EOPNOTSUPP,
			    "Landlock ABI %d cannot keep the host's abstract unix sockets out of "
			    "reach (6 needed for the manifest's network grants)",
			    abi);
	}
	int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (rs < 0)
		return FAIL(errno, "landlock_create_ruleset: %s", strerror(errno));
	struct ll_add a = { rs, attr.handled_access_fs, err, errlen };
	int rc = moat_landlock_rules(m, ll_add_path, &a);
	if (!rc && attr.handled_access_net) {
		for (size_t i = 0; !rc && i < m->nlisten; i++)
			rc = ll_add_port(rs, MOAT_LL_NET_BIND_TCP, m->listen[i], err, errlen);
		for (size_t i = 0; !rc && i < m->nconnect; i++)
			rc = ll_add_port(rs, MOAT_LL_NET_CONNECT_TCP, m->connect[i].port, err,
					 errlen);
	}
	if (!rc && syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		rc = FAIL(errno, "landlock_restrict_self: %s", strerror(errno));
	close(rs);
	return rc;
}

/* The filter is compiled to BPF while allocation is still possible and
 * installed after RLIMIT_AS, the last limit: a sanitizer build of moat
 * (whose code runs here until execve) cannot allocate once the limit is
 * on. */
static struct sock_filter bpf[4096];
static struct sock_fprog bpf_prog;

static int compile_seccomp(char *err, size_t errlen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		return FAIL(ENOMEM, "seccomp_init failed");
	int rc;
	/* no_new_privs is already set (by us); x32 and i386 calls kill. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0) {
		seccomp_release(ctx);
		return FAIL(-rc, "seccomp attributes: %s", strerror(-rc));
	}
	rc = moat_policy_add_rules(ctx, getpid(), err, errlen);
	int pipefd[2] = { -1, -1 };
	if (!rc && pipe2(pipefd, O_CLOEXEC) < 0)
		rc = FAIL(errno, "pipe: %s", strerror(errno));
	if (!rc && (rc = seccomp_export_bpf(ctx, pipefd[1])) < 0)
		snprintf(err, errlen, "seccomp_export_bpf: %s", strerror(-rc));
	if (!rc) {
		ssize_t n = read(pipefd[0], bpf, sizeof(bpf));
		if (n <= 0 || n % (ssize_t)sizeof(bpf[0]) || n == (ssize_t)sizeof(bpf))
			rc = FAIL(EINVAL, "seccomp filter: cannot read the compiled program");
		bpf_prog.len = (unsigned short)((size_t)n / sizeof(bpf[0]));
		bpf_prog.filter = bpf;
	}
	if (pipefd[0] >= 0)
		close(pipefd[0]), close(pipefd[1]);
	seccomp_release(ctx);
	return rc;
}

static int install_seccomp(char *err, size_t errlen)
{
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &bpf_prog, 0, 0) < 0)
		return FAIL(errno, "installing the seccomp filter: %s", strerror(errno));
	return 0;
}

int moat_confine_self(const struct moat_manifest *m, const int *keep, int nkeep, char *err,
		      size_t errlen)
{
	int rc;
	if ((rc = set_limits(&m->limits, err, errlen)))
		return rc;
	if ((rc = drop_capabilities(err, errlen)))
		return rc;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return FAIL(errno, "no_new_privs: %s", strerror(errno));
	/* Not PR_SET_DUMPABLE: execve resets it anyway; ptrace and
	 * process_vm_* are outside the allowlist for every picoprocess, and
	 * RLIMIT_CORE is 0. */
	if ((rc = close_descriptors(keep, nkeep, err, errlen)))
		return rc;
	if ((rc = apply_landlock(m, err, errlen)))
		return rc;
	if ((rc = compile_seccomp(err, errlen)))
		return rc;
	if (m->limits.memory &&
	    (rc = set_limit(RLIMIT_AS, m->limits.memory, "RLIMIT_AS", err, errlen)))
		return rc;
	return install_seccomp(err, errlen);
}

int moat_confine_probe(char *err, size_t errlen)
{
	int abi = moat_landlock_abi();
	if (abi < 1)
		return FAIL(abi < 0 ? -abi : ENOSYS,
			    "Landlock is not available (%s); it needs Linux 5.13+ with lsm=landlock",
			    strerror(abi < 0 ? -abi : ENOSYS));
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
		return FAIL(errno, "seccomp is not available: %s", strerror(errno));
	if (seccomp_api_get() < 1)
		return FAIL(ENOSYS, "libseccomp finds no usable seccomp API in this kernel");
	return 0;
}
