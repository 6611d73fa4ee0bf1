/*
 * The Linux library OS: its one internal header.
 *
 * The library OS is a freestanding ELF shared object (build/libos.so) that
 * the PAL maps and enters through LibOsInitialize.  It reaches the host
 * only through the Dk table (`dk`), never by a system call instruction:
 * tools/check-closed-abi enforces that.
 *
 * Conventions:
 *   - Inside the library OS, errors are negative Linux errno values
 *     (-ENOENT ...).  A Dk error becomes an errno once, with
 *     libos_errno(), right where the Dk call is made.
 *   - A system call handler is defined with LIBOS_SYSCALL(name) in the file
 *     of its family (file.c, mm.c, thread.c, signal.c, ...): the macro
 *     registers it in a linker section, and the dispatcher (syscall.c)
 *     builds its table from that section at start-up.  No central list to
 *     edit.  A number with no handler returns -ENOSYS and is logged once
 *     with its name.
 *   - Handlers run in normal thread context (not in a signal handler), on
 *     the thread's private library OS stack (64 KiB, see "core" below),
 *     with the application's registers saved in a struct libos_regs the
 *     handler may read (libos_current()->regs).  They may block in Dk calls.
 *     Application pointers are read and written with libos_copy_from_user /
 *     libos_copy_to_user (a bad pointer gives -EFAULT; a fault anywhere
 *     else in the library OS is a library OS bug and ends the process).
 *   - Per-thread state is struct libos_thread, found through the PAL's
 *     per-thread word for this layer (%gs:DK_TLS_OFFSET(1)).
 *   - Code is compiled for general registers only (-mgeneral-regs-only):
 *     the application's vector registers are never touched or saved.
 */
#ifndef MOAT_LIBOS_H
#define MOAT_LIBOS_H

#include <moat/dk.h>
#include <moat/rt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <asm-generic/errno.h>
#include <asm/unistd.h>

/* ---- the layer below ------------------------------------------------------ */
extern const struct dk_abi *dk;
extern const struct dk_start_params *dk_start;

/* Dk error (negative DK_E_*) -> negative errno; 0 and positive pass. */
long libos_errno(long dk_rc);

/* ---- diagnostics ---------------------------------------------------------- */
/* One line to the host's stderr, prefixed "moat: libos: ". */
void libos_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs and ends the whole process with status 127. */
void libos_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* ---- memory for the library OS itself ------------------------------------- */
void *libos_alloc(size_t size);            /* zeroed; NULL when out of memory */
void *libos_realloc(void *p, size_t size);
void libos_free(void *p);
/* Zeroed pages of the library OS's own, never where the host would put
 * the program's next mapping (util.c); size is rounded up to pages. */
void *libos_map_own(size_t size);
void libos_unmap_own(void *p, size_t size);
char *libos_strdup(const char *s);

/* ---- locks ------------------------------------------------------------------
 * A mutex that sleeps in the PAL when contended (an event per lock).  Never
 * held while waiting for the application (a read on a pipe, a futex). */
struct libos_lock {
	int state;        /* 0 free, 1 held, 2 held with waiters; atomic */
	DK_HANDLE event;  /* created on first contention */
};
void libos_lock(struct libos_lock *l);
void libos_unlock(struct libos_lock *l);

/* ---- blocking -----------------------------------------------------------------
 * Waits for any of the handles (or the timeout, in ns from now; -1 for
 * none).  Returns the index, -ETIMEDOUT, or -EINTR when a signal for this
 * thread arrived (the caller decides about restarting, see signal.h rules
 * in signal.c: libos_restartable()). */
long libos_wait(size_t n, const DK_HANDLE *handles, int64_t timeout_ns);

/* ---- the application's registers at a system call ------------------------ */
struct libos_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax; /* rax: the number on entry */
	uint64_t rflags, rip, rsp;                  /* rip: after the instruction */
};

/* ---- threads -------------------------------------------------------------- */
struct libos_sigstate; /* signal.c */

