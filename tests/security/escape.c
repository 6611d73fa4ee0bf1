/*
 * Escape tests: a hostile "library OS" image.
 *
 * Run as   moat run [-m MANIFEST] --libos build/tests/escape.so -- ATTEMPT KEY=VALUE...
 * Keys (all optional, given by tests/security/run.sh):
 *   secret=DIR    host canary directory outside every grant (holds DIR/secret,
 *                 a listening unix socket DIR/sock)
 *   port=N        host TCP/UDP listener (0.0.0.0 and ::), also the abstract
 *                 unix socket "@moat-canary-N"
 *   victim=PID    host pid of an ordinary host process (sleep)
 *   victim2=PID   host pid of a moat process running another sandbox
 *   hostip=A.B.C.D  a non-loopback address of the host
 *   limit=N       bombs: the manifest's limit
 *
 * The image plays the attacker: it has the PAL's table, and it issues raw
 * system calls with its own syscall instruction AND through the PAL's own
 * gate (found by scanning the PAL's text), since the trust model says code
 * in the picoprocess may jump to the gate with any arguments.  It is not
 * part of the closed-ABI check.
 *
 * Prints exactly one line, "DENIED <attempt>: <how>" (exit 0) or
 * "ESCAPED <attempt>: <what happened>" (exit 1).  Bombs print DENIED when
 * they stopped at the limit.  The host-side checks are run.sh's.
 *
 * Helper modes (not attempts): sleep (wait for the parent stream to close,
 * or forever), exit0.
 */
#include <moat/dk.h>
#include <moat/rt.h>
#include <asm/unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- host constants (no libc headers in here) -------------------------- */
#define AT_FDCWD (-100)
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_EXCL 0200
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#define O_CLOEXEC 02000000
#define O_PATH 010000000
#define AT_EMPTY_PATH 0x1000
#define AT_SYMLINK_FOLLOW 0x400
#define F_GETFD 1
#define F_GETFL 3
#define FD_CLOEXEC 1
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define AF_PACKET 17
#define AF_ALG 38
#define AF_VSOCK 40
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_SEQPACKET 5
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define IPPROTO_RAW 255
#define SIGKILL 9
#define SIGTERM 15
#define SIGSTOP 19
#define SIGCHLD 17
#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_NEWNS 0x20000
#define CLONE_NEWCGROUP 0x02000000
#define CLONE_NEWUTS 0x04000000
#define CLONE_NEWIPC 0x08000000
#define CLONE_NEWUSER 0x10000000
#define CLONE_NEWPID 0x20000000
#define CLONE_NEWNET 0x40000000
#define PTRACE_TRACEME 0
#define PTRACE_PEEKDATA 2
#define PTRACE_ATTACH 16
#define PTRACE_SEIZE 0x4206
#define POLLOUT 4
#define MNT_DETACH 2
#define TIOCSTI 0x5412
#define EPERM 1
#define ENOENT 2
#define EINPROGRESS 115
#define EISCONN 106
#define EALREADY 114
#define EEXIST 17
#define EINTR 4

/* ---- output --------------------------------------------------------------- */
static const struct dk_abi *dk;
static const struct dk_start_params *g_start;
static DK_HANDLE g_out;

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = rt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	size_t done = 0;
	int tries = 0;
	while (g_out && done < (size_t)n && tries++ < 100) {
		size_t c = (size_t)n - done;
		if (dk->DkStreamWrite(g_out, 0, buf + done, &c) < 0)
			break;
		done += c;
	}
	if (done < (size_t)n)
		dk->DkDebugStringPrint(buf + done);
}

/* The verdict of the current attempt: notes, and whether anything got out. */
static char g_how[3000];
static int g_escaped;
static const char *g_pass = "";

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	size_t l = strlen(g_how);
	if (l >= sizeof(g_how) - 8)
		return;
	if (l)
		l += (size_t)rt_snprintf(g_how + l, sizeof(g_how) - l, "; ");
	if (l >= sizeof(g_how) - 8)
		return;
	if (*g_pass)
		l += (size_t)rt_snprintf(g_how + l, sizeof(g_how) - l, "[%s] ", g_pass);
	if (l >= sizeof(g_how) - 8)
		return;
	va_list ap;
	va_start(ap, fmt);
	rt_vsnprintf(g_how + l, sizeof(g_how) - l, fmt, ap);
	va_end(ap);
}

#define escaped(...) (g_escaped = 1, note("ESCAPE: " __VA_ARGS__))

/* ---- raw system calls ----------------------------------------------------- */
typedef long (*sysfn)(long, long, long, long, long, long, long);

