/*
 * The file system layer's own header: shared by the files of libos/fs/
 * and by no one else (the rest of the library OS uses libos.h).
 *
 * Shape:
 *   - fdtable.c   struct libos_file life cycle, the descriptor table, dup,
 *                 fcntl, close_range, flock and record locks
 *   - vfs.c       path resolution (cwd, dirfd, AT_*), the mount table and the
 *                 path system calls (open, stat, mkdir, unlink, rename ...)
 *   - rw.c        the descriptor system calls (read/write family, lseek,
 *                 fstat, getdents64, ioctl, ftruncate, sendfile ...)
 *   - host.c      the host pass-through file system: "file:" streams
 *   - dev.c       /dev and the console (fds 0, 1, 2)
 *   - proc.c      /proc;  sys.c  /sys (minimal)
 *   - pipe.c      pipe, pipe2;  poll.c  poll/select/epoll
 *   - anon.c      eventfd, timerfd, signalfd, memfd
 *
 * Ownership rule (documented for docs/): a host file ("file:") shows its
 * owner and group as the PAL reports them (struct dk_stream_attr's owner
 * and group, as the sandbox's user namespace sees them), except that the
 * sandbox's own user and group (the UID and GID settings: 0 under host
 * root, else the caller's ids) read as libos_proc.uid/gid, and the
 * overflow id 65534 (every id the namespace cannot map, host root above
 * all) reads as 0, as in the host's own view.  Every other file (/proc,
 * /dev, pipes, sockets, anonymous files) is owned by libos_proc.uid/gid.
 * chown to anything but a file's current owner and group is refused with
 * EPERM (there is no Dk call to change ownership).
 */
#ifndef MOAT_LIBOS_FS_H
#define MOAT_LIBOS_FS_H

#include "libos.h"
#include <asm/stat.h>
#include <asm/statfs.h>
#include <linux/stat.h>
#include <linux/fcntl.h>
#include <linux/magic.h>

#ifndef O_PATH
#define O_PATH 010000000
#endif
#define FS_PATH_MAX 4096
#ifndef O_ASYNC
#define O_ASYNC FASYNC
#endif
#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif
/* d_type values (not in the UAPI headers) */
#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12

/* Kernel-internal restart code (never seen by the application): a handler
 * returns it for a blocking call interrupted by a signal; the dispatcher
 * turns it into EINTR or a restart.  Until the dispatcher knows it, the fs
 * layer returns -EINTR (see fs_intr()). */
static inline long fs_intr(void) { return -EINTR; }

/* ---- resolved paths (vfs.c) ---------------------------------------------- */
struct fs_type;
struct fs_path {
	char abs[FS_PATH_MAX];         /* lexically normalised absolute guest path */
	char uri[FS_PATH_MAX + 8];     /* "file:" + the path for the host */
	const struct fs_type *fs;
	const char *rel;               /* inside the mount: "" for its root, else "x/y" */
	bool dir_slash;                /* the path ended in '/' (must be a directory) */
};

/* A file system in the mount table.  Every entry may be NULL (then -EPERM
 * or -ENOENT, as Linux would say for the kind of call). */
struct fs_type {
	const char *name;       /* for /proc/mounts */
	unsigned long magic;    /* statfs f_type */
	long (*open)(struct fs_path *p, int flags, unsigned mode, struct libos_file **out);
	long (*stat)(struct fs_path *p, struct stat *st, bool follow);
	long (*readlink)(struct fs_path *p, char *buf, size_t size);  /* length */
	long (*mkdir)(struct fs_path *p, unsigned mode);
	long (*unlink)(struct fs_path *p, bool dir);
	long (*rename)(struct fs_path *from, struct fs_path *to);
	long (*access)(struct fs_path *p, int mode);
	/* Links and metadata (the host only): DkStreamLinkCreate and
	 * DkStreamAttributesSet (which: DK_ATTR_*). */
	long (*symlink)(struct fs_path *p, const char *target);
	long (*link)(struct fs_path *from, struct fs_path *to);
	long (*setattr)(struct fs_path *p, const struct dk_stream_attr *a, uint32_t which);
};
extern const struct fs_type fs_host, fs_proc, fs_dev, fs_sys;