struct libos_thread {
	struct libos_thread *next;  /* all threads of the process */
	int tid;                    /* Linux thread id as the application sees it */
	DK_HANDLE handle;           /* the PAL thread */
	struct libos_regs *regs;    /* during a system call: the saved registers */
	int *clear_child_tid;       /* set_tid_address / CLONE_CHILD_CLEARTID */
	void *robust_list;
	size_t robust_len;
	uint64_t fs_base;           /* the application's thread pointer */
	uint64_t sigmask;           /* blocked signals (bit n-1 for signal n) */
	uint64_t sigpending;        /* pending for this thread */
	struct { uint64_t sp, size; int flags; } altstack;
	DK_HANDLE wake;             /* synchronization event: a signal arrived */
	volatile int in_syscall;    /* inside a handler (for EINTR decisions) */
	int exiting;
	void *scratch;              /* per-family use */
	/* core (init.c, entry.S): see libos_thread_prepare() */
	void *kstack;               /* the library OS stack: LIBOS_KSTACK_SIZE bytes */
	uint64_t kstack_top;        /* its top (16-byte aligned), where frames go */
	volatile int app_running;   /* 1 while the application's code runs (or
	                             * libos_return_to_app is committed to it) */
	struct libos_regs *resume_frame; /* libos_return_to_app's frame */
	long syscall_nr;            /* the number of the current (or last) system
	                             * call: frame->rax holds the result after it,
	                             * so a restart takes the number from here */
	int handler_frames;         /* signal frames built and not yet returned
	                             * from (rt_sigreturn); a handler that jumps
	                             * out leaves it high, which is the safe side
	                             * for its one user, patch.c */
};

/* The code a thread runs once committed to resuming the application
 * (libos_return_to_app and what it calls, libos_resume_app): a signal
 * that lands there restarts from the frame being resumed (syscall.c).
 * Anywhere else in the library OS with app_running set (the vDSO's
 * helpers before they mark themselves), it waits for the next entry. */
#define LIBOS_RESUME_TEXT __attribute__((section("libos_resume_text"), noinline))
extern const char __start_libos_resume_text[] __attribute__((visibility("hidden")));
extern const char __stop_libos_resume_text[] __attribute__((visibility("hidden")));

static inline struct libos_thread *libos_current(void)
{
	struct libos_thread *t;
	__asm__ volatile("mov %%gs:%c1, %0" : "=r"(t) : "i"(DK_TLS_OFFSET(1)));
	return t;
}
static inline void libos_set_current(struct libos_thread *t)
{
	__asm__ volatile("mov %0, %%gs:%c1" ::"r"(t), "i"(DK_TLS_OFFSET(1)) : "memory");
}

/* What fork, vfork and exec write on both sides of a fork (the ids, every
 * lock fork holds across the copy, the signal actions, the descriptor
 * table's head ...) shares one page, the fork_hot section (lib/fork_hot.lds;
 * the build fails if it outgrows the page).  Each page written after a
 * fork costs one copy-on-write fault (about 4 µs on this kind of machine)
 * in whichever process writes it first, and another in the other. */
#define LIBOS_FORK_HOT __attribute__((section("fork_hot")))

/* The process (in fork_hot, see above). */
struct libos_process {
	int pid, ppid;
	struct libos_lock lock;         /* threads list, ids */
	struct libos_thread *threads;
	struct {
		struct libos_lock fd, mm, sig, timer; /* fs/fdtable.c, mm.c, signal.c, timer.c */
		volatile char heap;                   /* util.c's allocator (a spin lock) */
	} locks;
	int unpublished;                /* a forked child's record: system calls left
	                                 * before it is written (process.c) */
	char *exe;                      /* path of the program (for /proc/self/exe) */
	char **argv, **envp;            /* as given to the program */
	unsigned umask;
	uint32_t uid, gid;              /* the sandbox's identity (always 0/0 today) */
};
extern struct libos_process libos_proc;
extern char libos_cwd[4096]; /* the current directory */

