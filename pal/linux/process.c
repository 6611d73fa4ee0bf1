/*
 * Child processes on Linux.  The PAL cannot start processes itself (its
 * seccomp allowlist has no execve): it asks the monitor over the channel
 * (include/moat/channel.h), which starts a fresh PAL in the same sandbox.
 * The reply carries two descriptors: one end of a stream socket pair (the
 * process handle read and written as a stream; the child's end is its
 * MOAT_PARENT_FD) and a pidfd of the child (wait_fd: readable once the
 * child has exited).  The exit status comes from the monitor, which hears
 * it from the sandbox's init.  Without a channel (the PAL run directly)
 * there are no child processes.
 */
#include "pal.h"
#include "common/destroy.h"
#include "linux/channel.h"
#include "linux/host.h"
#include "linux/ksig.h"
#include "linux/vdso.h"
#include <linux/errno.h>
#include <linux/poll.h>
#include <linux/time_types.h>

#define K_AT_FDCWD (-100)

/* What the monitor accepts as an image path: absolute, no ".." component. */
static int check_image_path(const char *path)
{
	if (path[0] != '/')
		return -DK_E_INVALID;
	for (const char *p = path; *p;) {
		const char *q = p + 1; /* *p == '/' */
		while (*q && *q != '/')
			q++;
		if (q - p == 3 && p[1] == '.' && p[2] == '.')
			return -DK_E_INVALID;
		p = q;
	}
	return strlen(path) < MOAT_MSG_MAX_PATH ? 0 : -DK_E_NAME_TOO_LONG;
}

int pal_host_process_create(const char *image_path, const char *const *args,
			    struct pal_object *obj)
{
	uint64_t st[32]; /* struct stat is 144 bytes */
	if (pal_channel_fd < 0)
		return -DK_E_UNSUPPORTED;
	int rc = check_image_path(image_path);
	if (rc < 0)
		return rc;
	/* A missing image fails here rather than in the child: the child
	 * sees the same files (same sandbox, same mount view). */
	long hrc = HOST(newfstatat, K_AT_FDCWD, image_path, st, 0);
	if (HOST_IS_ERR(hrc))
		return pal_dk_error(hrc);

	/* payload: the image path, then each argument, NUL-terminated */
	size_t len = strlen(image_path) + 1, nargs = 0;
	for (; args && args[nargs]; nargs++)
		len += strlen(args[nargs]) + 1;
	if (nargs > MOAT_MSG_MAX_ARGS || len > MOAT_MSG_MAX - sizeof(struct moat_msg_header))
		return -DK_E_LIMIT;
	char *payload = pal_alloc(len);
	if (!payload)
		return -DK_E_NO_MEMORY;
	size_t at = 0;
	memcpy(payload, image_path, strlen(image_path) + 1);
	at += strlen(image_path) + 1;
	for (size_t i = 0; i < nargs; i++) {
		size_t n = strlen(args[i]) + 1;
		memcpy(payload + at, args[i], n);
		at += n;
	}

	struct moat_msg_header req = {.type = MOAT_MSG_PROCESS_CREATE, .arg = nargs}, reply;
	int fds[2];
	rc = pal_channel_call(&req, payload, len, &reply, NULL, 0, fds, 2);
	pal_free(payload);
	if (rc == 0 && reply.status < 0)
		rc = reply.status;
	else if (rc == 0 && (fds[0] < 0 || fds[1] < 0 || reply.arg == 0 || reply.arg > 0x7fffffff))
		rc = -DK_E_IO;
	if (rc < 0) {
		pal_linux_close(fds[0]);
		pal_linux_close(fds[1]);
		return rc;
	}
	obj->fd = fds[0];
	obj->wait_fd = fds[1];
	obj->process.pid = (int)reply.arg; /* the monitor's process id */
	return 0;
}

/* The first answer is cached: every caller sees the same result, and the
 * monitor may forget the child once it has told us. */
int pal_host_process_exit_code(struct pal_object *obj, int *code)
{
	if (__atomic_load_n(&obj->process.exited, __ATOMIC_ACQUIRE)) {
		*code = obj->process.exit_code;
		return 0;
	}
	if (obj->process.pid <= 0 || obj->wait_fd < 0)
		return -DK_E_UNSUPPORTED; /* e.g. the parent process's handle */
	/* The pidfd is readable once the child has exited. */
	struct pollfd p = {.fd = obj->wait_fd, .events = POLLIN};
	struct __kernel_timespec zero = {0, 0};
	long rc;
	do
		rc = HOST(ppoll, &p, 1, &zero, NULL, 0);
	while (rc == -EINTR);
	if (HOST_IS_ERR(rc))
		return pal_dk_error(rc);
	if (rc == 0 || !(p.revents & POLLIN))
		return -DK_E_STILL_RUNNING;
	struct moat_msg_header req = {.type = MOAT_MSG_EXIT_CODE_QUERY,
				      .arg = (uint64_t)obj->process.pid},
			       reply;
	int err = pal_channel_call(&req, NULL, 0, &reply, NULL, 0, NULL, 0);
	if (err < 0)
		return err;
	if (reply.status < 0)
		return reply.status;
	int c = (int)reply.arg;
	obj->process.exit_code = c;
	__atomic_store_n(&obj->process.exited, 1, __ATOMIC_RELEASE);
	*code = c;
	return 0;
}