#define FS_FOLLOW 1       /* follow a final symbolic link (our own ones: /proc, /dev) */
#define FS_EMPTY_OK 2     /* AT_EMPTY_PATH */
/* Resolves (dirfd, path) into *p.  Returns 0 or -errno.  When the path is
 * empty and FS_EMPTY_OK is set, returns 1 and *dirf = the dirfd's file
 * (referenced; the caller puts it). */
long fs_resolve(int dirfd, const char *path, int how, struct fs_path *p,
		struct libos_file **dirf);
/* Resolves an absolute guest path (no dirfd). */
long fs_resolve_abs(const char *path, struct fs_path *p);
/* Opens a resolved path. */
long fs_open_resolved(struct fs_path *p, int flags, unsigned mode, struct libos_file **out);

/* ---- helpers ---------------------------------------------------------------- */
/* libos_fd_install that drops f's reference when it fails. */
static inline int fs_install(struct libos_file *f, int min_fd, bool cloexec)
{
	int fd = libos_fd_install(f, min_fd, cloexec);
	if (fd < 0)
		libos_file_put(f);
	return fd;
}
static inline long fs_to_user(void *dst, const void *src, size_t n)
{
	return libos_copy_to_user(dst, src, n) < 0 ? -EFAULT : 0;
}
static inline long fs_from_user(void *dst, const void *src, size_t n)
{
	return libos_copy_from_user(dst, src, n) < 0 ? -EFAULT : 0;
}
bool fs_file_is_dir(struct libos_file *f);
void fs_stat_to_statx(const struct stat *st, struct statx *sx);
void fs_statfs_for(const struct fs_type *fs, const char *abs, struct statfs *sf);
long fs_pipe_size(struct libos_file *f, long set);
long fs_memfd_seals(struct libos_file *f, long add);
DK_HANDLE fs_memfd_stream(struct libos_file *f);
void fs_vfs_init(void);
/* Copies a user string; -EFAULT / -ENAMETOOLONG. */
long fs_copy_path(char *dst, const char *src);
/* kstat from Dk attributes (uid/gid by the ownership rule above). */
void fs_attr_to_stat(const struct dk_stream_attr *a, struct stat *st);
/* The sandbox's own user and group as its user namespace sees them (the
 * UID and GID settings, read by fs_vfs_init; 0 without them). */
extern uint32_t fs_ns_uid, fs_ns_gid;
unsigned fs_dk_type_mode(uint32_t type);
/* A readable name for a descriptor (readlink /proc/self/fd/N). */
long fs_file_name(struct libos_file *f, char *buf, size_t size);
/* A synthetic inode number for objects with none (pipes, anon files). */
uint64_t fs_next_ino(void);
uint64_t fs_hash(const char *s);
/* Fills a stat for a synthetic object. */
void fs_synth_stat(struct stat *st, unsigned mode, uint64_t ino, uint64_t size, uint64_t rdev);
uint64_t fs_now_ns(uint32_t clock);

/* Generic I/O on a file (rw.c), honouring O_ACCMODE, pos and ops. */
long fs_read(struct libos_file *f, void *buf, size_t n);
long fs_write(struct libos_file *f, const void *buf, size_t n);
long fs_stat_file(struct libos_file *f, struct stat *st);

/* Directory listing for the synthetic file systems: an array of entries
 * produced at open; getdents64 walks it by f->pos. */
struct fs_dirent {
	const char *name;
	unsigned char type;  /* DT_* */
	uint64_t ino;
};
long fs_synth_dir_open(struct fs_dirent *ents, size_t n, int flags, const char *path,
		       unsigned mode, uint64_t ino, struct libos_file **out);  /* copies ents */