/* thread.c */
struct libos_thread *libos_thread_new(void);            /* tid assigned */
void libos_exit_group(int status) __attribute__((noreturn));

/* ---- system calls --------------------------------------------------------- */
typedef long (*libos_syscall_fn)(long a0, long a1, long a2, long a3, long a4, long a5);
struct libos_syscall_entry {
	long nr;
	const char *name;
	libos_syscall_fn fn;
};
#define LIBOS_SYSCALL(name)                                                              \
	static long libos_sys_##name(long a0, long a1, long a2, long a3, long a4, long a5); \
	__attribute__((section("libos_syscalls"), used, aligned(8)))                        \
	static const struct libos_syscall_entry libos_entry_##name = {                      \
		__NR_##name, #name, libos_sys_##name                                        \
	};                                                                                  \
	static long libos_sys_##name(long a0, long a1, long a2, long a3, long a4, long a5)
/* Silences unused-argument warnings in handlers with fewer arguments. */
#define LIBOS_UNUSED_ARGS(...) ((void)(long[]){__VA_ARGS__})

void libos_syscall_init(void);
/* Runs one system call for the current thread (syscall.c). */
long libos_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

/* ---- memory (mm.c) -------------------------------------------------------- */
/* The library OS's list of mappings: feeds /proc/self/maps and, later,
 * checkpoints.  Every mapping the application can see is recorded. */
#define LIBOS_VMA_ANON 0
#define LIBOS_VMA_FILE 1
#define LIBOS_VMA_STACK 2
#define LIBOS_VMA_HEAP 3
#define LIBOS_VMA_VDSO 4
#define LIBOS_VMA_TRAMPOLINE 5 /* patch.c's [moat-syscalls] pages (libos_mm_map_near) */
void libos_vma_add(uint64_t start, uint64_t end, int prot, int flags, int kind,
		   const char *name, uint64_t offset);
void libos_vma_remove(uint64_t start, uint64_t end);
/* Writes /proc/self/maps text; returns its length. */
size_t libos_vma_format(char *buf, size_t size);
/* Reserves address space for the library OS's own use (ELF loading). */
void libos_mm_init(void);

/* ---- files (fs/) ------------------------------------------------------------ */
struct libos_file;
struct stat;
/* File operations; NULL entries give the Linux error for the object kind. */
struct libos_file_ops {
	long (*read)(struct libos_file *f, void *buf, size_t n);      /* at f->pos */
	long (*write)(struct libos_file *f, const void *buf, size_t n);
	long (*pread)(struct libos_file *f, void *buf, size_t n, uint64_t off);
	long (*pwrite)(struct libos_file *f, const void *buf, size_t n, uint64_t off);
	long (*seek)(struct libos_file *f, int64_t off, int whence);  /* default: pos */
	long (*stat)(struct libos_file *f, void *kstat);               /* struct kstat */
	long (*getdents)(struct libos_file *f, void *buf, size_t n);  /* linux_dirent64, into library OS memory */
	long (*ioctl)(struct libos_file *f, unsigned long cmd, unsigned long arg);
	long (*truncate)(struct libos_file *f, uint64_t len);
	long (*fsync)(struct libos_file *f);
	long (*mmap)(struct libos_file *f, void **addr, size_t len, int prot, int flags,
		     uint64_t off);
	/* Readiness for poll/epoll: POLLIN/POLLOUT/... bits now; and a handle
	 * that becomes signaled when it may change (DK_HANDLE_NONE: never). */
	int (*poll)(struct libos_file *f, DK_HANDLE *wait);
	void (*release)(struct libos_file *f);                          /* last close */
};

struct libos_file {
	int refs;                       /* atomic: fd table entries + users */
	const struct libos_file_ops *ops;
	unsigned flags;                 /* O_* status flags (O_APPEND, O_NONBLOCK, access) */
	uint64_t pos;
	struct libos_lock pos_lock;
	char *path;                     /* guest path when opened by name, else NULL */
	void *priv;                     /* the file system's own */
};

