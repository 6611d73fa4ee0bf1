/*
 * Processes: fork, vfork and clone without CLONE_THREAD; execve and
 * execveat; wait4 and waitid; process ids, groups and sessions; signals to
 * other processes.
 *
 * Every process is a picoprocess of its own, made by DkProcessFork: the
 * host copies the caller copy-on-write (so fork costs the same whatever
 * the parent's size), and only the calling thread comes along.  Process
 * ids, parents, groups, sessions, zombies and orphans are the host's, in
 * the sandbox's own pid namespace, where the first process is 1: the
 * library OS keeps no process table of its own.  Each module's lock is
 * held across the copy so the child's copy of it is consistent.
 *
 * vfork (and clone with CLONE_VFORK, which posix_spawn uses) is a fork
 * whose parent waits until the child execs or ends: the child holds the
 * write end of a pipe that closes at either.  The child runs in a copy, so
 * what it writes to memory before exec is not seen by the parent (glibc's
 * posix_spawn then reports a failed exec as the child's exit status 127,
 * not as an error number).
 */
#include "libos.h"
#include "fs/fs.h"
#include <linux/sched.h>

#define P_ALL 0
#define P_PID 1
#define P_PGID 2
#define WNOHANG 1
#define WUNTRACED 2
#define WEXITED 4
#define WCONTINUED 8
#define WNOWAIT 0x01000000
#define WNOTHREAD 0x20000000
#define WALL 0x40000000
#define WCLONE 0x80000000u
#define SIGCHLD 17
#define USER_TOP 0x800000000000ull
#define RAISE_EXEC_EXIT 0x6578697400ull /* "exit": other threads at execve */
/* A forked child's record waits this many system calls (see
 * libos_process_publish); posix_spawn's child makes about 130 before execve. */
#define PUBLISH_AFTER 256

#define CLONE_NAMESPACES                                                              \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
	 CLONE_NEWPID | CLONE_NEWNET)

static DK_HANDLE vfork_end; /* a vfork child's end of its parent's pipe */
/* The child of a clone(CLONE_VM|CLONE_VFORK) with a stack of its own: what
 * glibc's posix_spawn makes.  Its failed execve is reported to the parent
 * through the pipe, which then fails the clone itself with that error (so
 * posix_spawn returns it, as when the child shares its memory). */
static bool spawn_child;

/* ---- fork ------------------------------------------------------------------------ */
static void fork_locks(bool take)
{
	if (take) {
		libos_fd_fork_lock(true);
		libos_mm_fork_lock(true);
		libos_lock(&libos_proc.lock);
		libos_signal_fork_lock(true);
		libos_timer_fork_lock(true);
		libos_heap_fork_lock(true);
	} else {
		libos_heap_fork_lock(false);
		libos_timer_fork_lock(false);
		libos_signal_fork_lock(false);
		libos_unlock(&libos_proc.lock);
		libos_mm_fork_lock(false);
		libos_fd_fork_lock(false);
	}
}

static int64_t host_id(uint32_t op)
{
	int64_t v = 0;
	return dk->DkProcessIdControl(op, 0, 0, &v) < 0 ? 0 : v;
}

/* The child's side: it is alone, with its own id.  stack: the clone's
 * (posix_spawn's child has one); the caller switches to it. */
static void fork_child(struct libos_thread *t, uint64_t flags, uint64_t stack, int *ctid,
		       uint64_t tls, DK_HANDLE done_r, DK_HANDLE done_w)
{
	int pid = (int)host_id(DK_PID_SELF);
	libos_proc.ppid = libos_proc.pid;
	libos_proc.pid = pid;
	libos_thread_fork_child(t, pid);
	libos_signal_fork_child(t);
	libos_timer_fork_child();
	libos_ipc_fork_child();
	libos_ipc_sem_fork_child();
	libos_patch_fork_child();
	libos_proc.unpublished = PUBLISH_AFTER; /* see libos_process_publish */
	/* (Only what changes is written: each page written is one more copy.) */
	if (vfork_end) { /* our own parent's: only we tell it */
		dk->DkObjectClose(vfork_end);
		vfork_end = DK_HANDLE_NONE;
	}
	if (done_r) {
		dk->DkObjectClose(done_r);
		vfork_end = done_w;
	}
	bool spawn = done_r && (flags & CLONE_VM) && stack;
	if (spawn_child != spawn)
		spawn_child = spawn;
	if (flags & CLONE_SETTLS) {
		t->fs_base = tls;
		dk->DkSegmentRegisterSet(DK_SEGMENT_FS, tls);
	}
	t->clear_child_tid = flags & CLONE_CHILD_CLEARTID ? ctid : NULL;
	if (flags & CLONE_CHILD_SETTID)
		libos_copy_to_user(ctid, &pid, sizeof(pid));
}

