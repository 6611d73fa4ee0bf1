/*
 * The seccomp allowlist of a picoprocess: one table, one row per host call,
 * with a human description of its argument rule and the rule itself.  The
 * rows are exactly the PAL's closed list (pal/linux/host_calls.h) plus the
 * execve that starts the PAL and the kernel's own restart_syscall;
 * tests/confine/run.sh fails when the two lists drift apart.  Everything
 * else gets EPERM; a call from another architecture (i386 via int $0x80,
 * x32) kills the process.
 *
 * Argument checks cost a BPF run on every call (docs/SECURITY.md,
 * measurements.md: +57 ns instead of +27 ns), so they sit only on calls
 * whose arguments select a dangerous mode: clone, mmap, mprotect, madvise, socket,
 * ioctl, fcntl, setsockopt, getsockopt, shutdown, sendmsg, arch_prctl, prctl, tgkill,
 * linkat, mknodat, fchmodat, utimensat.  Comparisons
 * are on all 64 bits, so junk in the upper half of a 32-bit argument (which
 * the kernel would truncate) is refused, never let through.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include "confine.h"
#include "policy.h"

/* The PAL's thread flags (pal/linux/thread.c, THREAD_CLONE_FLAGS): the exact
 * value, exit signal 0.  Spelled out so the monitor stands on its own. */
#define P_CLONE_VM 0x00000100ull
#define P_CLONE_FS 0x00000200ull
#define P_CLONE_FILES 0x00000400ull
#define P_CLONE_SIGHAND 0x00000800ull
#define P_CLONE_THREAD 0x00010000ull
#define P_CLONE_SYSVSEM 0x00040000ull
#define P_CLONE_PARENT_SETTID 0x00100000ull
#define P_THREAD_FLAGS                                                                  \
	(P_CLONE_VM | P_CLONE_FS | P_CLONE_FILES | P_CLONE_SIGHAND | P_CLONE_THREAD |    \
	 P_CLONE_SYSVSEM | P_CLONE_PARENT_SETTID)

/* mmap flags the PAL passes, besides the mapping type. */
#define P_MAP_SHARED 0x01ull
#define P_MAP_PRIVATE 0x02ull
#define P_MAP_FIXED 0x10ull
#define P_MAP_ANONYMOUS 0x20ull
#define P_MAP_NORESERVE 0x4000ull
#define P_MAP_STACK 0x20000ull
#define P_MAP_FIXED_NOREPLACE 0x100000ull
#define P_MAP_OK_BITS \
	(P_MAP_FIXED | P_MAP_ANONYMOUS | P_MAP_NORESERVE | P_MAP_STACK | P_MAP_FIXED_NOREPLACE)
/* Masking with this keeps the type nibble (0xf) and every unknown bit. */
#define P_MAP_CHECK (~P_MAP_OK_BITS)
#define P_PROT_CHECK (~7ull) /* PROT_READ|PROT_WRITE|PROT_EXEC only */
#define P_MADV_DONTFORK 10ull
#define P_MADV_DOFORK 11ull
#define P_MADV_HUGEPAGE 14ull

#define P_AF_UNIX 1
#define P_AF_INET 2
#define P_AF_INET6 10
#define P_SOCK_STREAM 1
#define P_SOCK_DGRAM 2
#define P_SOCK_SEQPACKET 5
#define P_SOCK_FLAGS (04000ull | 02000000ull) /* SOCK_NONBLOCK | SOCK_CLOEXEC */
#define P_SOCK_TYPE_CHECK (~P_SOCK_FLAGS)

