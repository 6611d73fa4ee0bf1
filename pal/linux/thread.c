/*
 * Threads on Linux: one host thread per Dk thread, sharing everything
 * (CLONE_THREAD).  Each created thread lives in one mapping laid out as in
 * ksig.h; its struct pal_tcb sits at the top and %gs points at it.  The
 * thread object's wait_fd is an eventfd that the thread sets as it exits.
 */
#include "pal.h"
#include "common/lock.h"
#include "linux/host.h"
#include "linux/ksig.h"
#include <linux/sched.h>

#define K_PROT_NONE 0
#define K_PROT_RW 3
#define K_MAP_PRIVATE 0x02
#define K_MAP_ANONYMOUS 0x20
#define K_MAP_STACK 0x20000
#define K_ARCH_SET_GS 0x1001
#define K_CLOCK_MONOTONIC 1
#define K_ESRCH 3

#define THREAD_CLONE_FLAGS                                                              \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | \
	 CLONE_PARENT_SETTID)

/* Orders a raise against the target's exit, which unmaps the tcb the raise
 * writes to.  Held only with every signal blocked, so no handler on the
 * holding thread can try to take it again. */
static struct pal_lock raise_lock;

struct k_timespec {
	long sec, nsec;
};

void pal_thread_entry(struct pal_tcb *tcb) __attribute__((noreturn));

int pal_host_thread_create(dk_thread_fn fn, void *param, uint32_t flags, struct pal_object *obj)
{
	int efd = pal_linux_eventfd(0, K_EFD_NONBLOCK);
	if (efd < 0)
		return efd;
	obj->wait_fd = efd; /* the object's destructor closes it */

	char *base = pal_own_map(PAL_THREAD_MAP_SIZE);
	if (!base)
		return -DK_E_NO_MEMORY;
	long rc = HOST(mprotect, base, PAL_PAGE, K_PROT_NONE);
	if (!HOST_IS_ERR(rc))
		rc = HOST(mprotect, base + PAL_THREAD_STACK_OFF - PAL_PAGE, PAL_PAGE, K_PROT_NONE);
	if (HOST_IS_ERR(rc)) {
		pal_own_unmap(base, PAL_THREAD_MAP_SIZE);
		return pal_dk_error(rc);
	}

	struct pal_tcb *tcb = (struct pal_tcb *)(base + PAL_THREAD_TCB_OFF);
	tcb->self = tcb;
	tcb->obj = obj;
	tcb->syscall_trap = pal_tcb()->syscall_trap; /* inherited (dk.h) */
	pal_object_get(obj); /* the thread's own, dropped as it exits */
	tcb->fn = fn;
	tcb->param = param;
	tcb->map_base = base;
	tcb->map_size = PAL_THREAD_MAP_SIZE;
	tcb->create_flags = flags;
	obj->thread.tcb = tcb;

	/* The child starts with every signal blocked (it inherits the mask)
	 * until its %gs and altstack are set: a handler before that would
	 * find the creator's tcb. */
	pal_linux_unpin(pal_tcb()); /* or the new thread would inherit the pin */
	uint64_t old = pal_linux_sigmask(~0ull);
	rc = gate_clone_thread(THREAD_CLONE_FLAGS, tcb, &obj->thread.tid, NULL, tcb);
	pal_linux_sigmask(old);
	if (HOST_IS_ERR(rc)) {
		obj->thread.tcb = NULL;
		pal_object_put(obj);
		pal_own_unmap(base, PAL_THREAD_MAP_SIZE);
		return pal_dk_error(rc);
	}
	return 0;
}

/* Called by gate_clone_thread in the new thread, on its own stack. */
void pal_thread_entry(struct pal_tcb *tcb)
{
	HOST(arch_prctl, K_ARCH_SET_GS, tcb); /* first: pal_tcb() needs it */
	tcb->tid = (int)HOST(gettid);
	if (pal_host_thread_signals_init(tcb) < 0)
		pal_die("cannot set a thread's signal stack");
	/* New threads start with no host signal blocked; a helper thread
	 * (DK_THREAD_NO_SIGNALS) keeps the layers' signals 1..63 off, so the
	 * host gives a process's signals to the other threads. */
	uint64_t layers = ((1ull << DK_SIGNAL_MAX) - 1) & ~(uint64_t)K_SYNC_SIGNALS &
			  ~K_SIGBIT(K_SIGSYS); /* Syscall User Dispatch traps stay on */
	pal_linux_sigmask(tcb->create_flags & DK_THREAD_NO_SIGNALS ? layers : 0);
	if (tcb->syscall_trap && pal_linux_syscall_trap_apply(tcb->syscall_trap) < 0)
		pal_die("cannot trap a new thread's system calls");
	if (pal_state.upcalls.LibOsThreadStart)
		pal_state.upcalls.LibOsThreadStart(tcb->fn, tcb->param);
	else
		tcb->fn(tcb->param);
	pal_host_thread_exit(0);
}