/* The parent of a vfork child waits until the child has exec'd or ended;
 * a spawn child's failed exec arrives as its error number (0: none). */
static int vfork_wait(DK_HANDLE done_r)
{
	int err = 0;
	size_t got = 0;
	while (got < sizeof(err)) {
		size_t n = sizeof(err) - got;
		int rc = dk->DkStreamRead(done_r, 0, (char *)&err + got, &n);
		if (rc == -DK_E_INTERRUPTED)
			continue;
		if (rc < 0 || n == 0)
			break;
		got += n;
	}
	dk->DkObjectClose(done_r);
	return got == sizeof(err) ? err : 0;
}

/* A spawn child's last failed execve (posix_spawnp tries every PATH entry):
 * if the child then exits, its parent's clone fails with that error. */
static int spawn_errno;

static void spawn_failed(long e)
{
	if (spawn_child && e < 0)
		spawn_errno = (int)-e;
}

void libos_process_exiting(void)
{
	if (!spawn_child || !vfork_end || !spawn_errno)
		return;
	size_t n = sizeof(spawn_errno);
	dk->DkStreamWrite(vfork_end, 0, &spawn_errno, &n);
}

/* Forks the process, with a pipe for a vfork's parent to wait on when
 * want_pipe (none if the host has no room for one: a plain fork then).
 * for_exec: the child replaces its program at once, so the application's
 * memory stays behind (it costs neither the fork nor the parent's
 * copy-on-write faults after it).  0 in both, with *child the child's pid
 * in the parent and 0 in the child. */
static long fork_process(bool want_pipe, bool for_exec, int64_t *child, DK_HANDLE *done_r,
			 DK_HANDLE *done_w)
{
	/* First: a rewrite may map a trampoline page, which the ranges left
	 * behind must then include. */
	libos_patch_reports(); /* its earlier children's traps, in its code */
	struct dk_range left[DK_FORK_LEFT_MAX];
	uint32_t nleft = for_exec ? libos_mm_app_ranges(left, DK_FORK_LEFT_MAX)
				  : libos_mm_fork_ranges(left, DK_FORK_LEFT_MAX);
	*done_r = *done_w = DK_HANDLE_NONE;
	if (want_pipe && dk->DkStreamPipeCreate(0, done_r, done_w) < 0)
		*done_r = *done_w = DK_HANDLE_NONE;
	libos_process_settled(); /* the parent's record before its child's */
	fs_pipes_share();
	fs_sockets_share();
	if (libos_signal_incoming_any()) /* the parent's, not the child's */
		libos_signal_drain();
	*child = 0;
	fork_locks(true);
	int rc = dk->DkProcessFork(child, left, nleft);
	fork_locks(false);
	if (rc == 0 && *child == 0 && nleft && !for_exec)
		libos_mm_fork_child();
	else if (rc == 0 && *child == 0 && for_exec && nleft < DK_FORK_LEFT_MAX)
		libos_mm_app_left_behind(); /* all of it: none was cut off */
	if (rc < 0) {
		if (*done_r) {
			dk->DkObjectClose(*done_r);
			dk->DkObjectClose(*done_w);
		}
		return rc == -DK_E_LIMIT || rc == -DK_E_WOULD_BLOCK ? -EAGAIN : libos_errno(rc);
	}
	return 0;
}

/* The parent of a forked vfork child: back once the child has exec'd or
 * ended.  spawn: the child has a stack of its own (posix_spawn's), so its
 * failed exec fails the clone. */
static long vfork_parent(int pid, bool spawn, DK_HANDLE done_r, DK_HANDLE done_w)
{
	if (!done_r)
		return pid;
	dk->DkObjectClose(done_w);
	int err = vfork_wait(done_r);
	if (err > 0 && err < 4096 && spawn) {
		/* The spawn failed: no child for the caller to see. */
		struct dk_wait_result r;
		while (dk->DkProcessWait(pid, DK_WAIT_EXITED, &r) == -DK_E_INTERRUPTED)
			;
		return -err;
	}
	return pid;
}