static long sys_inline(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static sysfn g_sys = sys_inline;
static sysfn g_gate;           /* the PAL's gate_syscall6, if found */
static char g_gate_how[160];

#define S(...) S_(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)
#define S_(n, a, b, c, d, e, f, ...)                                                    \
	g_sys((long)(n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
/* Always the inline instruction (cleanup, exits). */
#define RAW(...) RAW_(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)
#define RAW_(n, a, b, c, d, e, f, ...)                                                  \
	sys_inline((long)(n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

#define IS_ERR(rc) ((unsigned long)(rc) > -4096ul)

static const char *ename(long rc)
{
	static char buf[32];
	static const struct { int e; const char *n; } names[] = {
		{1, "EPERM"}, {2, "ENOENT"}, {3, "ESRCH"}, {4, "EINTR"}, {5, "EIO"},
		{6, "ENXIO"}, {7, "E2BIG"}, {8, "ENOEXEC"}, {9, "EBADF"}, {10, "ECHILD"},
		{11, "EAGAIN"}, {12, "ENOMEM"}, {13, "EACCES"}, {14, "EFAULT"}, {16, "EBUSY"},
		{17, "EEXIST"}, {18, "EXDEV"}, {19, "ENODEV"}, {20, "ENOTDIR"}, {21, "EISDIR"},
		{22, "EINVAL"}, {23, "ENFILE"}, {24, "EMFILE"}, {25, "ENOTTY"}, {26, "ETXTBSY"},
		{27, "EFBIG"}, {28, "ENOSPC"}, {29, "ESPIPE"}, {30, "EROFS"}, {31, "EMLINK"},
		{36, "ENAMETOOLONG"}, {38, "ENOSYS"}, {39, "ENOTEMPTY"}, {40, "ELOOP"},
		{88, "ENOTSOCK"}, {93, "EPROTONOSUPPORT"}, {94, "ESOCKTNOSUPPORT"},
		{95, "EOPNOTSUPP"}, {97, "EAFNOSUPPORT"}, {98, "EADDRINUSE"},
		{99, "EADDRNOTAVAIL"}, {100, "ENETDOWN"}, {101, "ENETUNREACH"},
		{104, "ECONNRESET"}, {106, "EISCONN"}, {107, "ENOTCONN"}, {110, "ETIMEDOUT"},
		{111, "ECONNREFUSED"}, {113, "EHOSTUNREACH"}, {114, "EALREADY"},
		{115, "EINPROGRESS"}, {126, "ENOKEY"},
	};
	if (!IS_ERR(rc)) {
		rt_snprintf(buf, sizeof(buf), "ok(%ld)", rc);
		return buf;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == -rc)
			return names[i].n;
	rt_snprintf(buf, sizeof(buf), "errno%ld", -rc);
	return buf;
}

static const char *dkname(int rc)
{
	static const char *const names[DK_E_COUNT_] = {
		"OK", "INVALID", "BAD_HANDLE", "BAD_POINTER", "NO_MEMORY",
		"NOT_FOUND", "EXISTS", "DENIED", "TIMEOUT", "INTERRUPTED",
		"WOULD_BLOCK", "LIMIT", "NOT_IMPLEMENTED", "UNSUPPORTED",
		"NOT_DIRECTORY", "IS_DIRECTORY", "NOT_EMPTY", "NO_SPACE",
		"CLOSED", "REFUSED", "RESET", "ADDRESS_IN_USE", "STILL_RUNNING",
		"NAME_TOO_LONG", "CROSS_DEVICE", "READ_ONLY", "LOOP", "IO", "BUSY",
	};
	if (rc > 0)
		return "positive?";
	if (-rc < DK_E_COUNT_)
		return names[-rc];
	return "unknown";
}

/* A call that must fail.  On success it is an escape; a descriptor it
 * returned is closed. */
static long must_fail(const char *what, long rc, int is_fd)
{
	if (IS_ERR(rc)) {
		note("%s=%s", what, ename(rc));
	} else {
		escaped("%s succeeded (%ld)", what, rc);
		if (is_fd && rc >= 0)
			RAW(__NR_close, rc);
	}
	return rc;
}

/* ---- fault-safe byte probe (for finding the gate) -------------------------- */
__asm__(".text\n"
	".globl esc_probe_byte\n.hidden esc_probe_byte\n.type esc_probe_byte,@function\n"
	"esc_probe_byte:\n"
	".globl esc_probe_insn\n.hidden esc_probe_insn\n"
	"esc_probe_insn:\n"
	"	movzbl (%rdi), %eax\n"
	"	ret\n"
	".globl esc_probe_fault\n.hidden esc_probe_fault\n"
	"esc_probe_fault:\n"
	"	mov $-1, %eax\n"
	"	ret\n"
	".size esc_probe_byte, .-esc_probe_byte\n");
int esc_probe_byte(const void *p);
extern char esc_probe_insn[], esc_probe_fault[];

static int dispatch(const struct dk_exception_info *info, struct dk_context *ctx)
{
	if ((info->code == DK_EXC_MEMORY_FAULT || info->code == DK_EXC_BUS_ERROR) &&
	    ctx->rip == (uint64_t)(uintptr_t)esc_probe_insn) {
		ctx->rip = (uint64_t)(uintptr_t)esc_probe_fault;
		return DK_EXC_RESUME;
	}
	return DK_EXC_UNHANDLED;
}

/* gate_syscall6: mov %rdi,%rax; mov %rsi,%rdi; mov %rdx,%rsi; mov %rcx,%rdx;
 * mov %r8,%r10; mov %r9,%r8; mov 8(%rsp),%r9; syscall; ret */
static const uint8_t gate_pattern[] = {
	0x48, 0x89, 0xf8, 0x48, 0x89, 0xf7, 0x48, 0x89, 0xd6, 0x48, 0x89, 0xca,
	0x4d, 0x89, 0xc2, 0x4d, 0x89, 0xc8, 0x4c, 0x8b, 0x4c, 0x24, 0x08, 0x0f, 0x05, 0xc3,
};

struct elf_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static void find_gate(void)
{
	uintptr_t p = (uintptr_t)dk->DkDebugStringPrint & ~(uintptr_t)4095;
	uintptr_t base = 0;
	for (int i = 0; i < 16384 && p > 4096; i++, p -= 4096) {
		if (esc_probe_byte((void *)p) < 0)
			break;
		if (!memcmp((void *)p, "\177ELF", 4)) {
			base = p;
			break;
		}
	}
	if (!base) {
		rt_snprintf(g_gate_how, sizeof(g_gate_how), "PAL ELF header not found");
		return;
	}
	const struct elf_ehdr *eh = (const void *)base;
	const struct elf_phdr *ph = (const void *)(base + eh->phoff);
	for (int i = 0; i < eh->phnum && i < 64; i++) {
		if (ph[i].type != 1 /* PT_LOAD */ || !(ph[i].flags & 1 /* PF_X */))
			continue;
		const uint8_t *s = (const uint8_t *)(base + ph[i].vaddr);
		if (ph[i].vaddr < (uint64_t)(uintptr_t)s - base)
			continue;
		for (uint64_t off = 0; off + sizeof(gate_pattern) <= ph[i].memsz; off++)
			if (s[off] == 0x48 && !memcmp(s + off, gate_pattern, sizeof(gate_pattern))) {
				g_gate = (sysfn)(uintptr_t)(s + off);
				rt_snprintf(g_gate_how, sizeof(g_gate_how), "gate at PAL+0x%lx",
					    (unsigned long)((uintptr_t)(s + off) - base));
				return;
			}
	}
	rt_snprintf(g_gate_how, sizeof(g_gate_how), "gate pattern not found in the PAL at 0x%lx",
		    (unsigned long)base);
}

/* ---- arguments ------------------------------------------------------------ */
static const char *arg(const char *key)
{
	size_t n = strlen(key);
	for (int i = 2; i < g_start->argc; i++)
		if (!strncmp(g_start->argv[i], key, n) && g_start->argv[i][n] == '=')
			return g_start->argv[i] + n + 1;
	return NULL;
}

static long arg_num(const char *key, long fallback)
{
	const char *s = arg(key);
	uint64_t v;
	if (!s || !rt_parse_u64(s, &v))
		return fallback;
	return (long)v;
}

static const char *setting(const char *key)
{
	size_t n = strlen(key);
	for (const char *const *s = g_start->settings; s && *s; s++)
		if (!strncmp(*s, key, n) && (*s)[n] == '=')
			return *s + n + 1;
	return NULL;
}

static char g_secret_dir[512] = "/var/tmp/moat-secret-missing";
static char g_secret[600];
static long g_port = 9, g_victim = -1, g_victim2 = -1;
static uint32_t g_hostip; /* network order */

static uint32_t parse_ip4(const char *s)
{
	uint32_t ip = 0;
	for (int i = 0; i < 4; i++) {
		uint64_t v = 0;
		const char *e = rt_parse_u64(s, &v);
		if (!e || v > 255)
			return 0;
		ip |= (uint32_t)v << (8 * i);
		s = e;
		if (i < 3) {
			if (*s != '.')
				return 0;
			s++;
		}
	}
	return ip;
}

static void path(char *buf, size_t size, const char *name)
{
	rt_snprintf(buf, size, "%s/%s", g_secret_dir, name);
}

/* ---- helpers -------------------------------------------------------------- */
static void sleep_ms(uint64_t ms)
{
	dk->DkThreadDelayExecution(ms * 1000, NULL);
}

/* Opens PATH read-only; success is an escape only when it shows the secret
 * (reading it), so a mount the grant allows cannot be mistaken. */
static void try_read(const char *what, int dirfd, const char *p, int flags)
{
	long fd = S(__NR_openat, dirfd, p, O_RDONLY | O_CLOEXEC | flags, 0);
	if (IS_ERR(fd)) {
		note("%s: openat=%s", what, ename(fd));
		return;
	}
	char buf[128];
	long n = S(__NR_read, fd, buf, sizeof(buf) - 1);
	RAW(__NR_close, fd);
	if (IS_ERR(n)) {
		escaped("%s: openat succeeded (fd %ld), read=%s", what, fd, ename(n));
		return;
	}
	if (n > 40)
		n = 40;
	buf[n] = 0;
	for (long i = 0; i < n; i++)
		if (buf[i] == '\n' || buf[i] == ';')
			buf[i] = ' ';
	if (rt_startswith(buf, "moat-secret"))
		escaped("%s: opened and read it: \"%s...\"", what, buf);
	else /* never copy a host file's contents (e.g. /etc/shadow) into a log */
		escaped("%s: opened and read %ld bytes", what, n);
}

/* Creates a scratch file in the working directory (the grant). */
static long make_local(const char *name)
{
	RAW(__NR_unlinkat, AT_FDCWD, name, 0);
	long fd = RAW(__NR_openat, AT_FDCWD, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (!IS_ERR(fd)) {
		RAW(__NR_write, fd, "local\n", 6);
		RAW(__NR_close, fd);
		return 0;
	}
	return fd;
}

/* ==== attempts: files and paths =========================================== */
static void a_open_outside(void)
{
	try_read("absolute path", AT_FDCWD, g_secret, 0);
	char p[700];
	rt_snprintf(p, sizeof(p), "%s", g_secret_dir);
	long fd = S(__NR_openat, AT_FDCWD, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	must_fail("open secret dir", fd, 1);
}

static void a_open_dotdot(void)
{
	char p[900];
	int l = rt_snprintf(p, sizeof(p), "..");
	for (int i = 0; i < 24; i++)
		l += rt_snprintf(p + l, sizeof(p) - (size_t)l, "/..");
	rt_snprintf(p + l, sizeof(p) - (size_t)l, "%s", g_secret);
	try_read("cwd/../../..secret", AT_FDCWD, p, 0);
	rt_snprintf(p, sizeof(p), "/../../../..%s", g_secret);
	try_read("/../..secret", AT_FDCWD, p, 0);
}

static void a_symlink_out(void)
{
	RAW(__NR_unlinkat, AT_FDCWD, "link-out", 0);
	long rc = S(__NR_symlinkat, g_secret, AT_FDCWD, "link-out");
	note("symlinkat=%s", ename(rc));
	try_read("through symlink", AT_FDCWD, "link-out", 0);
	RAW(__NR_unlinkat, AT_FDCWD, "link-out", 0);
	/* a relative symlink climbing out */
	char target[900];
	int l = rt_snprintf(target, sizeof(target), "..");
	for (int i = 0; i < 24; i++)
		l += rt_snprintf(target + l, sizeof(target) - (size_t)l, "/..");
	rt_snprintf(target + l, sizeof(target) - (size_t)l, "%s", g_secret);
	rc = S(__NR_symlinkat, target, AT_FDCWD, "link-up");
	note("symlinkat(relative)=%s", ename(rc));
	try_read("through relative symlink", AT_FDCWD, "link-up", 0);
	RAW(__NR_unlinkat, AT_FDCWD, "link-up", 0);
}

static void a_symlink_etc_shadow(void)
{
	RAW(__NR_unlinkat, AT_FDCWD, "link-shadow", 0);
	long rc = S(__NR_symlinkat, "/etc/shadow", AT_FDCWD, "link-shadow");
	note("symlinkat=%s", ename(rc));
	try_read("/etc/shadow through symlink", AT_FDCWD, "link-shadow", 0);
	try_read("/etc/shadow directly", AT_FDCWD, "/etc/shadow", 0);
	RAW(__NR_unlinkat, AT_FDCWD, "link-shadow", 0);
}

/* Host files only root may read, inside a read-only grant: the grant is the
 * directory, not the right to read what the host's DAC keeps from others. */
static void a_etc_root_only(void)
{
	static const char *const files[] = {
		"/etc/gshadow", "/etc/ssh/ssh_host_ed25519_key", "/etc/ssh/ssh_host_rsa_key",
		"/etc/ssh/ssh_host_ecdsa_key", "/etc/sudoers", "/etc/security/opasswd", NULL,
	};
	for (int i = 0; files[i]; i++)
		try_read(files[i], AT_FDCWD, files[i], 0);
}

static void a_proc_self_root(void)
{
	char p[700];
	rt_snprintf(p, sizeof(p), "/proc/self/root%s", g_secret);
	try_read("/proc/self/root/...secret", AT_FDCWD, p, 0);
	rt_snprintf(p, sizeof(p), "/proc/1/root%s", g_secret);
	try_read("/proc/1/root/...secret", AT_FDCWD, p, 0);
	long fd = S(__NR_openat, AT_FDCWD, "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	must_fail("open /proc", fd, 1);
}

static void a_proc_1_environ(void)
{
	try_read("/proc/1/environ", AT_FDCWD, "/proc/1/environ", 0);
	try_read("/proc/1/cmdline", AT_FDCWD, "/proc/1/cmdline", 0);
	char p[64];
	rt_snprintf(p, sizeof(p), "/proc/%ld/environ", g_victim);
	try_read("/proc/<victim>/environ", AT_FDCWD, p, 0);
}

static void a_proc_1_mem(void)
{
	long fd = S(__NR_openat, AT_FDCWD, "/proc/1/mem", O_RDWR | O_CLOEXEC);
	must_fail("open /proc/1/mem rw", fd, 1);
	fd = S(__NR_openat, AT_FDCWD, "/proc/self/mem", O_RDWR | O_CLOEXEC);
	must_fail("open /proc/self/mem rw", fd, 1);
	fd = S(__NR_openat, AT_FDCWD, "/proc/sys/kernel/core_pattern", O_WRONLY | O_CLOEXEC);
	must_fail("open /proc/sys/kernel/core_pattern w", fd, 1);
}

static void a_hardlink_out(void)
{
	RAW(__NR_unlinkat, AT_FDCWD, "stolen", 0);
	long rc = S(__NR_linkat, AT_FDCWD, g_secret, AT_FDCWD, "stolen", 0);
	must_fail("linkat(secret -> cwd)", rc, 0);
	if (!IS_ERR(rc))
		try_read("the link", AT_FDCWD, "stolen", 0);
	/* and the other direction: plant a file from the grant into the host */
	make_local("plant");
	char p[700];
	path(p, sizeof(p), "moat-pwned-hardlink");
	rc = S(__NR_linkat, AT_FDCWD, "plant", AT_FDCWD, p, 0);
	must_fail("linkat(cwd -> secret dir)", rc, 0);
	RAW(__NR_unlinkat, AT_FDCWD, "stolen", 0);
	RAW(__NR_unlinkat, AT_FDCWD, "plant", 0);
}

static void a_hardlink_from_ro(void)
{
	RAW(__NR_unlinkat, AT_FDCWD, "passwd-link", 0);
	long rc = S(__NR_linkat, AT_FDCWD, "/etc/passwd", AT_FDCWD, "passwd-link", 0);
	must_fail("linkat(/etc/passwd -> cwd)", rc, 0);
	if (!IS_ERR(rc)) {
		/* a writable name for a read-only host file would be the escape */
		long fd = RAW(__NR_openat, AT_FDCWD, "passwd-link", O_WRONLY | O_APPEND | O_CLOEXEC);
		must_fail("open the link for writing", fd, 1);
		RAW(__NR_unlinkat, AT_FDCWD, "passwd-link", 0);
	}
	make_local("plant");
	rc = S(__NR_linkat, AT_FDCWD, "plant", AT_FDCWD, "/etc/moat-pwned-link", 0);
	must_fail("linkat(cwd -> /etc)", rc, 0);
	RAW(__NR_unlinkat, AT_FDCWD, "plant", 0);
}

static void a_openat_opath(void)
{
	long d = S(__NR_openat, AT_FDCWD, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (IS_ERR(d)) {
		note("O_PATH open of cwd=%s", ename(d));
		return;
	}
	char p[900];
	int l = rt_snprintf(p, sizeof(p), "..");
	for (int i = 0; i < 24; i++)
		l += rt_snprintf(p + l, sizeof(p) - (size_t)l, "/..");
	rt_snprintf(p + l, sizeof(p) - (size_t)l, "%s", g_secret);
	try_read("openat(O_PATH cwd, ../..secret)", (int)d, p, 0);
	/* climb with O_PATH one level at a time, then look for the secret */
	long cur = d;
	for (int i = 0; i < 24; i++) {
		long up = S(__NR_openat, cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cur != d)
			RAW(__NR_close, cur);
		if (IS_ERR(up)) {
			note("openat(.., O_PATH) level %d=%s", i, ename(up));
			cur = d;
			break;
		}
		cur = up;
	}
	try_read("openat(O_PATH top, secret)", (int)cur, g_secret + 1, 0);
	if (cur != d)
		RAW(__NR_close, cur);
	/* fchdir to the O_PATH descriptor, then open by a relative path */
	long rc = S(__NR_fchdir, d);
	note("fchdir(O_PATH)=%s", ename(rc));
	RAW(__NR_close, d);
}

static void a_rename_across_mounts(void)
{
	make_local("moving");
	long rc = S(__NR_renameat2, AT_FDCWD, "moving", AT_FDCWD, "/tmp/moat-pwned-moved", 0);
	if (!IS_ERR(rc)) {
		/* /tmp is the sandbox's own tmpfs; a rename there would need a copy
		 * across mounts, so success means /tmp is not a separate mount */
		note("rename cwd -> /tmp succeeded (same mount?)");
		RAW(__NR_unlinkat, AT_FDCWD, "/tmp/moat-pwned-moved", 0);
	} else {
		note("rename cwd -> /tmp=%s", ename(rc));
	}
	make_local("moving");
	char p[700];
	path(p, sizeof(p), "moat-pwned-renamed");
	rc = S(__NR_renameat2, AT_FDCWD, "moving", AT_FDCWD, p, 0);
	must_fail("rename cwd -> secret dir", rc, 0);
	rc = S(__NR_renameat2, AT_FDCWD, "moving", AT_FDCWD, "/etc/moat-pwned-renamed", 0);
	must_fail("rename cwd -> /etc", rc, 0);
	rc = S(__NR_renameat2, AT_FDCWD, "/etc/hostname", AT_FDCWD, "stolen-hostname", 0);
	must_fail("rename /etc/hostname -> cwd", rc, 0);
	rc = S(__NR_renameat2, AT_FDCWD, "/etc/passwd", AT_FDCWD, "/etc/moat-pwned-passwd", 0);
	must_fail("rename /etc/passwd within /etc", rc, 0);
	rc = S(__NR_renameat2, AT_FDCWD, g_secret, AT_FDCWD, "stolen-secret", 0);
	must_fail("rename secret -> cwd", rc, 0);
	RAW(__NR_unlinkat, AT_FDCWD, "moving", 0);
}

static void a_write_usr(void)
{
	long fd = S(__NR_openat, AT_FDCWD, "/usr/moat-pwned", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	must_fail("create /usr/moat-pwned", fd, 1);
	fd = S(__NR_openat, AT_FDCWD, "/usr/bin/env", O_WRONLY | O_APPEND | O_CLOEXEC);
	must_fail("open /usr/bin/env for writing", fd, 1);
	long rc = S(__NR_mkdirat, AT_FDCWD, "/usr/moat-pwned-dir", 0755);
	must_fail("mkdir /usr/moat-pwned-dir", rc, 0);
	rc = S(__NR_unlinkat, AT_FDCWD, "/usr/bin/env", 0);
	must_fail("unlink /usr/bin/env", rc, 0);
}

static void a_write_etc_passwd(void)
{
	long fd = S(__NR_openat, AT_FDCWD, "/etc/passwd", O_WRONLY | O_APPEND | O_CLOEXEC);
	if (!IS_ERR(fd)) {
		escaped("/etc/passwd opened for writing (fd %ld; nothing written)", fd);
		RAW(__NR_close, fd);
	} else {
		note("open /etc/passwd O_APPEND=%s", ename(fd));
	}
	fd = S(__NR_openat, AT_FDCWD, "/etc/passwd", O_RDWR | O_CLOEXEC);
	must_fail("open /etc/passwd O_RDWR", fd, 1);
	fd = S(__NR_openat, AT_FDCWD, "/etc/moat-pwned", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	must_fail("create /etc/moat-pwned", fd, 1);
	long rc = S(__NR_truncate, "/etc/passwd", 4096);
	must_fail("truncate /etc/passwd", rc, 0);
}

static void a_chmod_etc(void)
{
	long rc = S(__NR_fchmodat, AT_FDCWD, "/etc/passwd", 0666);
	must_fail("fchmodat /etc/passwd 0666", rc, 0);
	rc = S(__NR_chmod, "/etc/passwd", 0666);
	must_fail("chmod /etc/passwd 0666", rc, 0);
	rc = S(__NR_fchownat, AT_FDCWD, "/etc/passwd", 1, 1, 0);
	must_fail("fchownat /etc/passwd", rc, 0);
	rc = S(__NR_setxattr, "/etc/passwd", "user.moat", "x", 1, 0);
	must_fail("setxattr /etc/passwd", rc, 0);
	rc = S(__NR_utimensat, AT_FDCWD, "/etc/passwd", 0, 0);
	must_fail("utimensat /etc/passwd", rc, 0);
}

static void a_mknod_dev(void)
{
	RAW(__NR_unlinkat, AT_FDCWD, "mem", 0);
	RAW(__NR_unlinkat, AT_FDCWD, "disk", 0);
	long rc = S(__NR_mknodat, AT_FDCWD, "mem", S_IFCHR | 0666, (1 << 8) | 1); /* /dev/mem */
	must_fail("mknod c 1 1 (/dev/mem)", rc, 0);
	if (!IS_ERR(rc))
		try_read("the /dev/mem node", AT_FDCWD, "mem", 0);
	rc = S(__NR_mknodat, AT_FDCWD, "disk", S_IFBLK | 0666, (253 << 8) | 0); /* vda */
	must_fail("mknod b 253 0 (disk)", rc, 0);
	if (!IS_ERR(rc))
		try_read("the disk node", AT_FDCWD, "disk", 0);
	try_read("/dev/mem", AT_FDCWD, "/dev/mem", 0);
	try_read("/dev/vda", AT_FDCWD, "/dev/vda", 0);
	try_read("/dev/kmsg", AT_FDCWD, "/dev/kmsg", O_NONBLOCK);
	RAW(__NR_unlinkat, AT_FDCWD, "mem", 0);
	RAW(__NR_unlinkat, AT_FDCWD, "disk", 0);
}

static void a_write_moat_files(void)
{
	long fd = S(__NR_openat, AT_FDCWD, "/.moat/pal", O_RDWR | O_CLOEXEC);
	must_fail("open /.moat/pal rw", fd, 1);
	fd = S(__NR_openat, AT_FDCWD, "/.moat/libos.so", O_RDWR | O_CLOEXEC);
	must_fail("open /.moat/libos.so rw", fd, 1);
	long rc = S(__NR_renameat2, AT_FDCWD, "/.moat/pal", AT_FDCWD, "/.moat/pal.old", 0);
	must_fail("rename /.moat/pal", rc, 0);
	make_local("evil");
	rc = S(__NR_renameat2, AT_FDCWD, "evil", AT_FDCWD, "/.moat/libos.so", 0);
	must_fail("rename cwd/evil over /.moat/libos.so", rc, 0);
	RAW(__NR_unlinkat, AT_FDCWD, "evil", 0);
}

/* The "shocker" attack: a file handle for the root inode of the host file
 * system, opened relative to any descriptor on it. */
static void a_open_by_handle(void)
{
	struct {
		uint32_t bytes;
		int32_t type;
		uint32_t ino, gen;
	} h = {8, 1 /* FILEID_INO32_GEN */, 2, 0};
	long etc = S(__NR_openat, AT_FDCWD, "/etc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (IS_ERR(etc)) {
		note("open /etc=%s", ename(etc));
		etc = AT_FDCWD;
	}
	long fd = S(__NR_open_by_handle_at, etc, &h, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	must_fail("open_by_handle_at(root inode)", fd, 1);
	struct {
		uint32_t bytes;
		int32_t type;
		uint8_t f[128];
	} nh = {128, 0, {0}};
	int mnt = 0;
	long rc = S(__NR_name_to_handle_at, AT_FDCWD, "/etc/passwd", &nh, &mnt, 0);
	note("name_to_handle_at=%s", ename(rc));
	if (etc != AT_FDCWD)
		RAW(__NR_close, etc);
}

/* ==== attempts: network ===================================================== */
struct sockaddr_in_ {
	uint16_t family, port;
	uint32_t addr;
	uint8_t zero[8];
};
struct sockaddr_in6_ {
	uint16_t family, port;
	uint32_t flow;
	uint8_t addr[16];
	uint32_t scope;
};
struct sockaddr_un_ {
	uint16_t family;
	char path[108];
};

static uint16_t htons_(long p)
{
	return (uint16_t)(((p & 0xff) << 8) | ((p >> 8) & 0xff));
}

/* Connects a non-blocking socket; success (now or within 3 s) is an escape. */
static void try_connect(const char *what, int domain, int type, const void *sa, long salen)
{
	long s = S(__NR_socket, domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (IS_ERR(s)) {
		note("%s: socket=%s", what, ename(s));
		return;
	}
	long rc = S(__NR_connect, s, sa, salen);
	if (rc == -EINPROGRESS || rc == -EALREADY) {
		struct { int fd; short ev, rev; } pfd = {(int)s, POLLOUT, 0};
		struct { long sec, nsec; } ts = {3, 0};
		RAW(__NR_ppoll, &pfd, 1, &ts, 0, 8);
		rc = S(__NR_connect, s, sa, salen);
		if (rc == -EISCONN)
			rc = 0;
		if (rc == -EINPROGRESS || rc == -EALREADY) {
			note("%s: still connecting after 3 s (no SYN-ACK)", what);
			RAW(__NR_close, s);
			return;
		}
	}
	if (!IS_ERR(rc)) {
		long w = RAW(__NR_write, s, "moat-escape\n", 12);
		escaped("%s: connected (write=%s)", what, ename(w));
	} else {
		note("%s: connect=%s", what, ename(rc));
	}
	RAW(__NR_close, s);
}

static void a_connect_host_port(void)
{
	struct sockaddr_in_ sa = {AF_INET, htons_(g_port), 0x0100007f, {0}};
	try_connect("tcp 127.0.0.1", AF_INET, SOCK_STREAM, &sa, sizeof(sa));
	sa.addr = 0; /* 0.0.0.0 means this host */
	try_connect("tcp 0.0.0.0", AF_INET, SOCK_STREAM, &sa, sizeof(sa));
}

static void a_connect_host_ip(void)
{
	if (!g_hostip) {
		note("no hostip given; trying 127.0.0.2");
		g_hostip = 0x0200007f;
	}
	struct sockaddr_in_ sa = {AF_INET, htons_(g_port), g_hostip, {0}};
	try_connect("tcp host address", AF_INET, SOCK_STREAM, &sa, sizeof(sa));
}

static void a_connect_ipv6(void)
{
	struct sockaddr_in6_ sa = {AF_INET6, htons_(g_port), 0, {0}, 0};
	sa.addr[15] = 1; /* ::1 */
	try_connect("tcp [::1]", AF_INET6, SOCK_STREAM, &sa, sizeof(sa));
	/* ::ffff:127.0.0.1 */
	memset(sa.addr, 0, 16);
	sa.addr[10] = sa.addr[11] = 0xff;
	sa.addr[12] = 127;
	sa.addr[15] = 1;
	try_connect("tcp [::ffff:127.0.0.1]", AF_INET6, SOCK_STREAM, &sa, sizeof(sa));
}

static void a_udp_send(void)
{
	struct sockaddr_in_ sa = {AF_INET, htons_(g_port), 0x0100007f, {0}};
	long s = S(__NR_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (IS_ERR(s)) {
		note("socket(AF_INET, SOCK_DGRAM)=%s", ename(s));
		return;
	}
	long rc = S(__NR_sendto, s, "moat-escape-udp\n", 16, 0, &sa, sizeof(sa));
	note("sendto 127.0.0.1=%s", ename(rc));
	rc = S(__NR_connect, s, &sa, sizeof(sa));
	note("connect=%s", ename(rc));
	if (!IS_ERR(rc)) {
		rc = S(__NR_write, s, "moat-escape-udp\n", 16);
		note("write=%s", ename(rc));
	}
	if (g_hostip) {
		sa.addr = g_hostip;
		rc = S(__NR_sendto, s, "moat-escape-udp\n", 16, 0, &sa, sizeof(sa));
		note("sendto host address=%s", ename(rc));
	}
	/* a sent datagram is only an escape if the host received it: run.sh checks */
	RAW(__NR_close, s);
}

static void a_connect_unix(void)
{
	struct sockaddr_un_ sa = {AF_UNIX, {0}};
	path(sa.path, sizeof(sa.path), "sock");
	try_connect("unix path socket outside the mounts", AF_UNIX, SOCK_STREAM, &sa, sizeof(sa));
	memset(sa.path, 0, sizeof(sa.path));
	int n = rt_snprintf(sa.path + 1, sizeof(sa.path) - 1, "moat-canary-%ld", g_port);
	try_connect("abstract unix socket of the host", AF_UNIX, SOCK_STREAM, &sa, 2 + 1 + n);
}

static void try_socket(const char *what, long domain, long type, long proto)
{
	long s = S(__NR_socket, domain, type | SOCK_CLOEXEC, proto);
	must_fail(what, s, 1);
}

static void a_socket_netlink(void)
{
	try_socket("socket(AF_NETLINK, NETLINK_ROUTE)", AF_NETLINK, SOCK_RAW, 0);
	try_socket("socket(AF_NETLINK, NETLINK_AUDIT)", AF_NETLINK, SOCK_RAW, 9);
	try_socket("socket(AF_NETLINK, NETLINK_KOBJECT_UEVENT)", AF_NETLINK, SOCK_DGRAM, 15);
}

static void a_socket_packet(void)
{
	try_socket("socket(AF_PACKET, SOCK_RAW)", AF_PACKET, SOCK_RAW, 0x0300 /* htons(ETH_P_ALL) */);
	try_socket("socket(AF_PACKET, SOCK_DGRAM)", AF_PACKET, SOCK_DGRAM, 0x0008);
}

static void a_socket_raw(void)
{
	try_socket("socket(AF_INET, SOCK_RAW, IPPROTO_RAW)", AF_INET, SOCK_RAW, IPPROTO_RAW);
	try_socket("socket(AF_INET, SOCK_RAW, ICMP)", AF_INET, SOCK_RAW, 1);
	try_socket("socket(AF_INET6, SOCK_RAW)", AF_INET6, SOCK_RAW, 58);
}

static void a_socket_other(void)
{
	try_socket("socket(AF_VSOCK)", AF_VSOCK, SOCK_STREAM, 0);
	try_socket("socket(AF_ALG)", AF_ALG, SOCK_SEQPACKET, 0);
	try_socket("socket(AF_BLUETOOTH)", 31, SOCK_RAW, 0);
	try_socket("socket(AF_KEY)", 15, SOCK_RAW, 2);
}

static void a_abi_tcp_connect(void)
{
	char uri[128];
	DK_HANDLE h;
	rt_snprintf(uri, sizeof(uri), "tcp.client:127.0.0.1:%ld", g_port);
	int rc = dk->DkStreamOpen(uri, DK_ACCESS_READ | DK_ACCESS_WRITE, DK_CREATE_NEVER, 0, 0, &h);
	if (rc == 0) {
		escaped("DkStreamOpen(%s) connected", uri);
		dk->DkObjectClose(h);
	} else {
		note("DkStreamOpen(%s)=%s", uri, dkname(rc));
	}
	rt_snprintf(uri, sizeof(uri), "tcp.server:0.0.0.0:%ld", g_port + 1 > 65535 ? 1 : g_port + 1);
	rc = dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_ALWAYS, 0, 0, &h);
	/* listening inside a private network namespace is harmless; note it */
	note("DkStreamOpen(%s)=%s", uri, dkname(rc));
	if (rc == 0)
		dk->DkObjectClose(h);
	rc = dk->DkStreamOpen("dns:localhost", DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h);
	note("DkStreamOpen(dns:localhost)=%s (/etc/hosts)", dkname(rc));
	if (rc == 0)
		dk->DkObjectClose(h);
	/* a name only the host's resolver knows: the monitor must not look it
	 * up for a sandbox without network (a DNS query is a way out) */
	rc = dk->DkStreamOpen("dns:example.org", DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h);
	if (rc == 0) {
		escaped("dns:example.org resolved without a network grant");
		dk->DkObjectClose(h);
	} else {
		note("DkStreamOpen(dns:example.org)=%s", dkname(rc));
	}
}

static void a_abi_open_outside(void)
{
	char uri[700];
	DK_HANDLE h;
	rt_snprintf(uri, sizeof(uri), "file:%s", g_secret);
	int rc = dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h);
	if (rc == 0) {
		escaped("DkStreamOpen(%s) succeeded", uri);
		dk->DkObjectClose(h);
	} else {
		note("DkStreamOpen(%s)=%s", uri, dkname(rc));
	}
	rt_snprintf(uri, sizeof(uri), "file:%s/moat-pwned-abi", g_secret_dir);
	rc = dk->DkStreamOpen(uri, DK_ACCESS_WRITE, DK_CREATE_ALWAYS, 0, 0644, &h);
	if (rc == 0) {
		escaped("DkStreamOpen(%s, create) succeeded", uri);
		dk->DkObjectClose(h);
	} else {
		note("create %s=%s", uri, dkname(rc));
	}
	rc = dk->DkStreamOpen("file:/usr/moat-pwned-abi", DK_ACCESS_WRITE, DK_CREATE_ALWAYS, 0,
			      0644, &h);
	if (rc == 0) {
		escaped("DkStreamOpen(file:/usr/moat-pwned-abi, create) succeeded");
		dk->DkObjectClose(h);
	} else {
		note("create file:/usr/moat-pwned-abi=%s", dkname(rc));
	}
}

/* A DK call that must fail: success is an escape. */
static void dk_must_fail(const char *what, int rc)
{
	if (rc < 0)
		note("%s=%s", what, dkname(rc));
	else
		escaped("%s succeeded", what);
}

/* DkStreamLinkCreate(DK_LINK_HARD): a second, writable name for a file of a
 * read-only mount (or of no mount at all) inside the read-write grant. */
static void a_hardlink_ro_to_rw(void)
{
	char uri[700];
	DK_HANDLE h;
	RAW(__NR_unlinkat, AT_FDCWD, "abi-passwd-link", 0);
	int rc = dk->DkStreamLinkCreate("file:/etc/passwd", "file:abi-passwd-link", DK_LINK_HARD);
	dk_must_fail("DkStreamLinkCreate(/etc/passwd -> cwd)", rc);
	if (rc == 0) {
		rc = dk->DkStreamOpen("file:abi-passwd-link", DK_ACCESS_APPEND, DK_CREATE_NEVER, 0, 0,
				      &h);
		dk_must_fail("open the link for writing", rc);
		if (rc == 0)
			dk->DkObjectClose(h);
		RAW(__NR_unlinkat, AT_FDCWD, "abi-passwd-link", 0);
	}
	RAW(__NR_unlinkat, AT_FDCWD, "abi-ls-link", 0);
	rc = dk->DkStreamLinkCreate("file:/usr/bin/ls", "file:abi-ls-link", DK_LINK_HARD);
	dk_must_fail("DkStreamLinkCreate(/usr/bin/ls -> cwd)", rc);
	RAW(__NR_unlinkat, AT_FDCWD, "abi-ls-link", 0);
	/* the canary, outside every grant */
	RAW(__NR_unlinkat, AT_FDCWD, "abi-stolen", 0);
	rt_snprintf(uri, sizeof(uri), "file:%s", g_secret);
	rc = dk->DkStreamLinkCreate(uri, "file:abi-stolen", DK_LINK_HARD);
	dk_must_fail("DkStreamLinkCreate(secret -> cwd)", rc);
	RAW(__NR_unlinkat, AT_FDCWD, "abi-stolen", 0);
	/* and into read-only places */
	make_local("plant");
	rc = dk->DkStreamLinkCreate("file:plant", "file:/etc/moat-pwned-link", DK_LINK_HARD);
	dk_must_fail("DkStreamLinkCreate(cwd -> /etc)", rc);
	rc = dk->DkStreamLinkCreate("plant", "file:/usr/moat-pwned-sym", DK_LINK_SYMBOLIC);
	dk_must_fail("DkStreamLinkCreate(symbolic, in /usr)", rc);
	rt_snprintf(uri, sizeof(uri), "file:%s/moat-pwned-abi-link", g_secret_dir);
	rc = dk->DkStreamLinkCreate("file:plant", uri, DK_LINK_HARD);
	dk_must_fail("DkStreamLinkCreate(cwd -> secret dir)", rc);
	RAW(__NR_unlinkat, AT_FDCWD, "plant", 0);
}

/* DkStreamAttributesSet and DkStreamLinkRead on what the sandbox may only
 * read, or not see at all. */
static void a_abi_attr_set_ro(void)
{
	struct dk_stream_attr a;
	char uri[700], buf[256];
	size_t n = sizeof(buf);
	memset(&a, 0, sizeof(a));
	a.mode = 0666;
	dk_must_fail("DkStreamAttributesSet(/etc/passwd, 0666)",
		     dk->DkStreamAttributesSet("file:/etc/passwd", &a, DK_ATTR_MODE));
	a.atime_ns = a.mtime_ns = DK_TIME_NOW;
	dk_must_fail("DkStreamAttributesSet(/etc/passwd, times)",
		     dk->DkStreamAttributesSet("file:/etc/passwd", &a, DK_ATTR_TIMES));
	a.mode = 0777;
	dk_must_fail("DkStreamAttributesSet(/usr/bin, 0777)",
		     dk->DkStreamAttributesSet("file:/usr/bin", &a, DK_ATTR_MODE));
	dk_must_fail("DkStreamAttributesSet(/, 0777)",
		     dk->DkStreamAttributesSet("file:/", &a, DK_ATTR_MODE));
	rt_snprintf(uri, sizeof(uri), "file:%s", g_secret);
	a.mode = 0644;
	dk_must_fail("DkStreamAttributesSet(secret, mode)",
		     dk->DkStreamAttributesSet(uri, &a, DK_ATTR_MODE));
	a.atime_ns = a.mtime_ns = 1;
	dk_must_fail("DkStreamAttributesSet(secret, times)",
		     dk->DkStreamAttributesSet(uri, &a, DK_ATTR_TIMES));
	dk_must_fail("DkStreamLinkRead(secret)", dk->DkStreamLinkRead(uri, NULL, NULL, &a));
	dk_must_fail("DkStreamLinkRead(secret, text)", dk->DkStreamLinkRead(uri, buf, &n, NULL));
	/* a setuid file of one's own */
	make_local("suid");
	a.mode = 04755;
	dk_must_fail("DkStreamAttributesSet(own file, 04755)",
		     dk->DkStreamAttributesSet("file:suid", &a, DK_ATTR_MODE));
	RAW(__NR_unlinkat, AT_FDCWD, "suid", 0);
}

/* ==== attempts: forbidden system calls ======================================= */
static void a_io_uring_setup(void)
{
	uint32_t params[30] = {0}; /* struct io_uring_params is 120 bytes */
	long fd = S(__NR_io_uring_setup, 8, params);
	must_fail("io_uring_setup(8)", fd, 1);
	long rc = S(__NR_io_uring_register, 0, 0, 0, 0);
	note("io_uring_register=%s", ename(rc));
}

static void a_ptrace_traceme(void)
{
	long rc = S(__NR_ptrace, PTRACE_TRACEME, 0, 0, 0);
	must_fail("ptrace(TRACEME)", rc, 0);
}

static void a_ptrace_attach_host(void)
{
	long rc = S(__NR_ptrace, PTRACE_ATTACH, g_victim, 0, 0);
	must_fail("ptrace(ATTACH, host victim)", rc, 0);
	rc = S(__NR_ptrace, PTRACE_SEIZE, g_victim2, 0, 0);
	must_fail("ptrace(SEIZE, other sandbox's moat)", rc, 0);
	rc = S(__NR_ptrace, PTRACE_ATTACH, 1, 0, 0);
	must_fail("ptrace(ATTACH, 1 = sandbox init)", rc, 0);
	rc = S(__NR_ptrace, PTRACE_SEIZE, 1, 0, 0);
	must_fail("ptrace(SEIZE, 1)", rc, 0);
}

static void a_process_vm_readv(void)
{
	char buf[64];
	struct { void *base; size_t len; } local = {buf, sizeof(buf)}, remote = {(void *)0x400000, 64};
	long rc = S(__NR_process_vm_readv, g_victim, &local, 1, &remote, 1, 0);
	must_fail("process_vm_readv(host victim)", rc, 0);
	rc = S(__NR_process_vm_readv, 1, &local, 1, &remote, 1, 0);
	must_fail("process_vm_readv(1 = sandbox init)", rc, 0);
	rc = S(__NR_process_vm_writev, 1, &local, 1, &remote, 1, 0);
	must_fail("process_vm_writev(1)", rc, 0);
	rc = S(__NR_kcmp, 1, g_start->process_id, 0, 0, 0);
	must_fail("kcmp(1, self)", rc, 0);
}

static void a_bpf(void)
{
	/* BPF_MAP_CREATE of an array map */
	uint32_t attr[32] = {2 /* BPF_MAP_TYPE_ARRAY */, 4, 4, 1};
	long fd = S(__NR_bpf, 0 /* BPF_MAP_CREATE */, attr, 128);
	must_fail("bpf(MAP_CREATE)", fd, 1);
	/* BPF_PROG_LOAD: socket filter "return 0" */
	static const uint64_t insns[2] = {0x00000000000000b7ull /* r0 = 0 */, 0x0000000000000095ull /* exit */};
	static const char lic[] = "GPL";
	uint64_t pattr[16] = {0};
	pattr[0] = 1 | (2ull << 32); /* prog_type SOCKET_FILTER, insn_cnt 2 */
	pattr[1] = (uint64_t)(uintptr_t)insns;
	pattr[2] = (uint64_t)(uintptr_t)lic;
	fd = S(__NR_bpf, 5 /* BPF_PROG_LOAD */, pattr, 128);
	must_fail("bpf(PROG_LOAD)", fd, 1);
}

static void a_perf_event_open(void)
{
	uint32_t attr[32] = {1 /* PERF_TYPE_SOFTWARE */, 128 /* size */, 0 /* CPU_CLOCK */};
	long fd = S(__NR_perf_event_open, attr, 0, -1, -1, 0);
	must_fail("perf_event_open(self, sw clock)", fd, 1);
	fd = S(__NR_perf_event_open, attr, -1, 0, -1, 0);
	must_fail("perf_event_open(all tasks, cpu 0)", fd, 1);
}

static void a_mount_tmpfs(void)
{
	long rc = S(__NR_mount, "none", "/tmp", "tmpfs", 0, "size=1M");
	must_fail("mount tmpfs on /tmp", rc, 0);
	rc = S(__NR_mount, "/", "/tmp", 0, 0x1000 /* MS_BIND */ | 0x4000 /* MS_REC */, 0);
	must_fail("bind-mount / on /tmp", rc, 0);
	rc = S(__NR_mount, "proc", "/tmp", "proc", 0, 0);
	must_fail("mount proc", rc, 0);
	rc = S(__NR_mount, 0, "/etc", 0, 0x20 /* MS_REMOUNT */ | 0x1000, 0);
	must_fail("remount /etc rw", rc, 0);
}

static void a_new_mount_api(void)
{
	long fd = S(__NR_fsopen, "tmpfs", 1 /* FSOPEN_CLOEXEC */);
	must_fail("fsopen(tmpfs)", fd, 1);
	fd = S(__NR_open_tree, AT_FDCWD, "/etc", 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC);
	must_fail("open_tree(/etc, CLONE)", fd, 1);
	long rc = S(__NR_move_mount, AT_FDCWD, "/etc", AT_FDCWD, "/tmp", 0);
	must_fail("move_mount(/etc -> /tmp)", rc, 0);
	uint64_t mattr[4] = {0, 1 /* clear MOUNT_ATTR_RDONLY */, 0, 0};
	rc = S(__NR_mount_setattr, AT_FDCWD, "/etc", 0, mattr, 32);
	must_fail("mount_setattr(/etc, clear RDONLY)", rc, 0);
}

static void a_umount(void)
{
	long rc = S(__NR_umount2, "/etc", MNT_DETACH);
	must_fail("umount2(/etc, DETACH)", rc, 0);
	rc = S(__NR_umount2, "/.moat", MNT_DETACH);
	must_fail("umount2(/.moat, DETACH)", rc, 0);
	rc = S(__NR_umount2, "/", MNT_DETACH);
	must_fail("umount2(/, DETACH)", rc, 0);
}

static void a_pivot_root(void)
{
	long rc = S(__NR_pivot_root, ".", ".");
	must_fail("pivot_root(., .)", rc, 0);
	rc = S(__NR_pivot_root, "/tmp", "/tmp");
	must_fail("pivot_root(/tmp, /tmp)", rc, 0);
}

static void a_chroot(void)
{
	long rc = S(__NR_chroot, ".");
	must_fail("chroot(.)", rc, 0);
	if (!IS_ERR(rc))
		try_read("after chroot, ../..secret", AT_FDCWD, "../../../../../../../etc/shadow", 0);
}

static void a_unshare_user(void)
{
	long rc = S(__NR_unshare, CLONE_NEWUSER);
	must_fail("unshare(CLONE_NEWUSER)", rc, 0);
	rc = S(__NR_unshare, CLONE_NEWUSER | CLONE_NEWNS);
	must_fail("unshare(CLONE_NEWUSER|CLONE_NEWNS)", rc, 0);
}

static void a_unshare_net(void)
{
	long rc = S(__NR_unshare, CLONE_NEWNET);
	must_fail("unshare(CLONE_NEWNET)", rc, 0);
	rc = S(__NR_unshare, CLONE_NEWNS);
	must_fail("unshare(CLONE_NEWNS)", rc, 0);
	rc = S(__NR_unshare, CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP);
	must_fail("unshare(PID|IPC|UTS|CGROUP)", rc, 0);
	rc = S(__NR_unshare, CLONE_FS | CLONE_FILES);
	note("unshare(FS|FILES)=%s", ename(rc)); /* harmless either way */
}

static void a_setns(void)
{
	long fd = S(__NR_openat, AT_FDCWD, "/proc/1/ns/net", O_RDONLY | O_CLOEXEC);
	must_fail("open /proc/1/ns/net", fd, 1);
	int ok = 0, eperm = 0, other = 0;
	for (int i = 0; i < 64; i++) {
		long rc = S(__NR_setns, i, 0);
		if (!IS_ERR(rc)) {
			escaped("setns(%d, 0) succeeded", i);
			ok++;
		} else if (rc == -EPERM) {
			eperm++;
		} else {
			other++;
		}
	}
	note("setns(fd 0..63): %d EPERM, %d other errors, %d successes", eperm, other, ok);
	long pfd = S(__NR_pidfd_open, 1, 0);
	note("pidfd_open(1)=%s", ename(pfd));
	if (!IS_ERR(pfd)) {
		long rc = S(__NR_setns, pfd, CLONE_NEWNET | CLONE_NEWNS);
		must_fail("setns(pidfd of init, NET|NS)", rc, 0);
		RAW(__NR_close, pfd);
	}
}

static void a_keyctl(void)
{
	long rc = S(__NR_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
	must_fail("keyctl(GET_KEYRING_ID, session)", rc, 0);
	rc = S(__NR_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, 0);
	must_fail("keyctl(JOIN_SESSION_KEYRING)", rc, 0);
	rc = S(__NR_keyctl, 6 /* KEYCTL_DESCRIBE */, -4 /* user keyring */, 0, 0);
	must_fail("keyctl(DESCRIBE, user keyring)", rc, 0);
}

static void a_add_key(void)
{
	long rc = S(__NR_add_key, "user", "moat-escape", "x", 1, -2 /* process keyring */);
	must_fail("add_key(user)", rc, 0);
	rc = S(__NR_request_key, "user", "moat-escape", 0, 0);
	must_fail("request_key(user)", rc, 0);
}

static void a_kill_host(void)
{
	long rc = S(__NR_kill, g_victim, 0);
	if (!IS_ERR(rc)) {
		/* the host's pids are visible: no pid namespace.  kill(-1) would
		 * take the host down with it, so stop here. */
		escaped("kill(host victim, 0) succeeded: host pids are visible (kill(-1) not tried)");
		return;
	}
	rc = S(__NR_kill, g_victim, SIGKILL);
	must_fail("kill(host victim, SIGKILL)", rc, 0);
	rc = S(__NR_kill, g_victim2, SIGKILL);
	must_fail("kill(other sandbox's moat, SIGKILL)", rc, 0);
	rc = S(__NR_kill, g_victim, 0);
	must_fail("kill(host victim, 0)", rc, 0);
	long pfd = S(__NR_pidfd_open, g_victim, 0);
	must_fail("pidfd_open(host victim)", pfd, 1);
	/* kill(-1) reaches every process this one may signal: inside the pid
	 * namespace that is the sandbox's own; run.sh checks the host. */
	rc = S(__NR_kill, -1, SIGKILL);
	note("kill(-1, SIGKILL)=%s (the host checks decide)", ename(rc));
}

/* kill(0) signals the caller's process group, which the kernel does not
 * scope to the pid namespace: if the picoprocess shares the launching
 * shell's process group, this reaches host processes.  run.sh puts a host
 * process in moat's group and checks it survives. */
static void a_kill_pgrp(void)
{
	long rc = S(__NR_kill, 0, 18 /* SIGCONT: harmless to us */);
	note("kill(0, SIGCONT)=%s", ename(rc));
	rc = S(__NR_kill, 0, SIGTERM);
	note("kill(0, SIGTERM)=%s (survived)", ename(rc));
}

static void a_kill_init(void)
{
	/* The sandbox's trusted init is not in the picoprocesses' pid
	 * namespace: this program is pid 1 there, its parent invisible. */
	long pp = S(__NR_getppid);
	if (pp > 0)
		escaped("the first picoprocess sees a parent process (getppid=%ld)", pp);
	long rc = S(__NR_kill, 1, SIGKILL);
	note("kill(1, SIGKILL) (itself, the namespace's init)=%s", ename(rc));
	rc = S(__NR_kill, 1, SIGSTOP);
	note("kill(1, SIGSTOP)=%s", ename(rc));
	rc = S(__NR_kill, -1, SIGKILL);
	note("kill(-1, SIGKILL)=%s", ename(rc));
	rc = S(__NR_tgkill, 1, 1, SIGKILL);
	note("tgkill(1, 1, SIGKILL)=%s", ename(rc));
	sleep_ms(200);
	/* init still serves: a child process can be created */
	const char *args[] = {"exit0", NULL};
	DK_HANDLE p;
	int drc = dk->DkProcessCreate(g_start->argv[0], args, &p);
	if (drc < 0 && drc != -DK_E_LIMIT) {
		escaped("sandbox init stopped serving after the signals: DkProcessCreate=%s",
			dkname(drc));
	} else {
		note("init alive (DkProcessCreate=%s)", dkname(drc));
		if (drc == 0)
			dk->DkObjectClose(p);
	}
}

static void a_tgkill_other(void)
{
	long rc = S(__NR_tgkill, 1, 1, SIGKILL);
	note("tgkill(1, 1, SIGKILL)=%s", ename(rc));
	rc = S(__NR_tgkill, g_victim, g_victim, SIGKILL);
	must_fail("tgkill(victim, victim, SIGKILL)", rc, 0);
	rc = S(__NR_tkill, g_victim, SIGKILL);
	must_fail("tkill(victim, SIGKILL)", rc, 0);
	struct { int signo, err, code, pad; } si = {SIGKILL, 0, -1 /* SI_QUEUE */, 0};
	rc = S(__NR_rt_sigqueueinfo, g_victim, SIGKILL, &si);
	must_fail("rt_sigqueueinfo(victim)", rc, 0);
}

/* A successful clone gives a child that must leave at once. */
static void child_leaves(long rc)
{
	if (rc == 0)
		for (;;)
			RAW(__NR_exit_group, 0);
}

static void try_clone(const char *what, long flags)
{
	long rc = S(__NR_clone, flags, 0, 0, 0, 0);
	child_leaves(rc);
	must_fail(what, rc, 0);
}

static void a_clone_newns(void)
{
	try_clone("clone(NEWNS|SIGCHLD)", CLONE_NEWNS | SIGCHLD);
	try_clone("clone(NEWUSER|SIGCHLD)", CLONE_NEWUSER | SIGCHLD);
	try_clone("clone(NEWNET|SIGCHLD)", CLONE_NEWNET | SIGCHLD);
	try_clone("clone(NEWPID|SIGCHLD)", CLONE_NEWPID | SIGCHLD);
}

static void a_clone_fork(void)
{
	/* clone(SIGCHLD) is fork, allowed: the child is a picoprocess of the
	 * same sandbox and must be exactly as confined as its parent. */
	long rc = S(__NR_clone, SIGCHLD, 0, 0, 0, 0);
	if (rc == 0) {
		long u = RAW(__NR_unshare, 0x10000000 /* CLONE_NEWUSER */);
		long t = RAW(__NR_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0);
		long m = RAW(__NR_mount, "none", "/tmp", "tmpfs", 0, 0);
		for (;;)
			RAW(__NR_exit_group, (u == 0 || t == 0 || m == 0) ? 1 : 0);
	}
	if (rc < 0) {
		note("clone(SIGCHLD)=%s", ename(rc));
	} else {
		int si[32] = {0};
		long w = S(__NR_waitid, 1 /* P_PID */, rc, si, 4 /* WEXITED */, 0);
		if (w < 0)
			escaped("cannot reap the forked child: waitid=%s", ename(w));
		else if (si[6] != 0) /* si_status */
			escaped("a forked child escaped confinement (unshare, ptrace or mount "
				"worked)");
		else
			note("forked child still confined");
	}
	try_clone("clone(SIGCHLD|CLONE_NEWUSER)", SIGCHLD | 0x10000000);
	try_clone("clone(SIGCHLD|CLONE_NEWPID)", SIGCHLD | 0x20000000);
	try_clone("clone(SIGCHLD|CLONE_PARENT)", SIGCHLD | 0x00008000);
	rc = S(__NR_fork);
	child_leaves(rc);
	must_fail("fork()", rc, 0);
}

static void a_clone3(void)
{
	uint64_t args[11] = {0};
	args[4] = SIGCHLD; /* exit_signal */
	long rc = S(__NR_clone3, args, 88);
	child_leaves(rc);
	must_fail("clone3(SIGCHLD)", rc, 0);
	args[0] = CLONE_NEWUSER;
	rc = S(__NR_clone3, args, 88);
	child_leaves(rc);
	must_fail("clone3(NEWUSER)", rc, 0);
}

static void a_vfork(void)
{
	/* inline only: a vfork child shares this stack until it exits */
	long rc;
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov $231, %%eax\n\t" /* exit_group(0) in the child */
			 "xor %%edi, %%edi\n\t"
			 "syscall\n\t"
			 "1:"
			 : "=a"(rc)
			 : "a"((long)__NR_vfork)
			 : "rcx", "r11", "rdi", "memory");
	must_fail("vfork()", rc, 0);
}

static void a_execve_host(void)
{
	const char *argv[] = {"sh", "-c",
			      "echo 'ESCAPED execve_host: /bin/sh ran inside the picoprocess'; exit 1",
			      NULL};
	const char *envp[] = {"PATH=/usr/bin:/bin", NULL};
	long rc = S(__NR_execve, "/bin/sh", argv, envp);
	must_fail("execve(/bin/sh)", rc, 0);
	long fd = S(__NR_openat, AT_FDCWD, "/bin/sh", O_PATH | O_CLOEXEC);
	if (!IS_ERR(fd)) {
		rc = S(__NR_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
		must_fail("execveat(O_PATH /bin/sh)", rc, 0);
		RAW(__NR_close, fd);
	}
	/* a copy in the writable working directory */
	fd = S(__NR_openat, AT_FDCWD, "/bin/sh", O_RDONLY | O_CLOEXEC);
	long out = S(__NR_openat, AT_FDCWD, "sh-copy", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (!IS_ERR(fd) && !IS_ERR(out)) {
		static char buf[65536];
		long n;
		while ((n = RAW(__NR_read, fd, buf, sizeof(buf))) > 0)
			RAW(__NR_write, out, buf, n);
	}
	if (!IS_ERR(fd))
		RAW(__NR_close, fd);
	if (!IS_ERR(out)) {
		RAW(__NR_close, out);
		rc = S(__NR_execve, "sh-copy", argv, envp);
		must_fail("execve(cwd copy of sh)", rc, 0);
		RAW(__NR_unlinkat, AT_FDCWD, "sh-copy", 0);
	}
}

static void a_memfd_exec(void)
{
	long mfd = S(__NR_memfd_create, "x", 1 /* MFD_CLOEXEC */);
	if (IS_ERR(mfd)) {
		note("memfd_create=%s", ename(mfd));
		return;
	}
	note("memfd_create succeeded (fd %ld)", mfd);
	long fd = RAW(__NR_openat, AT_FDCWD, "/bin/sh", O_RDONLY | O_CLOEXEC);
	if (!IS_ERR(fd)) {
		static char buf[65536];
		long n;
		while ((n = RAW(__NR_read, fd, buf, sizeof(buf))) > 0)
			RAW(__NR_write, mfd, buf, n);
		RAW(__NR_close, fd);
	}
	const char *argv[] = {"sh", "-c",
			      "echo 'ESCAPED memfd_exec: /bin/sh ran from a memfd'; exit 1", NULL};
	const char *envp[] = {NULL};
	long rc = S(__NR_execveat, mfd, "", argv, envp, AT_EMPTY_PATH);
	must_fail("execveat(memfd)", rc, 0);
	RAW(__NR_close, mfd);
}

static void a_personality(void)
{
	long cur = S(__NR_personality, 0xffffffffl);
	note("personality(query)=%s", ename(cur));
	long rc = S(__NR_personality, 0x0040000 /* ADDR_NO_RANDOMIZE */);
	if (!IS_ERR(rc)) {
		long now = RAW(__NR_personality, 0xffffffffl);
		if (!IS_ERR(now) && (now & 0x0040000))
			escaped("personality(ADDR_NO_RANDOMIZE) took effect (0x%lx)", now);
		else
			note("personality(ADDR_NO_RANDOMIZE) returned %ld without effect", rc);
	} else {
		note("personality(ADDR_NO_RANDOMIZE)=%s", ename(rc));
	}
	rc = S(__NR_personality, 0x0400000 /* READ_IMPLIES_EXEC */);
	if (!IS_ERR(rc)) {
		long now = RAW(__NR_personality, 0xffffffffl);
		if (!IS_ERR(now) && (now & 0x0400000))
			escaped("personality(READ_IMPLIES_EXEC) took effect (0x%lx)", now);
	} else {
		note("personality(READ_IMPLIES_EXEC)=%s", ename(rc));
	}
}

static void a_userfaultfd(void)
{
	long fd = S(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	must_fail("userfaultfd()", fd, 1);
	fd = S(__NR_openat, AT_FDCWD, "/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	must_fail("open /dev/userfaultfd", fd, 1);
}

static void a_kexec_load(void)
{
	long rc = S(__NR_kexec_load, 0, 0, 0, 0);
	must_fail("kexec_load(0 segments)", rc, 0);
	rc = S(__NR_kexec_file_load, -1, -1, 0, "", 4 /* KEXEC_FILE_NO_INITRAMFS */ | 1 /* UNLOAD */);
	must_fail("kexec_file_load(UNLOAD)", rc, 0);
}

static void a_init_module(void)
{
	static const char junk[64] = "\177ELF not a module";
	long rc = S(__NR_init_module, junk, sizeof(junk), "");
	must_fail("init_module(junk)", rc, 0);
	long fd = RAW(__NR_openat, AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC);
	rc = S(__NR_finit_module, fd, "", 0);
	must_fail("finit_module(/etc/passwd)", rc, 0);
	if (!IS_ERR(fd))
		RAW(__NR_close, fd);
	rc = S(__NR_delete_module, "loop", 04000 /* O_NONBLOCK */);
	must_fail("delete_module(loop)", rc, 0);
}

static void a_reboot(void)
{
	/* a bad magic: the capability check comes first, so EPERM means the
	 * kernel refused, EINVAL that only the magic number saved the host */
	long rc = S(__NR_reboot, 0x12345678, 0x12345678, 0, 0);
	if (rc == -22)
		escaped("reboot() passed the permission check (EINVAL on a bad magic)");
	else
		must_fail("reboot(bad magic)", rc, 0);
}

static void a_swapon(void)
{
	make_local("swapfile");
	long rc = S(__NR_swapon, "swapfile", 0);
	must_fail("swapon(cwd/swapfile)", rc, 0);
	rc = S(__NR_swapoff, "/dev/vda");
	must_fail("swapoff(/dev/vda)", rc, 0);
	RAW(__NR_unlinkat, AT_FDCWD, "swapfile", 0);
}

static void a_privileged_misc(void)
{
	long rc = S(__NR_iopl, 3);
	must_fail("iopl(3)", rc, 0);
	rc = S(__NR_ioperm, 0x80, 1, 1);
	must_fail("ioperm(0x80)", rc, 0);
	char buf[256];
	rc = S(__NR_syslog, 3 /* READ_ALL */, buf, sizeof(buf));
	must_fail("syslog(READ_ALL)", rc, 0);
	rc = S(__NR_sethostname, "moat-pwned", 10);
	must_fail("sethostname", rc, 0);
	struct { long sec, nsec; } ts;
	RAW(__NR_clock_gettime, 0, &ts);
	rc = S(__NR_clock_settime, 0, &ts);
	must_fail("clock_settime(REALTIME, now)", rc, 0);
	rc = S(__NR_acct, "acct-file");
	must_fail("acct", rc, 0);
	rc = S(__NR_quotactl, 0x800002 /* Q_SYNC */, 0, 0, 0);
	note("quotactl(Q_SYNC)=%s", ename(rc));
}

static void a_capset(void)
{
	struct { uint32_t version; int pid; } hdr = {0x20080522, 0};
	struct { uint32_t eff, perm, inh; } data[2];
	long rc = S(__NR_capget, &hdr, data);
	note("capget=%s", ename(rc));
	if (!IS_ERR(rc))
		note("caps eff=%x:%x perm=%x:%x", data[0].eff, data[1].eff, data[0].perm, data[1].perm);
	if (!IS_ERR(rc) && (data[0].eff || data[1].eff || data[0].perm || data[1].perm))
		escaped("capabilities still held: eff %x:%x perm %x:%x", data[0].eff, data[1].eff,
			data[0].perm, data[1].perm);
	for (int i = 0; i < 2; i++)
		data[i].eff = data[i].perm = data[i].inh = 0xffffffffu;
	hdr.version = 0x20080522;
	hdr.pid = 0;
	rc = S(__NR_capset, &hdr, data);
	must_fail("capset(all)", rc, 0);
	struct { uint64_t cur, max; } lim = {~0ull, ~0ull};
	rc = S(__NR_prlimit64, 0, 7 /* RLIMIT_NOFILE */, &lim, 0);
	must_fail("prlimit64(NOFILE, infinity)", rc, 0);
	rc = S(__NR_setrlimit, 6 /* RLIMIT_NPROC */, &lim);
	must_fail("setrlimit(NPROC, infinity)", rc, 0);
	rc = S(__NR_prctl, 38 /* PR_SET_NO_NEW_PRIVS */, 0, 0, 0, 0);
	note("prctl(NO_NEW_PRIVS, 0)=%s", ename(rc));
	rc = RAW(__NR_prctl, 39 /* PR_GET_NO_NEW_PRIVS */, 0, 0, 0, 0);
	if (rc == 0)
		escaped("no_new_privs is not set");
	else
		note("no_new_privs=%s", ename(rc));
	rc = RAW(__NR_prctl, 21 /* PR_GET_SECCOMP */, 0, 0, 0, 0);
	if (rc == 0)
		escaped("no seccomp filter (PR_GET_SECCOMP=0)");
	else
		note("PR_GET_SECCOMP=%s", ename(rc));
}

static void a_int80(void)
{
	/* i386 entry: getuid32 (199) is not on any allowlist */
	long rc;
	__asm__ volatile("int $0x80" : "=a"(rc) : "a"(199L) : "r8", "r9", "r10", "r11", "memory");
	if (!IS_ERR(rc))
		escaped("int $0x80 getuid32 returned %ld: the i386 table bypasses the allowlist", rc);
	else
		note("int $0x80 getuid32=%s", ename(rc));
	/* i386 ptrace(TRACEME) = 26 */
	__asm__ volatile("int $0x80" : "=a"(rc) : "a"(26L), "b"(0L), "c"(0L), "d"(0L)
			 : "r8", "r9", "r10", "r11", "memory");
	must_fail("int $0x80 ptrace(TRACEME)", rc, 0);
	/* x32: the x32 bit on unshare */
	rc = S(0x40000000L | __NR_unshare, CLONE_NEWUSER);
	must_fail("x32 unshare(NEWUSER)", rc, 0);
	/* numbers past the table */
	rc = S(1000);
	note("syscall 1000=%s", ename(rc));
}

static void a_tiocsti(void)
{
	char c = '#';
	int any = 0;
	for (int fd = 0; fd < 3; fd++) {
		long rc = S(__NR_ioctl, fd, TIOCSTI, &c);
		if (!IS_ERR(rc)) {
			escaped("ioctl(%d, TIOCSTI) injected a character into the host terminal", fd);
			any = 1;
		} else {
			note("ioctl(%d, TIOCSTI)=%s", fd, ename(rc));
		}
	}
	long rc = S(__NR_ioctl, 0, 0x5422 /* TIOCSCTTY */, 1);
	note("ioctl(0, TIOCSCTTY)=%s", ename(rc));
	(void)any;
}

/* ==== descriptor leaks ======================================================= */
static void a_fd_leak(void)
{
	long chan = -1, parent = -1;
	const char *s = setting("CHANNEL_FD");
	uint64_t v;
	if (s && rt_parse_u64(s, &v))
		chan = (long)v;
	s = setting("PARENT_FD");
	if (s && rt_parse_u64(s, &v))
		parent = (long)v;
	char list[1200];
	int l = 0;
	list[0] = 0;
	int fcntl_ok = 0;
	for (long fd = 0; fd < 1024; fd++) {
		/* fstat finds every open descriptor (fcntl(F_GETFD) may be filtered) */
		uint64_t st[18];
		long rc = RAW(__NR_fstat, fd, st);
		if (IS_ERR(rc))
			continue;
		long fl = RAW(__NR_fcntl, fd, F_GETFD);
		if (!IS_ERR(fl))
			fcntl_ok = 1;
		uint32_t mode = (uint32_t)(st[3] & 0xffffffff);
		const char *t = "?";
		switch (mode & S_IFMT) {
		case S_IFSOCK: t = "sock"; break;
		case S_IFLNK: t = "lnk"; break;
		case S_IFREG: t = "file"; break;
		case S_IFBLK: t = "blk"; break;
		case S_IFDIR: t = "dir"; break;
		case S_IFCHR: t = "chr"; break;
		case S_IFIFO: t = "fifo"; break;
		case 0: t = "anon"; break;
		}
		int inherited = !IS_ERR(fl) && !(fl & FD_CLOEXEC);
		if (l < (int)sizeof(list) - 40)
			l += rt_snprintf(list + l, sizeof(list) - (size_t)l, " %ld:%s%s", fd, t,
					 inherited ? "(no-cloexec)" : "");
		if (fd <= 2 || fd == chan || fd == parent)
			continue;
		/* Anything that survived execve of the PAL (no close-on-exec) came
		 * from the monitor; a directory is a way out of the mount view; a
		 * socket, pipe, file or device the PAL did not open for us at start
		 * is a monitor descriptor (the PAL's own are eventfds/pidfds). */
		if (inherited)
			escaped("fd %ld (%s) was inherited from the host", fd, t);
		else if ((mode & S_IFMT) == S_IFDIR)
			escaped("fd %ld is a directory", fd);
		else if ((mode & S_IFMT) != 0)
			escaped("fd %ld (%s, dev 0x%lx ino %lu) is open at start", fd, t,
				(unsigned long)st[0], (unsigned long)st[1]);
	}
	if (!fcntl_ok)
		note("fcntl(F_GETFD) filtered: judged by type");
	note("channel fd %ld, parent fd %ld; open:%s", chan, parent, list);
	if (chan < 0)
		note("no CHANNEL_FD setting (monitor channel not wired?)");
	else {
		uint64_t st[18];
		if (IS_ERR(RAW(__NR_fstat, chan, st)))
			note("CHANNEL_FD %ld is not open", chan);
	}
	/* The channel must not lead anywhere but the monitor: its peer must not
	 * accept new connections or hand out directories.  Checked by
	 * channel_garbage. */
	(void)O_NOFOLLOW;
}

/* Garbage on the monitor channel must end this picoprocess (or be refused),
 * never the monitor. */
static void a_channel_garbage(void)
{
	const char *s = setting("CHANNEL_FD");
	uint64_t v;
	if (!s || !rt_parse_u64(s, &v)) {
		note("no CHANNEL_FD setting: nothing to attack (monitor channel not wired?)");
		return;
	}
	long fd = (long)v;
	struct {
		uint32_t type, size, seq;
		int32_t status;
		uint64_t arg;
		char payload[64];
	} m;
	/* 1: size field larger than the packet */
	memset(&m, 0, sizeof(m));
	m.type = 1;
	m.size = 60000;
	m.seq = 1;
	m.arg = 3;
	long rc = RAW(__NR_write, fd, &m, 24);
	note("oversized header: write=%s", ename(rc));
	/* 2: unknown type */
	m.type = 0x7fffffff;
	m.size = 24;
	rc = RAW(__NR_write, fd, &m, 24);
	note("unknown type: write=%s", ename(rc));
	/* 3: PROCESS_CREATE claiming 100000 args, strings not terminated */
	m.type = 1;
	m.size = sizeof(m);
	m.arg = 100000;
	memset(m.payload, 'A', sizeof(m.payload));
	rc = RAW(__NR_write, fd, &m, sizeof(m));
	note("bad PROCESS_CREATE: write=%s", ename(rc));
	/* 4: a short packet */
	rc = RAW(__NR_write, fd, &m, 3);
	note("3-byte packet: write=%s", ename(rc));
	/* 5: EXIT_CODE_QUERY for someone else's process */
	memset(&m, 0, sizeof(m));
	m.type = 3;
	m.size = 24;
	m.arg = 1;
	rc = RAW(__NR_write, fd, &m, 24);
	note("EXIT_CODE_QUERY(1): write=%s", ename(rc));
	sleep_ms(300);
	/* Still alive (the monitor may have ended us: run.sh accepts SIGKILL).
	 * The monitor must still answer. */
	const char *args[] = {"exit0", NULL};
	DK_HANDLE p;
	int drc = dk->DkProcessCreate(g_start->argv[0], args, &p);
	note("DkProcessCreate after the garbage=%s", dkname(drc));
	if (drc == 0)
		dk->DkObjectClose(p);
}

/* ==== resource bombs =========================================================== */
static void sleeper(void *param)
{
	DK_HANDLE ev = (DK_HANDLE)(uintptr_t)param;
	for (;;)
		dk->DkObjectsWaitAny(1, &ev, DK_WAIT_INFINITE, NULL);
}

static void a_fork_bomb(void)
{
	long limit = arg_num("limit", 8);
	const char *args[] = {"sleep", NULL};
	long n = 0;
	int rc = 0;
	for (; n < 1000; n++) {
		DK_HANDLE p;
		rc = dk->DkProcessCreate(g_start->argv[0], args, &p);
		if (rc < 0)
			break;
	}
	if (n >= limit)
		escaped("DkProcessCreate made %ld children (manifest limit %ld processes)", n, limit);
	else
		note("DkProcessCreate stopped after %ld children with %s (limit %ld)", n,
		     dkname(rc), limit);
	if (rc != -DK_E_LIMIT && n < limit)
		note("(error is not DK_E_LIMIT)");
	/* The raw way: clone(SIGCHLD) is fork, which the filter allows (the
	 * child stays in the sandbox); the kernel's RLIMIT_NPROC, the
	 * manifest's thread limit, must stop it.  Children wait for ever
	 * (until the sandbox ends). */
	long threads = arg_num("threads", 64), k = 0, c = 0;
	for (; k < 10000; k++) {
		c = S(__NR_clone, SIGCHLD, 0, 0, 0, 0);
		if (c == 0)
			for (;;)
				RAW(__NR_ppoll, 0, 0, 0, 0, 0);
		if (c < 0)
			break;
	}
	if (k >= threads)
		escaped("raw clone(SIGCHLD) made %ld processes (thread limit %ld)", k, threads);
	else
		note("raw clone(SIGCHLD) stopped after %ld processes with errno %ld (thread limit %ld)",
		     k, -c, threads);
}

static void a_thread_bomb(void)
{
	long limit = arg_num("limit", 64);
	DK_HANDLE ev;
	if (dk->DkNotificationEventCreate(0, &ev) < 0) {
		note("cannot create an event");
		return;
	}
	long n = 0;
	int rc = 0;
	long cap = limit * 4 + 64;
	for (; n < cap; n++) {
		DK_HANDLE t;
		rc = dk->DkThreadCreate(sleeper, (void *)(uintptr_t)ev, 0, &t);
		if (rc < 0)
			break;
	}
	if (n > limit)
		escaped("DkThreadCreate made %ld threads (manifest limit %ld)%s", n, limit,
			n >= cap ? " and never failed" : "");
	else
		note("DkThreadCreate stopped after %ld threads with %s (limit %ld)", n, dkname(rc),
		     limit);
	/* raw thread clones too */
	long c = S(__NR_clone, CLONE_VM | CLONE_FS | CLONE_FILES | 0x800 | 0x10000 | 0x40000, 0, 0, 0, 0);
	if (c == 0)
		for (;;)
			RAW(__NR_exit, 0); /* never reached: no stack given means shared stack */
	note("raw thread clone after the limit=%s", ename(c));
}

static void a_memory_bomb(void)
{
	long limit_mb = arg_num("limit", 256);
	const size_t chunk = 64ull << 20;
	long total_mb = 0;
	int rc = 0;
	long cap_mb = limit_mb * 4 + 512;
	while (total_mb < cap_mb) {
		void *p = NULL;
		rc = dk->DkVirtualMemoryAlloc(&p, chunk, DK_MEM_RESERVE | DK_MEM_COMMIT,
					      DK_PROT_READ | DK_PROT_WRITE);
		if (rc < 0)
			break;
		for (size_t o = 0; o < chunk; o += 4096)
			((volatile char *)p)[o] = 1;
		total_mb += 64;
	}
	/* raw mmap past the limit too */
	long m = S(__NR_mmap, 0, 512ull << 20, 3, 0x22 /* PRIVATE|ANON */, -1, 0);
	note("raw mmap 512 MiB after the bomb=%s", IS_ERR(m) ? ename(m) : "ok");
	if (!IS_ERR(m))
		RAW(__NR_munmap, m, 512ull << 20);
	if (total_mb > limit_mb)
		escaped("committed and touched %ld MiB (manifest limit %ld MiB)", total_mb, limit_mb);
	else
		note("DkVirtualMemoryAlloc stopped at %ld MiB with %s (limit %ld MiB)", total_mb,
		     dkname(rc), limit_mb);
}

static void a_fd_bomb(void)
{
	long limit = arg_num("limit", 64);
	long n = 0;
	int rc = 0;
	long cap = limit * 4 + 1024;
	for (; n < cap; n++) {
		DK_HANDLE h;
		rc = dk->DkStreamOpen("file:/etc/passwd", DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h);
		if (rc < 0)
			break;
	}
	long raw = 0;
	for (; raw < cap; raw++) {
		long fd = S(__NR_openat, AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC);
		if (IS_ERR(fd)) {
			note("raw openat then=%s", ename(fd));
			break;
		}
	}
	if (n + raw > limit)
		escaped("opened %ld streams + %ld raw descriptors (manifest limit %ld files)", n, raw,
			limit);
	else
		note("DkStreamOpen stopped after %ld streams with %s, raw after %ld more (limit %ld)",
		     n, dkname(rc), raw, limit);
}

static void a_cpu_bomb(void)
{
	/* run.sh expects a signal within a few seconds; printing nothing */
	volatile uint64_t x = 0;
	uint64_t start = 0, now = 0;
	dk->DkSystemTimeQuery(DK_CLOCK_MONOTONIC, &start);
	for (;;) {
		for (int i = 0; i < 10000000; i++)
			x += (uint64_t)i;
		dk->DkSystemTimeQuery(DK_CLOCK_MONOTONIC, &now);
		if (now - start > 30ull * 1000000000ull) {
			escaped("spun for 30 s of wall time without being stopped");
			return;
		}
	}
}

/* ==== table ==================================================================== */
#define TWICE 1   /* once with the inline instruction, once through the PAL's gate */

static const struct attempt {
	const char *name;
	void (*fn)(void);
	int flags;
} attempts[] = {
	{"open_outside", a_open_outside, TWICE},
	{"open_dotdot", a_open_dotdot, TWICE},
	{"symlink_out", a_symlink_out, TWICE},
	{"symlink_etc_shadow", a_symlink_etc_shadow, TWICE},
	{"etc_root_only", a_etc_root_only, 0},
	{"proc_self_root", a_proc_self_root, TWICE},
	{"proc_1_environ", a_proc_1_environ, TWICE},
	{"proc_1_mem", a_proc_1_mem, TWICE},
	{"hardlink_out", a_hardlink_out, TWICE},
	{"hardlink_from_ro", a_hardlink_from_ro, TWICE},
	{"openat_opath", a_openat_opath, TWICE},
	{"rename_across_mounts", a_rename_across_mounts, TWICE},
	{"write_usr", a_write_usr, TWICE},
	{"write_etc_passwd", a_write_etc_passwd, TWICE},
	{"chmod_etc", a_chmod_etc, TWICE},
	{"mknod_dev", a_mknod_dev, TWICE},
	{"write_moat_files", a_write_moat_files, TWICE},
	{"open_by_handle", a_open_by_handle, TWICE},
	{"connect_host_port", a_connect_host_port, TWICE},
	{"connect_host_ip", a_connect_host_ip, TWICE},
	{"connect_ipv6", a_connect_ipv6, TWICE},
	{"connect_unix", a_connect_unix, TWICE},
	{"udp_send", a_udp_send, TWICE},
	{"socket_netlink", a_socket_netlink, TWICE},
	{"socket_packet", a_socket_packet, TWICE},
	{"socket_raw", a_socket_raw, TWICE},
	{"socket_other", a_socket_other, TWICE},
	{"abi_tcp_connect", a_abi_tcp_connect, 0},
	{"abi_open_outside", a_abi_open_outside, 0},
	{"hardlink_ro_to_rw", a_hardlink_ro_to_rw, 0},
	{"abi_attr_set_ro", a_abi_attr_set_ro, 0},
	{"io_uring_setup", a_io_uring_setup, TWICE},
	{"ptrace_traceme", a_ptrace_traceme, TWICE},
	{"ptrace_attach_host", a_ptrace_attach_host, TWICE},
	{"process_vm_readv", a_process_vm_readv, TWICE},
	{"bpf", a_bpf, TWICE},
	{"perf_event_open", a_perf_event_open, TWICE},
	{"mount_tmpfs", a_mount_tmpfs, TWICE},
	{"new_mount_api", a_new_mount_api, TWICE},
	{"umount", a_umount, TWICE},
	{"pivot_root", a_pivot_root, TWICE},
	{"chroot", a_chroot, TWICE},
	{"unshare_user", a_unshare_user, TWICE},
	{"unshare_net", a_unshare_net, TWICE},
	{"setns", a_setns, TWICE},
	{"keyctl", a_keyctl, TWICE},
	{"add_key", a_add_key, TWICE},
	{"kill_host", a_kill_host, TWICE},
	{"kill_pgrp", a_kill_pgrp, 0},
	{"kill_init", a_kill_init, 0},
	{"tgkill_other", a_tgkill_other, TWICE},
	{"clone_newns", a_clone_newns, TWICE},
	{"clone_fork", a_clone_fork, TWICE},
	{"clone3", a_clone3, TWICE},
	{"vfork", a_vfork, 0},
	{"execve_host", a_execve_host, TWICE},
	{"memfd_exec", a_memfd_exec, TWICE},
	{"personality", a_personality, TWICE},
	{"userfaultfd", a_userfaultfd, TWICE},
	{"kexec_load", a_kexec_load, TWICE},
	{"init_module", a_init_module, TWICE},
	{"reboot", a_reboot, TWICE},
	{"swapon", a_swapon, TWICE},
	{"privileged_misc", a_privileged_misc, TWICE},
	{"capset", a_capset, TWICE},
	{"int80", a_int80, 0},
	{"tiocsti", a_tiocsti, TWICE},
	{"fd_leak", a_fd_leak, 0},
	{"channel_garbage", a_channel_garbage, 0},
	{"fork_bomb", a_fork_bomb, 0},
	{"thread_bomb", a_thread_bomb, 0},
	{"memory_bomb", a_memory_bomb, 0},
	{"fd_bomb", a_fd_bomb, 0},
	{"cpu_bomb", a_cpu_bomb, 0},
	{NULL, NULL, 0},
};

/* ==== helper modes ============================================================= */
static int mode_sleep(void)
{
	if (g_start->parent_process) {
		char buf[64];
		for (;;) {
			size_t n = sizeof(buf);
			int rc = dk->DkStreamRead(g_start->parent_process, 0, buf, &n);
			if (rc < 0 || n == 0)
				return 0;
		}
	}
	for (;;)
		sleep_ms(1000000);
}

__attribute__((visibility("default"))) int LibOsInitialize(const struct dk_abi *abi,
							   const struct dk_start_params *start,
							   struct dk_upcalls *up)
{
	dk = abi;
	g_start = start;
	up->LibOsExceptionDispatch = dispatch;
	/* fd_leak looks at the descriptors before this image opens any */
	if (start->argc >= 2 && !strcmp(start->argv[1], "fd_leak"))
		a_fd_leak();
	if (dk->DkStreamOpen("stdout:", DK_ACCESS_WRITE, DK_CREATE_NEVER, 0, 0, &g_out) < 0)
		g_out = DK_HANDLE_NONE;
	if (start->argc < 2) {
		out("usage: ATTEMPT [secret=DIR port=N victim=PID victim2=PID hostip=A.B.C.D limit=N]\n");
		for (const struct attempt *a = attempts; a->name; a++)
			out("%s\n", a->name);
		return 2;
	}
	const char *mode = start->argv[1];
	if (!strcmp(mode, "sleep"))
		return mode_sleep();
	if (!strcmp(mode, "exit0"))
		return 0;
	if (!strcmp(mode, "confined")) {
		/* run.sh's safety check before any attempt: seccomp, no_new_privs,
		 * a pid namespace (the host victim is invisible) */
		long sc = RAW(__NR_prctl, 21 /* PR_GET_SECCOMP */, 0, 0, 0, 0);
		long nnp = RAW(__NR_prctl, 39 /* PR_GET_NO_NEW_PRIVS */, 0, 0, 0, 0);
		long k = RAW(__NR_kill, arg_num("victim", 999999), 0);
		long pid = RAW(__NR_getpid);
		int ok = (sc == 2 || sc == -EPERM) && (nnp == 1 || nnp == -EPERM) && IS_ERR(k);
		out("%s seccomp=%s no_new_privs=%s kill(victim,0)=%s getpid=%s\n",
		    ok ? "CONFINED" : "UNCONFINED", ename(sc), ename(nnp), ename(k), ename(pid));
		return ok ? 0 : 1;
	}
	if (!strcmp(mode, "list")) {
		for (const struct attempt *a = attempts; a->name; a++)
			out("%s\n", a->name);
		return 0;
	}

	const char *s = arg("secret");
	if (s)
		rt_strlcpy(g_secret_dir, s, sizeof(g_secret_dir));
	path(g_secret, sizeof(g_secret), "secret");
	g_port = arg_num("port", 9);
	g_victim = arg_num("victim", 999999);
	g_victim2 = arg_num("victim2", 999998);
	s = arg("hostip");
	if (s)
		g_hostip = parse_ip4(s);

	const struct attempt *a = attempts;
	while (a->name && strcmp(a->name, mode))
		a++;
	if (!a->name) {
		out("ESCAPED %s: unknown attempt (this image cannot judge it)\n", mode);
		return 2;
	}
	if (a->fn == a_fd_leak) {
		/* done above */
	} else if (a->flags & TWICE) {
		find_gate();
		g_pass = "inline";
		a->fn();
		if (g_gate) {
			g_sys = g_gate;
			g_pass = "gate";
			a->fn();
			g_sys = sys_inline;
		} else {
			g_pass = "";
			note("%s: gate pass skipped", g_gate_how);
		}
	} else {
		a->fn();
	}
	for (char *p = g_how; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	out("%s %s: %s\n", g_escaped ? "ESCAPED" : "DENIED", a->name, g_how);
	return g_escaped ? 1 : 0;
}
