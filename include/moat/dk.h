/*
 * moat Dk ABI, version 1.
 *
 * The closed interface between a picoprocess's library OS (or an extension
 * layer) and the layer below it: 45 downcalls, 3 upcalls, 13 stream
 * providers, with the names of the original Drawbridge design.
 *
 * The ABI is not linked: the layer below hands the layer above a table of
 * entry points (struct dk_abi) and start parameters (struct dk_start_params);
 * the layer above fills in its upcall table (struct dk_upcalls).  A layer
 * therefore depends on nothing but this header.  docs/ABI.md specifies every
 * call; this header is the machine-readable half of that document.
 *
 * Conventions, for every downcall unless its entry in docs/ABI.md says
 * otherwise:
 *   - The result is 0 on success or a negated DK_E_* code (so "rc < 0"
 *     means failure).  Outputs go through pointer arguments, which are
 *     written only on success.
 *   - Every call is safe to use from any thread at the same time.
 *   - A handle is an opaque 64-bit value; 0 (DK_HANDLE_NONE) is never valid.
 *     A closed or forged handle gives -DK_E_BAD_HANDLE, never a crash.
 *   - A pointer the PAL cannot read or write gives -DK_E_BAD_POINTER.
 *   - Times are nanoseconds; timeouts are microseconds.
 *
 * Freestanding: this header needs only the compiler's <stddef.h>/<stdint.h>.
 */
#ifndef MOAT_DK_H
#define MOAT_DK_H

#include <stddef.h>
#include <stdint.h>

#define DK_ABI_VERSION 1u

typedef uint64_t DK_HANDLE;
#define DK_HANDLE_NONE ((DK_HANDLE)0)

/* ---- errors: a small enum, returned negated ---------------------------- */
enum dk_error {
	DK_OK = 0,
	DK_E_INVALID = 1,          /* an argument is out of range or malformed */
	DK_E_BAD_HANDLE = 2,       /* not a handle, closed, or the wrong kind */
	DK_E_BAD_POINTER = 3,      /* a pointer argument is not accessible */
	DK_E_NO_MEMORY = 4,        /* out of memory or address space */
	DK_E_NOT_FOUND = 5,        /* no such stream, name or symbol */
	DK_E_EXISTS = 6,           /* already exists / range already in use */
	DK_E_DENIED = 7,           /* the host or the sandbox refuses access */
	DK_E_TIMEOUT = 8,          /* a wait ran out of time */
	DK_E_INTERRUPTED = 9,      /* an exception was raised in the waiting thread */
	DK_E_WOULD_BLOCK = 10,     /* non-blocking stream has nothing to give */
	DK_E_LIMIT = 11,           /* a count or size limit would be exceeded */
	DK_E_NOT_IMPLEMENTED = 12, /* the call exists but this PAL lacks it */
	DK_E_UNSUPPORTED = 13,     /* not supported by this kind of handle or URI */
	DK_E_NOT_DIRECTORY = 14,
	DK_E_IS_DIRECTORY = 15,
	DK_E_NOT_EMPTY = 16,       /* directory not empty */
	DK_E_NO_SPACE = 17,        /* the storage is full */
	DK_E_CLOSED = 18,          /* the peer closed the stream (broken pipe) */
	DK_E_REFUSED = 19,         /* connection refused */
	DK_E_RESET = 20,           /* connection reset */
	DK_E_ADDRESS_IN_USE = 21,
	DK_E_STILL_RUNNING = 22,   /* a process or thread has not exited yet */
	DK_E_NAME_TOO_LONG = 23,
	DK_E_CROSS_DEVICE = 24,    /* rename across file systems */
	DK_E_READ_ONLY = 25,       /* the stream or file system is read-only */
	DK_E_LOOP = 26,            /* too many symbolic links */
	DK_E_IO = 27,              /* the host reported an I/O error */
	DK_E_BUSY = 28,
	DK_E_COUNT_ = 29
};

/* ---- memory --------------------------------------------------------- */
#define DK_PROT_NONE 0u
#define DK_PROT_READ 1u
#define DK_PROT_WRITE 2u
#define DK_PROT_EXEC 4u