/* ---- borrowing: a vfork child on its parent's process -------------------------------
 *
 * A vfork child (glibc's posix_spawn, Python's subprocess, vfork()) shares
 * its parent's memory while the parent waits for it to exec or end, and
 * nearly always it only resets signal actions and descriptors, then execs.
 * Forking a picoprocess for that first costs a copy of the parent's page
 * tables, then a fault for each page the child writes before it execs.  So
 * the child first runs on its parent's own process and thread: vfork
 * returns 0 there, the parent's registers, descriptor table, signal
 * actions and mask (and MXCSR and x87 control word) set aside.  The calls
 * of libos_vfork_allows run as the child's.  At execve, once the new
 * program has checked out (a failed execve returns to the child, as on
 * Linux), the process forks: the copy, now the child, goes on with the
 * exec; the original gets the parent's state back and returns the child's
 * pid from vfork.  Any other call (getpid, setsid, exit ...) and a fault
 * fork the same way first, and the parent then waits for the forked child
 * as for any vfork child.  Signals that arrive meanwhile are the parent's
 * and wait for it; so no call that may raise one for the caller (write's
 * SIGPIPE, kill) runs borrowed.  Only a process of one thread lends
 * itself. */
static struct {
	struct libos_regs parent; /* its frame at the vfork */
	uint64_t flags, stack;
	struct libos_fd_table fds;
	uint32_t mxcsr;
	uint16_t fcw;
} lent LIBOS_FORK_HOT;
bool libos_vfork_borrowed LIBOS_FORK_HOT;

bool libos_vfork_allows(long nr)
{
	switch (nr) {
	case __NR_rt_sigaction:
	case __NR_rt_sigprocmask:
	case __NR_close:
	case __NR_close_range:
	case __NR_dup:
	case __NR_dup2:
	case __NR_dup3:
	case __NR_fcntl:
	case __NR_open:
	case __NR_openat:
	case __NR_execve:
	case __NR_execveat:
		return true;
	}
	return false;
}

static bool borrow(struct libos_thread *t, uint64_t flags, uint64_t stack)
{
	if ((flags & ~(uint64_t)CSIGNAL) != (CLONE_VM | CLONE_VFORK) || libos_vfork_borrowed ||
	    libos_proc.threads != t || t->next)
		return false;
	/* Pipes and sockets move to the host now, while every end is in the
	 * table (the fork at the end sees only the child's table). */
	fs_pipes_share();
	fs_sockets_share();
	if (libos_fd_table_save(&lent.fds) < 0)
		return false;
	lent.parent = *t->regs;
	lent.flags = flags;
	lent.stack = stack;
	libos_signal_lend(t);
	__asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(lent.mxcsr), "=m"(lent.fcw));
	libos_vfork_borrowed = true;
	if (stack)
		t->regs->rsp = stack;
	return true;
}

/* Ends the borrowing with a fork: returns 0 in the copy, which goes on as
 * the child.  The original gets the parent's state back (its registers are
 * the caller's to put back) and returns what the parent's vfork returns:
 * the child's pid or an error.  wait: the child has not exec'd yet, and
 * the parent waits until it has or has ended.  exec: the child is about to
 * exec (and does not get the application's memory). */
static long lend_end(struct libos_thread *t, bool wait, bool exec)
{
	int64_t child;
	DK_HANDLE done_r, done_w;
	libos_vfork_borrowed = false;
	long rc = fork_process(wait, exec, &child, &done_r, &done_w);
	if (rc == 0 && child == 0) {
		fork_child(t, lent.flags, lent.stack, NULL, 0, done_r, done_w);
		libos_fd_table_discard(&lent.fds);
		libos_signal_lent_back(t, false);
		return 0;
	}
	libos_fd_table_restore(&lent.fds);
	libos_signal_lent_back(t, true);
	__asm__ volatile("ldmxcsr %0\n\tfldcw %1" : : "m"(lent.mxcsr), "m"(lent.fcw));
	if (rc < 0)
		return rc;
	return vfork_parent((int)child, lent.stack != 0, done_r, done_w);
}

/* The dispatcher's hook for a call libos_vfork_allows does not allow:
 * 0 in the child, which then makes the call; otherwise the parent's frame
 * is back in place and the result is its vfork's. */
long libos_vfork_leave(void)
{
	struct libos_thread *t = libos_current();
	long rc = lend_end(t, true, false);
	if (rc)
		*t->regs = lent.parent;
	return rc;
}

/* A fault in the borrowing child: false in the child, whose fault it is;
 * true in the parent, with ctx set to resume it from its vfork. */
