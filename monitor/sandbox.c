/*
 * Sandboxes: namespaces, the mount view, and the sandbox's init (see
 * sandbox.h).  The monitor talks to init over two SEQPACKET sockets:
 * "ctl" carries spawn requests and their replies (a pidfd), "ev" carries
 * exit reports.  Init is trusted monitor code; it runs no guest code and
 * parses nothing from a picoprocess.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/mount.h>
#include "confine.h"
#include "monitor.h"
#include "sandbox.h"

/* Messages are cut to fit their buffer; that is fine for a diagnosis. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define MAX_PROCS 4096
#define SPAWN_MAX (256 * 1024)
#define STAGE "/tmp"
#define MOAT_NOBODY 65534u

static bool host_root; /* moat runs as the host's root */

struct moat_sandbox {
	pid_t init;
	int ctl, ev;
	struct {
		uint64_t id;
		int pidfd;
	} procs[MAX_PROCS];
	size_t nprocs;
};

/* What init knows: the manifest (copied by the fork), its sockets, and
 * descriptors of every bind source and of moat's files, opened while init
 * still has the caller's host ids (open_tree needs them opened in init's
 * own mount namespace) and before the stage could hide any of them. */
struct init_state {
	const struct moat_sandbox_config *cfg;
	int ctl, ev;
	int *sources; /* per manifest mount, -1 if not a bind */
	int pal, libos;
	struct {
		pid_t pid;
		uint64_t id;
	} procs[MAX_PROCS];
};

struct spawn_header {
	uint64_t id;
	uint32_t argc, envc;
	int32_t has_parent;
};

struct exit_report {
	uint64_t id;
	int32_t status;
};

/* ---- small helpers ---------------------------------------------------- */

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, text, strlen(text));
	int err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

/* One packet with optional descriptors. */
static int send_packet(int sock, const void *buf, size_t len, const int *fds, int nfds)
{
	char control[CMSG_SPACE(sizeof(int) * 4)] = { 0 };
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds) {
		msg.msg_control = control;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* Receives one packet; up to maxfds descriptors into fds (rest closed). */
static ssize_t recv_packet(int sock, void *buf, size_t len, int *fds, int maxfds, int *nfds)
{
	char control[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };
	ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	*nfds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); n >= 0 && c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		int *got = (int *)CMSG_DATA(c);
		for (int i = 0; i < count; i++) {
			if (*nfds < maxfds)
				fds[(*nfds)++] = got[i];
			else
				close(got[i]);
		}
	}
	return n;
}

/* ---- the mount view, built by init in its new mount namespace ----------- */

static int mkdir_p(const char *path, char *err, size_t errlen)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || !*p) {
			char c = *p;
			*p = 0;
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return snprintf(err, errlen, "cannot create mount point %s: %s",
						buf + strlen(STAGE), strerror(errno)), -1;
			*p = c;
			if (!c)
				return 0;
		}
	}
}

/* Mount order: a parent before anything inside it. */
static const struct moat_mount *sort_mounts;
static int by_guest_depth(const void *a, const void *b)
{
	size_t lx = strlen(sort_mounts[*(const size_t *)a].guest);
	size_t ly = strlen(sort_mounts[*(const size_t *)b].guest);
	return lx < ly ? -1 : lx > ly;
}

/* Clones the tree at source (an O_PATH descriptor opened before the stage
 * hid anything), makes it read-only if asked, and attaches it at target. */
static int attach_bind(int source, const char *target, bool writable, char *err, size_t errlen)
{
	int tree = (int)syscall(SYS_open_tree, source, "",
				OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (tree < 0)
		return snprintf(err, errlen, "cannot clone mount for %s: %s", target,
				strerror(errno)), -1;
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					       (writable ? 0 : MOUNT_ATTR_RDONLY) };
	int rc = (int)syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
			      sizeof(attr));
	if (rc == 0)
		rc = (int)syscall(SYS_move_mount, tree, "", AT_FDCWD, target,
				  MOVE_MOUNT_F_EMPTY_PATH);
	if (rc < 0)
		snprintf(err, errlen, "cannot mount %s: %s", target + strlen(STAGE),
			 strerror(errno));
	close(tree);
	return rc;
}

/* Creates the mount point for a bind: a directory, or an empty file. */
static int make_point(const char *target, int source, char *err, size_t errlen)
{
	struct stat st;
	if (fstat(source, &st) < 0)
		return snprintf(err, errlen, "cannot stat %s", target), -1;
	if (S_ISDIR(st.st_mode))
		return mkdir_p(target, err, errlen);
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", target);
	*strrchr(parent, '/') = 0;
	if (mkdir_p(parent, err, errlen) < 0)
		return -1;
	int fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
	if (fd < 0)
		return snprintf(err, errlen, "cannot create mount point %s: %s",
				target + strlen(STAGE), strerror(errno)), -1;
	close(fd);
	return 0;
}