struct libos_file *libos_file_new(const struct libos_file_ops *ops, unsigned flags, void *priv);
void libos_file_get(struct libos_file *f);
void libos_file_put(struct libos_file *f);

/* The descriptor table (fs/fdtable.c). */
#define LIBOS_FD_MAX 65536
/* Takes f's reference on success; on failure (-EMFILE, -EINVAL, -ENOMEM)
 * the caller still holds it and must put it. */
int libos_fd_install(struct libos_file *f, int min_fd, bool cloexec);
struct libos_file *libos_fd_get(int fd);                 /* referenced, or NULL */
int libos_fd_close(int fd);
void libos_fs_init(void);     /* mounts from the sandbox view, fds 0, 1, 2 */

/* Opens a guest path as the application would (fs/vfs.c): for the loader. */
long libos_open_path(const char *path, int flags, unsigned mode, struct libos_file **out);
/* What the file itself says to mapping it (fs/anon.c): 0, or -EPERM for a
 * shared writable mapping of a memfd sealed against writes. */
long libos_file_mmap_check(struct libos_file *f, int prot, bool shared);
/* The Dk stream behind a host-backed file, or DK_HANDLE_NONE (fs/host.c). */
DK_HANDLE libos_file_stream(struct libos_file *f);
/* bind() of an AF_UNIX socket to a guest path (fs/vfs.c): its socket file
 * on the host (mode 0777 less the umask; stat gives S_IFSOCK and open
 * ENXIO in every process, and it stays until unlinked), its attributes
 * in *a; -EEXIST if the name is taken, -EPERM where no file can be made
 * (/proc, /sys, /dev). */
long libos_fs_make_socket(const char *path, struct dk_stream_attr *a);

/* ---- fs (libos/fs/): more of the file layer for other families ----------------
 * ops->stat's kstat is the x86-64 kernel's struct stat (<asm/stat.h>).
 * ops->mmap: NULL for host files (mm.c maps libos_file_stream()); set by
 * files with their own mapping (/dev/zero) or none (-ENODEV). */
/* Puts f at exactly fd, closing what was there (dup2).  As libos_fd_install
 * for the reference. */
int libos_fd_install_at(int fd, struct libos_file *f, bool cloexec);
/* execve: closes the close-on-exec descriptors. */
void libos_fd_close_on_exec(void);
/* A copy of the table, kept while a vfork child borrows the process
 * (process.c): saved at vfork, then restored for the parent or discarded. */
struct libos_fd_table {
	struct libos_file **files;
	uint8_t *cloexec;
	unsigned n;
};
int libos_fd_table_save(struct libos_fd_table *out);
void libos_fd_table_restore(struct libos_fd_table *saved);
void libos_fd_table_discard(struct libos_fd_table *saved);
/* Iterates the table: the first open fd >= fd and its file (referenced),
 * or -1. */
int libos_fd_next(int fd, struct libos_file **out);
int libos_fd_get_cloexec(int fd);   /* 0/1, or -EBADF */
int libos_fd_set_cloexec(int fd, bool on);
/* RLIMIT_NOFILE's soft limit (default 1024, at most LIBOS_FD_MAX); misc.c's
 * setrlimit may set it. */
extern unsigned libos_fd_limit;
/* Wanted from signal.c for signalfd (fs/anon.c; weak until it exists):
 * takes one signal in mask pending for t (or the process), as
 * rt_sigtimedwait does; returns the signal or 0. */
struct libos_siginfo;
int libos_signal_dequeue(struct libos_thread *t, uint64_t mask, struct libos_siginfo *info);
/* The signals pending for t or the process (a snapshot). */
uint64_t libos_signal_pending_set(struct libos_thread *t);