bool libos_vfork_fault(struct dk_context *ctx)
{
	long rc = lend_end(libos_current(), false, false);
	if (!rc)
		return false;
	const struct libos_regs *p = &lent.parent;
	ctx->r8 = p->r8, ctx->r9 = p->r9, ctx->r10 = p->r10, ctx->r12 = p->r12;
	ctx->r13 = p->r13, ctx->r14 = p->r14, ctx->r15 = p->r15, ctx->rdi = p->rdi;
	ctx->rsi = p->rsi, ctx->rbp = p->rbp, ctx->rbx = p->rbx, ctx->rdx = p->rdx;
	ctx->rsp = p->rsp, ctx->rip = p->rip, ctx->rflags = p->rflags;
	ctx->rax = (uint64_t)rc, ctx->rcx = p->rip, ctx->r11 = p->rflags;
	/* The floating-point state comes back from the host's area: the
	 * parent's control words go there (FXSAVE layout: FCW at 0, MXCSR at
	 * 24). */
	if (ctx->fpstate) {
		memcpy(ctx->fpstate, &lent.fcw, sizeof(lent.fcw));
		memcpy((char *)ctx->fpstate + 24, &lent.mxcsr, sizeof(lent.mxcsr));
	}
	return true;
}

long libos_process_clone(uint64_t flags, uint64_t stack, int *ptid, int *ctid, uint64_t tls)
{
	struct libos_thread *t = libos_current();
	if (!t || !t->regs)
		return -EINVAL;
	if (flags & CLONE_NAMESPACES)
		return -EPERM;
	if (flags & (CLONE_THREAD | CLONE_PIDFD))
		return -EINVAL;
	if ((flags & CLONE_SETTLS) && tls >= USER_TOP)
		return -EPERM;
	if (borrow(t, flags, stack))
		return 0;
	int64_t child;
	DK_HANDLE done_r, done_w;
	long rc = fork_process(flags & CLONE_VFORK, false, &child, &done_r, &done_w);
	if (rc < 0)
		return rc;
	if (child == 0) {
		fork_child(t, flags, stack, ctid, tls, done_r, done_w);
		if (stack)
			t->regs->rsp = stack;
		return 0;
	}
	int pid = (int)child;
	if (flags & CLONE_PARENT_SETTID)
		libos_copy_to_user(ptid, &pid, sizeof(pid));
	return vfork_parent(pid, (flags & CLONE_VM) && stack, done_r, done_w);
}

LIBOS_SYSCALL(fork)
{
	LIBOS_UNUSED_ARGS(a0, a1, a2, a3, a4, a5);
	return libos_process_clone(SIGCHLD, 0, NULL, NULL, 0);
}

LIBOS_SYSCALL(vfork)
{
	LIBOS_UNUSED_ARGS(a0, a1, a2, a3, a4, a5);
	return libos_process_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, NULL, NULL, 0);
}

/* ---- execve ---------------------------------------------------------------------- */

/* Linux ends the other threads at execve.  Each is raised with a request to
 * end itself (libos_process_raised), and given a moment to do so. */
static void end_other_threads(struct libos_thread *self)
{
	DK_HANDLE hs[63];
	size_t n = 0;
	libos_lock(&libos_proc.lock);
	for (struct libos_thread *p = libos_proc.threads; p; p = p->next)
		if (p != self && !p->exiting && p->handle && n < 63) {
			dk->DkThreadRaiseException(p->handle, RAISE_EXEC_EXIT);
			hs[n++] = p->handle;
		}
	libos_unlock(&libos_proc.lock);
	for (size_t i = 0; i < n; i++)
		dk->DkObjectsWaitAny(1, &hs[i], 200000, NULL);
	libos_lock(&libos_proc.lock);
	libos_proc.threads = self;
	self->next = NULL;
	libos_unlock(&libos_proc.lock);
}

/* The dispatcher's hook for a raise: true if it asked this thread to end. */
bool libos_process_raised(uint64_t arg)
{
	if (arg != RAISE_EXEC_EXIT)
		return false;
	dk->DkThreadExit(0);
}

long libos_exec_point_of_no_return(void)
{
	struct libos_thread *t = libos_current();
	if (libos_vfork_borrowed) {
		long rc = lend_end(t, false, true);
		if (rc) {
			*t->regs = lent.parent;
			return rc;
		}
	}
	end_other_threads(t);
	libos_fd_close_on_exec();
	libos_ipc_detach_all();
	libos_signal_exec(t);
	if (vfork_end) { /* the parent waits no more */
		dk->DkObjectClose(vfork_end);
		vfork_end = DK_HANDLE_NONE;
	}
	libos_mm_exec_release();
	libos_patch_exec();
	t->clear_child_tid = NULL;
	t->handler_frames = 0;
	t->robust_list = NULL;
	t->robust_len = 0;
	return 0;
}

/* The library OS's own links that name a program: /proc/self/exe (and
 * /proc/PID/exe of the caller) is the running program's file. */