#define DK_MEM_RESERVE 1u  /* claim address space (inaccessible until committed) */
#define DK_MEM_COMMIT 2u   /* back the range with zeroed memory and set prot */
#define DK_MEM_SHARED 4u   /* with COMMIT: memory that stays shared with the children
                            * DkProcessFork makes (MAP_SHARED|MAP_ANONYMOUS) */
#define DK_MEM_LARGE 8u    /* with COMMIT, not SHARED: a hint that the range is big and
                            * will be used: the host may back it with large pages, so
                            * that DkProcessFork copies one entry per large page */

#define DK_MEM_DECOMMIT 1u /* drop the contents, keep the reservation */
#define DK_MEM_RELEASE 2u  /* give the address range back */

/* ---- threads, waits, exceptions ---------------------------------------- */
#define DK_WAIT_INFINITE UINT64_MAX

typedef void (*dk_thread_fn)(void *param);

/* Exception codes passed to LibOsExceptionDispatch. */
enum dk_exception_code {
	DK_EXC_MEMORY_FAULT = 1, /* SIGSEGV: addr is the faulting address */
	DK_EXC_BUS_ERROR = 2,    /* SIGBUS: e.g. a mapped file shrank */
	DK_EXC_ARITHMETIC = 3,   /* SIGFPE: divide by zero, overflow */
	DK_EXC_ILLEGAL = 4,      /* SIGILL: illegal instruction */
	DK_EXC_BREAKPOINT = 5,   /* SIGTRAP: int3, single step */
	DK_EXC_RAISED = 6,       /* DkThreadRaiseException: arg is the caller's */
	DK_EXC_SYSCALL = 7,      /* reserved: a trapped system call instruction */
	DK_EXC_SIGNAL = 8,       /* a signal sent to the process (DkProcessSignal, the
				  * host, a child's exit): arg = DK_SIGNAL_ARG */
};
/* DK_EXC_SIGNAL's arg: the signal number in bits 0-7, for a child's SIGCHLD
 * its status (exit code or signal) in bits 8-15, the sender's (or child's)
 * process id, 0 if none, in bits 32-63; host_code is the sender's kind
 * (Linux's si_code: SI_USER, SI_QUEUE, SI_TKILL, CLD_EXITED...). */
#define DK_SIGNAL_NUMBER(arg) ((int)((arg)&0xff))
#define DK_SIGNAL_STATUS(arg) ((int)(((arg) >> 8) & 0xff))
#define DK_SIGNAL_SENDER(arg) ((int64_t)((arg) >> 32))

/* Register state of the interrupted thread.  The dispatcher may change any
 * field; the thread resumes from the context as it is when the dispatcher
 * returns DK_EXC_RESUME. */
struct dk_context {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp;
	uint64_t rip, rflags;
	void *fpstate; /* host FXSAVE/XSAVE area, or NULL; opaque to the ABI */
};

struct dk_exception_info {
	uint32_t code;      /* enum dk_exception_code */
	uint32_t host_code; /* the host's sub-code (si_code on Linux), for diagnosis */
	uint64_t addr;      /* faulting data address, or 0 */
	uint64_t arg;       /* DK_EXC_RAISED: the raiser's argument */
	uint64_t error;     /* hardware error code (page-fault bits), or 0 */
};

#define DK_EXC_RESUME 0    /* resume from the (possibly changed) context */
#define DK_EXC_UNHANDLED 1 /* the PAL ends the process, as the host would */
#define DK_EXC_DEFERRED 2  /* DK_EXC_SIGNAL, DK_EXC_RAISED: resume, the layer
			    * above will act on it later; the thread's blocking
			    * downcall in progress, or its next one, ends with
			    * -DK_E_INTERRUPTED, even if it had not started yet */

/* ---- processes (the additions for fork, wait and kill) -------------------
 * Process ids are the host's, as seen in the sandbox's own pid namespace:
 * the sandbox's first process is 1, every process of the sandbox has its
 * own, and no host process is visible.  Process ids name processes in
 * DkProcessWait, DkProcessSignal and DkProcessIdControl, with Linux's
 * conventions for 0 (the caller's group), -1 (all) and -N (group N). */