void pal_host_process_exit(int code)
{
	for (;;)
		HOST(exit_group, code);
}

void pal_process_destroy(struct pal_object *obj)
{
	if (obj->wait_fd != obj->fd)
		pal_linux_close(obj->wait_fd);
	pal_linux_close(obj->fd);
	obj->fd = obj->wait_fd = -1;
}

/* ---- the Linux process model (the additions) ------------------------------ */

/* The process's own id, once known (-1: ask the host); on the page a fork
 * child writes anyway (PAL_FORK_HOT). */
static int self_pid PAL_FORK_HOT = -1;

/* The ranges a child is not to get are marked so for the host's fork.  A
 * range may span gaps: the host marks what is mapped and reports ENOMEM
 * for the rest, which is no error here.  The marks stay after the fork: a
 * program that spawns does so again and again, with the same ranges, and
 * then only mappings made since need marking (marking again is cheap and
 * harmless), not every range marked and unmarked around every fork.  A
 * fork with other ranges (a plain fork: none) unmarks the old ones first.
 * Marks are invisible to the program: nothing but a fork reads them.  Only
 * one fork runs at a time (the channel lock). */
#define K_MADV_DONTFORK 10
#define K_MADV_DOFORK 11
static struct dk_range marked[DK_FORK_LEFT_MAX];
static uint32_t nmarked PAL_FORK_HOT;

static void mark_left_behind(const struct dk_range *left, uint32_t n, int advice)
{
	for (uint32_t i = 0; i < n; i++)
		HOST(madvise, left[i].addr, left[i].size, advice);
}

/* Before the copy (the child then forgets them: it has none of that memory). */
static void mark_for_fork(const struct dk_range *left, uint32_t n)
{
	if (n != nmarked || memcmp(left, marked, n * sizeof(*left))) {
		mark_left_behind(marked, nmarked, K_MADV_DOFORK);
		memcpy(marked, left, n * sizeof(*left));
		nmarked = n;
	}
	mark_left_behind(left, n, K_MADV_DONTFORK);
}

/*
 * Where a child first runs.  Left to the host, a new process goes to the
 * idlest CPU: on a machine with a CPU to spare, the other one, which has
 * to be woken (tens of microseconds on a VM) and runs it with cold caches;
 * and the parent, asleep in its wait when the child ends, is woken on
 * whichever CPU is idle, across CPUs again.  (A native vfork child comes
 * back to its parent's CPU at its exec, where the host balances again; a
 * picoprocess's exec is not a host exec.)  For a parent that forks one
 * child and waits for it (a shell running a command, posix_spawn and
 * waitpid, subprocess.run), the PAL starts the child on the parent's CPU:
 * the forking thread pins itself to its CPU for the clone, so the child
 * inherits the mask and runs first, warm, while the parent waits.  The
 * child restores its mask at once; the parent keeps the pin until its next
 * blocking wait returns (its wake-up at the child's end stays on this CPU),
 * it starts a thread or it maps a program image (an exec).
 *
 * Children meant to run side by side are left to the host: a second fork
 * before that wait unpins the parent and is placed by the host, and a
 * thread whose last cycle between blocking waits had several forks (make
 * -j, a pool of workers) places none of the next cycle's.  What is left:
 * the first child of a burst holds the CPU for its time slice (about 1.5
 * ms on 2 CPUs) before the parent forks the next, once per change of
 * pattern.  The application never sees a mask: its affinity calls are the
 * library OS's.  A mask set on the process from outside (taskset) is kept:
 * the pin starts from the mask the thread has, and its end restores that
 * only while the pin is still in place.  Any failure leaves placement to
 * the host.
 */
#define AFFINITY_WORDS 16 /* 1,024 CPUs: the size of tcb->affinity */

static int cpus_in(const uint64_t *mask, long bytes)
{
	int n = 0;
	for (long i = 0; i < bytes / 8; i++)
		n += __builtin_popcountll(mask[i]);
	return n;
}

/* Pins the calling thread to its CPU, keeping its mask (read now, so a
 * mask set from outside since the last fork is the one kept). */