static const char *own_link(const char *path)
{
	char mine[32];
	rt_snprintf(mine, sizeof(mine), "/proc/%d/exe", libos_proc.pid);
	if ((!strcmp(path, "/proc/self/exe") || !strcmp(path, mine)) && libos_proc.exe)
		return libos_proc.exe;
	return path;
}

/* The length of execve's path: it is copied into a buffer of its own size,
 * since each stack page an exec touches is one more page a forked child
 * copies (and its parent faults on again). */
static long path_len(const char *upath)
{
	long n = libos_strnlen_from_user(upath, FS_PATH_MAX);
	return n == FS_PATH_MAX ? -ENAMETOOLONG : n;
}

static long do_execve(const char *upath, char **argv, char **envp)
{
	long n = path_len(upath);
	if (n <= 0)
		return n ? n : -ENOENT;
	char path[n + 1];
	if (libos_copy_str_from_user(path, upath, (size_t)n + 1) != n)
		return -EFAULT; /* changed meanwhile */
	long rc = libos_execve(own_link(path), argv, envp);
	spawn_failed(rc);
	return rc;
}

LIBOS_SYSCALL(execve)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	return do_execve((const char *)a0, (char **)a1, (char **)a2);
}

/* execveat's path relative to f (a directory, or with AT_EMPTY_PATH the
 * file itself) into full (size bytes, as full_size computed it). */
static size_t full_size(const struct libos_file *f, size_t path_len)
{
	return f->path ? strlen(f->path) + 1 + path_len + 1 : 1;
}

static long join_at(const struct libos_file *f, const char *path, bool empty_ok, char *full,
		    size_t size)
{
	if (!f->path || (!path[0] && !empty_ok))
		return -ENOENT;
	if (size > FS_PATH_MAX)
		return -ENAMETOOLONG;
	if (path[0])
		rt_snprintf(full, size, "%s/%s", f->path, path);
	else
		rt_strlcpy(full, f->path, size);
	return 0;
}

