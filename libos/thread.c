/*
 * Threads: clone/clone3 for threads (the flags glibc's pthread_create and
 * Go-style runtimes use), exit and exit_group, set_tid_address, robust
 * lists, gettid, arch_prctl, and the thread list (libos_thread_new,
 * libos_thread_find).
 *
 * A new application thread is a new PAL thread (DkThreadCreate) that starts
 * in clone_thread_start: it installs its struct libos_thread, sets %fs, and
 * enters the application with a copy of the creator's registers at the
 * clone (rax = 0, rsp = the new stack).
 *
 * Thread structures are never freed: an exited thread's structure goes on
 * a free list and is reused (with its library OS stack and its events) by a
 * later thread once the old PAL thread has really ended.  So a stale
 * pointer (libos_thread_find racing with an exit) always points at a
 * thread structure, never at freed memory.
 *
 * clone without CLONE_VM or without CLONE_THREAD (fork, vfork, posix_spawn)
 * makes a new process: process.c.
 */
#include "libos.h"
#include <linux/sched.h>
#include <linux/futex.h>

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define ARCH_GET_CPUID 0x1011
#define USER_TOP 0x800000000000ull

struct thread_ext {
	struct libos_thread t;      /* first: a libos_thread * is a thread_ext * */
	DK_HANDLE futex_event;      /* futex.c: this thread's waits (made at the first) */
	struct thread_ext *free_next;
	DK_HANDLE dead;             /* on the free list: the ended PAL thread */
};

static struct thread_ext *free_threads; /* under libos_proc.lock */
static int leader_exit_code;

static struct thread_ext *ext(struct libos_thread *t)
{
	return (struct thread_ext *)t;
}

/* Only t itself asks.  Made at the first wait: a process with fewer
 * events has fewer to renew at each fork (DkProcessFork). */
DK_HANDLE libos_thread_futex_event(struct libos_thread *t)
{
	if (!ext(t)->futex_event && dk->DkSynchronizationEventCreate(0, &ext(t)->futex_event) < 0)
		ext(t)->futex_event = DK_HANDLE_NONE;
	return ext(t)->futex_event;
}

struct libos_thread *libos_thread_new(void)
{
	struct thread_ext *x;
	libos_lock(&libos_proc.lock);
	x = free_threads;
	if (x)
		free_threads = x->free_next;
	libos_unlock(&libos_proc.lock);

	if (x) {
		/* Reuse: wait for the old PAL thread to be gone from its stacks. */
		if (x->dead) {
			dk->DkObjectsWaitAny(1, &x->dead, DK_WAIT_INFINITE, NULL);
			dk->DkObjectClose(x->dead);
		}
		void *kstack = x->t.kstack;
		uint64_t kstack_top = x->t.kstack_top;
		DK_HANDLE wake = x->t.wake, fev = x->futex_event;
		memset(x, 0, sizeof(*x));
		x->t.kstack = kstack;
		x->t.kstack_top = kstack_top;
		x->t.wake = wake;
		x->futex_event = fev;
		if (wake)
			dk->DkEventClear(wake);
		if (fev)
			dk->DkEventClear(fev);
	} else {
		x = libos_alloc(sizeof(*x));
		if (!x)
			return NULL;
		memset(x, 0, sizeof(*x));
	}
	struct libos_thread *t = &x->t;

	/* The first thread's id is the pid; another's is its host thread id
	 * (unique in the sandbox's pid namespace, as every pid is), which the
	 * new thread itself learns and publishes (clone_thread_start). */
	libos_lock(&libos_proc.lock);
	if (!libos_proc.threads)
		t->tid = libos_proc.pid;
	libos_unlock(&libos_proc.lock);

	if (libos_thread_prepare(t) < 0) {
		/* Keep the structure for later (it holds no thread yet). */
		libos_lock(&libos_proc.lock);
		x->free_next = free_threads;
		free_threads = x;
		libos_unlock(&libos_proc.lock);
		return NULL;
	}

