/*
 * The PAL's internal interface: what the host-independent ABI layer
 * (pal/common/) needs from a host (pal/<host>/) and what both share.
 *
 * Split, after Gramine: each Dk call in pal/common/ validates its arguments,
 * copies them in through the fault-safe helpers, looks up handles, and then
 * calls a pal_host_* hook that does the host work.  Hooks return 0 (or a
 * count) on success and a negated DK_E_* on failure; a host's own error
 * numbers never leave pal/<host>/.
 */
#ifndef MOAT_PAL_H
#define MOAT_PAL_H

#include <moat/dk.h>
#include <moat/rt.h>
#include <stdbool.h>

#define PAL_PAGE 4096ul
#define PAL_ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a)-1))
#define PAL_ALIGN_UP(x, a) PAL_ALIGN_DOWN((x) + (a)-1, (a))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- handle objects ------------------------------------------------------ */
enum pal_obj_type {
	PAL_OBJ_THREAD = 1,
	PAL_OBJ_PROCESS,
	PAL_OBJ_EVENT,      /* notification or synchronization event */
	PAL_OBJ_SEMAPHORE,
	PAL_OBJ_STREAM,
	PAL_OBJ_STREAM_EVENT, /* from DkStreamGetEvent: signaled while readable */
};

struct pal_stream_ops;
struct pal_tcb;

/*
 * One object behind one or more handles.  wait_fd is what DkObjectsWaitAny
 * polls for readability (-1: always signaled); "consume" objects
 * (synchronization events, semaphores) take one unit by a non-blocking
 * read of wait_fd once poll says it is ready.
 */
struct pal_object {
	uint32_t type;      /* enum pal_obj_type */
	int refs;           /* handles + internal references; atomic */
	int handle_refs;    /* extra DkObjectReference counts on the handle */
	int fd;             /* host descriptor for I/O, or -1 */
	int wait_fd;        /* host descriptor to poll, or -1 */
	bool consume;       /* waits take a unit from wait_fd */
	union {
		struct {
			bool auto_reset;
		} event;
		struct {
			uint32_t maximum;
			uint32_t count; /* atomic, mirrors the eventfd counter */
		} sem;
		struct {
			struct pal_tcb *tcb; /* NULL once exited */
			int tid;
			int exit_code;
			int exited;          /* atomic */
		} thread;
		struct {
			int pid;
			int exit_code;
			int exited;
		} process; /* fd: stream to the child; wait_fd: pidfd */
		struct {
			const struct pal_stream_ops *ops;
			char *uri;           /* as opened, owned by the object */
			uint32_t access, options;
			uint32_t dir_pos;    /* directory enumeration state */
			void *priv;          /* provider's own state */
		} stream;
		struct {
			struct pal_object *stream; /* referenced */
		} stream_event;
	};
};

/* Handle table: handles carry a generation so a closed handle is refused. */
int pal_handle_new(struct pal_object *obj, DK_HANDLE *out);   /* takes obj's reference */
/* Looks up a handle and takes a reference; type 0 accepts any type. */
int pal_handle_get(DK_HANDLE h, uint32_t type, struct pal_object **obj);
int pal_handle_close(DK_HANDLE h);
int pal_handle_ref(DK_HANDLE h);

/* Taken around a host fork (DkProcessFork), released in both processes. */
void pal_handle_fork_lock(bool take);
void pal_handle_for_each(void (*fn)(struct pal_object *obj));
void pal_alloc_fork_lock(bool take);

struct pal_object *pal_object_new(uint32_t type);
void pal_object_get(struct pal_object *obj);
void pal_object_put(struct pal_object *obj); /* frees at the last reference */

/* What a fork writes on both sides of the copy (the locks it holds across
 * it, the process's own ids) shares one page, the fork_hot section
 * (lib/fork_hot.lds): each page written after a fork costs a copy-on-write
 * fault, several µs here, in each process that writes it. */
#define PAL_FORK_HOT __attribute__((section("fork_hot")))

/* ---- PAL-private memory -------------------------------------------------- */
void *pal_alloc(size_t size);   /* zeroed; NULL when out of memory */
/* The PAL's own mappings (zeroed, read-write, size in whole pages): in a
 * zone below the library OS's image once pal_own_zone_below has been told
 * where it is, never in a hole the program has left (common/alloc.c). */
void pal_own_zone_below(uint64_t image_start);
void *pal_own_map(size_t size);
void pal_own_unmap(void *p, size_t size);      /* and gives the range back */
void pal_own_unmapped(void *p, size_t size);  /* the range only (thread exit) */
void pal_free(void *p);
char *pal_strdup(const char *s);

/* ---- touching the caller's memory without trusting it ----------------------
 * These recover from a fault (the exception handler knows their code range)
 * and return -DK_E_BAD_POINTER instead of crashing. */
int pal_copy_in(void *dst, const void *user_src, size_t n);
int pal_copy_out(void *user_dst, const void *src, size_t n);
/* Copies a NUL-terminated string of at most max-1 bytes into dst;
 * -DK_E_NAME_TOO_LONG if longer. */