/* The rest of a created thread's exit, on the PAL's own thread stack: the
 * caller's stack (the library OS's per-thread stack) may be reused by
 * another thread the moment the exit event is set, so nothing may run on it
 * after that. */
static void __attribute__((noreturn)) finish_exit(void *arg)
{
	struct pal_tcb *tcb = arg;
	pal_host_thread_exit(tcb->exit_code);
}

void pal_host_thread_exit(int code)
{
	struct pal_tcb *tcb = pal_tcb();
	struct pal_object *obj = tcb->obj;
	/* No handler may run from here on: the altstack is about to go. */
	pal_linux_sigmask(~0ull);
	if (tcb->map_base && !tcb->on_own_stack) {
		tcb->exit_code = code;
		tcb->on_own_stack = 1;
		pal_linux_run_on_stack(tcb, finish_exit, tcb); /* the stack ends at the tcb */
	}
	if (obj) {
		uint64_t one = 1;
		pal_lock(&raise_lock);
		obj->thread.exit_code = code;
		obj->thread.tcb = NULL;
		__atomic_store_n(&obj->thread.exited, 1, __ATOMIC_RELEASE);
		pal_unlock(&raise_lock);
		HOST(write, obj->wait_fd, &one, sizeof(one)); /* wakes the waiters */
		tcb->obj = NULL;
		pal_object_put(obj);
	}
	void *base = tcb->map_base;
	size_t size = tcb->map_size;
	if (base) {
		pal_own_unmapped(base, size);
		gate_exit_thread_unmap(base, size);
	}
	/* The main thread's stack is the host's; the process lives on until
	 * DkProcessExit (or until its last thread exits). */
	for (;;)
		HOST(exit, code);
}

int pal_host_thread_delay(uint64_t us, uint64_t *remaining)
{
	struct k_timespec ts = {(long)(us / 1000000), (long)(us % 1000000) * 1000};
	struct k_timespec rem = ts; /* what is left if it ends before it starts */
	long rc = HOST_BLOCKING(clock_nanosleep, K_CLOCK_MONOTONIC, 0, &ts, &rem);
	if (rc == -K_EINTR) {
		*remaining = (uint64_t)rem.sec * 1000000u + ((uint64_t)rem.nsec + 999) / 1000;
		return -DK_E_INTERRUPTED;
	}
	return pal_host_status(rc);
}

int pal_host_thread_yield(void)
{
	HOST(sched_yield);
	return 0;
}

/* Marks a raise pending in tcb; the raise signal's handler picks it up. */
static void mark_raise(struct pal_tcb *tcb, uint64_t arg)
{
	tcb->raise_arg = arg;
	__atomic_store_n(&tcb->raise_pending, 1, __ATOMIC_RELEASE);
}

/*
 * A raise is K_SIGRAISE to the target, whose handler calls the dispatcher
 * with the thread's real context.  Raises not yet delivered coalesce: the
 * dispatcher runs once, with the latest argument.  A thread that has
 * exited gives -DK_E_INVALID.
 */
int pal_host_thread_raise(struct pal_object *obj, uint64_t arg)
{
	struct pal_tcb *self = pal_tcb();
	long pid = HOST(getpid), rc;
	if (obj == self->obj) {
		/* Delivered before tgkill returns (unless this thread is
		 * already in the raise handler: then when that returns). */
		mark_raise(self, arg);
		rc = HOST(tgkill, pid, HOST(gettid), K_SIGRAISE);
		return pal_host_status(rc);
	}
	uint64_t old = pal_linux_sigmask(~0ull);
	pal_lock(&raise_lock);
	struct pal_tcb *tcb = obj->thread.tcb;
	if (tcb) {
		mark_raise(tcb, arg);
		/* Under the lock the target has not passed its exit, so the
		 * tid is still this thread's. */
		rc = HOST(tgkill, pid, obj->thread.tid, K_SIGRAISE);
	} else {
		rc = -K_ESRCH;
	}
	pal_unlock(&raise_lock);
	pal_linux_sigmask(old);
	if (rc == -K_ESRCH)
		return -DK_E_INVALID;
	return pal_host_status(rc);
}
