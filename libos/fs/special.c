/*
 * Special files the Dk ABI cannot create: named pipes (mkfifo, mknod
 * S_IFIFO) and the files of bound AF_UNIX sockets.
 *
 * Each is a placeholder regular file on the host (so it has a name, can be
 * listed, renamed, linked and unlinked like any file) plus an entry in this
 * registry, keyed by the placeholder's (device, inode):
 *   - FIFO:   an in-process pipe (pipe.c) that every open of the path
 *             shares; open returns an end of it (fs_fifo_open's rules).
 *   - SOCKET: the type alone (socket.c keeps the name table); open gives
 *             ENXIO, as Linux.
 * stat, lstat, fstat, statx and getdents report S_IFIFO / S_IFSOCK
 * (DT_FIFO / DT_SOCK) for a registered inode (fs_attr_mode); unlink (of
 * the last link) and a rename over the placeholder drop its entry.
 *
 * Limits (documented):
 *   - one process: the registry and the pipes live in this process's
 *     memory; another picoprocess, or this one after exec, sees the
 *     placeholder as a regular file (issue 5 will share them);
 *   - not persistent: the entries go with the process, the placeholder
 *     files stay (regular files, until unlinked);
 *   - an inode removed behind our back (by the host) and reused keeps the
 *     entry until the new file is unlinked or registered anew.
 */
#include "fs.h"

struct special {
	struct special *next;
	uint64_t dev, ino;
	unsigned kind;  /* S_IFIFO or S_IFSOCK */
	void *pipe;     /* FIFO: the shared pipe (one `files` reference held) */
};

static struct libos_lock g_lock;
static struct special *g_list;
static int g_count;  /* atomic: lets the common case skip the lock */

static struct special *find(uint64_t dev, uint64_t ino) /* g_lock held */
{
	for (struct special *s = g_list; s; s = s->next)
		if (s->dev == dev && s->ino == ino)
			return s;
	return NULL;
}

static bool any(void)
{
	return __atomic_load_n(&g_count, __ATOMIC_ACQUIRE) != 0;
}

static long add(uint64_t dev, uint64_t ino, unsigned kind, unsigned mode)
{
	void *pipe = NULL;
	if (kind == S_IFIFO && !(pipe = fs_fifo_new(dev, ino, mode)))
		return -ENOMEM;
	struct special *n = libos_alloc(sizeof(*n)), *old = NULL;
	if (!n) {
		if (pipe)
			fs_fifo_unhold(pipe);
		return -ENOMEM;
	}
	*n = (struct special){ .dev = dev, .ino = ino, .kind = kind, .pipe = pipe };
	libos_lock(&g_lock);
	for (struct special **pp = &g_list; *pp; pp = &(*pp)->next) {
		if ((*pp)->dev == dev && (*pp)->ino == ino) {  /* a stale entry */
			old = *pp;
			*pp = old->next;
			__atomic_sub_fetch(&g_count, 1, __ATOMIC_RELEASE);
			break;
		}
	}
	n->next = g_list;
	g_list = n;
	__atomic_add_fetch(&g_count, 1, __ATOMIC_RELEASE);
	libos_unlock(&g_lock);
	if (old) {
		if (old->pipe)
			fs_fifo_unhold(old->pipe);
		libos_free(old);
	}
	return 0;
}

void fs_special_drop(uint64_t dev, uint64_t ino)
{
	struct special *old = NULL;
	if (!any())
		return;
	libos_lock(&g_lock);
	for (struct special **pp = &g_list; *pp; pp = &(*pp)->next) {
		if ((*pp)->dev == dev && (*pp)->ino == ino) {
			old = *pp;
			*pp = old->next;
			__atomic_sub_fetch(&g_count, 1, __ATOMIC_RELEASE);
			break;
		}
	}
	libos_unlock(&g_lock);
	if (old) {
		if (old->pipe)
			fs_fifo_unhold(old->pipe);  /* open ends keep the pipe */
		libos_free(old);
	}
}

/* Before removing or replacing the host file at uri: its identity if it
 * is registered and this is its last link (then *dev, *ino are set). */
bool fs_special_last_link(const char *uri, uint64_t *dev, uint64_t *ino)
{
	struct dk_stream_attr a;
	if (!any() || dk->DkStreamLinkRead(uri, NULL, NULL, &a) < 0 || a.type != DK_STREAM_FILE ||
	    a.links > 1)
		return false;
	libos_lock(&g_lock);
	bool found = find(a.device, a.inode) != NULL;
	libos_unlock(&g_lock);
	*dev = a.device;
	*ino = a.inode;
	return found;
}

unsigned fs_attr_mode(const struct dk_stream_attr *a)
{
	unsigned mode = fs_dk_type_mode(a->type);
	if (a->type != DK_STREAM_FILE || !any())
		return mode;
	libos_lock(&g_lock);
	struct special *s = find(a->device, a->inode);
	if (s)
		mode = s->kind;
	libos_unlock(&g_lock);
	return mode;
}

long fs_special_open(const char *uri, const char *guest, int flags, struct libos_file **out)
{
	struct dk_stream_attr a;
	if (!any() || (flags & O_PATH) || (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return 1;
	int rc = (flags & O_NOFOLLOW) ? dk->DkStreamLinkRead(uri, NULL, NULL, &a)
				      : dk->DkStreamAttributesQuery(uri, &a);
	if (rc < 0 || a.type != DK_STREAM_FILE)
		return 1;
	libos_lock(&g_lock);
	struct special *s = find(a.device, a.inode);
	unsigned kind = s ? s->kind : 0;
	void *pipe = s ? s->pipe : NULL;
	if (pipe)
		fs_fifo_hold(pipe);
	libos_unlock(&g_lock);
	if (!kind)
		return 1;
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	if (kind == S_IFSOCK)
		return -ENXIO;
	long r = fs_fifo_open(pipe, flags, guest, out);
	fs_fifo_unhold(pipe);
	return r;
}

/* mknod(S_IFIFO): the placeholder (mode already masked), then the entry. */
long fs_mkfifo(struct fs_path *p, unsigned mode)
{
	struct libos_file *f;
	struct dk_stream_attr a;
	if (p->fs != &fs_host)
		return -EPERM;
	long rc = fs_open_resolved(p, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode, &f);
	if (rc < 0)
		return rc;
	DK_HANDLE h = libos_file_stream(f);
	rc = h ? dk->DkStreamAttributesQueryByHandle(h, &a) : -DK_E_INVALID;
	libos_file_put(f);
	if (rc < 0) {
		dk->DkStreamDelete(p->uri);
		return libos_errno((int)rc);
	}
	rc = add(a.device, a.inode, S_IFIFO, mode);
	if (rc < 0)
		dk->DkStreamDelete(p->uri);
	return rc;
}

long libos_fs_mark_socket(struct libos_file *f)
{
	struct dk_stream_attr a;
	DK_HANDLE h = libos_file_stream(f);
	if (!h || f->ops != &fs_host_ops)
		return -EINVAL;
	int rc = dk->DkStreamAttributesQueryByHandle(h, &a);
	if (rc < 0)
		return libos_errno(rc);
	return add(a.device, a.inode, S_IFSOCK, a.mode);
}
