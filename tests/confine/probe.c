/*
 * Host-side driver for tests/confine/run.sh: forks children that confine
 * themselves with moat_confine_self (the monitor's own code) and then try
 * escapes.  Each child first enters a new user and network namespace (as
 * the sandbox's init does), but keeps the host's mount view, so the
 * Landlock rules name host paths: /usr, /etc, /tmp, the current
 * directory.  Prints one "PASS: confine.NAME" or "FAIL: confine.NAME: why"
 * line per case.
 *
 * usage: confine-probe SCRATCH_DIR   (a directory inside the current one)
 *        confine-probe --policy      (prints the allowlist)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "confine.h"
#include "manifest.h"

static const char *scratch;
static char outside[64];
static int status_fd = -1, limits_fd = -1, stray_fd = -1, abstract_fd = -1;
#define ABSTRACT_NAME "moat-confine-probe"
#define ABSTRACT_LEN (offsetof(struct sockaddr_un, sun_path) + sizeof(ABSTRACT_NAME))

/* Connects to the abstract socket the process made before confinement. */
static int connect_abstract(void)
{
	struct sockaddr_un su = { .sun_family = AF_UNIX };
	memcpy(su.sun_path + 1, ABSTRACT_NAME, sizeof(ABSTRACT_NAME) - 1);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	int rc = connect(s, (void *)&su, ABSTRACT_LEN);
	int e = errno;
	close(s);
	errno = e;
	return rc;
}
static volatile sig_atomic_t got_usr1;

/* ---- reporting without stdio (after confinement) ----------------------- */

static void out(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (write(1, buf, (size_t)n) < 0)
		_exit(3);
}

static int failures;
static void report(const char *name, int ok, const char *fmt, ...)
{
	char why[256] = "";
	if (!ok) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		failures++;
		out("FAIL: confine.%s: %s\n", name, why);
	} else {
		out("PASS: confine.%s\n", name);
	}
}

/* A call that must fail with errno `want`. */
static void expect_err(const char *name, long rc, int want)
{
	int e = errno;
	report(name, rc == -1 && e == want, "returned %ld (errno %d %s), wanted errno %d %s", rc,
	       rc == -1 ? e : 0, rc == -1 ? strerrorname_np(e) : "-", want,
	       strerrorname_np(want));
}

static void expect_ok(const char *name, long rc)
{
	int e = errno;
	report(name, rc >= 0, "failed with errno %d %s", e, strerrorname_np(e));
}

/* ---- setup, before confinement ---------------------------------------- */

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* What the sandbox's init has: a new user namespace (root there, mapped to
 * the caller) and a private network namespace with loopback up. */
static int enter_namespaces(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (write_file("/proc/self/uid_map", map) < 0)
		return -1;
	if (write_file("/proc/self/setgroups", "deny") < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	if (write_file("/proc/self/gid_map", map) < 0)
		return -1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return -1;
	close(s);
	return 0;
}

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

/* Enters the namespaces and confines the calling child; exits on failure. */
static void confine(const char *scenario, struct moat_manifest *m)
{
	char err[256];
	if (enter_namespaces() < 0) {
		out("FAIL: confine.namespaces: cannot enter a user+network namespace: %s\n",
		    strerror(errno));
		_exit(2);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	status_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	limits_fd = open("/proc/self/limits", O_RDONLY | O_CLOEXEC);
	stray_fd = open("/dev/null", O_RDONLY); /* not kept: must be closed */
	/* An abstract unix socket made outside the Landlock domain. */
	abstract_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un su = { .sun_family = AF_UNIX };
	memcpy(su.sun_path + 1, ABSTRACT_NAME, sizeof(ABSTRACT_NAME) - 1);
	if (abstract_fd < 0 ||
	    bind(abstract_fd, (void *)&su, ABSTRACT_LEN) < 0 || listen(abstract_fd, 4) < 0) {
		out("FAIL: confine.setup: abstract socket: %s\n", strerror(errno));
		_exit(2);
	}
	int keep[3] = { status_fd, limits_fd, abstract_fd };
	if (status_fd < 0 || limits_fd < 0 || stray_fd < 0) {
		out("FAIL: confine.setup: %s\n", strerror(errno));
		_exit(2);
	}
	if (moat_confine_self(m, keep, 3, err, sizeof(err)) < 0) {
		out("FAIL: confine.%s.self: %s\n", scenario, err);
		_exit(2);
	}
	out("PASS: confine.%s.self\n", scenario);
}

static void default_manifest(struct moat_manifest *m)
{
	char err[256];
	memset(m, 0, sizeof(*m));
	if (moat_manifest_default(m, err, sizeof(err)) < 0) {
		out("FAIL: confine.manifest: %s\n", err);
		_exit(2);
	}
}

/* ---- checks after confinement ----------------------------------------- */

/* Finds "Key:\t..." in a /proc file read through a kept descriptor. */
static const char *proc_field(int fd, const char *key, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);
	if (n < 0)
		return NULL;
	buf[n] = 0;
	size_t kl = strlen(key);
	for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, key, kl)) {
			char *v = p + kl;
			while (*v == ' ' || *v == '\t' || *v == ':')
				v++;
			char *nl = strchr(v, '\n');
			if (nl)
				*nl = 0;
			return v;
		}
	}
	return NULL;
}