static int mount_one(const struct moat_mount *mt, int source, char *err, size_t errlen)
{
	char target[PATH_MAX];
	snprintf(target, sizeof(target), STAGE "%s", mt->guest);
	if (mt->kind == MOAT_MOUNT_SYMLINK) {
		char parent[PATH_MAX];
		snprintf(parent, sizeof(parent), "%s", target);
		*strrchr(parent, '/') = 0;
		if (mkdir_p(parent, err, errlen) < 0)
			return -1;
		if (symlink(mt->symlink, target) < 0)
			return snprintf(err, errlen, "cannot create symlink %s: %s", mt->guest,
					strerror(errno)), -1;
		return 0;
	}
	if (mt->kind == MOAT_MOUNT_TMPFS) {
		char opts[64];
		snprintf(opts, sizeof(opts), "size=%llu,mode=1777",
			 (unsigned long long)(mt->size ? mt->size : 64ull << 20));
		if (mkdir_p(target, err, errlen) < 0)
			return -1;
		if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
			return snprintf(err, errlen, "cannot mount tmpfs at %s: %s", mt->guest,
					strerror(errno)), -1;
		return 0;
	}
	if (make_point(target, source, err, errlen) < 0)
		return -1;
	return attach_bind(source, target, mt->writable, err, errlen);
}

/* The view: a fresh read-only tmpfs root holding only the manifest's
 * mounts and moat's own files at /.moat, then pivot_root into it. */
static int build_view(const struct init_state *st, char *err, size_t errlen)
{
	const struct moat_manifest *m = st->cfg->manifest;
	size_t order[m->nmounts + 1];
	int pal = st->pal, libos = st->libos;
	for (size_t i = 0; i < m->nmounts; i++)
		order[i] = i;
	sort_mounts = m->mounts;
	qsort(order, m->nmounts, sizeof(order[0]), by_guest_depth);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755") < 0)
		return snprintf(err, errlen, "cannot create the root: %s", strerror(errno)), -1;
	for (size_t i = 0; i < m->nmounts; i++)
		if (mount_one(&m->mounts[order[i]], st->sources[order[i]], err, errlen) < 0)
			return -1;
	if (mkdir(STAGE MOAT_GUEST_DIR, 0755) < 0 ||
	    make_point(STAGE MOAT_GUEST_PAL, pal, err, errlen) < 0 ||
	    make_point(STAGE MOAT_GUEST_LIBOS, libos, err, errlen) < 0 ||
	    attach_bind(pal, STAGE MOAT_GUEST_PAL, false, err, errlen) < 0 ||
	    attach_bind(libos, STAGE MOAT_GUEST_LIBOS, false, err, errlen) < 0)
		return err[0] ? -1 : (snprintf(err, errlen, "cannot create /.moat"), -1);
	for (size_t i = 0; i < m->nmounts; i++)
		if (st->sources[i] >= 0)
			close(st->sources[i]);
	close(pal);
	close(libos);
	/* pivot_root(".", ".") stacks the old root under the new one; detaching
	 * it leaves the view alone. */
	if (chdir(STAGE) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return snprintf(err, errlen, "cannot enter the view: %s", strerror(errno)), -1;
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
		  NULL) < 0)
		return snprintf(err, errlen, "cannot make the root read-only: %s",
				strerror(errno)), -1;
	return 0;
}

/* A new network namespace has only a loopback device, and it is down. */
static int loopback_up(char *err, size_t errlen)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0))
		return snprintf(err, errlen, "cannot bring up loopback: %s", strerror(errno)), -1;
	close(s);
	return 0;
}

/* ---- init: pid 1 of the sandbox --------------------------------------- */

