/*
 * /sys, minimal: the CPU lists programs read to size thread pools
 * (/sys/devices/system/cpu/{online,possible,present}); everything else is
 * ENOENT.
 */
#include "fs.h"

static const char *const dirs[] = { "", "devices", "devices/system", "devices/system/cpu" };
static const char *const files[] = { "devices/system/cpu/online", "devices/system/cpu/possible",
				     "devices/system/cpu/present" };
#define N(a) (sizeof(a) / sizeof((a)[0]))

static int find(const char *rel, bool *dir)
{
	for (size_t i = 0; i < N(dirs); i++)
		if (!strcmp(rel, dirs[i])) {
			*dir = true;
			return (int)i;
		}
	for (size_t i = 0; i < N(files); i++)
		if (!strcmp(rel, files[i])) {
			*dir = false;
			return (int)i;
		}
	return -1;
}

static long sfs_open(struct fs_path *p, int flags, unsigned mode, struct libos_file **out)
{
	bool dir;
	(void)mode;
	int i = find(p->rel, &dir);
	if (i < 0)
		return (flags & O_CREAT) ? -EACCES : -ENOENT;
	if (dir) {
		struct fs_dirent ents[4];
		size_t k = 0;
		const char *base = dirs[i];
		size_t bl = strlen(base);
		for (size_t j = 0; j < N(dirs) + N(files); j++) {
			const char *s = j < N(dirs) ? dirs[j] : files[j - N(dirs)];
			if (!*s || (bl && (strncmp(s, base, bl) || s[bl] != '/')))
				continue;
			const char *rest = bl ? s + bl + 1 : s;
			if (strchr(rest, '/'))
				continue;
			ents[k++] = (struct fs_dirent){ rest, j < N(dirs) ? DT_DIR : DT_REG, 0 };
		}
		return fs_synth_dir_open(ents, k, flags, p->abs, S_IFDIR | 0755, fs_hash(p->abs), out);
	}
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	char *text = libos_alloc(32);
	if (!text)
		return -ENOMEM;
	unsigned n = dk_start->cpu_count ? dk_start->cpu_count : 1;
	int len = n > 1 ? rt_snprintf(text, 32, "0-%u\n", n - 1) : rt_snprintf(text, 32, "0\n");
	return fs_synth_file_open(text, (size_t)len, flags, p->abs, S_IFREG | 0444, fs_hash(p->abs),
				  out);
}

static long sfs_stat(struct fs_path *p, struct stat *st, bool follow)
{
	bool dir;
	(void)follow;
	if (find(p->rel, &dir) < 0)
		return -ENOENT;
	fs_synth_stat(st, dir ? S_IFDIR | 0755 : S_IFREG | 0444, fs_hash(p->abs), dir ? 0 : 4096, 0);
	return 0;
}

const struct fs_type fs_sys = {
	.name = "sysfs",
	.magic = SYSFS_MAGIC,
	.open = sfs_open,
	.stat = sfs_stat,
};