/* ---- signals (signal.c) ------------------------------------------------------ */
/* Queues signal sig for thread t (or any thread if NULL) and wakes it. */
void libos_signal_send(struct libos_thread *t, int sig, const void *siginfo);
/* Before returning to the application: delivers pending signals by
 * building a signal frame on its stack (rewrites *regs). */
void libos_signal_deliver(struct libos_regs *regs);
/* A hardware fault in application code: the exception upcall hands it
 * here; returns true if it was turned into a signal for the app. */
bool libos_signal_fault(const struct dk_exception_info *info, struct dk_context *ctx);
void libos_signal_init(void);

/* ---- signal/time/misc (signal.c, time.c, timer.c, misc.c) -------------------
 * Signal numbers are Linux's (1..64); a signal set is a uint64_t with bit
 * n-1 for signal n, as in struct libos_thread.
 *
 * The kernel's siginfo_t (128 bytes), for libos_signal_send's siginfo
 * argument (NULL there means si_code SI_KERNEL). */
struct libos_siginfo {
	int32_t si_signo, si_errno, si_code, pad_;
	union {
		struct { int32_t pid; uint32_t uid; uint64_t value; } kill;  /* also _rt */
		struct { int32_t tid, overrun; uint64_t value; int32_t sys_private; } timer;
		struct { uint64_t addr; int16_t addr_lsb; } fault;
		struct { int32_t pid; uint32_t uid; int32_t status, pad_; int64_t utime, stime; } chld;
		struct { int64_t band; int32_t fd; } poll;
		uint8_t raw[112];
	} u;
};
#define LIBOS_SI_USER 0
#define LIBOS_SI_KERNEL 0x80
#define LIBOS_SI_QUEUE (-1)
#define LIBOS_SI_TIMER (-2)
#define LIBOS_SI_TKILL (-6)

/* Sends sig to the thread with this tid (0 or -ESRCH).  For the timer thread
 * and others that hold no struct libos_thread pointer. */
int libos_signal_send_tid(int tid, int sig, const void *siginfo);
/* Called when a thread leaves for good (thread.c, before it is unlinked):
 * drops its queued siginfo.  Optional. */
void libos_signal_thread_exit(struct libos_thread *t);
/* Ends the process as signal sig's default action would. */
void libos_signal_terminate(int sig) __attribute__((noreturn));
/* A signal from outside the process (DK_EXC_SIGNAL's arg and host code):
 * recorded lock-free from the dispatcher; libos_signal_drain() (called on
 * the way out of every system call and at signal entry) makes it pending. */
void libos_signal_incoming(uint64_t arg, uint32_t code, uint64_t value);
/* process.c: sigqueue to another process (its value travels along). */
long libos_process_queue(int pid, int sig, uint64_t value);
long libos_process_kill(int pid, int sig);
void libos_process_exiting(void); /* exit_group: a failed spawn tells its parent */
bool libos_signal_incoming_any(void);
void libos_signal_drain(void);
/* process.c: a child changed state (SIGCHLD's si_code and si_status). */
void libos_process_child_event(int pid, int code, int status);
/* For calls that take a signal mask for the time they wait (ppoll,
 * pselect6, epoll_pwait): installs mask (SIGKILL/SIGSTOP stay unblocked)
 * and returns the old one.  When the call ends, call
 * libos_signal_mask_restore(old, result): it delivers any signal the
 * temporary mask let in (the handler's frame records `old`), puts `old`
 * back, and returns result. */
uint64_t libos_signal_mask_swap(uint64_t mask);
long libos_signal_mask_restore(uint64_t old, long result);
/* Whether the calls numbered nr are ever restarted after a handler with
 * SA_RESTART (Linux's list: sleeps, waits with timeouts, poll family...). */
bool libos_syscall_restartable(long nr);

/* time.c: a clock reading in ns (DK_CLOCK_REALTIME or DK_CLOCK_MONOTONIC);
 * the monotonic time the process started. */