#define DK_WAIT_NOHANG 1u    /* return at once, result->pid 0 if nothing is ready */
#define DK_WAIT_EXITED 2u    /* report children that ended */
#define DK_WAIT_STOPPED 4u   /* report children that stopped */
#define DK_WAIT_CONTINUED 8u /* report children that continued */
#define DK_WAIT_NOWAIT 16u   /* leave the reported child waitable */
enum dk_child_state {
	DK_CHILD_EXITED = 1,    /* status: its exit code */
	DK_CHILD_KILLED = 2,    /* status: the signal */
	DK_CHILD_DUMPED = 3,    /* killed, with a core image; status: the signal */
	DK_CHILD_STOPPED = 5,   /* status: the stop signal */
	DK_CHILD_CONTINUED = 6, /* status: the continue signal */
};
/* DkProcessFork: memory the child does not get (a child about to replace
 * its program).  Page-aligned; at most DK_FORK_LEFT_MAX ranges. */
struct dk_range {
	uint64_t addr, size;
};
#define DK_FORK_LEFT_MAX 64
struct dk_wait_result {
	int64_t pid;    /* the child, 0 if none was ready (DK_WAIT_NOHANG) */
	uint32_t state; /* enum dk_child_state */
	int32_t status;
	/* A reaped child's resource use (its own and its reaped children's),
	 * as the host counted it; 0 for other reports. */
	uint64_t user_us, system_us; /* CPU time in user and kernel mode */
	uint64_t maxrss_kb;          /* largest resident set */
};
/* DkProcessSignal flags. */
#define DK_SIGNAL_QUEUE 2u          /* one process (target > 0): a queued signal
				     * carrying value (sigqueue); the receiver's
				     * DK_EXC_SIGNAL has it in addr */
#define DK_SIGNAL_DEFAULT_ACTION 1u /* target 0 only: the host's default action
				     * of the signal on this process (end it,
				     * or stop it until continued) */
#define DK_SIGNAL_HOST_IGNORE 4u    /* target 0 only, a signal the host ignores by
				     * default (17 SIGCHLD, 23 SIGURG, 28 SIGWINCH):
				     * value 1, the host drops it from now on (no
				     * DK_EXC_SIGNAL); value 0, it arrives again */
/* DkProcessIdControl ops; pid 0 means the caller. */
enum dk_pid_op {
	DK_PID_SELF = 1,        /* *result: the caller's process id */
	DK_PID_PARENT = 2,      /* *result: its parent's (1 once orphaned) */
	DK_PID_THREAD = 3,      /* *result: the calling thread's id */
	DK_PID_GROUP_GET = 4,   /* *result: pid's process group */
	DK_PID_GROUP_SET = 5,   /* put pid in process group arg (0: its own) */
	DK_PID_SESSION_GET = 6, /* *result: pid's session */
	DK_PID_SESSION_NEW = 7, /* a new session led by the caller; *result: its id */
};
#define DK_SIGNAL_MAX 63 /* signals 1..63; the host's 64th is the PAL's own */
/* DkThreadCreate flags. */
#define DK_THREAD_NO_SIGNALS 1u /* signals sent to the process (DK_EXC_SIGNAL) go to
				 * other threads: a layer's own helper threads */
/* DkFutexControl ops, on a 32-bit word in memory shared between processes
 * (DK_MEM_SHARED, or a shared file mapping). */
#define DK_FUTEX_WAIT 1u /* sleep while *word == value (timeout_us, or DK_WAIT_INFINITE) */
#define DK_FUTEX_WAKE 2u
/* file: streams have a position of their own, in the host's open file, so
 * that processes DkProcessFork made share it: DkStreamRead and
 * DkStreamWrite at DK_OFFSET_CURRENT use and advance it; DkStreamSeek
 * moves it (whence: DK_SEEK_SET, DK_SEEK_CUR, DK_SEEK_END). */
#define DK_OFFSET_CURRENT UINT64_MAX
#define DK_SEEK_SET 0u
#define DK_SEEK_CUR 1u
#define DK_SEEK_END 2u
/* DkStreamLock: file locks the host keeps, so that processes see each
 * other's.  kind: */
#define DK_LOCK_RANGE 1u      /* bytes, held by the process (fcntl F_SETLK) */
#define DK_LOCK_RANGE_OPEN 2u /* bytes, held by the open stream (F_OFD_SETLK) */
#define DK_LOCK_WHOLE 3u      /* the whole file, held by the open stream (flock) */
/* flags: */
#define DK_LOCK_WAIT 1u /* wait for a conflicting lock to go (else WOULD_BLOCK) */
#define DK_LOCK_TEST 2u /* ranges only: store the first conflicting lock in *lock
			 * (type DK_LOCK_UNLOCK if none); nothing changes */