	libos_lock(&libos_proc.lock);
	t->next = libos_proc.threads;
	libos_proc.threads = t;
	libos_unlock(&libos_proc.lock);
	return t;
}

struct libos_thread *libos_thread_find(int tid)
{
	struct libos_thread *t;
	libos_lock(&libos_proc.lock);
	for (t = libos_proc.threads; t; t = t->next)
		if (t->tid == tid && !t->exiting)
			break;
	libos_unlock(&libos_proc.lock);
	return t;
}

/* Takes t out of the thread list; true if it was the last one. */
static bool thread_unlink(struct libos_thread *t, int code)
{
	bool last;
	libos_lock(&libos_proc.lock);
	for (struct libos_thread **p = &libos_proc.threads; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	if (t->tid == libos_proc.pid)
		leader_exit_code = code;
	last = libos_proc.threads == NULL;
	libos_unlock(&libos_proc.lock);
	return last;
}

/* ---- robust futexes -------------------------------------------------------------- */
static void futex_owner_died(uint64_t uaddr, int tid)
{
	if (uaddr & 3)
		return;
	for (int tries = 0; tries < 100; tries++) {
		uint32_t uval;
		if (libos_copy_from_user(&uval, (void *)uaddr, 4) < 0)
			return;
		if ((int)(uval & FUTEX_TID_MASK) != tid)
			return;
		uint32_t nval = (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
		if (__atomic_compare_exchange_n((uint32_t *)uaddr, &uval, nval, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			if (uval & FUTEX_WAITERS)
				libos_futex_wake((uint32_t *)uaddr, 1);
			return;
		}
	}
}

static void robust_list_exit(struct libos_thread *t)
{
	struct robust_list_head head;
	uint64_t head_addr = (uint64_t)t->robust_list;
	if (!head_addr)
		return;
	t->robust_list = NULL;
	if (libos_copy_from_user(&head, (void *)head_addr, sizeof(head)) < 0)
		return;
	uint64_t pending = (uint64_t)head.list_op_pending & ~1ull;
	uint64_t entry = (uint64_t)head.list.next;
	for (int limit = 0; limit < 2048 && entry && (entry & ~1ull) != head_addr; limit++) {
		uint64_t e = entry & ~1ull;
		uint64_t next;
		if (libos_copy_from_user(&next, (void *)e, sizeof(next)) < 0)
			break;
		if (e != pending)
			futex_owner_died(e + head.futex_offset, t->tid);
		entry = next;
	}
	if (pending)
		futex_owner_died(pending + head.futex_offset, t->tid);
}

/* ---- exit ------------------------------------------------------------------------- */
void libos_exit_group(int status)
{
	/* The kernel releases a dying process's robust mutexes (they may be
	 * shared with other processes): the caller's list, at least. */
	struct libos_thread *t = libos_current();
	if (t)
		robust_list_exit(t);
	libos_ipc_detach_all();
	libos_ipc_sem_exit();
	libos_process_exiting();
	dk->DkProcessExit(status & 0xff);
}

void libos_thread_exit(int code)
{
	struct libos_thread *t = libos_current();
	struct thread_ext *x = ext(t);
	t->exiting = 1;
	robust_list_exit(t);
	if (t->clear_child_tid) {
		int zero = 0;
		if (libos_copy_to_user(t->clear_child_tid, &zero, sizeof(zero)) >= 0)
			libos_futex_wake((uint32_t *)t->clear_child_tid, 1);
	}
	libos_signal_thread_exit(t);
	if (thread_unlink(t, code))
		libos_exit_group(leader_exit_code);
	/* Free for reuse once this PAL thread has ended: its handle says so. */
	libos_lock(&libos_proc.lock);
	x->dead = t->handle;
	x->free_next = free_threads;
	free_threads = x;
	libos_unlock(&libos_proc.lock);
	dk->DkThreadExit(code);
}

LIBOS_SYSCALL(exit)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	libos_thread_exit((int)a0 & 0xff);
}

LIBOS_SYSCALL(exit_group)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	libos_exit_group((int)a0);
}

/* ---- clone ----------------------------------------------------------------------- */
struct clone_start {
	struct libos_thread *t;
	struct libos_regs frame;
};

static void clone_thread_start(void *param)
{
	struct clone_start *cs = param;
	struct libos_thread *t = cs->t;
	struct libos_regs frame = cs->frame;
	libos_free(cs);
	libos_set_current(t);
	int64_t id = 0;
	dk->DkProcessIdControl(DK_PID_THREAD, 0, 0, &id);
	__atomic_store_n(&t->tid, (int)id, __ATOMIC_RELEASE);
	/* The creator stores our PAL handle when DkThreadCreate returns, and
	 * our id where the application asked for it. */
	while (!__atomic_load_n(&t->handle, __ATOMIC_ACQUIRE))
		dk->DkThreadYieldExecution();
	if (t->fs_base)
		dk->DkSegmentRegisterSet(DK_SEGMENT_FS, t->fs_base);
	libos_return_to_app(&frame);
}

#define CLONE_THREAD_OK                                                                     \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |   \
	 CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID |     \
	 CLONE_DETACHED | CLONE_UNTRACED | CLONE_PTRACE | CLONE_IO | CLONE_PARENT | CSIGNAL)