static void exec_picoprocess(struct init_state *st, char **argv, char **envp, int channel,
			     int parent)
{
	char err[256] = "";
	int keep[2] = { 3, 4 };
	/* Channel at 3, parent stream at 4: fixed numbers the settings name. */
	if (dup2(channel, 3) < 0 || (parent >= 0 && dup2(parent, 4) < 0))
		_exit(126);
	const char *cwd = st->cfg->cwd ? st->cfg->cwd : "/";
	if (chdir(cwd) < 0 && chdir("/") < 0)
		_exit(126);
	/* The library OS applies its own umask (libos/fs) to every mode it
	 * creates with; the host's must not mask those bits a second time. */
	umask(0);  /* before confinement: its filter refuses umask */
	sigset_t none; /* init blocks SIGCHLD for itself; execve would pass it on */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (moat_confine_self(st->cfg->manifest, keep, parent >= 0 ? 2 : 1, err, sizeof(err)) < 0) {
		dprintf(2, "moat: confine: %s\n", err);
		_exit(126);
	}
	execve(MOAT_GUEST_PAL, argv, envp);
	dprintf(2, "moat: %s: cannot start: %s\n", MOAT_GUEST_PAL, strerror(errno));
	_exit(126);
}

/* Unpacks a spawn request: header, then argc argv strings and envc envp
 * strings.  The request comes from the monitor, but init checks it anyway. */
static int unpack(char *buf, size_t len, struct spawn_header *h, char ***argv, char ***envp)
{
	if (len < sizeof(*h))
		return -1;
	memcpy(h, buf, sizeof(*h));
	if (h->argc < 2 || h->argc > 4096 || h->envc > 4096)
		return -1;
	char **v = calloc(h->argc + h->envc + 4, sizeof(char *));
	char *p = buf + sizeof(*h), *end = buf + len;
	for (uint32_t i = 0; v && i < h->argc + h->envc; i++) {
		char *nul = memchr(p, 0, (size_t)(end - p));
		if (!nul)
			return free(v), -1;
		v[i < h->argc ? i : i + 1] = p;
		p = nul + 1;
	}
	if (!v)
		return -1;
	*argv = v;
	*envp = v + h->argc + 1;
	(*envp)[h->envc] = "MOAT_CHANNEL_FD=3";
	(*envp)[h->envc + 1] = h->has_parent ? "MOAT_PARENT_FD=4" : NULL;
	return 0;
}

static void init_spawn(struct init_state *st)
{
	static char buf[SPAWN_MAX];
	int fds[2] = { -1, -1 }, nfds, pidfd = -1;
	struct spawn_header h;
	char **argv, **envp;
	ssize_t n = recv_packet(st->ctl, buf, sizeof(buf), fds, 2, &nfds);
	if (n <= 0)
		_exit(0); /* the monitor is gone */
	int32_t result = -EINVAL;
	if (nfds >= 1 && unpack(buf, (size_t)n, &h, &argv, &envp) == 0) {
		size_t slot = 0;
		while (slot < MAX_PROCS && st->procs[slot].pid)
			slot++;
		/* The first picoprocess starts a pid namespace of its own: it
		 * is pid 1 there, as a program's first process is in a Linux
		 * container, orphans are reparented to it, and the processes
		 * it forks see one another but never init or the host. */
		unsigned long flags = SIGCHLD | (h.id == 1 ? CLONE_NEWPID : 0);
		pid_t child = slot < MAX_PROCS ? (pid_t)syscall(SYS_clone, flags, 0, 0, 0, 0)
					       : (errno = EAGAIN, -1);
		if (child == 0)
			exec_picoprocess(st, argv, envp, fds[0], h.has_parent ? fds[1] : -1);
		if (child > 0) {
			st->procs[slot].pid = child;
			st->procs[slot].id = h.id;
			pidfd = (int)syscall(SYS_pidfd_open, child, 0);
		}
		result = child < 0 ? -errno : pidfd < 0 ? -errno : 0;
		free(argv);
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	send_packet(st->ctl, &result, sizeof(result), &pidfd, pidfd >= 0);
	if (pidfd >= 0)
		close(pidfd);
}

static void init_reap(struct init_state *st)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < MAX_PROCS; i++) {
			if (st->procs[i].pid != pid)
				continue;
			struct exit_report r = {
				st->procs[i].id,
				WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)
			};
			st->procs[i].pid = 0;
			if (send_packet(st->ev, &r, sizeof(r), NULL, 0) < 0)
				_exit(0);
		}
	}
}

/* Descriptors for everything init will bind into the view. */
static int open_sources(struct init_state *st, char *err, size_t errlen)
{
	const struct moat_manifest *m = st->cfg->manifest;
	st->sources = calloc(m->nmounts + 1, sizeof(int));
	if (!st->sources)
		return snprintf(err, errlen, "out of memory"), -1;
	for (size_t i = 0; i < m->nmounts; i++) {
		st->sources[i] = -1;
		if (m->mounts[i].kind == MOAT_MOUNT_BIND &&
		    (st->sources[i] = open(m->mounts[i].host, O_PATH | O_CLOEXEC)) < 0)
			return snprintf(err, errlen, "%s: cannot open the mount's source: %s",
					m->mounts[i].host, strerror(errno)), -1;
	}
	st->pal = open(st->cfg->pal_path, O_PATH | O_CLOEXEC);
	st->libos = open(st->cfg->libos_path, O_PATH | O_CLOEXEC);
	if (st->pal < 0 || st->libos < 0)
		return snprintf(err, errlen, "cannot open moat's files: %s", strerror(errno)), -1;
	return 0;
}