int pal_copy_string_in(char *dst, const void *user_src, size_t max);
/* The bytes a copy of the string needs (its length + 1), or
 * -DK_E_NAME_TOO_LONG if it has no NUL in its first max bytes. */
int pal_string_size(const void *user_str, size_t max);
#define PAL_PUT(ptr, val) pal_copy_out((ptr), &(val), sizeof(*(ptr)))

/* ---- per-thread state: the PAL's own thread pointer (%gs) ------------------ */
struct pal_tcb {
	struct pal_tcb *self;     /* %gs:0 */
	void *upper[DK_TLS_SLOTS];/* %gs:8..63: the layers' words (dk.h) */
	uint32_t syscall_trap;    /* DK_SYSCALL_TRAP_*, inherited by new threads */
	struct pal_object *obj;   /* this thread's handle object (referenced) */
	int tid;
	dk_thread_fn fn;
	void *param;
	void *map_base;           /* stack+altstack+tcb mapping to release at exit */
	size_t map_size;
	volatile int raise_pending;
	volatile uint64_t raise_arg;
	volatile uint32_t raises_delivered; /* tells a raise from other EINTRs */
	volatile int signal_unseen; /* a DK_EXC_SIGNAL no wait has reported yet */
	int in_exception;         /* nesting depth of LibOsExceptionDispatch */
	int exit_code;            /* DkThreadExit's code, on the way out */
	int on_own_stack;         /* exiting: moved to the PAL's thread stack */
	uint32_t create_flags;    /* DkThreadCreate's flags */
	int pinned;               /* on its CPU since its last fork (linux/process.c) */
	uint32_t pinned_cpu;      /* ... that CPU */
	uint32_t affinity_size;   /* ... and its mask before, to restore (bytes) */
	uint64_t affinity[16];
	uint8_t cycle_forks;      /* forks since its last blocking wait returned */
	uint8_t last_cycle_forks; /* ... in the cycle before (1: one child, then a wait) */
};
static inline struct pal_tcb *pal_tcb(void)
{
	struct pal_tcb *t;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(t));
	return t;
}

/* ---- process-wide state -------------------------------------------------- */
struct pal_state {
	struct dk_start_params start;
	struct dk_upcalls upcalls;   /* filled in by the layer above */
	const char *image_path;      /* the library OS image */
	void *vdso;                  /* host vDSO base, or NULL */
};
extern struct pal_state pal_state;
extern const struct dk_abi pal_abi;

/* Fatal internal error: prints "moat: pal: MSG" and ends the process. */
void pal_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Debug output to the host's stderr. */
void pal_print(const char *text, size_t len);
void pal_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- host hooks, one group per family ------------------------------------ */
/* memory */
int pal_host_mem_alloc(void **addr, size_t size, uint32_t type, uint32_t prot);
int pal_host_mem_free(void *addr, size_t size, uint32_t type);
int pal_host_mem_protect(void *addr, size_t size, uint32_t prot);

/* threads */
int pal_host_thread_create(dk_thread_fn fn, void *param, uint32_t flags, struct pal_object *obj);
int pal_host_thread_delay(uint64_t us, uint64_t *remaining);
int pal_host_thread_yield(void);
void pal_host_thread_exit(int code) __attribute__((noreturn));
int pal_host_thread_raise(struct pal_object *thread, uint64_t arg);

/* events and semaphores (all backed by a host waitable descriptor) */
int pal_host_event_init(struct pal_object *obj, bool auto_reset, bool set);
int pal_host_event_set(struct pal_object *obj);
int pal_host_event_clear(struct pal_object *obj);
int pal_host_event_peek(struct pal_object *obj, bool *set);
int pal_host_sem_init(struct pal_object *obj, uint32_t initial, uint32_t maximum);
int pal_host_sem_release(struct pal_object *obj, uint32_t count, uint32_t *previous);
int pal_host_wait_any(size_t n, struct pal_object **objs, uint64_t timeout_us, size_t *index);
int pal_host_abort_register(struct pal_object *event);
void pal_host_abort_signal(void); /* sets every registered abort event */

/* processes */
int pal_host_process_create(const char *image_path, const char *const *args,
			    struct pal_object *obj);
int pal_host_process_exit_code(struct pal_object *obj, int *code);
void pal_host_process_exit(int code) __attribute__((noreturn));
/* The Linux process model (the additions); arguments already checked. */
int pal_host_process_fork(int64_t *child, const struct dk_range *left, uint32_t n);
/* Page-aligned, non-empty and inside user space (common/memory.c). */
bool pal_range_ok(uint64_t addr, uint64_t size);
int pal_host_process_wait(int64_t target, uint32_t options, struct dk_wait_result *result);
int pal_host_process_signal(int64_t target, uint32_t sig, uint32_t flags, uint64_t value);
int pal_host_process_id(uint32_t op, int64_t pid, int64_t arg, int64_t *result);
int pal_host_futex(uint32_t op, uint32_t *word, uint32_t value, uint64_t timeout_us,
		   uint32_t *woken);