static long do_clone(uint64_t flags, uint64_t stack, int *ptid, int *ctid, uint64_t tls)
{
	struct libos_thread *cur = libos_current();
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if (!(flags & CLONE_VM) || !(flags & CLONE_THREAD))
		return libos_process_clone(flags, stack, ptid, ctid, tls); /* process.c */
	if (flags & ~(uint64_t)CLONE_THREAD_OK)
		return -EINVAL;
	if (!cur || !cur->regs)
		return -EINVAL;
	if ((flags & CLONE_SETTLS) && tls >= USER_TOP)
		return -EPERM;

	struct clone_start *cs = libos_alloc(sizeof(*cs));
	if (!cs)
		return -ENOMEM;
	struct libos_thread *t = libos_thread_new();
	if (!t) {
		libos_free(cs);
		return -EAGAIN;
	}
	cs->t = t;
	cs->frame = *cur->regs;
	cs->frame.rax = 0;
	if (stack)
		cs->frame.rsp = stack;
	t->fs_base = flags & CLONE_SETTLS ? tls : cur->fs_base;
	t->sigmask = cur->sigmask;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = ctid;

	DK_HANDLE h = DK_HANDLE_NONE;
	int rc = dk->DkThreadCreate(clone_thread_start, cs, 0, &h);
	if (rc < 0) {
		libos_free(cs);
		thread_unlink(t, 0);
		t->exiting = 1;
		libos_lock(&libos_proc.lock);
		ext(t)->dead = DK_HANDLE_NONE;
		ext(t)->free_next = free_threads;
		free_threads = ext(t);
		libos_unlock(&libos_proc.lock);
		return rc == -DK_E_NO_MEMORY ? -ENOMEM : -EAGAIN;
	}
	int tid;
	while (!(tid = __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE)))
		dk->DkThreadYieldExecution();
	/* Both ids are written before the child runs application code (it
	 * waits for its handle; one address space). */
	if (flags & CLONE_PARENT_SETTID)
		libos_copy_to_user(ptid, &tid, sizeof(tid));
	if (flags & CLONE_CHILD_SETTID)
		libos_copy_to_user(ctid, &tid, sizeof(tid));
	__atomic_store_n(&t->handle, h, __ATOMIC_RELEASE);
	return tid;
}

LIBOS_SYSCALL(clone)
{
	LIBOS_UNUSED_ARGS(a5);
	/* x86-64 order: flags, stack, parent_tid, child_tid, tls. */
	return do_clone((uint64_t)a0 & 0xffffffffull, (uint64_t)a1, (int *)a2, (int *)a3,
			(uint64_t)a4);
}