uint64_t libos_time_ns(uint32_t dk_clock);
extern uint64_t libos_start_ns;
void libos_time_init(void);
/* timer.c: a POSIX timer's signal was dequeued; fills si_overrun. */
void libos_timer_dequeued(struct libos_siginfo *info);
/* timer.c: wakes the timer thread (starting it) to re-raise threads that
 * have a signal pending while they run application code; signal.c: does
 * that check (raising them if raise), true if any has. */
void libos_timer_nudge(void);

/* ---- fork support: each module's lock taken around the host fork (so the
 * child's copy is consistent), and its reset in the child ----------------- */
void libos_heap_fork_lock(bool take);
void libos_mm_fork_lock(bool take);
void libos_fd_fork_lock(bool take);
void libos_signal_fork_lock(bool take);
void libos_timer_fork_lock(bool take);
void libos_thread_fork_child(struct libos_thread *t, int pid);
void libos_signal_fork_child(struct libos_thread *t);
void libos_timer_fork_child(void);
/* execve: handlers back to default, alternate stack gone (signal.c). */
void libos_signal_exec(struct libos_thread *t);
bool libos_signal_child_autoreap(void);
void libos_mm_exec_release(void);
uint32_t libos_mm_app_ranges(struct dk_range *out, uint32_t max);
/* In a child that got none of the ranges libos_mm_app_ranges gave. */
void libos_mm_app_left_behind(void);
/* fork: memory a child does not get as it is (MADV_DONTFORK, MADV_WIPEONFORK),
 * and the child's side of it. */
uint32_t libos_mm_fork_ranges(struct dk_range *out, uint32_t max);
void libos_mm_fork_child(void);
bool libos_mm_shared(uint64_t addr);
/* For the system call fast path (patch.c). */
long libos_mm_write_text(uint64_t addr, const void *bytes, size_t n, bool file_only);
long libos_mm_map_near(uint64_t near, uint64_t reach, uint64_t len, int prot, const char *name,
		       uint64_t *out);
/* patch.c: a trapped system call (its frame) may get its site rewritten;
 * execve forgets the old program's sites; the first traps after a fork or
 * an exec are not counted. */
void libos_patch_trapped(struct libos_regs *f);
void libos_patch_exec(void);
void libos_patch_fork_child(void);
/* Sites trapped in forked children, reported to their parents: the page
 * the reports go to (made once, before the first program runs), the
 * program text's new identity at each exec, and a parent's counting of
 * its children's reports (before each fork). */
void libos_patch_start(void);
void libos_patch_new_text(uint64_t random);
void libos_patch_memory_changed(void);
void libos_patch_reports(void);
/* process.c: while a vfork child runs on its parent's process, until it
 * execs or ends (see "Borrowing" there); signal.c's side of it. */
extern bool libos_vfork_borrowed;
bool libos_vfork_allows(long nr);
long libos_vfork_leave(void);
bool libos_vfork_fault(struct dk_context *ctx);
void libos_signal_lend(struct libos_thread *t);
void libos_signal_lent_back(struct libos_thread *t, bool to_parent);
/* process.c: clone that makes a process; a raise that may ask this thread
 * to end (execve ending the other threads). */
long libos_process_clone(uint64_t flags, uint64_t stack, int *ptid, int *ctid, uint64_t tls);
bool libos_process_raised(uint64_t arg);
extern bool libos_no_ctty; /* after setsid: no controlling terminal */
/* ipc.c: SysV shared memory attachments across fork, exit and execve. */
void libos_ipc_fork_child(void);
void libos_ipc_detach_all(void);
/* process.c: the sandbox's process list (records for /proc/PID).  A
 * forked child writes its record late (process.c says when): the library
 * OS calls libos_process_settled() where a process may wait for long, and
 * libos_process_syscall_done() after each system call. */