/* Become the sandbox's user, inner 0 (see write_id_map), with no
 * supplementary groups left from the host. */
static int become_sandbox_user(char *err, size_t errlen)
{
	if (!host_root)
		return 0;
	if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
		snprintf(err, errlen, "cannot switch to the sandbox's user: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void __attribute__((noreturn)) init_main(struct init_state *st, int sync)
{
	char err[512] = "", go;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "moat-init");
	if (read(sync, &go, 1) != 1) /* the monitor has written our id maps */
		_exit(1);
	close(sync);
	const struct moat_manifest *m = st->cfg->manifest;
	int rc = open_sources(st, err, sizeof(err));
	if (rc == 0)
		rc = become_sandbox_user(err, sizeof(err));
	if (rc == 0)
		rc = build_view(st, err, sizeof(err));
	if (rc == 0 && !m->network)
		rc = loopback_up(err, sizeof(err));
	if (rc == 0 && sethostname("moat", 4) < 0) {
		snprintf(err, sizeof(err), "sethostname: %s", strerror(errno));
		rc = -1;
	}
	send_packet(st->ev, err, strlen(err) + 1, NULL, 0); /* "" = ready */
	if (rc < 0)
		_exit(1);
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	for (;;) {
		struct pollfd p[2] = { { st->ctl, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			_exit(1);
		if (p[1].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) > 0)
				;
			init_reap(st);
		}
		if (p[0].revents)
			init_spawn(st);
	}
}

/* ---- the monitor's side ------------------------------------------------ */

/*
 * One user and one group inside the sandbox.  An unprivileged caller maps
 * its own ids (the only choice the kernel gives it).  Host root must not
 * be root in the sandbox: ownership alone would open every root-only file
 * in a granted mount, and the kernel exempts host root from RLIMIT_NPROC.
 * So for root the sandbox's user 0 is the host's "nobody" (65534).
 */
/* The sandbox's user is inner 0 = host nobody under host root, else the
 * caller's own id (the only mapping the kernel allows an unprivileged
 * caller).  Under host root the host's ids 1..65533 are mapped one to one
 * as well.  That grants nothing: the sandbox's user stays host nobody, and
 * every picoprocess has no capability to become another id (capabilities
 * dropped, securebits locked, no_new_privs; see moat_confine_self).  It
 * only lets stat show files' real owners and groups.  Host root (0) stays
 * unmapped, so root's files read as the overflow id 65534 and root's
 * privileges over them cannot reach the namespace.  A map file can be
 * written once, so the whole map goes in one write. */
static int write_id_map(pid_t child, const char *file, unsigned own)
{
	char path[64], map[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", child, file);
	if (host_root)
		snprintf(map, sizeof(map), "0 %u 1\n1 1 %u", MOAT_NOBODY, MOAT_NOBODY - 1);
	else
		snprintf(map, sizeof(map), "%u %u 1", own, own);
	return write_file(path, map);
}

static int write_id_maps(pid_t child)
{
	int rc;
	if (!host_root) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/setgroups", child);
		rc = write_file(path, "deny");
		if (rc < 0 && rc != -ENOENT)
			return rc;
	}
	rc = write_id_map(child, "gid_map", getegid());
	return rc < 0 ? rc : write_id_map(child, "uid_map", geteuid());
}



int moat_sandbox_create(const struct moat_sandbox_config *cfg, struct moat_sandbox **out)
{
	int ctl[2], ev[2], sync[2];
	char err[512];
	static struct init_state st = { .pal = -1, .libos = -1 };
	host_root = geteuid() == 0;
	struct moat_sandbox *sb = calloc(1, sizeof(*sb));
	if (!sb)
		return moat_error(errno, "sandbox", "out of memory"), -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ev) < 0 ||
	    pipe2(sync, O_CLOEXEC) < 0)
		return free(sb), moat_error(errno, "sandbox", "socketpair"), -1;
	unsigned long flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC |
			      CLONE_NEWUTS | (cfg->manifest->network ? 0 : CLONE_NEWNET) | SIGCHLD;
	pid_t child = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (child == 0) {
		close(ctl[0]), close(ev[0]), close(sync[1]);
		st.cfg = cfg, st.ctl = ctl[1], st.ev = ev[1];
		init_main(&st, sync[0]);
	}
	int saved = errno;
	close(ctl[1]), close(ev[1]), close(sync[0]);
	sb->init = child, sb->ctl = ctl[0], sb->ev = ev[0];
	if (child < 0) {
		moat_error(saved, "sandbox", "cannot create namespaces");
		goto fail;
	}
	int rc = write_id_maps(child);
	if (rc < 0 || write(sync[1], "g", 1) != 1) {
		moat_error(-rc, "sandbox", "cannot map user ids");
		goto fail;
	}
	close(sync[1]), sync[1] = -1;
	ssize_t n = recv(sb->ev, err, sizeof(err) - 1, 0);
	if (n <= 0 || err[0]) {
		err[n > 0 ? n : 0] = 0;
		moat_error(0, "sandbox", "%s", n > 0 ? err : "init failed");
		goto fail;
	}
	*out = sb;
	return 0;
