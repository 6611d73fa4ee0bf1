/*
 * Special files the Dk ABI cannot create: the files of bound AF_UNIX
 * sockets.  (Named pipes are the host's own FIFOs: DK_OPT_FIFO, host.c.)
 *
 * Each is a placeholder regular file on the host (so it has a name, can be
 * listed, renamed, linked and unlinked like any file) plus an entry in this
 * registry, keyed by the placeholder's (device, inode): the type alone
 * (socket.c keeps the name table); open gives ENXIO, as Linux.
 * stat, lstat, fstat, statx and getdents report S_IFSOCK (DT_SOCK) for a
 * registered inode (fs_attr_mode); unlink (of the last link) and a rename
 * over the placeholder drop its entry.
 *
 * Limits (documented):
 *   - one process: the registry lives in this process's memory; another
 *     picoprocess, or this one after exec, sees the placeholder as a
 *     regular file;
 *   - not persistent: the entries go with the process, the placeholder
 *     files stay (regular files, until unlinked);
 *   - an inode removed behind our back (by the host) and reused keeps the
 *     entry until the new file is unlinked or registered anew.
 */
#include "fs.h"

struct special {
	struct special *next;
	uint64_t dev, ino;
	unsigned kind;  /* S_IFSOCK */
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

static long add(uint64_t dev, uint64_t ino, unsigned kind)
{
	struct special *n = libos_alloc(sizeof(*n)), *old = NULL;
	if (!n)
		return -ENOMEM;
	*n = (struct special){ .dev = dev, .ino = ino, .kind = kind };
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
	libos_free(old);
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
	libos_free(old);
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

long fs_special_open(const char *uri, int flags)
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
	libos_unlock(&g_lock);
	if (!kind)
		return 1;
	return flags & O_DIRECTORY ? -ENOTDIR : -ENXIO;
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
	return add(a.device, a.inode, S_IFSOCK);
}
