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
 *     the application's stack below its red zone, with the application's
 *     registers saved in a struct libos_regs the handler may read
 *     (libos_current()->regs).  They may block in Dk calls.
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
};

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

/* The process. */
struct libos_process {
	int pid, ppid;
	struct libos_lock lock;         /* threads list, ids */
	struct libos_thread *threads;
	int next_tid;
	char *exe;                      /* path of the program (for /proc/self/exe) */
	char **argv, **envp;            /* as given to the program */
	char cwd[4096];
	unsigned umask;
	uint32_t uid, gid;              /* the sandbox's identity (always 0/0 today) */
};
extern struct libos_process libos_proc;

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
#define LIBOS_UNUSED_ARGS(...) (void)(__VA_ARGS__)

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
	long (*getdents)(struct libos_file *f, void *buf, size_t n);  /* linux_dirent64 */
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
int libos_fd_install(struct libos_file *f, int min_fd, bool cloexec); /* takes f's ref */
struct libos_file *libos_fd_get(int fd);                 /* referenced, or NULL */
int libos_fd_close(int fd);
void libos_fs_init(void);     /* mounts from the sandbox view, fds 0, 1, 2 */

/* Opens a guest path as the application would (fs/vfs.c): for the loader. */
long libos_open_path(const char *path, int flags, unsigned mode, struct libos_file **out);
/* The Dk stream behind a host-backed file, or DK_HANDLE_NONE (fs/host.c). */
DK_HANDLE libos_file_stream(struct libos_file *f);

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

/* ---- start-up (loader.c, init.c) ------------------------------------------- */
/* Loads PROG (PATH lookup, #!, ELF with interpreter), builds the initial
 * stack and enters it.  Does not return. */
void libos_exec(const char *prog, char **argv, char **envp) __attribute__((noreturn));
/* The vDSO the application sees (vdso.c): its base, to put in AT_SYSINFO_EHDR. */
uint64_t libos_vdso_base(void);

#endif