fail:
	if (sync[1] >= 0)
		close(sync[1]);
	moat_sandbox_destroy(sb);
	return -1;
}

static int pack(char *buf, size_t size, const struct spawn_header *h, char *const argv[],
		char *const envp[])
{
	size_t len = sizeof(*h);
	memcpy(buf, h, sizeof(*h));
	for (uint32_t i = 0; i < h->argc + h->envc; i++) {
		const char *s = i < h->argc ? argv[i] : envp[i - h->argc];
		size_t n = strlen(s) + 1;
		if (n > size - len)
			return -E2BIG;
		memcpy(buf + len, s, n);
		len += n;
	}
	return (int)len;
}

int moat_sandbox_spawn(struct moat_sandbox *sb, uint64_t process_id, char *const argv[],
		       char *const envp[], int channel_fd, int parent_fd)
{
	static char buf[SPAWN_MAX];
	struct spawn_header h = { .id = process_id, .has_parent = parent_fd >= 0 };
	int fds[2] = { channel_fd, parent_fd }, pidfd = -1, nfds = 0;
	int32_t result;
	while (argv[h.argc])
		h.argc++;
	while (envp[h.envc])
		h.envc++;
	if (sb->nprocs == MAX_PROCS)
		return -EAGAIN;
	int len = pack(buf, sizeof(buf), &h, argv, envp);
	if (len < 0)
		return len;
	if (send_packet(sb->ctl, buf, (size_t)len, fds, parent_fd >= 0 ? 2 : 1) < 0)
		return -EPIPE;
	ssize_t n = recv_packet(sb->ctl, &result, sizeof(result), &pidfd, 1, &nfds);
	if (n != sizeof(result))
		return nfds ? close(pidfd), -EPIPE : -EPIPE;
	if (result < 0 || !nfds)
		return nfds ? close(pidfd), result : result < 0 ? result : -EPIPE;
	sb->procs[sb->nprocs].id = process_id;
	sb->procs[sb->nprocs++].pidfd = dup(pidfd);
	return pidfd;
}

int moat_sandbox_event_fd(struct moat_sandbox *sb)
{
	return sb->ev;
}

int moat_sandbox_read_exit(struct moat_sandbox *sb, uint64_t *process_id, int *status)
{
	struct exit_report r;
	ssize_t n = recv(sb->ev, &r, sizeof(r), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n != sizeof(r))
		return -1;
	*process_id = r.id;
	*status = r.status;
	for (size_t i = 0; i < sb->nprocs; i++) {
		if (sb->procs[i].id == r.id) {
			close(sb->procs[i].pidfd);
			sb->procs[i] = sb->procs[--sb->nprocs];
			break;
		}
	}
	return 1;
}

int moat_sandbox_kill(struct moat_sandbox *sb, uint64_t process_id, int sig)
{
	for (size_t i = 0; i < sb->nprocs; i++)
		if (sb->procs[i].id == process_id)
			return syscall(SYS_pidfd_send_signal, sb->procs[i].pidfd, sig, NULL, 0) < 0
				       ? -errno
				       : 0;
	return -ESRCH;
}

void moat_sandbox_destroy(struct moat_sandbox *sb)
{
	if (!sb)
		return;
	if (sb->init > 0) {
		kill(sb->init, SIGKILL); /* pid 1 of the namespace: takes all with it */
		while (waitpid(sb->init, NULL, 0) < 0 && errno == EINTR)
			;
	}
	for (size_t i = 0; i < sb->nprocs; i++)
		close(sb->procs[i].pidfd);
	close(sb->ctl);
	close(sb->ev);
	free(sb);
}