static bool pin_here(struct pal_tcb *tcb)
{
	unsigned cpu;
	if (!pal_vdso_getcpu || pal_vdso_getcpu(&cpu, NULL, NULL) < 0 ||
	    cpu >= AFFINITY_WORDS * 64)
		return false;
	long n = HOST(sched_getaffinity, 0, sizeof(tcb->affinity), tcb->affinity);
	if (HOST_IS_ERR(n) || cpus_in(tcb->affinity, n) < 2) /* one CPU: nothing to choose */
		return false;
	uint64_t one[AFFINITY_WORDS] = {0};
	one[cpu / 64] = 1ull << (cpu % 64);
	if (HOST_IS_ERR(HOST(sched_setaffinity, 0, (size_t)n, one)))
		return false;
	tcb->affinity_size = (uint32_t)n;
	tcb->pinned_cpu = cpu;
	return true;
}

static void restore_mask(const struct pal_tcb *tcb)
{
	HOST(sched_setaffinity, 0, (size_t)tcb->affinity_size, tcb->affinity);
}

void pal_linux_unpin(struct pal_tcb *tcb)
{
	if (!tcb->pinned)
		return;
	tcb->pinned = 0;
	/* Only the pin is undone: a mask set from outside meanwhile stays. */
	uint64_t now[AFFINITY_WORDS] = {0};
	long n = HOST(sched_getaffinity, 0, sizeof(now), now);
	unsigned c = tcb->pinned_cpu;
	if (!HOST_IS_ERR(n) && cpus_in(now, n) == 1 && (now[c / 64] >> (c % 64) & 1))
		restore_mask(tcb);
}

/*
 * fork(2) itself: the host copies the process copy-on-write, so the cost
 * does not grow with its memory.  The child is the caller's host child
 * (it reaps it with DkProcessWait, and gets SIGCHLD as DK_EXC_SIGNAL); only
 * the calling thread exists in it.  The PAL's locks are held across the
 * copy so the child's allocator, handle table and channel are consistent.
 * The left-behind ranges are not copied at all: a child that is about to
 * replace its program (a vfork child's execve) then costs neither a copy
 * of those page tables nor the parent's copy-on-write faults afterwards.
 */