void libos_process_publish(void);
void libos_process_exec_publish(void);
static inline void libos_process_settled(void)
{
	if (__builtin_expect(__atomic_load_n(&libos_proc.unpublished, __ATOMIC_RELAXED) > 0, 0))
		libos_process_publish();
}
static inline void libos_process_syscall_done(void)
{
	if (__builtin_expect(__atomic_load_n(&libos_proc.unpublished, __ATOMIC_RELAXED) > 0, 0) &&
	    __atomic_sub_fetch(&libos_proc.unpublished, 1, __ATOMIC_RELAXED) == 0)
		libos_process_publish();
}
long libos_process_record(int pid, int *ppid, char *argv, size_t *len);
size_t libos_process_list(int *pids, size_t max);
/* ipc.c: SysV keys, by kind ("key" for segments, "semkey" for sets). */
long libos_ipc_key_lookup(const char *kind, int32_t key);
int64_t libos_ipc_now(void);
int libos_ipc_random_id(void);
bool libos_ipc_key_create(const char *kind, int32_t key, long id);
void libos_ipc_key_delete(const char *kind, int32_t key);
/* ipc_sem.c: SEM_UNDO at exit; none inherited by a fork. */
void libos_ipc_sem_exit(void);
void libos_ipc_sem_fork_child(void);
/* What the reaped children used (getrusage RUSAGE_CHILDREN, times). */
void libos_children_usage(uint64_t *user_us, uint64_t *system_us, uint64_t *maxrss_kb);
bool libos_signal_nudge(bool raise);
/* misc.c: resource limits (RLIMIT_*): the soft and hard values. */
uint64_t libos_rlimit_cur(int resource);
uint64_t libos_rlimit_max(int resource);
/* misc.c: a thread's name (prctl PR_SET_NAME, /proc/.../comm), 16 bytes. */
void libos_thread_name(int tid, char name[16]);

/* ---- start-up (loader.c, init.c) ------------------------------------------- */
/* Loads PROG (PATH lookup, #!, ELF with interpreter), builds the initial
 * stack and enters it.  Does not return. */
void libos_exec(const char *prog, char **argv, char **envp) __attribute__((noreturn));
/* The vDSO the application sees (vdso.c): its base, to put in AT_SYSINFO_EHDR. */
uint64_t libos_vdso_base(void);

/* ---- loader (loader.c, vdso.c) ----------------------------------------------
 * execve's core.  PATH is not searched (libos_exec searches it).  Everything
 * that can fail (-ENOENT, -EACCES, -ENOEXEC, -ELOOP, -E2BIG, -ENAMETOOLONG,
 * -ELIBBAD: a bad or missing ELF interpreter) is checked before anything
 * changes, and returned.  Then, past the point of no return, it calls
 * libos_exec_point_of_no_return(), which the execve handler defines (the execve
 * handler: end the other threads, unmap the old mappings except [vvar] and
 * [vdso], close close-on-exec descriptors, reset signal handlers), maps the
 * new program and enters it.  path is the library OS's copy; argv and envp
 * are the application's (read with libos_copy_from_user: -EFAULT) and are
 * copied first, so they may live in the memory being replaced.
 * libos_exec_point_of_no_return returns 0 to go on; anything else is
 * returned by libos_execve instead (a vfork child borrowing its parent's
 * process execs in a fork of it: the parent, resumed, returns its pid). */
long libos_execve(const char *path, char **argv, char **envp);
long libos_exec_point_of_no_return(void); /* loader.c has a weak default: 0 */
/* A copy of the auxiliary vector the loader gave the running program
 * (key/value pairs up to and including AT_NULL): /proc/self/auxv. */
#define LIBOS_AUXV_WORDS 64
extern uint64_t libos_auxv[LIBOS_AUXV_WORDS];
extern size_t libos_auxv_words;
/* Where the heap starts: the page-aligned end of the main executable
 * (defined in mm.c, set by the loader before the program runs). */
extern uint64_t libos_brk_start;

