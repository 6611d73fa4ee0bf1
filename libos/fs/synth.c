/*
 * Synthetic files and directories for /proc, /dev and /sys: a file's text
 * is made when it is opened (a snapshot, as reading /proc/... once with a
 * large enough buffer gives on Linux), and a directory's entries likewise.
 */
#include "fs.h"
#include <linux/poll.h>

static uint64_t ino_counter = 0x100000;

uint64_t fs_next_ino(void)
{
	return __atomic_add_fetch(&ino_counter, 1, __ATOMIC_RELAXED);
}

uint64_t fs_now_ns(uint32_t clock)
{
	uint64_t t = 0;
	dk->DkSystemTimeQuery(clock, &t);
	return t;
}

void fs_synth_stat(struct stat *st, unsigned mode, uint64_t ino, uint64_t size, uint64_t rdev)
{
	uint64_t now = fs_now_ns(DK_CLOCK_REALTIME);
	memset(st, 0, sizeof(*st));
	st->st_dev = 0x16;  /* an anonymous device, as proc's */
	st->st_ino = ino;
	st->st_nlink = (mode & S_IFMT) == S_IFDIR ? 2 : 1;
	st->st_mode = mode;
	st->st_uid = libos_proc.uid;
	st->st_gid = libos_proc.gid;
	st->st_rdev = rdev;
	st->st_size = (long)size;
	st->st_blksize = 4096;
	st->st_blocks = (long)((size + 511) / 512);
	st->st_atime = st->st_mtime = st->st_ctime = now / 1000000000u;
	st->st_atime_nsec = st->st_mtime_nsec = st->st_ctime_nsec = now % 1000000000u;
}

/* ---- files ---------------------------------------------------------------------------- */

struct synth_file {
	char *data;
	size_t len;
	unsigned mode;
	uint64_t ino;
};

static long sf_pread(struct libos_file *f, void *buf, size_t n, uint64_t off)
{
	struct synth_file *s = f->priv;
	if (off >= s->len)
		return 0;
	if (n > s->len - off)
		n = s->len - (size_t)off;
	return fs_to_user(buf, s->data + off, n) < 0 ? -EFAULT : (long)n;
}

static long sf_pwrite(struct libos_file *f, const void *buf, size_t n, uint64_t off)
{
	(void)f, (void)buf, (void)n, (void)off;
	return -EACCES;
}

static long sf_seek(struct libos_file *f, int64_t off, int whence)
{
	struct synth_file *s = f->priv;
	libos_lock(&f->pos_lock);
	int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)f->pos : whence == 2 ? (int64_t)s->len : -1;
	long rc;
	if (base < 0 || base + off < 0)
		rc = -EINVAL;
	else
		rc = (long)(f->pos = (uint64_t)(base + off));
	libos_unlock(&f->pos_lock);
	return rc;
}

static long sf_stat(struct libos_file *f, void *kst)
{
	struct synth_file *s = f->priv;
	/* proc files report size 0, as on Linux; others their length. */
	fs_synth_stat(kst, s->mode, s->ino, f->path && rt_startswith(f->path, "/proc") ? 0 : s->len, 0);
	return 0;
}

static int sf_poll(struct libos_file *f, DK_HANDLE *wait)
{
	(void)f;
	*wait = DK_HANDLE_NONE;
	return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
}

static void sf_release(struct libos_file *f)
{
	struct synth_file *s = f->priv;
	if (s) {
		libos_free(s->data);
		libos_free(s);
	}
}

const struct libos_file_ops fs_synth_file_ops = {
	.pread = sf_pread,
	.pwrite = sf_pwrite,
	.seek = sf_seek,
	.stat = sf_stat,
	.poll = sf_poll,
	.release = sf_release,
};

long fs_synth_file_open(char *content, size_t len, int flags, const char *path, unsigned mode,
			uint64_t ino, struct libos_file **out)
{
	if ((flags & O_ACCMODE) != O_RDONLY && !(flags & O_PATH)) {
		libos_free(content);
		return -EACCES;
	}
	if (flags & O_DIRECTORY) {
		libos_free(content);
		return -ENOTDIR;
	}
	struct synth_file *s = libos_alloc(sizeof(*s));
	struct libos_file *f = s ? libos_file_new(&fs_synth_file_ops, O_RDONLY | (flags & O_PATH), s) : NULL;
	char *p = path ? libos_strdup(path) : NULL;
	if (!f || (path && !p)) {
		libos_free(content);
		libos_free(s);
		libos_free(f);
		libos_free(p);
		return -ENOMEM;
	}
	s->data = content;
	s->len = len;
	s->mode = mode;
	s->ino = ino;
	f->path = p;
	*out = f;
	return 0;
}