struct dk_lock {
	uint32_t type;          /* DK_LOCK_READ, DK_LOCK_WRITE, DK_LOCK_UNLOCK */
	int32_t pid;            /* DK_LOCK_TEST: the holder, -1 for an open stream's */
	uint64_t start, length; /* bytes; length 0: to the end of the file and beyond */
};
#define DK_LOCK_READ 0u
#define DK_LOCK_WRITE 1u
#define DK_LOCK_UNLOCK 2u /* wake up to value sleepers; *woken (may be NULL) says how many */

/* ---- streams ----------------------------------------------------------- */
/*
 * URI syntax of the 13 providers (docs/ABI.md has the details):
 *   file:PATH                 a host file or directory (PATH as the sandbox sees it)
 *   null:                     reads give end-of-stream, writes are discarded
 *   stdin:  stdout:  stderr:  the picoprocess's console
 *   pipe.server:NAME          listen on a named pipe, scoped to one sandbox
 *   pipe.client:NAME          connect to it
 *   tcp.server:ADDR:PORT      listen (ADDR is IPv4 "1.2.3.4" or IPv6 "[::1]")
 *   tcp.client:ADDR:PORT      connect
 *   tcp:LADDR:LPORT,ADDR:PORT connect from a given local address and port
 *   dns:NAME                  resolve NAME; read the addresses, one per line
 *   http.server:URL  http.application:NAME   (not implemented in version 1)
 * A server handle accepts a connection when read: DkStreamRead with a buffer
 * of sizeof(DK_HANDLE) bytes stores the new connection's handle there.
 */
#define DK_URI_MAX 4096

#define DK_ACCESS_READ 1u
#define DK_ACCESS_WRITE 2u
#define DK_ACCESS_APPEND 4u /* every write goes to the end (files) */

#define DK_CREATE_NEVER 0u  /* open an existing stream only */
#define DK_CREATE_ALWAYS 1u /* open, or create if missing */
#define DK_CREATE_NEW 2u    /* create; -DK_E_EXISTS if it exists */
#define DK_CREATE_TRUNCATE 4u /* flag: truncate an existing file to 0 */

#define DK_OPT_NONBLOCK 1u  /* reads/writes give -DK_E_WOULD_BLOCK, never wait */
#define DK_OPT_DIRECTORY 2u /* file: the stream is (or is created as) a directory */
#define DK_OPT_NOFOLLOW 4u  /* file: do not follow a final symbolic link */
#define DK_OPT_DUPLEX 8u    /* DkStreamPipeCreate: two connected ends, each read and
			     * written (a Unix stream socket pair) */
#define DK_OPT_DATAGRAM 32u /* DkStreamPipeCreate, with DUPLEX: each write is one message,
			     * each read takes one (a Unix datagram socket pair);
			     * DkStreamOpen of pipe.server: and pipe.client:: Unix
			     * datagram sockets under the name */
#define DK_OPT_SEQPACKET 128u /* DkStreamPipeCreate, with DUPLEX: a Unix sequenced-packet
			       * socket pair (messages, in order, end of stream at close) */
#define DK_OPT_FIFO 16u     /* file: with DK_CREATE_ALWAYS or _NEW, the stream is made
			     * as a FIFO (a named pipe) before it is opened */
#define DK_OPT_SOCKET_FILE 64u /* file: with DK_CREATE_NEW and no access: makes a socket
				* file (the name a Unix socket is bound to) and opens
				* nothing: *stream = DK_HANDLE_NONE */

#define DK_MAP_SHARED 1u    /* writes reach the stream and other mappings */
#define DK_MAP_PRIVATE 2u   /* copy-on-write */
#define DK_MAP_FIXED 4u     /* map exactly at *addr, replacing what is there */