/* ---- core (init.c, syscall.c, entry.S, util.c) ----------------------------
 * The system call path.  With the trap on, a syscall instruction of the
 * application reaches LibOsExceptionDispatch (in signal context).  The
 * dispatcher writes a struct libos_regs frame at the top of the thread's
 * library OS stack and resumes the thread at libos_syscall_entry (entry.S)
 * in normal context; that runs libos_syscall() and libos_signal_deliver()
 * on the frame and then libos_return_to_app(frame).  A raised exception
 * (a signal for a thread running application code) takes the same road
 * without the system call.
 */
#define LIBOS_KSTACK_SIZE (64 * 1024)

/* Gives t its library OS stack and its wake event if it lacks them;
 * idempotent; 0 or -ENOMEM.
 * libos_thread_new() should call it. */
int libos_thread_prepare(struct libos_thread *t);

/* Enters (or returns to) the application with the registers of *frame:
 * all general registers, rflags, rip and rsp.  Nothing at or above
 * frame->rsp - 136 is written (the red zone stays intact).  The frame
 * itself may live anywhere (a C local is fine).  Marks the thread as
 * running application code. */
void libos_return_to_app(struct libos_regs *frame) __attribute__((noreturn));

/* True if addr is inside the library OS image. */
bool libos_in_image(uint64_t addr);

/* Copies to or from application memory: 0, or -EFAULT if any byte is not
 * accessible (part of the copy may have happened). */
long libos_copy_from_user(void *dst, const void *user_src, size_t n);
long libos_copy_to_user(void *user_dst, const void *src, size_t n);
/* Copies a NUL-terminated string of at most size-1 characters: its
 * length, -EFAULT, or -ENAMETOOLONG if no NUL within size bytes. */
long libos_copy_str_from_user(char *dst, const char *user_src, size_t size);
/* The length of a string, or max if there is no NUL in its first max
 * bytes; -EFAULT. */
long libos_strnlen_from_user(const char *user_str, size_t max);

/* Whether a signal is pending for t and not blocked: libos_wait uses it to
 * tell a real wake-up from a stale one, and libos_return_to_app checks it
 * after committing to the return (a signal sender must make it true before
 * it raises at or wakes the thread).  util.c has a weak default
 * (t->sigpending & ~t->sigmask); signal.c may override it, but the override
 * must only read memory: no locks, no Dk calls (it runs where a raised
 * exception counts as one in application code). */
bool libos_signal_pending(struct libos_thread *t);

/* ---- mm/thread (mm.c, thread.c, futex.c, sched.c) ---------------------------- */
/* Where the heap (brk) starts: the loader sets it to the end of the
 * program's last segment before the application runs. */
extern uint64_t libos_brk_start;
/* mmap/munmap as the system calls (for other families: exec, ...). */
long libos_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off);
long libos_munmap(uint64_t addr, uint64_t len);
/* Whether [addr, addr+len) is covered by recorded mappings that allow all
 * of prot (PROT_* bits). */
bool libos_mm_check(uint64_t addr, size_t len, int prot);
/* The live thread with this tid, or NULL.  Thread structures are never
 * freed (they are reused), so the pointer stays a thread's. */
struct libos_thread *libos_thread_find(int tid);
/* Ends the calling thread as exit(2) does (clear_child_tid, robust list);
 * the last thread ends the process. */
void libos_thread_exit(int code) __attribute__((noreturn));
/* The thread's event for futex waits (futex.c). */
DK_HANDLE libos_thread_futex_event(struct libos_thread *t);
/* Wakes up to n waiters on the futex word at uaddr; returns how many. */
long libos_futex_wake(uint32_t *uaddr, int n);
long libos_futex_wake_bitset(uint32_t *uaddr, int n, uint32_t bitset);

/* ---- sockets (socket.c) --------------------------------------------------------
 * Sockets are struct libos_files with socket.c's ops (read, write, poll,
 * ioctl FIONREAD/FIONBIO, stat S_IFSOCK); poll/epoll need nothing else.
 * The socket system calls are registered there with LIBOS_SYSCALL. */
bool libos_is_socket(struct libos_file *f);

#endif