/* Two new stream objects: the read and the write end of a pipe. */
int pal_host_pipe_create(uint32_t options, struct pal_object *read_end,
			 struct pal_object *write_end);

/* exceptions */
int pal_host_exceptions_init(void);
int pal_host_thread_signals_init(struct pal_tcb *tcb); /* per-thread altstack */

/* streams: one ops table per provider (URI scheme) */
struct pal_stream_ops {
	const char *scheme;   /* with the colon, e.g. "file:" */
	uint32_t type;        /* enum dk_stream_type, for attributes */
	/* rest is the URI after the scheme. */
	int (*open)(struct pal_object *obj, const char *rest, uint32_t access,
		    uint32_t create, uint32_t options, uint32_t mode);
	int (*read)(struct pal_object *obj, uint64_t offset, void *buf, size_t *count);
	int (*write)(struct pal_object *obj, uint64_t offset, const void *buf, size_t *count);
	int (*map)(struct pal_object *obj, void **addr, uint32_t prot, uint32_t flags,
		   uint64_t offset, size_t size);
	int (*set_length)(struct pal_object *obj, uint64_t length);
	int (*flush)(struct pal_object *obj);
	int (*enumerate)(struct pal_object *obj, char *buf, size_t *size);
	int (*attr_by_handle)(struct pal_object *obj, struct dk_stream_attr *attr);
	int (*attr)(const char *rest, struct dk_stream_attr *attr);
	int (*delete)(const char *rest);
	int (*rename)(const char *rest, const char *new_rest);
	/* Links and metadata (the additions).  link_read: buf (PAL memory, at
	 * least DK_URI_MAX bytes) gets a link's text and *size its length, or,
	 * with buf NULL, only *attr is filled, for whatever rest names; attr
	 * may be NULL.  link_create: target is free text (DK_LINK_SYMBOLIC) or
	 * the rest of a URI of this provider (DK_LINK_HARD). */
	int (*link_read)(const char *rest, char *buf, size_t *size, struct dk_stream_attr *attr);
	int (*link_create)(const char *target, const char *rest, uint32_t kind);
	int (*attr_set)(const char *rest, const struct dk_stream_attr *attr, uint32_t which);
	/* The console's terminal (DkStreamConsoleControl): op is checked and
	 * arg is PAL memory of the op's struct; -DK_E_UNSUPPORTED if the
	 * stream is not a terminal. */
	int (*console_control)(struct pal_object *obj, uint32_t op, void *arg);
	/* Half-close of a connected stream (DkStreamShutdown): how is already
	 * checked (DK_SHUTDOWN_READ, DK_SHUTDOWN_WRITE or both). */
	int (*shutdown)(struct pal_object *obj, uint32_t how);
	/* The stream's own position (DkStreamSeek): whence is checked. */
	int (*seek)(struct pal_object *obj, int64_t offset, uint32_t whence, uint64_t *pos);
	/* File locks (DkStreamLock): kind, flags and lock are checked. */
	int (*lock)(struct pal_object *obj, uint32_t kind, uint32_t flags, struct dk_lock *lock);
	/* Bytes with streams attached along a connected Unix stream
	 * (DkStreamMessage); data is the caller's memory (the host reports a
	 * bad buffer).  send: objs[0..n) are streams, referenced by the
	 * caller.  receive: at most *n new stream objects (one reference each)
	 * go into objs, *n says how many, *flags gets DK_MESSAGE_TRUNCATED
	 * when some could not be taken (they are closed).  flags (in):
	 * DK_MESSAGE_DONTWAIT. */
	int (*message_send)(struct pal_object *obj, const void *data, size_t *size,
			    struct pal_object **objs, uint32_t n, uint32_t flags);
	int (*message_receive)(struct pal_object *obj, void *data, size_t *size,
			       struct pal_object **objs, uint32_t *n, uint32_t *flags);
	/* Who is at the other end (DK_STREAM_GET_PEER). */
	int (*peer)(struct pal_object *obj, struct dk_peer *peer);
	void (*close)(struct pal_object *obj);
};
/* A stream's status flags (DK_STATUS_*) in its host open file: read them
 * into *status, or (set) replace them with *status, already checked. */
int pal_host_stream_status(struct pal_object *obj, bool set, uint32_t *status);
/* NULL-terminated list of the host's providers. */
extern const struct pal_stream_ops *const pal_host_providers[];
/* Maps an executable ELF image from an open stream (DkStreamMapPeBinary). */
int pal_host_map_image(struct pal_object *stream, void *hint, struct dk_image_info *info);
int pal_host_unmap(void *addr, size_t size);

/* the application's registers and system calls */
int pal_host_segment_set(uint32_t reg, uint64_t base);
/* Sets the calling thread's trap mode (and its tcb's, for new threads). */
int pal_host_syscall_trap(uint32_t mode);

/* other */
int pal_host_time(uint32_t clock, uint64_t *ns);
int pal_host_random(void *buf, size_t size);
int pal_host_icache_flush(const void *addr, size_t size);
int pal_host_debug_print(const char *text, size_t len);

#endif