int pal_host_process_fork(int64_t *child, const struct dk_range *left, uint32_t n)
{
	int chan;
	int rc = pal_channel_fork_begin(&chan);
	if (rc < 0)
		return rc;
	pal_handle_fork_lock(true);
	pal_alloc_fork_lock(true);
	mark_for_fork(left, n);
	struct pal_tcb *self = pal_tcb();
	if (self->cycle_forks < UINT8_MAX)
		self->cycle_forks++;
	if (self->pinned) /* a second fork before a wait: the host places it */
		pal_linux_unpin(self);
	else if (self->cycle_forks == 1 && self->last_cycle_forks <= 1)
		self->pinned = pin_here(self);
	long pid = HOST(clone, K_SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		nmarked = 0;
	pal_alloc_fork_lock(false);
	pal_handle_fork_lock(false);
	pal_channel_fork_end(pid, chan);
	if (pid == 0) {
		struct pal_tcb *tcb = pal_tcb();
		if (tcb->pinned) { /* just made: no mask from outside to keep yet */
			tcb->pinned = 0;
			restore_mask(tcb);
		}
		tcb->cycle_forks = tcb->last_cycle_forks = 0;
		tcb->tid = (int)HOST(gettid);
		self_pid = tcb->tid; /* the only thread: the new process's leader */
		if (tcb->obj)
			tcb->obj->thread.tid = tcb->tid;
		pal_linux_fork_child_objects();
		/* The kernel does not copy Syscall User Dispatch. */
		if (tcb->syscall_trap && pal_linux_syscall_trap_apply(tcb->syscall_trap) < 0)
			pal_die("cannot trap system calls in a forked child");
		*child = 0;
		return 0;
	}
	if (HOST_IS_ERR(pid)) {
		pal_linux_unpin(self); /* no child to run here */
		return pid == -EAGAIN ? -DK_E_LIMIT : pal_dk_error(pid);
	}
	*child = pid;
	return 0;
}

#define K_P_ALL 0
#define K_P_PID 1
#define K_P_PGID 2
#define K_WNOHANG 1
#define K_WSTOPPED 2
#define K_WEXITED 4
#define K_WCONTINUED 8
#define K_WNOWAIT 0x01000000
#define K_WALL 0x40000000

int pal_host_process_wait(int64_t target, uint32_t options, struct dk_wait_result *result)
{
	int idtype = target > 0 ? K_P_PID : target == -1 ? K_P_ALL : K_P_PGID;
	long id = target > 0 ? target : target < -1 ? -target : 0;
	long o = K_WALL;
	o |= options & DK_WAIT_NOHANG ? K_WNOHANG : 0;
	o |= options & DK_WAIT_EXITED ? K_WEXITED : 0;
	o |= options & DK_WAIT_STOPPED ? K_WSTOPPED : 0;
	o |= options & DK_WAIT_CONTINUED ? K_WCONTINUED : 0;
	o |= options & DK_WAIT_NOWAIT ? K_WNOWAIT : 0;
	struct k_siginfo si;
	memset(&si, 0, sizeof(si));
	int64_t ru[18]; /* struct rusage: utime, stime (timevals), maxrss, ... */
	memset(ru, 0, sizeof(ru));
	long rc = HOST_BLOCKING(waitid, idtype, id, &si, o, ru);
	if (rc == -ECHILD)
		return -DK_E_NOT_FOUND;
	if (HOST_IS_ERR(rc))
		return pal_dk_error(rc);
	result->pid = si.si_signo ? si.child.pid : 0;
	result->state = si.si_signo ? (uint32_t)si.si_code : 0;
	result->status = si.child.status;
	result->user_us = (uint64_t)(ru[0] * 1000000 + ru[1]);
	result->system_us = (uint64_t)(ru[2] * 1000000 + ru[3]);
	result->maxrss_kb = (uint64_t)ru[4];
	return 0;
}

#define K_SI_QUEUE (-1)

int pal_host_process_signal(int64_t target, uint32_t sig, uint32_t flags, uint64_t value)
{
	if (flags & DK_SIGNAL_DEFAULT_ACTION) {
		pal_linux_default_action((int)sig);
		return 0;
	}
	if (flags & DK_SIGNAL_HOST_IGNORE)
		return pal_linux_signal_to_layers((int)sig, value == 0);
	long rc;
	if (flags & DK_SIGNAL_QUEUE) {
		struct k_siginfo si;
		memset(&si, 0, sizeof(si));
		si.si_signo = (int)sig;
		si.si_code = K_SI_QUEUE;
		si.child.pid = (int)HOST(getpid);
		memcpy((char *)&si + 24, &value, sizeof(value)); /* si_value */
		rc = HOST(rt_sigqueueinfo, target, sig, &si);
	} else {
		rc = HOST(kill, target, sig);
	}
	return HOST_IS_ERR(rc) ? pal_dk_error(rc) : 0;
}

int pal_host_process_id(uint32_t op, int64_t pid, int64_t arg, int64_t *result)
{
	long rc;
	if (op == DK_PID_SELF && self_pid > 0) {
		*result = self_pid;
		return 0;
	}
	switch (op) {
	case DK_PID_SELF:
		rc = HOST(getpid);
		if (!HOST_IS_ERR(rc))
			self_pid = (int)rc;
		break;
	case DK_PID_PARENT: rc = HOST(getppid); break;
	case DK_PID_THREAD: rc = HOST(gettid); break;
	case DK_PID_GROUP_GET: rc = HOST(getpgid, pid); break;
	case DK_PID_GROUP_SET: rc = HOST(setpgid, pid, arg); break;
	case DK_PID_SESSION_GET: rc = HOST(getsid, pid); break;
	case DK_PID_SESSION_NEW: rc = HOST(setsid); break;
	default: return -DK_E_INVALID;
	}
	if (HOST_IS_ERR(rc))
		return pal_dk_error(rc);
	*result = rc;
	return 0;
}

#define K_FUTEX_WAIT 0
#define K_FUTEX_WAKE 1

/* The host's futex, shared (not FUTEX_PRIVATE_FLAG): the kernel keys a
 * shared mapping by its page, so processes meet on the same word.  A bad
 * word gives -DK_E_BAD_POINTER (the kernel checks it, never the PAL). */
int pal_host_futex(uint32_t op, uint32_t *word, uint32_t value, uint64_t timeout_us,
		   uint32_t *woken)
{
	long rc;
	if (op == DK_FUTEX_WAKE) {
		rc = HOST(futex, word, K_FUTEX_WAKE, value > 0x7fffffff ? 0x7fffffff : value);
		if (HOST_IS_ERR(rc))
			return pal_dk_error(rc);
		*woken = (uint32_t)rc;
		return 0;
	}
	struct __kernel_timespec ts = {(long long)(timeout_us / 1000000),
				       (long long)(timeout_us % 1000000) * 1000};
	rc = HOST_BLOCKING(futex, word, K_FUTEX_WAIT, value,
			   timeout_us == DK_WAIT_INFINITE ? NULL : &ts);
	if (rc == -EAGAIN)
		return -DK_E_WOULD_BLOCK;
	if (rc == -ETIMEDOUT)
		return -DK_E_TIMEOUT;
	return HOST_IS_ERR(rc) ? pal_dk_error(rc) : 0;
}