/* ---- directories ----------------------------------------------------------------------- */

struct synth_dir {
	size_t n;
	unsigned mode;
	uint64_t ino;
	struct fs_dirent *ents;
	char *names;
};

static long sd_getdents(struct libos_file *f, void *buf, size_t size)
{
	struct synth_dir *d = f->priv;
	size_t used = 0;
	libos_lock(&f->pos_lock);
	while (f->pos < d->n + 2) {
		uint64_t i = f->pos;
		const char *name = i == 0 ? "." : i == 1 ? ".." : d->ents[i - 2].name;
		unsigned char type = i < 2 ? DT_DIR : d->ents[i - 2].type;
		uint64_t ino = i == 0 ? d->ino : i == 1 ? d->ino ^ 2 : d->ents[i - 2].ino;
		size_t r = fs_put_dirent((char *)buf + used, size - used, ino, (int64_t)i + 1, type, name);
		if (!r)
			break;
		used += r;
		f->pos++;
	}
	bool end = f->pos >= d->n + 2;
	libos_unlock(&f->pos_lock);
	return used ? (long)used : end ? 0 : -EINVAL;
}

static long sd_seek(struct libos_file *f, int64_t off, int whence)
{
	libos_lock(&f->pos_lock);
	int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)f->pos : -1;
	long rc;
	if (base < 0 || base + off < 0)
		rc = -EINVAL;
	else
		rc = (long)(f->pos = (uint64_t)(base + off));
	libos_unlock(&f->pos_lock);
	return rc;
}

static long sd_stat(struct libos_file *f, void *kst)
{
	struct synth_dir *d = f->priv;
	fs_synth_stat(kst, d->mode, d->ino, 0, 0);
	return 0;
}

static long sd_read(struct libos_file *f, void *buf, size_t n)
{
	(void)f, (void)buf, (void)n;
	return -EISDIR;
}

static void sd_release(struct libos_file *f)
{
	struct synth_dir *d = f->priv;
	if (d) {
		libos_free(d->ents);
		libos_free(d->names);
		libos_free(d);
	}
}

const struct libos_file_ops fs_synth_dir_ops = {
	.read = sd_read,
	.seek = sd_seek,
	.stat = sd_stat,
	.getdents = sd_getdents,
	.poll = sf_poll,
	.release = sd_release,
};

long fs_synth_dir_open(struct fs_dirent *ents, size_t n, int flags, const char *path,
		       unsigned mode, uint64_t ino, struct libos_file **out)
{
	if ((flags & O_ACCMODE) != O_RDONLY && !(flags & O_PATH))
		return -EISDIR;
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += strlen(ents[i].name) + 1;
	struct synth_dir *d = libos_alloc(sizeof(*d));
	struct fs_dirent *e = libos_alloc((n ? n : 1) * sizeof(*e));
	char *names = libos_alloc(total ? total : 1);
	struct libos_file *f = d ? libos_file_new(&fs_synth_dir_ops, O_RDONLY | O_DIRECTORY |
						  (flags & O_PATH), d) : NULL;
	char *p = path ? libos_strdup(path) : NULL;
	if (!d || !e || !names || !f || (path && !p)) {
		libos_free(d);
		libos_free(e);
		libos_free(names);
		libos_free(f);
		libos_free(p);
		return -ENOMEM;
	}
	char *np = names;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(ents[i].name) + 1;
		memcpy(np, ents[i].name, l);
		e[i] = ents[i];
		e[i].name = np;
		if (!e[i].ino)
			e[i].ino = fs_hash(np);
		np += l;
	}
	d->n = n;
	d->ents = e;
	d->names = names;
	d->mode = mode;
	d->ino = ino;
	f->path = p;
	*out = f;
	return 0;
}