#define P_AT_SYMLINK_NOFOLLOW 0x100ull
#define P_S_IFIFO 0010000ull
#define P_S_IFSOCK 0140000ull
#define P_FIONREAD 0x541B
#define P_TCGETS 0x5401
#define P_TCSETS 0x5402
#define P_TCSETSW 0x5403
#define P_TCSETSF 0x5404
#define P_TIOCGWINSZ 0x5413
#define P_F_SETFD 2
#define P_F_GETFL 3
#define P_F_SETFL 4
#define P_F_DUPFD_CLOEXEC 1030
#define P_SOL_SOCKET 1
#define P_SHUT_RD 0
#define P_SHUT_WR 1
#define P_SHUT_RDWR 2
#define P_SO_REUSEADDR 2
#define P_SO_PEERCRED 17
#define P_SO_TYPE 3
#define P_ARCH_SET_GS 0x1001
#define P_ARCH_SET_FS 0x1002
#define P_ARCH_GET_FS 0x1003
#define P_PR_SET_SYSCALL_USER_DISPATCH 59
#define P_ARCH_GET_GS 0x1004
#define P_SIGCHLD 17ull
#define P_O_NONBLOCK 04000ull
#define P_O_APPEND 02000ull
#define P_O_CLOEXEC 02000000ull
#define P_MSG_DONTWAIT 0x40ull
#define P_MSG_NOSIGNAL 0x4000ull

struct cond {
	unsigned char arg; /* argument index */
	unsigned char op;  /* enum scmp_compare */
	unsigned char pid; /* datum is the picoprocess's own pid */
	uint64_t a, b;     /* SCMP_CMP_EQ: a; SCMP_CMP_MASKED_EQ: (arg & a) == b */
};
struct alt { /* one libseccomp rule: its conditions all hold */
	unsigned char n;
	struct cond c[3];
};
struct entry {
	const char *name;
	const char *rule; /* printed by `moat policy` */
	unsigned char nalt; /* 0: allowed with any arguments */
	struct alt alt[10]; /* allowed when any one holds */
};

#define EQ(i, v) { .arg = (i), .op = SCMP_CMP_EQ, .a = (v) }
#define MASKED(i, m, v) { .arg = (i), .op = SCMP_CMP_MASKED_EQ, .a = (m), .b = (v) }
#define ALT(...) { .n = sizeof((struct cond[]){ __VA_ARGS__ }) / sizeof(struct cond), \
		   .c = { __VA_ARGS__ } }
#define ANY(name) { name, "any", 0, { { 0 } } }
#define SOCKTYPE(i) MASKED(i, P_SOCK_TYPE_CHECK, P_SOCK_STREAM)