LIBOS_SYSCALL(execveat)
{
	LIBOS_UNUSED_ARGS(a5);
	int dirfd = (int)a0;
	const char *upath = (const char *)a1;
	long n = path_len(upath);
	if (n < 0)
		return n;
	char path[n + 1];
	if (libos_copy_str_from_user(path, upath, (size_t)n + 1) != n)
		return -EFAULT;
	if ((a4 & ~(long)(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) != 0)
		return -EINVAL;
	if (path[0] == '/' || dirfd == AT_FDCWD) {
		if (!path[0])
			return -ENOENT;
		return libos_execve(path, (char **)a2, (char **)a3);
	}
	struct libos_file *f = libos_fd_get(dirfd);
	if (!f)
		return -EBADF;
	size_t size = full_size(f, (size_t)n);
	char full[size <= FS_PATH_MAX ? size : 1];
	long rc = join_at(f, path, a4 & AT_EMPTY_PATH, full, size);
	libos_file_put(f); /* before the exec, which does not come back */
	if (rc < 0)
		return rc;
	return libos_execve(full, (char **)a2, (char **)a3);
}

/* ---- wait ------------------------------------------------------------------------ */

/* What reaped children used, for getrusage(RUSAGE_CHILDREN) and times. */
static uint64_t children_user_us LIBOS_FORK_HOT, children_system_us LIBOS_FORK_HOT,
	children_maxrss_kb LIBOS_FORK_HOT;

static void account(const struct dk_wait_result *r, uint32_t options)
{
	if (!r->pid || (options & DK_WAIT_NOWAIT) ||
	    (r->state != DK_CHILD_EXITED && r->state != DK_CHILD_KILLED &&
	     r->state != DK_CHILD_DUMPED))
		return;
	__atomic_add_fetch(&children_user_us, r->user_us, __ATOMIC_RELAXED);
	__atomic_add_fetch(&children_system_us, r->system_us, __ATOMIC_RELAXED);
	uint64_t m = __atomic_load_n(&children_maxrss_kb, __ATOMIC_RELAXED);
	while (r->maxrss_kb > m &&
	       !__atomic_compare_exchange_n(&children_maxrss_kb, &m, r->maxrss_kb, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

void libos_children_usage(uint64_t *user_us, uint64_t *system_us, uint64_t *maxrss_kb)
{
	*user_us = __atomic_load_n(&children_user_us, __ATOMIC_RELAXED);
	*system_us = __atomic_load_n(&children_system_us, __ATOMIC_RELAXED);
	*maxrss_kb = __atomic_load_n(&children_maxrss_kb, __ATOMIC_RELAXED);
}

/* The kernel's struct rusage for one reaped child (wait4's last argument). */
static long put_rusage(void *u, const struct dk_wait_result *r)
{
	int64_t ru[18];
	memset(ru, 0, sizeof(ru));
	ru[0] = (int64_t)(r->user_us / 1000000);
	ru[1] = (int64_t)(r->user_us % 1000000);
	ru[2] = (int64_t)(r->system_us / 1000000);
	ru[3] = (int64_t)(r->system_us % 1000000);
	ru[4] = (int64_t)r->maxrss_kb;
	return libos_copy_to_user(u, ru, sizeof(ru)) < 0 ? -EFAULT : 0;
}

/* One child's state change, as DkProcessWait reports it (pid 0: none yet
 * with WNOHANG).  Children the kernel would have reaped itself (SIGCHLD
 * ignored or SA_NOCLDWAIT) are reaped here and never reported. */
static long wait_one(int64_t target, uint32_t options, struct dk_wait_result *r)
{
	libos_process_settled();
	for (;;) {
		int rc = dk->DkProcessWait(target, options, r);
		if (rc == -DK_E_INTERRUPTED && !(options & DK_WAIT_NOHANG)) {
			/* As Linux: a child that is ready, or having none
			 * (ECHILD), comes before the signal's EINTR. */
			rc = dk->DkProcessWait(target, options | DK_WAIT_NOHANG, r);
			if (rc == 0 && !r->pid)
				return -EINTR;
		}
		if (rc == -DK_E_NOT_FOUND)
			return -ECHILD;
		if (rc < 0)
			return libos_errno(rc);
		account(r, options);
		if (!r->pid || !libos_signal_child_autoreap() ||
		    (r->state != DK_CHILD_EXITED && r->state != DK_CHILD_KILLED &&
		     r->state != DK_CHILD_DUMPED))
			return 0;
		if (options & DK_WAIT_NOWAIT) /* reap it for real, then look again */
			dk->DkProcessWait(r->pid, DK_WAIT_EXITED | DK_WAIT_NOHANG, r);
	}
}

/* wait4's status word. */
static int wait_status(const struct dk_wait_result *r)
{
	switch (r->state) {
	case DK_CHILD_EXITED: return (r->status & 0xff) << 8;
	case DK_CHILD_KILLED: return r->status & 0x7f;
	case DK_CHILD_DUMPED: return (r->status & 0x7f) | 0x80;
	case DK_CHILD_STOPPED: return ((r->status & 0xff) << 8) | 0x7f;
	case DK_CHILD_CONTINUED: return 0xffff;
	default: return 0;
	}
}

static int64_t wait_target(long pid)
{
	return pid < -1 ? pid : pid == -1 ? -1 : pid == 0 ? 0 : pid;
}

LIBOS_SYSCALL(wait4)
{
	LIBOS_UNUSED_ARGS(a4, a5);
	long pid = (int)a0;
	int *ustatus = (int *)a1;
	unsigned long opts = (unsigned long)(unsigned)a2;
	if (opts & ~(unsigned long)(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	uint32_t o = DK_WAIT_EXITED;
	o |= opts & WNOHANG ? DK_WAIT_NOHANG : 0;
	o |= opts & WUNTRACED ? DK_WAIT_STOPPED : 0;
	o |= opts & WCONTINUED ? DK_WAIT_CONTINUED : 0;
	struct dk_wait_result r;
	long rc = wait_one(wait_target(pid), o, &r);
	if (rc < 0)
		return rc;
	if (r.pid && ustatus) {
		int st = wait_status(&r);
		if (libos_copy_to_user(ustatus, &st, sizeof(st)) < 0)
			return -EFAULT;
	}
	if (a3 && put_rusage((void *)a3, &r) < 0)
		return -EFAULT;
	return r.pid;
}

LIBOS_SYSCALL(waitid)
{
	LIBOS_UNUSED_ARGS(a5);
	int idtype = (int)a0;
	long id = (int)a1;
	unsigned long opts = (unsigned long)(unsigned)a3;
	if (opts & ~(unsigned long)(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT |
				    WNOTHREAD | WALL | WCLONE))
		return -EINVAL;
	if (!(opts & (WEXITED | WUNTRACED | WCONTINUED)))
		return -EINVAL;
	int64_t target;
	switch (idtype) {
	case P_ALL: target = -1; break;
	case P_PID: if (id <= 0) return -EINVAL; target = id; break;
	case P_PGID: if (id < 0) return -EINVAL; target = id ? -id : 0; break;
	default: return -EINVAL;
	}
	uint32_t o = 0;
	o |= opts & WNOHANG ? DK_WAIT_NOHANG : 0;
	o |= opts & WEXITED ? DK_WAIT_EXITED : 0;
	o |= opts & WUNTRACED ? DK_WAIT_STOPPED : 0;
	o |= opts & WCONTINUED ? DK_WAIT_CONTINUED : 0;
	o |= opts & WNOWAIT ? DK_WAIT_NOWAIT : 0;
	struct dk_wait_result r;
	long rc = wait_one(target, o, &r);
	if (rc < 0)
		return rc;
	if (a2) {
		struct libos_siginfo si;
		memset(&si, 0, sizeof(si));
		if (r.pid) {
			si.si_signo = SIGCHLD;
			si.si_code = (int)r.state;
			si.u.chld.pid = (int)r.pid;
			si.u.chld.uid = libos_proc.uid;
			si.u.chld.status = r.status;
		}
		if (libos_copy_to_user((void *)a2, &si, sizeof(si)) < 0)
			return -EFAULT;
	}
	if (a4 && put_rusage((void *)a4, &r) < 0)
		return -EFAULT;
	return 0;
}

/* SIGCHLD arrived for a child: one the kernel would have reaped itself is
 * reaped now (SIGCHLD ignored, or SA_NOCLDWAIT), so no zombie stays. */
void libos_process_child_event(int pid, int code, int status)
{
	(void)status;
	if (code > 3 || !libos_signal_child_autoreap())
		return; /* stopped or continued: nothing to reap */
	struct dk_wait_result r;
	dk->DkProcessWait(pid, DK_WAIT_EXITED | DK_WAIT_NOHANG, &r);
}

/* ---- ids, groups, sessions, signals ---------------------------------------------- */
/* A process call's error as Linux says it about a process. */
static long proc_errno(int rc)
{
	if (rc == -DK_E_NOT_FOUND)
		return -ESRCH;
	if (rc == -DK_E_DENIED)
		return -EPERM;
	return libos_errno(rc);
}

static long id_call(uint32_t op, long pid, long arg)
{
	int64_t v = 0;
	int rc = dk->DkProcessIdControl(op, pid, arg, &v);
	return rc < 0 ? proc_errno(rc) : (long)v;
}

LIBOS_SYSCALL(getppid)
{
	LIBOS_UNUSED_ARGS(a0, a1, a2, a3, a4, a5);
	return id_call(DK_PID_PARENT, 0, 0);
}

LIBOS_SYSCALL(getpgrp)
{
	LIBOS_UNUSED_ARGS(a0, a1, a2, a3, a4, a5);
	return id_call(DK_PID_GROUP_GET, 0, 0);
}

LIBOS_SYSCALL(getpgid)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	if ((int)a0 < 0)
		return -EINVAL;
	return id_call(DK_PID_GROUP_GET, (int)a0, 0);
}

LIBOS_SYSCALL(getsid)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	if ((int)a0 < 0)
		return -EINVAL;
	return id_call(DK_PID_SESSION_GET, (int)a0, 0);
}

LIBOS_SYSCALL(setpgid)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	if ((int)a0 < 0 || (int)a1 < 0)
		return -EINVAL;
	long rc = id_call(DK_PID_GROUP_SET, (int)a0, (int)a1);
	if (rc == -EINVAL)
		return -EPERM;
	return rc < 0 ? rc : 0;
}

/* A new session has no controlling terminal: /dev/tty gives ENXIO. */
bool libos_no_ctty;

LIBOS_SYSCALL(setsid)
{
	LIBOS_UNUSED_ARGS(a0, a1, a2, a3, a4, a5);
	long rc = id_call(DK_PID_SESSION_NEW, 0, 0);
	if (rc > 0)
		libos_no_ctty = true;
	return rc;
}

long libos_process_queue(int pid, int sig, uint64_t value)
{
	if (sig == 0)
		return libos_process_kill(pid, 0);
	int rc = dk->DkProcessSignal(pid, (uint32_t)sig, DK_SIGNAL_QUEUE, value);
	return rc < 0 ? proc_errno(rc) : 0;
}

/* kill() towards anything but the caller alone (signal.c keeps that in the
 * process): the host delivers, to the caller too when it is one of them. */
long libos_process_kill(int pid, int sig)
{
	int rc = dk->DkProcessSignal(pid, (uint32_t)sig, 0, 0);
	return rc < 0 ? proc_errno(rc) : 0;
}

/* ---- the sandbox's process list, for /proc/PID ------------------------------------
 * Each process publishes a small record of itself in the sandbox's
 * shared-memory directory, ".moat-proc-PID": its parent, then its command
 * line (NUL-separated), so that /proc/PID of another process has something
 * to show.  Written at start and after execve, and left behind at exit (a
 * file operation less on every exit): readers skip the records of
 * processes that are gone (DkProcessSignal(pid, 0, 0, 0)).
 *
 * A forked child writes its record only once it is more than a moment old:
 * after PUBLISH_AFTER system calls, or when it first waits (for a child,
 * for input, in poll or a futex...) or forks; an execve before that starts
 * the count again for the new program.  Most children exec a short-lived
 * program or exit first, and the record's three file operations were a
 * tenth of a fork.  Until then /proc does not list the child, and a record
 * left by an ended process with the same id (after the ids wrap) would
 * show in its place. */
#define PROC_RECORD "file:/tmp/.moat-shm/.moat-proc-%d"

/* At start and execve (the program's argv just set). */
void libos_process_exec_publish(void)
{
	if (__atomic_load_n(&libos_proc.unpublished, __ATOMIC_RELAXED) > 0)
		__atomic_store_n(&libos_proc.unpublished, PUBLISH_AFTER, __ATOMIC_RELAXED);
	else
		libos_process_publish();
}

void libos_process_publish(void)
{
	__atomic_store_n(&libos_proc.unpublished, 0, __ATOMIC_RELAXED);
	char uri[64];
	rt_snprintf(uri, sizeof(uri), PROC_RECORD, libos_proc.pid);
	fs_shm_dir_ready();
	DK_HANDLE h;
	if (dk->DkStreamOpen(uri, DK_ACCESS_WRITE, DK_CREATE_ALWAYS | DK_CREATE_TRUNCATE, 0, 0600,
			     &h) < 0)
		return;
	char buf[2048];
	size_t at = (size_t)rt_snprintf(buf, sizeof(buf), "%d\n", libos_proc.ppid);
	for (char **a = libos_proc.argv; a && *a && at < sizeof(buf) - 1; a++) {
		char s[512];
		if (libos_copy_str_from_user(s, *a, sizeof(s)) < 0)
			break;
		size_t n = strlen(s) + 1;
		if (at + n > sizeof(buf))
			break;
		memcpy(buf + at, s, n);
		at += n;
	}
	dk->DkStreamWrite(h, 0, buf, &at);
	dk->DkObjectClose(h);
}

/* Another live process's record: its parent, and its command line in
 * argv (NUL-separated, *len bytes).  -ESRCH if there is none. */
long libos_process_record(int pid, int *ppid, char *argv, size_t *len)
{
	if (pid <= 0 || dk->DkProcessSignal(pid, 0, 0, 0) < 0)
		return -ESRCH;
	char uri[64], buf[2048];
	rt_snprintf(uri, sizeof(uri), PROC_RECORD, pid);
	DK_HANDLE h;
	if (dk->DkStreamOpen(uri, DK_ACCESS_READ, DK_CREATE_NEVER, 0, 0, &h) < 0)
		return -ESRCH;
	size_t n = sizeof(buf) - 1;
	int rc = dk->DkStreamRead(h, 0, buf, &n);
	dk->DkObjectClose(h);
	if (rc < 0)
		return -ESRCH;
	buf[n] = 0;
	char *nl = strchr(buf, '\n');
	if (!nl)
		return -ESRCH;
	*nl = 0;
	uint64_t v = 0;
	rt_parse_u64(buf, &v);
	*ppid = (int)v;
	size_t rest = n - (size_t)(nl + 1 - buf);
	if (rest > *len)
		rest = *len;
	memcpy(argv, nl + 1, rest);
	*len = rest;
	return 0;
}

/* The other processes' ids, for listing /proc: up to max into pids. */
size_t libos_process_list(int *pids, size_t max)
{
	DK_HANDLE d;
	size_t count = 0;
	if (dk->DkStreamOpen("file:/tmp/.moat-shm", DK_ACCESS_READ, DK_CREATE_NEVER,
			     DK_OPT_DIRECTORY, 0, &d) < 0)
		return 0;
	char buf[4096];
	for (;;) {
		size_t n = sizeof(buf);
		if (dk->DkStreamEnumerateChildren(d, buf, &n) < 0 || n == 0)
			break;
		for (size_t at = 0; at < n; at += strlen(buf + at) + 1) {
			uint64_t v;
			const char *e;
			if (!rt_startswith(buf + at, ".moat-proc-"))
				continue;
			e = rt_parse_u64(buf + at + 11, &v);
			if (e && !*e && v > 0 && (int)v != libos_proc.pid && count < max &&
			    dk->DkProcessSignal((int64_t)v, 0, 0, 0) == 0)
				pids[count++] = (int)v;
		}
	}
	dk->DkObjectClose(d);
	return count;
}