enum dk_stream_type {
	DK_STREAM_FILE = 1,
	DK_STREAM_DIRECTORY = 2,
	DK_STREAM_SYMLINK = 3,
	DK_STREAM_CONSOLE = 4, /* stdin:, stdout:, stderr:, null: */
	DK_STREAM_PIPE = 5,    /* pipe.client:, an accepted pipe, a pipe, a file: FIFO */
	DK_STREAM_PIPE_SERVER = 6,
	DK_STREAM_TCP = 7,
	DK_STREAM_TCP_SERVER = 8,
	DK_STREAM_DNS = 9,
	DK_STREAM_PROCESS = 10, /* a process handle read/written as a stream */
	DK_STREAM_DEVICE = 11,  /* a host device node or other special file */
	DK_STREAM_SOCKET = 12,  /* a file: socket file (DK_OPT_SOCKET_FILE); opens as
				 * nothing (-DK_E_REFUSED) */
};

struct dk_stream_attr {
	uint32_t type;       /* enum dk_stream_type */
	uint32_t mode;       /* permission bits (0777 and setuid/setgid/sticky) */
	uint64_t size;       /* bytes; for sockets/pipes: bytes ready to read */
	uint64_t device;     /* identity of the containing file system */
	uint64_t inode;      /* identity within it */
	uint64_t links;
	uint64_t blocks;     /* 512-byte blocks allocated */
	uint64_t atime_ns, mtime_ns, ctime_ns; /* since the epoch */
	uint32_t readable, writable; /* non-zero if the caller may */
	/* the file's owner and group as the sandbox's user namespace sees
	 * them (ids it cannot map read as 65534); 0 for streams other than
	 * file: */
	uint32_t owner, group;
};

/* DkStreamLinkCreate's kinds. */
#define DK_LINK_SYMBOLIC 1u /* a symbolic link holding free text, as symlink(2) */
#define DK_LINK_HARD 2u     /* a second name for a file: URI's file, as link(2) */

/* DkStreamAttributesSet's which: the fields of *attr to apply. */
#define DK_ATTR_MODE 1u     /* attr->mode & 07777 (no setuid/setgid: -DK_E_DENIED) */
#define DK_ATTR_TIMES 2u    /* attr->atime_ns and attr->mtime_ns */
#define DK_ATTR_NOFOLLOW 4u /* with DK_ATTR_TIMES only: a final link's own times */
#define DK_TIME_NOW UINT64_MAX          /* atime_ns/mtime_ns: the current time */
#define DK_TIME_OMIT (UINT64_MAX - 1)   /* atime_ns/mtime_ns: leave as it is */

/* DkStreamConsoleControl's ops, for a console (stdin:, stdout:, stderr:)
 * that is a terminal. */
#define DK_CONSOLE_GET_MODES 1u       /* arg: struct dk_termios, out */
#define DK_CONSOLE_SET_MODES 2u       /* arg: struct dk_termios, in; now */
#define DK_CONSOLE_SET_MODES_DRAIN 3u /* ... after output drains */
#define DK_CONSOLE_SET_MODES_FLUSH 4u /* ... after output drains; input discarded */
#define DK_CONSOLE_GET_WINSIZE 5u     /* arg: struct dk_winsize, out */
/* ... and two for any stream with a host open file (not the console, the
 * null: stream or a process handle): its status flags, which the host keeps
 * in the open file, so the processes DkProcessFork makes share them.  arg:
 * uint32_t of DK_STATUS_* bits. */
#define DK_STREAM_GET_STATUS 16u      /* arg: the status, out */
#define DK_STREAM_SET_STATUS 17u      /* arg: the status, in */
#define DK_STATUS_NONBLOCK 1u /* reads and writes never wait (DK_E_WOULD_BLOCK) */
#define DK_STATUS_APPEND 2u   /* every write goes to the end (file: streams) */
/* ... and one for a connected Unix stream (pipe.client:, an accepted pipe,
 * a DK_OPT_DUPLEX pipe end): who is at the other end, as the host saw it
 * when the connection was made.  arg: struct dk_peer, out. */
#define DK_STREAM_GET_PEER 18u
struct dk_peer {
	int64_t pid;          /* the peer's process id (DkProcessIdControl's ids) */
	uint32_t uid, gid;    /* as the sandbox's user namespace sees them */
	uint32_t kind;        /* enum dk_socket_kind: what the socket carries */
	uint32_t reserved;    /* 0 */
};
enum dk_socket_kind {
	DK_SOCKET_STREAM = 1,    /* bytes */
	DK_SOCKET_DATAGRAM = 2,  /* messages */
	DK_SOCKET_SEQPACKET = 3, /* messages, in order, with an end */
};