static void check_status(void)
{
	static const char *const caps[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
	char buf[4096];
	for (unsigned i = 0; i < 5; i++) {
		const char *v = proc_field(status_fd, caps[i], buf, sizeof(buf));
		char name[32];
		snprintf(name, sizeof(name), "caps_zero.%s", caps[i]);
		report(name, v && !strcmp(v, "0000000000000000"), "%s is %s", caps[i],
		       v ? v : "missing");
	}
	const char *v = proc_field(status_fd, "NoNewPrivs", buf, sizeof(buf));
	report("no_new_privs", v && !strcmp(v, "1"), "NoNewPrivs is %s", v ? v : "missing");
	v = proc_field(status_fd, "Seccomp", buf, sizeof(buf));
	report("seccomp_filter_mode", v && !strcmp(v, "2"), "Seccomp is %s", v ? v : "missing");
	v = proc_field(limits_fd, "Max core file size", buf, sizeof(buf));
	report("rlimit_core_zero", v && !strncmp(v, "0 ", 2), "core limit line: %s",
	       v ? v : "missing");
	v = proc_field(limits_fd, "Max open files", buf, sizeof(buf));
	report("rlimit_nofile", v && !strncmp(v, "1024 ", 5), "open files limit line: %s",
	       v ? v : "missing");
}

struct denied {
	const char *name;
	long nr;
	long a[6];
};

static void check_denied_calls(void)
{
	static char pathbuf[] = "/tmp";
	static const struct denied list[] = {
		{ "ptrace_denied", SYS_ptrace, { 0 /* PTRACE_TRACEME */ } },
		{ "io_uring_setup_denied", 425, { 1, 0 } },
		{ "io_uring_enter_denied", 426, { 0 } },
		{ "bpf_denied", SYS_bpf, { 0 } },
		{ "perf_event_open_denied", SYS_perf_event_open, { 0 } },
		{ "process_vm_readv_denied", SYS_process_vm_readv, { 1 } },
		{ "unshare_denied", SYS_unshare, { CLONE_NEWUSER } },
		{ "unshare_ns_denied", SYS_unshare, { CLONE_NEWNS } },
		{ "setns_denied", SYS_setns, { 0, 0 } },
		{ "mount_denied", SYS_mount, { (long)"none", (long)pathbuf, (long)"tmpfs" } },
		{ "umount2_denied", SYS_umount2, { (long)pathbuf, MNT_DETACH } },
		{ "pivot_root_denied", SYS_pivot_root, { (long)pathbuf, (long)pathbuf } },
		{ "open_tree_denied", 428, { -100, (long)pathbuf, 1 } },
		{ "move_mount_denied", 429, { 0 } },
		{ "fsopen_denied", 430, { (long)"tmpfs", 0 } },
		{ "chroot_denied", SYS_chroot, { (long)pathbuf } },
		{ "keyctl_denied", SYS_keyctl, { 0 } },
		{ "add_key_denied", SYS_add_key, { 0 } },
		{ "request_key_denied", SYS_request_key, { 0 } },
		{ "kexec_load_denied", SYS_kexec_load, { 0 } },
		{ "init_module_denied", SYS_init_module, { 0 } },
		{ "finit_module_denied", SYS_finit_module, { 0 } },
		{ "delete_module_denied", SYS_delete_module, { 0 } },
		{ "reboot_denied", SYS_reboot, { 0 } },
		{ "swapon_denied", SYS_swapon, { (long)pathbuf } },
		{ "personality_denied", SYS_personality, { 0xffffffff } },
		{ "userfaultfd_denied", SYS_userfaultfd, { 0 } },
		{ "clone3_denied", 435, { 0, 0 } },
		{ "vfork_denied", SYS_vfork, { 0 } },
		{ "fork_denied", SYS_fork, { 0 } },
		{ "clone_fork_vm_denied", SYS_clone, { SIGCHLD | CLONE_VM, 0, 0, 0, 0 } },
		{ "clone_fork_newns_denied", SYS_clone, { SIGCHLD | CLONE_NEWNS, 0, 0, 0, 0 } },
		{ "kill_denied", SYS_kill, { 1, SIGKILL } },
		{ "tgkill_init_denied", SYS_tgkill, { 1, 1, SIGKILL } },
		{ "prctl_denied", SYS_prctl, { PR_GET_DUMPABLE } },
		{ "seccomp_denied", SYS_seccomp, { 0 } },
		{ "memfd_create_denied", SYS_memfd_create, { (long)pathbuf, 0 } },
		{ "setuid_denied", SYS_setuid, { 0 } },
		{ "capset_denied", SYS_capset, { 0 } },
		{ "pidfd_open_denied", SYS_pidfd_open, { 1, 0 } },
	};
	for (unsigned i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
		const struct denied *d = &list[i];
		errno = 0;
		long rc = syscall(d->nr, d->a[0], d->a[1], d->a[2], d->a[3], d->a[4], d->a[5]);
		expect_err(d->name, rc, EPERM);
	}
}

/* A raw thread clone: the child exits at once without touching memory. */
static long raw_clone_thread(unsigned long flags)
{
	static char stack[4096] __attribute__((aligned(16)));
	static int ptid;
	long ret;
	register long r10 __asm__("r10") = 0;
	register long r8 __asm__("r8") = 0;
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov $60, %%eax\n\t"
			 "xor %%edi, %%edi\n\t"
			 "syscall\n\t"
			 "hlt\n"
			 "1:"
			 : "=a"(ret)
			 : "0"((long)SYS_clone), "D"(flags), "S"(stack + sizeof(stack)), "d"(&ptid),
			   "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

#define THREAD_FLAGS                                                                  \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | \
	 CLONE_PARENT_SETTID)

static void check_threads_and_signals(void)
{
	expect_ok("getpid_allowed", syscall(SYS_getpid));
	expect_ok("clone_thread_allowed", raw_clone_thread(THREAD_FLAGS));
	expect_err("clone_thread_newuser_denied", raw_clone_thread(THREAD_FLAGS | CLONE_NEWUSER),
		   EPERM);
	expect_err("clone_thread_settls_denied", raw_clone_thread(THREAD_FLAGS | CLONE_SETTLS),
		   EPERM);
	expect_err("clone_thread_vfork_denied",
		   raw_clone_thread(CLONE_VM | CLONE_VFORK | SIGCHLD), EPERM);

	long pid = syscall(SYS_getpid), tid = syscall(SYS_gettid);
	got_usr1 = 0;
	long rc = syscall(SYS_tgkill, pid, tid, SIGUSR1);
	report("tgkill_self_sigusr1_allowed", rc == 0 && got_usr1, "rc %ld errno %d, handled %d",
	       rc, errno, (int)got_usr1);
	/* Signals are no longer pinned by the filter (the library OS sends the
	 * processes of its sandbox any signal): Landlock's signal scope keeps
	 * them from every process outside the sandbox's domain. */
	long pp = getppid();
	expect_err("tgkill_parent_denied", syscall(SYS_tgkill, pp, pp, SIGUSR1), EPERM);
	expect_err("kill_parent_denied", syscall(SYS_kill, pp, 0), EPERM);
	/* CPU masks: the caller's own only (pid 0). */
	cpu_set_t cpus;
	CPU_ZERO(&cpus);
	expect_ok("sched_getaffinity_self_allowed",
		  syscall(SYS_sched_getaffinity, 0, sizeof(cpus), &cpus));
	expect_ok("sched_setaffinity_self_allowed",
		  syscall(SYS_sched_setaffinity, 0, sizeof(cpus), &cpus));
	expect_err("sched_getaffinity_other_denied",
		   syscall(SYS_sched_getaffinity, pp, sizeof(cpus), &cpus), EPERM);
	expect_err("sched_setaffinity_other_denied",
		   syscall(SYS_sched_setaffinity, pp, sizeof(cpus), &cpus), EPERM);
	/* Reaping: allowed, and only ever the caller's own children. */
	siginfo_t wsi;
	expect_err("waitid_own_children_only",
		   syscall(SYS_waitid, P_ALL, 0, &wsi, WEXITED | WNOHANG, NULL), ECHILD);

	unsigned long fs = 0;
	expect_ok("arch_prctl_get_fs_allowed", syscall(SYS_arch_prctl, 0x1003, &fs));
	expect_err("arch_prctl_set_cpuid_denied", syscall(SYS_arch_prctl, 0x1012, 0), EPERM);
	expect_err("arch_prctl_map_vdso_denied", syscall(SYS_arch_prctl, 0x2001, 0x100000),
		   EPERM);
}

static void check_memory(void)
{
	long p = syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	expect_ok("mmap_anonymous_allowed", p);
	expect_ok("mprotect_rx_allowed", syscall(SYS_mprotect, p, 4096, PROT_READ | PROT_EXEC));
	expect_err("mprotect_growsdown_denied",
		   syscall(SYS_mprotect, p, 4096, PROT_READ | PROT_GROWSDOWN), EPERM);
	expect_err("mmap_hugetlb_denied",
		   syscall(SYS_mmap, 0, 2 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
			   -1, 0),
		   EPERM);
	expect_err("mmap_growsdown_denied",
		   syscall(SYS_mmap, 0, 4096, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0),
		   EPERM);
	expect_err("mmap_shared_validate_denied",
		   syscall(SYS_mmap, 0, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0),
		   EPERM);
	expect_err("mmap_32bit_denied",
		   syscall(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1,
			   0),
		   EPERM);
	expect_err("mmap_prot_sem_denied",
		   syscall(SYS_mmap, 0, 4096, PROT_READ | 0x8, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		   EPERM);
	/* madvise: DONTFORK/DOFORK (fork's left-behind ranges), HUGEPAGE
	 * (DK_MEM_LARGE); nothing that reaches beyond the caller's pages. */
	expect_ok("madvise_hugepage_allowed", syscall(SYS_madvise, p, 4096, MADV_HUGEPAGE));
	expect_ok("madvise_dontfork_allowed", syscall(SYS_madvise, p, 4096, MADV_DONTFORK));
	expect_err("madvise_pageout_denied", syscall(SYS_madvise, p, 4096, MADV_PAGEOUT), EPERM);
	expect_err("madvise_hwpoison_denied", syscall(SYS_madvise, p, 4096, MADV_HWPOISON), EPERM);
	munmap((void *)p, 4096);
}

static void check_files(void)
{
	errno = 0;
	int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	expect_ok("read_ro_mount_allowed", fd);
	if (fd >= 0)
		close(fd);
	expect_err("open_outside_mounts_eacces", open(outside, O_RDONLY | O_CLOEXEC), EACCES);
	expect_err("open_proc_eacces", open("/proc/self/environ", O_RDONLY | O_CLOEXEC), EACCES);
	expect_err("create_in_usr_eacces",
		   open("/usr/moat-confine-test", O_CREAT | O_WRONLY | O_CLOEXEC, 0600), EACCES);
	expect_err("write_etc_eacces", open("/etc/passwd", O_WRONLY | O_CLOEXEC), EACCES);
	char path[512];
	snprintf(path, sizeof(path), "%s/rw-file", scratch);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
	expect_ok("create_in_rw_mount_allowed", fd);
	if (fd >= 0) {
		close(fd);
		expect_ok("unlink_in_rw_mount_allowed", unlinkat(AT_FDCWD, path, 0));
	}
	char *const argv[] = { "true", NULL };
	char *const envp[] = { NULL };
	expect_err("execve_bin_true_eacces", execve("/bin/true", argv, envp), EACCES);
	snprintf(path, sizeof(path), "%s/exec-me", scratch);
	expect_err("execve_rw_mount_eacces", execve(path, argv, envp), EACCES);
	expect_err("stray_fd_closed", fcntl(stray_fd, F_SETFD, FD_CLOEXEC), EBADF);
	expect_ok("kept_fd_open", fcntl(status_fd, F_SETFD, FD_CLOEXEC));
	expect_err("fcntl_setown_denied", fcntl(status_fd, F_SETOWN, 1), EPERM);
	expect_err("fcntl_setsig_denied", fcntl(status_fd, F_SETSIG, SIGKILL), EPERM);
	expect_err("fcntl_setlease_denied", fcntl(status_fd, F_SETLEASE, F_RDLCK), EPERM);
	expect_err("ioctl_tiocsti_denied", ioctl(0, TIOCSTI, "x"), EPERM);
	expect_err("ioctl_fionread_upper_bits_denied",
		   syscall(SYS_ioctl, 0, FIONREAD | (1l << 32), path), EPERM);
}

/* Links and metadata (DkStreamLinkCreate, DkStreamAttributesSet): allowed
 * in the rw mount, with the argument rules of policy.c. */
static void check_links(void)
{
	char file[512], sym[512], hard[512], text[64];
	snprintf(file, sizeof(file), "%s/link-file", scratch);
	snprintf(sym, sizeof(sym), "%s/link-sym", scratch);
	snprintf(hard, sizeof(hard), "%s/link-hard", scratch);
	unlink(sym), unlink(hard);
	int fd = open(file, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
	expect_ok("link_file_created", fd);
	if (fd >= 0)
		close(fd);
	expect_ok("symlink_in_rw_mount_allowed", syscall(SYS_symlinkat, "link-file", AT_FDCWD, sym));
	long n = syscall(SYS_readlinkat, AT_FDCWD, sym, text, sizeof(text));
	report("readlinkat_allowed", n == 9 && !memcmp(text, "link-file", 9), "returned %ld", n);
	expect_ok("hardlink_in_rw_mount_allowed", syscall(SYS_linkat, AT_FDCWD, file, AT_FDCWD, hard, 0));
	unlink(hard);
	expect_err("linkat_follow_denied",
		   syscall(SYS_linkat, AT_FDCWD, sym, AT_FDCWD, hard, AT_SYMLINK_FOLLOW), EPERM);
	expect_err("linkat_empty_path_denied",
		   syscall(SYS_linkat, 0, "", AT_FDCWD, hard, AT_EMPTY_PATH), EPERM);
	long rc = syscall(SYS_linkat, AT_FDCWD, "/etc/passwd", AT_FDCWD, hard, 0);
	report("hardlink_ro_to_rw_denied", rc < 0, "linkat(/etc/passwd) succeeded");
	unlink(hard);
	expect_ok("chmod_in_rw_mount_allowed", syscall(SYS_fchmodat, AT_FDCWD, file, 01640));
	expect_err("chmod_setuid_denied", syscall(SYS_fchmodat, AT_FDCWD, file, 04755), EPERM);
	expect_err("chmod_setgid_denied", syscall(SYS_fchmodat, AT_FDCWD, file, 02755), EPERM);
	expect_err("chmod_upper_bits_denied",
		   syscall(SYS_fchmodat, AT_FDCWD, file, 0644 | (1l << 32)), EPERM);
	/* mknodat: FIFOs and socket files, nothing else (policy.c). */
	char node[512];
	snprintf(node, sizeof(node), "%s/link-node", scratch);
	syscall(SYS_unlinkat, AT_FDCWD, node, 0);
	expect_ok("mknod_sock_allowed", syscall(SYS_mknodat, AT_FDCWD, node, S_IFSOCK | 0755, 0));
	struct stat st;
	report("mknod_sock_is_socket", stat(node, &st) == 0 && S_ISSOCK(st.st_mode),
	       "stat gave mode %o", st.st_mode);
	expect_err("open_sock_enxio", open(node, O_RDONLY | O_CLOEXEC), ENXIO);
	syscall(SYS_unlinkat, AT_FDCWD, node, 0);
	expect_ok("mknod_fifo_allowed", syscall(SYS_mknodat, AT_FDCWD, node, S_IFIFO | 0600, 0));
	syscall(SYS_unlinkat, AT_FDCWD, node, 0);
	expect_err("mknod_sock_dev_denied",
		   syscall(SYS_mknodat, AT_FDCWD, node, S_IFSOCK | 0600, 1), EPERM);
	expect_err("mknod_sock_sticky_denied",
		   syscall(SYS_mknodat, AT_FDCWD, node, S_IFSOCK | 01600, 0), EPERM);
	expect_err("mknod_sock_setuid_denied",
		   syscall(SYS_mknodat, AT_FDCWD, node, S_IFSOCK | 04755, 0), EPERM);
	expect_err("mknod_sock_upper_bits_denied",
		   syscall(SYS_mknodat, AT_FDCWD, node, S_IFSOCK | 0600 | (1l << 32), 0), EPERM);
	expect_err("mknod_char_denied", syscall(SYS_mknodat, AT_FDCWD, node, S_IFCHR | 0600, 0),
		   EPERM);
	expect_err("mknod_reg_denied", syscall(SYS_mknodat, AT_FDCWD, node, S_IFREG | 0600, 0),
		   EPERM);
	syscall(SYS_unlinkat, AT_FDCWD, node, 0);
	expect_ok("utimensat_allowed", syscall(SYS_utimensat, AT_FDCWD, file, NULL, 0));
	expect_ok("utimensat_nofollow_allowed",
		  syscall(SYS_utimensat, AT_FDCWD, sym, NULL, AT_SYMLINK_NOFOLLOW));
	expect_err("utimensat_empty_path_denied",
		   syscall(SYS_utimensat, AT_FDCWD, "", NULL, AT_EMPTY_PATH), EPERM);
	unlink(sym), unlink(file);
}

/* Listens on loopback, connects, echoes one byte: TCP inside the sandbox's
 * private network namespace must keep working without a network grant. */
static int tcp_echo(int family, const char *addr, uint16_t port, char *why, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (void *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (void *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		len = sizeof(*s6);
	}
	int one = 1, rc = -1;
	int srv = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int cli = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), acc = -1;
	char c = 0;
	if (srv < 0 || cli < 0)
		return snprintf(why, n, "socket: %s", strerror(errno)), -1;
	if (setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		snprintf(why, n, "setsockopt: %s", strerror(errno));
	else if (bind(srv, (void *)&ss, len) < 0)
		snprintf(why, n, "bind: %s", strerror(errno));
	else if (listen(srv, 4) < 0)
		snprintf(why, n, "listen: %s", strerror(errno));
	else if (getsockname(srv, (void *)&ss, &len) < 0)
		snprintf(why, n, "getsockname: %s", strerror(errno));
	else if (connect(cli, (void *)&ss, len) < 0)
		snprintf(why, n, "connect: %s", strerror(errno));
	else if ((acc = accept4(srv, NULL, NULL, SOCK_CLOEXEC)) < 0)
		snprintf(why, n, "accept4: %s", strerror(errno));
	else if (write(cli, "x", 1) != 1 || read(acc, &c, 1) != 1 || c != 'x')
		snprintf(why, n, "echo: %s", strerror(errno));
	else {
		int avail = -1;
		rc = ioctl(acc, FIONREAD, &avail) == 0 && avail == 0 ? 0 : -1;
		if (rc)
			snprintf(why, n, "ioctl FIONREAD: %s", strerror(errno));
	}
	close(srv), close(cli);
	if (acc >= 0)
		close(acc);
	return rc;
}

static void check_sockets(void)
{
	char why[256] = "";
	report("tcp_loopback_v4", tcp_echo(AF_INET, "127.0.0.1", 0, why, sizeof(why)) == 0, "%s",
	       why);
	report("tcp_loopback_v6", tcp_echo(AF_INET6, "::1", 0, why, sizeof(why)) == 0, "%s", why);
	expect_ok("abstract_unix_connect_allowed", connect_abstract());
	int sv[2];
	expect_ok("socketpair_unix_stream_allowed",
		  socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	expect_ok("socketpair_unix_dgram_allowed", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	expect_ok("socketpair_unix_seqpacket_allowed", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	expect_err("socketpair_inet_denied", socketpair(AF_INET, SOCK_STREAM, 0, sv), EPERM);
	int us = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	expect_ok("socket_unix_stream_allowed", us);
	if (us >= 0) {
		int one = 1;
		struct iovec iov = { "x", 1 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		expect_err("sendmsg_nosignal_allowed", sendmsg(us, &msg, MSG_NOSIGNAL), ENOTCONN);
		expect_err("sendmsg_oob_denied", sendmsg(us, &msg, MSG_NOSIGNAL | MSG_OOB), EPERM);
		expect_err("recvmsg_allowed", recvmsg(us, &msg, MSG_CMSG_CLOEXEC), EINVAL);
		expect_err("setsockopt_passcred_denied",
			   setsockopt(us, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), EPERM);
		expect_err("setsockopt_bindtodevice_denied",
			   setsockopt(us, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3), EPERM);
		expect_err("setsockopt_attach_filter_denied",
			   setsockopt(us, SOL_SOCKET, SO_ATTACH_FILTER, &one, sizeof(one)), EPERM);
		close(us);
	}
	expect_err("socketpair_inet_denied", socketpair(AF_INET, SOCK_STREAM, 0, sv), EPERM);
	expect_err("socket_netlink_denied", socket(AF_NETLINK, SOCK_RAW, 0), EPERM);
	expect_err("socket_packet_denied", socket(AF_PACKET, SOCK_RAW, 0), EPERM);
	expect_err("socket_vsock_denied", socket(40 /* AF_VSOCK */, SOCK_STREAM, 0), EPERM);
	expect_err("socket_udp_denied", socket(AF_INET, SOCK_DGRAM, 0), EPERM);
	expect_err("socket_raw_denied", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), EPERM);
	expect_err("socket_mptcp_denied", socket(AF_INET, SOCK_STREAM, 262 /* MPTCP */), EPERM);
	/* named datagram pipes (DK_OPT_DATAGRAM); sequenced packets stay refused */
	long ud = socket(AF_UNIX, SOCK_DGRAM, 0);
	expect_ok("socket_unix_dgram_allowed", ud);
	if (ud >= 0)
		close((int)ud);
	expect_err("socket_unix_seqpacket_denied", socket(AF_UNIX, SOCK_SEQPACKET, 0), EPERM);
	expect_err("socket_type_upper_bits_denied",
		   syscall(SYS_socket, AF_INET, SOCK_STREAM | (1l << 32), 0), EPERM);
}

/* ---- scenarios --------------------------------------------------------- */

static void scenario_default(void)
{
	struct moat_manifest m;
	default_manifest(&m);
	confine("default", &m);
	check_status();
	check_denied_calls();
	check_threads_and_signals();
	check_memory();
	check_files();
	check_links();
	check_sockets();
	_exit(failures ? 1 : 0);
}

/* The same mounts, all read-only: the rw mount's file cannot be written
 * although the caller owns it (Landlock, not permissions). */
static void scenario_readonly(void)
{
	struct moat_manifest m;
	char path[512];
	default_manifest(&m);
	for (size_t i = 0; i < m.nmounts; i++)
		m.mounts[i].writable = false;
	confine("readonly", &m);
	snprintf(path, sizeof(path), "%s/ro-file", scratch);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	expect_ok("readonly_mount_read_allowed", fd);
	if (fd >= 0)
		close(fd);
	expect_err("readonly_mount_write_eacces", open(path, O_WRONLY | O_CLOEXEC), EACCES);
	snprintf(path, sizeof(path), "%s/new-file", scratch);
	expect_err("readonly_mount_create_eacces",
		   open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600), EACCES);
	expect_err("readonly_mount_symlink_eacces",
		   syscall(SYS_symlinkat, "ro-file", AT_FDCWD, path), EACCES);
	expect_err("readonly_mount_mknod_sock_eacces",
		   syscall(SYS_mknodat, AT_FDCWD, path, S_IFSOCK | 0755, 0), EACCES);
	expect_err("readonly_mount_mknod_fifo_eacces",
		   syscall(SYS_mknodat, AT_FDCWD, path, S_IFIFO | 0600, 0), EACCES);
	char file[512];
	snprintf(file, sizeof(file), "%s/ro-file", scratch);
	expect_err("readonly_mount_hardlink_eacces",
		   syscall(SYS_linkat, AT_FDCWD, file, AT_FDCWD, path, 0), EACCES);
	_exit(failures ? 1 : 0);
}

/* A network grant: Landlock handles TCP, only the granted ports work. */
static void scenario_network(void)
{
	static uint16_t listen_ports[1] = { 4242 };
	static struct moat_connect conn[1] = { { "127.0.0.1", 4242 } };
	struct moat_manifest m;
	char why[256] = "";
	default_manifest(&m);
	m.network = true;
	m.listen = listen_ports, m.nlisten = 1;
	m.connect = conn, m.nconnect = 1;
	confine("network", &m);
	report("net_granted_port", tcp_echo(AF_INET, "127.0.0.1", 4242, why, sizeof(why)) == 0,
	       "%s", why);
	int rc = tcp_echo(AF_INET, "127.0.0.1", 4243, why, sizeof(why));
	report("net_other_port_bind_denied", rc < 0 && strstr(why, "bind: Permission denied"),
	       "rc %d: %s", rc, why);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(4343) };
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	expect_err("net_other_port_connect_eacces", connect(s, (void *)&sa, sizeof(sa)), EACCES);
	/* The host's network namespace is shared: its abstract sockets are out
	 * of reach. */
	expect_err("net_abstract_unix_scoped", connect_abstract(), EPERM);
	/* TCP Fast Open connects inside sendmsg, past Landlock's connect hook. */
	struct iovec iov = { "x", 1 };
	struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
			      .msg_iovlen = 1 };
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	expect_err("net_fastopen_denied", sendmsg(s, &msg, MSG_FASTOPEN | MSG_NOSIGNAL), EPERM);
	_exit(failures ? 1 : 0);
}

/* Another architecture's call numbering kills the process. */
static void scenario_x32(void)
{
	struct moat_manifest m;
	default_manifest(&m);
	confine("x32", &m);
	syscall(0x40000000 | SYS_getpid);
	_exit(0);
}

static void scenario_i386(void)
{
	struct moat_manifest m;
	default_manifest(&m);
	confine("i386", &m);
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "0"(20L /* i386 getpid */) : "memory");
	_exit(0);
}

/* ---- driver ------------------------------------------------------------ */

static int run(const char *name, void (*fn)(void), int want_sig)
{
	pid_t pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0) {
		fn();
		_exit(0);
	}
	int st;
	if (waitpid(pid, &st, 0) < 0)
		return perror("waitpid"), 1;
	if (want_sig) {
		int ok = WIFSIGNALED(st) && WTERMSIG(st) == want_sig;
		if (ok)
			printf("PASS: confine.%s\n", name);
		else if (WIFSIGNALED(st))
			printf("FAIL: confine.%s: killed by signal %d, wanted %d\n", name,
			       WTERMSIG(st), want_sig);
		else
			printf("FAIL: confine.%s: exited %d, wanted death by signal %d\n", name,
			       WEXITSTATUS(st), want_sig);
		fflush(stdout);
		return !ok;
	}
	if (WIFSIGNALED(st)) {
		printf("FAIL: confine.%s: died of signal %d\n", name, WTERMSIG(st));
		fflush(stdout);
		return 1;
	}
	return WEXITSTATUS(st) != 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--policy")) { /* the allowlist, for run.sh */
		struct moat_manifest m;
		memset(&m, 0, sizeof(m));
		return moat_policy_print(&m, stdout) > 0 ? 0 : 1;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s SCRATCH_DIR | --policy\n", argv[0]);
		return 2;
	}
	scratch = argv[1];
	setvbuf(stdout, NULL, _IONBF, 0);
	/* A file the caller may read, outside every mount of the default manifest. */
	snprintf(outside, sizeof(outside), "/var/tmp/moat-confine-XXXXXX");
	int fd = mkstemp(outside);
	if (fd < 0) {
		printf("FAIL: confine.setup: mkstemp %s: %s\n", outside, strerror(errno));
		return 1;
	}
	close(fd);
	char path[512];
	snprintf(path, sizeof(path), "%s/ro-file", scratch);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%s/exec-me", scratch);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0700);
	if (fd < 0 || write(fd, "#!/bin/sh\nexit 0\n", 17) != 17) {
		printf("FAIL: confine.setup: %s: %s\n", path, strerror(errno));
		return 1;
	}
	close(fd);

	int bad = 0;
	bad |= run("default", scenario_default, 0);
	bad |= run("readonly", scenario_readonly, 0);
	bad |= run("network", scenario_network, 0);
	bad |= run("x32_abi_killed", scenario_x32, SIGSYS);
	bad |= run("i386_abi_killed", scenario_i386, SIGSYS);
	unlink(outside);
	return bad;
}