/* A read-only file whose content is made at open (proc, sys). */
long fs_synth_file_open(char *content, size_t len, int flags, const char *path, unsigned mode,
			uint64_t ino, struct libos_file **out);  /* takes content (libos_alloc'd) */
extern const struct libos_file_ops fs_synth_dir_ops, fs_synth_file_ops;

/* Writes linux_dirent64 records; returns bytes used, 0 if the first does not fit. */
size_t fs_put_dirent(void *buf, size_t size, uint64_t ino, int64_t off, unsigned char type,
		     const char *name);

/* The console (dev.c). */
long fs_console_open(int which, int flags, struct libos_file **out); /* 0 stdin 1 stdout 2 stderr 3 tty */
extern const struct libos_file_ops fs_console_ops;
int fs_console_which(struct libos_file *f);

/* Host files (host.c). */
extern const struct libos_file_ops fs_host_ops;
long fs_host_open_uri(const char *uri, const char *guest, int flags, unsigned mode,
		      struct libos_file **out);
long fs_host_mkdir_p(const char *path);
bool fs_is_pipe(struct libos_file *f);
long fs_host_adopt(struct libos_file *f, DK_HANDLE h, uint32_t type);
long fs_host_from_stream(DK_HANDLE h, uint32_t type, uint32_t access, struct libos_file **out);
long fs_host_status(struct libos_file *f, bool set, unsigned flags);
void fs_pipes_share(void);
/* Moves f's pipe (if f is an in-memory pipe end) to a host pipe now, every
 * end of it in the descriptor table with it: for passing f to another
 * process.  0, or -errno. */
long fs_pipe_share(struct libos_file *f);
void fs_shm_dir_ready(void); /* vfs.c */
void fs_sockets_share(void); /* socket.c */
bool fs_host_socket(struct libos_file *f, DK_HANDLE *h);
bool fs_host_file(struct libos_file *f, DK_HANDLE *h);
uint64_t fs_position(struct libos_file *f);
bool fs_host_pipe_key(struct libos_file *f, uint64_t *in);
/* readlinkat(fd, "") of an O_PATH|O_NOFOLLOW descriptor of a link. */
long fs_host_link_text(struct libos_file *f, char *buf, size_t size);

/* Pipes (pipe.c), epoll and friends: ops for identification. */
extern const struct libos_file_ops fs_pipe_ops, fs_epoll_ops, fs_eventfd_ops, fs_timerfd_ops,
	fs_signalfd_ops, fs_memfd_ops;
/* Edge-triggered epoll: counts of the events that may make a pipe end or an
 * eventfd readable (in) or writable (out).  Other files keep none. */
void fs_pipe_seq(struct libos_file *f, uint64_t *in, uint64_t *out);
void fs_eventfd_seq(struct libos_file *f, uint64_t *in, uint64_t *out);
/* timerfd: the next expiry in monotonic ns, or 0 (poll.c folds it into timeouts). */
uint64_t fs_timerfd_deadline(struct libos_file *f);

/* Special files of a resolved host path (host.c), mode already masked by
 * the umask: mknod(S_IFIFO), a host FIFO; mknod(S_IFSOCK) and bind(), a
 * host socket file, whose attributes go to *a when a is not NULL. */
long fs_mkfifo(struct fs_path *p, unsigned mode);
long fs_mksock(struct fs_path *p, unsigned mode, struct dk_stream_attr *a);

/* F_SETFL (fdtable.c): sets the open file's flags (O_PATH: -EBADF). */
long fs_set_status(struct libos_file *f, unsigned flags);
/* Locks (fdtable.c): drops flock and OFD locks held by f (on release). */
void fs_locks_release(struct libos_file *f);

/* The poll core (poll.c). */
#define FS_POLL_MAX_HANDLES 32

#endif