/* DkStreamMessage (an addition): bytes with streams attached, along a
 * connected Unix stream (what SCM_RIGHTS carries between processes). */
#define DK_MESSAGE_SEND 1u
#define DK_MESSAGE_RECEIVE 2u
#define DK_MESSAGE_HANDLES_MAX 64u
#define DK_MESSAGE_TRUNCATED 1u /* flags, out: streams came that did not fit (closed) */
#define DK_MESSAGE_DONTWAIT 2u  /* flags, in: WOULD_BLOCK rather than wait */
struct dk_passed {
	DK_HANDLE handle;  /* SEND: a stream to pass; RECEIVE: the new stream */
	uint32_t type;     /* RECEIVE: its enum dk_stream_type */
	uint32_t access;   /* RECEIVE: its DK_ACCESS_* (the host open file's) */
};
struct dk_message {
	void *data;                 /* the bytes, or room for them */
	size_t size;                /* in: their count or the room; out: bytes moved */
	struct dk_passed *handles;  /* the streams, or room for them (may be NULL if count is 0) */
	uint32_t count;             /* in: their count or the room; out: streams moved */
	uint32_t flags;             /* in: DK_MESSAGE_DONTWAIT; out: DK_MESSAGE_TRUNCATED */
};

/* DkStreamShutdown's directions, for a connected tcp or pipe stream. */
#define DK_SHUTDOWN_READ 1u  /* no more reading: reads give end-of-stream */
#define DK_SHUTDOWN_WRITE 2u /* no more writing: the peer reads end-of-stream */

/* A terminal's line settings: Linux's struct termios (TCGETS), 36 bytes. */
#define DK_NCCS 19
struct dk_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[DK_NCCS];
};
/* A terminal's size: Linux's struct winsize (TIOCGWINSZ). */
struct dk_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/* DkStreamMapPeBinary's description of a mapped executable image. */
struct dk_image_info {
	uint64_t base;       /* load bias: add to the image's virtual addresses */
	uint64_t start, end; /* lowest and highest+1 address mapped */
	uint64_t entry;      /* entry point, relocated */
	uint64_t phdr;       /* address of the program headers in memory, or 0 */
	uint32_t phnum, phent;
	uint32_t type;       /* 2 = fixed-address executable, 3 = position independent */
	uint32_t reserved;
	char interp[256];    /* the PT_INTERP path, or "" */
};

/* ---- the application's registers and system calls ------------------------ */
#define DK_SEGMENT_FS 1u /* DkSegmentRegisterSet: the calling thread's %fs base */

#define DK_SYSCALL_TRAP_OFF 0u
/* Every system call instruction outside the PAL, in the calling thread and
 * in threads it creates later, reaches LibOsExceptionDispatch as
 * DK_EXC_SYSCALL: ctx->rax is the number, rdi rsi rdx r10 r8 r9 the
 * arguments, rip is past the instruction; the dispatcher sets rax. */
#define DK_SYSCALL_TRAP_ON 1u

/*
 * Per-thread words for the layers above the PAL.  The PAL owns %gs; the
 * eight-byte words at %gs:DK_TLS_OFFSET(1) .. %gs:DK_TLS_OFFSET(7) belong
 * to the layers above, zero in a new thread, never touched by the PAL.  The
 * library OS uses slot 1; an extension takes the next free one.
 */
#define DK_TLS_OFFSET(slot) (8 * (slot))
#define DK_TLS_SLOTS 7

/* ---- time ------------------------------------------------------------- */
#define DK_CLOCK_REALTIME 0u  /* since the epoch */
#define DK_CLOCK_MONOTONIC 1u /* since an arbitrary point; never goes back */
#define DK_CLOCK_PROCESS_CPU 2u /* CPU time the process has used (an addition) */
#define DK_CLOCK_THREAD_CPU 3u  /* CPU time the calling thread has used (an addition) */