LIBOS_SYSCALL(clone3)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct clone_args args;
	size_t size = (size_t)a1;
	if (size < CLONE_ARGS_SIZE_VER0 || size > 4096)
		return -EINVAL;
	memset(&args, 0, sizeof(args));
	if (libos_copy_from_user(&args, (void *)a0, size < sizeof(args) ? size : sizeof(args)) < 0)
		return -EFAULT;
	if (args.set_tid || args.set_tid_size)
		return -EINVAL;
	if (args.flags & (CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP | CLONE_PIDFD))
		return -EINVAL;
	if (args.flags & 0xff) /* CSIGNAL is not allowed in clone3's flags */
		return -EINVAL;
	if (args.exit_signal > 64)
		return -EINVAL;
	if ((args.stack == 0) != (args.stack_size == 0))
		return -EINVAL;
	uint64_t sp = args.stack ? args.stack + args.stack_size : 0;
	return do_clone(args.flags | args.exit_signal, sp, (int *)args.parent_tid,
			(int *)args.child_tid, args.tls);
}

/* ---- ids and per-thread words -------------------------------------------------------- */
LIBOS_SYSCALL(gettid)
{
	LIBOS_UNUSED_ARGS(a0, a1, a2, a3, a4, a5);
	return libos_current()->tid;
}

LIBOS_SYSCALL(set_tid_address)
{
	LIBOS_UNUSED_ARGS(a1, a2, a3, a4, a5);
	struct libos_thread *t = libos_current();
	t->clear_child_tid = (int *)a0;
	return t->tid;
}

LIBOS_SYSCALL(set_robust_list)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	if ((size_t)a1 != sizeof(struct robust_list_head))
		return -EINVAL;
	struct libos_thread *t = libos_current();
	t->robust_list = (void *)a0;
	t->robust_len = (size_t)a1;
	return 0;
}

LIBOS_SYSCALL(get_robust_list)
{
	LIBOS_UNUSED_ARGS(a3, a4, a5);
	int pid = (int)a0;
	struct libos_thread *t = pid ? libos_thread_find(pid) : libos_current();
	if (!t)
		return -ESRCH;
	uint64_t head = (uint64_t)t->robust_list;
	size_t len = sizeof(struct robust_list_head);
	if (libos_copy_to_user((void *)a1, &head, sizeof(head)) < 0 ||
	    libos_copy_to_user((void *)a2, &len, sizeof(len)) < 0)
		return -EFAULT;
	return 0;
}

/* %fs is the application's (its thread pointer); the PAL owns %gs, so
 * ARCH_SET_GS/ARCH_GET_GS are refused with -EINVAL. */
LIBOS_SYSCALL(arch_prctl)
{
	LIBOS_UNUSED_ARGS(a2, a3, a4, a5);
	struct libos_thread *t = libos_current();
	uint64_t addr = (uint64_t)a1;
	switch ((int)a0) {
	case ARCH_SET_FS: {
		if (addr >= USER_TOP)
			return -EPERM;
		int rc = dk->DkSegmentRegisterSet(DK_SEGMENT_FS, addr);
		if (rc < 0)
			return libos_errno(rc);
		t->fs_base = addr;
		return 0;
	}
	case ARCH_GET_FS:
		return libos_copy_to_user((void *)addr, &t->fs_base, sizeof(t->fs_base)) < 0 ? -EFAULT
											    : 0;
	case ARCH_GET_CPUID:
		return 1; /* cpuid is allowed */
	case ARCH_SET_GS:
	case ARCH_GET_GS:
	default:
		return -EINVAL;
	}
}

/* fork, in the child: the calling thread is the only one, and its id is
 * the new process's. */
void libos_thread_fork_child(struct libos_thread *t, int pid)
{
	libos_proc.threads = t;
	t->next = NULL;
	t->tid = pid;
}