static const struct entry table[] = {
	/* files and descriptors: Landlock decides which paths */
	ANY("read"), ANY("write"), ANY("pread64"), ANY("pwrite64"), ANY("openat"),
	ANY("close"), ANY("fstat"), ANY("newfstatat"), ANY("ftruncate"), ANY("fsync"),
	ANY("getdents64"), ANY("mkdirat"), ANY("lseek"), ANY("unlinkat"), ANY("renameat2"),
	/* links and metadata: Landlock decides where links are made (MAKE_SYM,
	 * MAKE_REG, REFER); read-only mounts refuse chmod and utimensat */
	ANY("readlinkat"), ANY("symlinkat"),
	/* named pipes (DK_OPT_FIFO) and socket files (DK_OPT_SOCKET_FILE)
	 * only: never a device node */
	{ "mknodat",
	  "mode == S_IFIFO with permission bits within 01777, or S_IFSOCK within 0777; dev == 0",
	  2,
	  { ALT(MASKED(2, ~01777ull, P_S_IFIFO), EQ(3, 0)),
	    ALT(MASKED(2, ~0777ull, P_S_IFSOCK), EQ(3, 0)) } },
	{ "linkat", "flags == 0 (no AT_SYMLINK_FOLLOW, no AT_EMPTY_PATH)", 1,
	  { ALT(EQ(4, 0)) } },
	{ "fchmodat", "mode within 01777 (no setuid, no setgid)", 1,
	  { ALT(MASKED(2, ~01777ull, 0)) } },
	{ "utimensat", "flags within AT_SYMLINK_NOFOLLOW", 1,
	  { ALT(MASKED(3, ~P_AT_SYMLINK_NOFOLLOW, 0)) } },
	{ "fcntl",
	  "cmd == F_SETFD, F_DUPFD_CLOEXEC, F_GETFL, F_SETFL with flags within "
	  "O_APPEND|O_NONBLOCK, or a record lock (F_GETLK, F_SETLK, F_SETLKW and their "
	  "F_OFD_ forms)",
	  10,
	  { ALT(EQ(1, P_F_SETFD)), ALT(EQ(1, P_F_DUPFD_CLOEXEC)), ALT(EQ(1, 5)), ALT(EQ(1, 6)),
	    ALT(EQ(1, 7)), ALT(EQ(1, 36)), ALT(EQ(1, 37)), ALT(EQ(1, 38)),
	    ALT(EQ(1, P_F_GETFL)),
	    ALT(EQ(1, P_F_SETFL), MASKED(2, ~(P_O_APPEND | P_O_NONBLOCK), 0)) } },
	/* whole-file locks on files the sandbox opened (DkStreamLock) */
	ANY("flock"),
	/* the console's terminal: its line settings and size only (never
	 * TIOCSTI, TIOCSETD, TIOCLINUX, TIOCCONS) */
	{ "ioctl", "request == FIONREAD, TCGETS, TCSETS, TCSETSW, TCSETSF or TIOCGWINSZ", 6,
	  { ALT(EQ(1, P_FIONREAD)), ALT(EQ(1, P_TCGETS)), ALT(EQ(1, P_TCSETS)),
	    ALT(EQ(1, P_TCSETSW)), ALT(EQ(1, P_TCSETSF)), ALT(EQ(1, P_TIOCGWINSZ)) } },
	/* memory */
	{ "mmap",
	  "prot within READ|WRITE|EXEC; type PRIVATE or SHARED; flags within "
	  "FIXED|ANONYMOUS|NORESERVE|STACK|FIXED_NOREPLACE",
	  2,
	  { ALT(MASKED(2, P_PROT_CHECK, 0), MASKED(3, P_MAP_CHECK, P_MAP_PRIVATE)),
	    ALT(MASKED(2, P_PROT_CHECK, 0), MASKED(3, P_MAP_CHECK, P_MAP_SHARED)) } },
	ANY("munmap"),
	{ "mprotect", "prot within READ|WRITE|EXEC", 1, { ALT(MASKED(2, P_PROT_CHECK, 0)) } },
	/* what a fork's child does not get (DkProcessFork's left-behind ranges), and
	 * large pages for big private memory (DK_MEM_LARGE) */
	{ "madvise", "advice == MADV_DONTFORK, MADV_DOFORK or MADV_HUGEPAGE", 3,
	  { ALT(EQ(2, P_MADV_DONTFORK)), ALT(EQ(2, P_MADV_DOFORK)),
	    ALT(EQ(2, P_MADV_HUGEPAGE)) } },
	/* threads, time, waiting */
	{ "clone",
	  "flags == CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
	  "CLONE_PARENT_SETTID (a thread) or flags == SIGCHLD (fork: a copy-on-write "
	  "child in the same sandbox); never namespaces, vfork or shared memory",
	  2,
	  { ALT(EQ(0, P_THREAD_FLAGS)), ALT(EQ(0, P_SIGCHLD)) } },
	ANY("exit"), ANY("exit_group"), ANY("gettid"), ANY("getpid"),
	/* Signals: the sandbox's own pid namespace shows no other process, and
	 * Landlock's signal scope keeps them inside the sandbox's domain. */
	ANY("tgkill"), ANY("kill"), ANY("rt_sigqueueinfo"),
	/* the Linux process model: reaping one's own children, process
	 * groups and sessions (all inside the sandbox's pid namespace) */
	ANY("waitid"), ANY("getppid"), ANY("setpgid"), ANY("getpgid"), ANY("setsid"),
	ANY("getsid"),
	/* A fork starts its child on the parent's CPU (the PAL pins the
	 * thread for the clone; both then restore the mask read before): only
	 * the caller's own mask, within its cpuset. */
	{ "sched_getaffinity", "pid == 0 (the caller itself)", 1, { ALT(EQ(0, 0)) } },
	{ "sched_setaffinity", "pid == 0 (the caller itself)", 1, { ALT(EQ(0, 0)) } },
	{ "futex", "op == FUTEX_WAIT or FUTEX_WAKE (shared words between the sandbox's "
	  "processes; no PI, no requeue)", 2,
	  { ALT(EQ(1, 0)), ALT(EQ(1, 1)) } },
	{ "socketpair",
	  "domain AF_UNIX; type SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET (|NONBLOCK|CLOEXEC); "
	  "protocol 0 (a socketpair shared with forked processes)",
	  3, { ALT(EQ(0, P_AF_UNIX), SOCKTYPE(1), EQ(2, 0)),
	       ALT(EQ(0, P_AF_UNIX), MASKED(1, P_SOCK_TYPE_CHECK, P_SOCK_DGRAM), EQ(2, 0)),
	       ALT(EQ(0, P_AF_UNIX), MASKED(1, P_SOCK_TYPE_CHECK, P_SOCK_SEQPACKET), EQ(2, 0)) } },
	{ "pipe2", "flags within O_CLOEXEC|O_NONBLOCK", 1,
	  { ALT(MASKED(1, ~(P_O_CLOEXEC | P_O_NONBLOCK), 0)) } },
	{ "arch_prctl", "code == ARCH_SET_GS, ARCH_GET_GS, ARCH_SET_FS or ARCH_GET_FS", 4,
	  { ALT(EQ(0, P_ARCH_SET_GS)), ALT(EQ(0, P_ARCH_GET_GS)), ALT(EQ(0, P_ARCH_SET_FS)),
	    ALT(EQ(0, P_ARCH_GET_FS)) } },
	ANY("sched_yield"), ANY("clock_nanosleep"), ANY("clock_gettime"), ANY("ppoll"),
	ANY("eventfd2"), ANY("getrandom"),
	/* signals (exceptions) */
	ANY("rt_sigaction"), ANY("rt_sigprocmask"), ANY("rt_sigreturn"), ANY("sigaltstack"),
	/* trapping the application's system calls: Syscall User Dispatch only
	 * (it can only send the caller SIGSYS; nothing else of prctl) */
	{ "prctl", "option == PR_SET_SYSCALL_USER_DISPATCH", 1,
	  { ALT(EQ(0, P_PR_SET_SYSCALL_USER_DISPATCH)) } },
	/* starting the PAL; Landlock lets only /.moat/pal execute */
	{ "execve", "any (Landlock lets only /.moat/pal execute)", 0, { { 0 } } },
	/* sockets: named pipes (AF_UNIX), tcp (AF_INET, AF_INET6) */
	{ "socket",
	  "domain AF_UNIX, AF_INET or AF_INET6; type SOCK_STREAM (|NONBLOCK|CLOEXEC), or "
	  "SOCK_DGRAM for AF_UNIX only; protocol 0",
	  4,
	  { ALT(EQ(0, P_AF_UNIX), SOCKTYPE(1), EQ(2, 0)),
	    ALT(EQ(0, P_AF_UNIX), MASKED(1, P_SOCK_TYPE_CHECK, P_SOCK_DGRAM), EQ(2, 0)),
	    ALT(EQ(0, P_AF_INET), SOCKTYPE(1), EQ(2, 0)),
	    ALT(EQ(0, P_AF_INET6), SOCKTYPE(1), EQ(2, 0)) } },
	ANY("bind"), ANY("listen"), ANY("accept4"), ANY("connect"), ANY("getsockname"),
	{ "setsockopt", "level SOL_SOCKET, option SO_REUSEADDR", 1,
	  { ALT(EQ(1, P_SOL_SOCKET), EQ(2, P_SO_REUSEADDR)) } },
	/* who is at the other end of a Unix stream (DK_STREAM_GET_PEER): the
	 * peer's pid in the sandbox's pid namespace, uid and gid, and what the
	 * socket carries (its type) */
	{ "getsockopt", "level SOL_SOCKET, option SO_PEERCRED or SO_TYPE", 2,
	  { ALT(EQ(1, P_SOL_SOCKET), EQ(2, P_SO_PEERCRED)),
	    ALT(EQ(1, P_SOL_SOCKET), EQ(2, P_SO_TYPE)) } },
	/* half-close of a connected stream (DkStreamShutdown) */
	{ "shutdown", "how == SHUT_RD, SHUT_WR or SHUT_RDWR", 3,
	  { ALT(EQ(1, P_SHUT_RD)), ALT(EQ(1, P_SHUT_WR)), ALT(EQ(1, P_SHUT_RDWR)) } },
	/* The monitor channel, and streams passed along a Unix stream
	 * (DkStreamMessage: SCM_RIGHTS, which the kernel lets carry only
	 * descriptors the sender holds).  MSG_FASTOPEN would connect a TCP
	 * socket without Landlock's connect check (measured on Linux 6.18), so
	 * sendmsg's flags are pinned to what the PAL passes. */
	{ "sendmsg", "flags within MSG_NOSIGNAL|MSG_DONTWAIT (no MSG_FASTOPEN)", 1,
	  { ALT(MASKED(2, ~(P_MSG_NOSIGNAL | P_MSG_DONTWAIT), 0)) } },
	ANY("recvmsg"),
	/* issued by the kernel itself to resume an interrupted sleep */
	{ "restart_syscall", "any (the kernel's own restart of an interrupted sleep)", 0,
	  { { 0 } } },
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

size_t moat_policy_count(void)
{
	return NTABLE;
}

int moat_policy_add_rules(void *vctx, pid_t self, char *err, size_t errlen)
{
	scmp_filter_ctx ctx = vctx;
	for (size_t i = 0; i < NTABLE; i++) {
		const struct entry *e = &table[i];
		int nr = seccomp_syscall_resolve_name(e->name);
		if (nr == __NR_SCMP_ERROR) {
			snprintf(err, errlen, "seccomp: unknown host call %s", e->name);
			return -EINVAL;
		}
		if (!e->nalt) {
			int rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, nr, 0);
			if (rc < 0) {
				snprintf(err, errlen, "seccomp: %s: %s", e->name, strerror(-rc));
				return rc;
			}
			continue;
		}
		for (unsigned j = 0; j < e->nalt; j++) {
			struct scmp_arg_cmp cmp[3];
			const struct alt *a = &e->alt[j];
			for (unsigned k = 0; k < a->n; k++) {
				cmp[k] = (struct scmp_arg_cmp){
					.arg = a->c[k].arg,
					.op = (enum scmp_compare)a->c[k].op,
					.datum_a = a->c[k].pid ? (scmp_datum_t)self : a->c[k].a,
					.datum_b = a->c[k].b,
				};
			}
			int rc = seccomp_rule_add_exact_array(ctx, SCMP_ACT_ALLOW, nr, a->n, cmp);
			if (rc < 0) {
				snprintf(err, errlen, "seccomp: %s: %s", e->name, strerror(-rc));
				return rc;
			}
		}
	}
	return 0;
}

int moat_policy_print(const struct moat_manifest *m, FILE *out)
{
	(void)m; /* the allowlist is the same for every manifest */
	for (size_t i = 0; i < NTABLE; i++)
		fprintf(out, "%-16s %s\n", table[i].name, table[i].rule);
	return (int)NTABLE;
}