/* ---- start parameters and tables ---------------------------------------- */
struct dk_start_params {
	uint32_t abi_version; /* DK_ABI_VERSION of the layer below */
	uint32_t size;        /* sizeof(struct dk_start_params) of the layer below */
	int argc;
	const char *const *argv;     /* argv[0] is the library OS image's URI */
	const char *const *envp;     /* NULL-terminated */
	const char *const *settings; /* "key=value" from the launcher; NULL-terminated */
	DK_HANDLE parent_process;    /* stream to the parent picoprocess, or NONE */
	DK_HANDLE first_thread;      /* the thread running LibOsInitialize */
	uint64_t image_base, image_size; /* where this layer's image is mapped */
	uint64_t page_size;
	uint64_t alloc_granularity;
	uint32_t cpu_count;
	uint32_t reserved;
	uint64_t memory_total;   /* bytes of host memory the sandbox may use */
	uint64_t process_id;     /* unique within the sandbox, 1 for the first */
	uint64_t sandbox_id;     /* random, names the sandbox (e.g. for pipes) */
};

struct dk_abi;

/* The upcalls.  The layer below owns this table and passes it to
 * LibOsInitialize, which fills it in before it creates threads or expects
 * exceptions.  A NULL entry means "not handled". */
struct dk_upcalls {
	/* Runs in each new thread; must call fn(param) and may wrap it. */
	void (*LibOsThreadStart)(dk_thread_fn fn, void *param);
	/* Runs on the faulting or interrupted thread, on a separate stack. */
	int (*LibOsExceptionDispatch)(const struct dk_exception_info *info,
				      struct dk_context *ctx);
};

/* The one symbol a library OS (or extension) image must export.  Its return
 * value, if it returns, is the process's exit code. */
typedef int LibOsInitialize_fn(const struct dk_abi *dk,
			       const struct dk_start_params *start,
			       struct dk_upcalls *upcalls);
#define DK_LIBOS_ENTRY "LibOsInitialize"

/* The 45 downcalls, in the seed's order. */
struct dk_abi {
	uint32_t abi_version;
	uint32_t size; /* sizeof(struct dk_abi) */

	/* memory (3) */
	int (*DkVirtualMemoryAlloc)(void **addr, size_t size, uint32_t alloc_type, uint32_t prot);
	int (*DkVirtualMemoryFree)(void *addr, size_t size, uint32_t free_type);
	int (*DkVirtualMemoryProtect)(void *addr, size_t size, uint32_t prot);

	/* threads and synchronisation (16) */
	int (*DkThreadCreate)(dk_thread_fn fn, void *param, uint32_t flags, DK_HANDLE *thread);
	int (*DkThreadDelayExecution)(uint64_t microseconds, uint64_t *remaining);
	int (*DkThreadYieldExecution)(void);
	void (*DkThreadExit)(int exit_code) __attribute__((noreturn));
	int (*DkThreadGetParameter)(void **param);
	int (*DkThreadRaiseException)(DK_HANDLE thread, uint64_t arg);
	int (*DkNotificationEventCreate)(int initially_set, DK_HANDLE *event);
	int (*DkSynchronizationEventCreate)(int initially_set, DK_HANDLE *event);
	int (*DkSemaphoreCreate)(uint32_t initial, uint32_t maximum, DK_HANDLE *sem);
	int (*DkSemaphoreRelease)(DK_HANDLE sem, uint32_t count, uint32_t *previous);
	int (*DkSemaphorePeek)(DK_HANDLE sem, uint32_t *count);
	int (*DkEventSet)(DK_HANDLE event);
	int (*DkEventClear)(DK_HANDLE event);
	int (*DkEventPeek)(DK_HANDLE event, int *is_set);
	int (*DkObjectsWaitAny)(size_t count, const DK_HANDLE *handles, uint64_t timeout_us,
				size_t *signaled);
	int (*DkAbortEventRegister)(DK_HANDLE event);

	/* child processes (3) */
	int (*DkProcessCreate)(const char *image_uri, const char *const *args, DK_HANDLE *process);
	int (*DkProcessGetExitCode)(DK_HANDLE process, int *exit_code);
	void (*DkProcessExit)(int exit_code) __attribute__((noreturn));

	/* I/O streams (14) */
	int (*DkStreamOpen)(const char *uri, uint32_t access, uint32_t create, uint32_t options,
			    uint32_t mode, DK_HANDLE *stream);
	int (*DkStreamRead)(DK_HANDLE stream, uint64_t offset, void *buf, size_t *count);
	int (*DkStreamWrite)(DK_HANDLE stream, uint64_t offset, const void *buf, size_t *count);
	int (*DkStreamMap)(DK_HANDLE stream, void **addr, uint32_t prot, uint32_t flags,
			   uint64_t offset, size_t size);
	int (*DkStreamMapPeBinary)(DK_HANDLE stream, void *addr_hint, struct dk_image_info *info);
	int (*DkStreamUnmap)(void *addr, size_t size);
	int (*DkStreamSetLength)(DK_HANDLE stream, uint64_t length);
	int (*DkStreamFlush)(DK_HANDLE stream);
	int (*DkStreamDelete)(const char *uri);
	int (*DkStreamGetEvent)(DK_HANDLE stream, DK_HANDLE *event);
	int (*DkStreamRename)(const char *old_uri, const char *new_uri);
	int (*DkStreamEnumerateChildren)(DK_HANDLE directory, char *buf, size_t *size);
	int (*DkStreamAttributesQuery)(const char *uri, struct dk_stream_attr *attr);
	int (*DkStreamAttributesQueryByHandle)(DK_HANDLE stream, struct dk_stream_attr *attr);

	/* other (9) */
	int (*DkSystemTimeQuery)(uint32_t clock, uint64_t *ns);
	int (*DkRandomBitsRead)(void *buf, size_t size);
	int (*DkInstructionCacheFlush)(const void *addr, size_t size);
	int (*DkObjectReference)(DK_HANDLE object);
	int (*DkObjectClose)(DK_HANDLE object);
	int (*DkInputEventRead)(DK_HANDLE device, void *event, size_t *size);
	int (*DkFrameBufferExport)(DK_HANDLE device, void **framebuffer, uint32_t *width,
				   uint32_t *height, uint32_t *stride);
	int (*DkFrameBufferNotifyUpdate)(DK_HANDLE device, uint32_t x, uint32_t y, uint32_t width,
					 uint32_t height);
	int (*DkDebugStringPrint)(const char *text);

	/* Additions the Linux personality needs (docs/ABI.md says why). */
	int (*DkSegmentRegisterSet)(uint32_t reg, uint64_t base);
	int (*DkSystemCallTrapSet)(uint32_t mode);
	/* file: links and metadata (readlink/lstat, symlink/link, chmod/utimens) */
	int (*DkStreamLinkRead)(const char *uri, char *buf, size_t *size,
				struct dk_stream_attr *attr);
	int (*DkStreamLinkCreate)(const char *target, const char *link_uri, uint32_t kind);
	int (*DkStreamAttributesSet)(const char *uri, const struct dk_stream_attr *attr,
				     uint32_t which);
	/* the console's terminal: line settings and size (termios, isatty) */
	int (*DkStreamConsoleControl)(DK_HANDLE console, uint32_t op, void *arg, size_t size);
	/* half-close of a connected tcp or pipe stream (shutdown) */
	int (*DkStreamShutdown)(DK_HANDLE stream, uint32_t how);
	/* The Linux process model (fork, wait, kill, process groups, pipes
	 * shared between processes); docs/ABI.md says why each is here. */
	int (*DkProcessFork)(int64_t *child, const struct dk_range *left_behind, uint32_t n);
	int (*DkProcessWait)(int64_t target, uint32_t options, struct dk_wait_result *result);
	int (*DkProcessSignal)(int64_t target, uint32_t signal, uint32_t flags, uint64_t value);
	int (*DkProcessIdControl)(uint32_t op, int64_t pid, int64_t arg, int64_t *result);
	int (*DkStreamPipeCreate)(uint32_t options, DK_HANDLE *read_end, DK_HANDLE *write_end);
	int (*DkFutexControl)(uint32_t op, uint32_t *word, uint32_t value, uint64_t timeout_us,
			      uint32_t *woken);
	int (*DkStreamSeek)(DK_HANDLE stream, int64_t offset, uint32_t whence, uint64_t *position);
	int (*DkStreamLock)(DK_HANDLE stream, uint32_t kind, uint32_t flags, struct dk_lock *lock);
	/* bytes with streams attached between processes (SCM_RIGHTS) */
	int (*DkStreamMessage)(DK_HANDLE stream, uint32_t op, struct dk_message *msg);
};

#define DK_DOWNCALL_COUNT 45       /* the seed's */
#define DK_DOWNCALL_EXTRA_COUNT 16 /* the additions */

#endif
