/* opendir/readdir over a directory of 100 entries; getdents64; rewinddir. */
#include "check.h"
#include <dirent.h>
#include <sys/syscall.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

int main(void)
{
	SYS(mkdir("rd", 0755));
	for (int i = 0; i < 100; i++) {
		char p[64];
		snprintf(p, sizeof(p), "rd/file-%03d%s", i, i % 10 ? "" : "-with-a-rather-long-name-to-fill-buffers");
		int fd = SYS(open(p, O_CREAT | O_WRONLY, 0644));
		close(fd);
	}
	SYS(mkdir("rd/sub", 0755));
	DIR *d = PSYS(opendir("rd"));
	char *names[200];
	int n = 0, dots = 0, dirs = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) { dots++; continue; }
		if (e->d_type == DT_DIR) dirs++;
		else CHECK(e->d_type == DT_REG);
		if (n < 200) names[n++] = strdup(e->d_name);
	}
	CHECK(n == 101 && dots == 2 && dirs == 1);
	qsort(names, n, sizeof(char *), cmp);
	SAY("entries %d, dots %d, dirs %d, first %s, last %s\n", n, dots, dirs, names[0], names[n - 1]);
	rewinddir(d);
	int again = 0;
	while (readdir(d)) again++;
	CHECK(again == 103);
	SAY("after rewinddir: %d\n", again);
	closedir(d);
	/* The raw call with a small buffer: many calls, same total. */
	int fd = SYS(open("rd", O_RDONLY | O_DIRECTORY));
	char buf[512];
	long r, total = 0;
	int calls = 0;
	while ((r = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		calls++;
		for (long off = 0; off < r;) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);
			total++;
			off += de->d_reclen;
		}
	}
	CHECK(r == 0 && total == 103 && calls > 3);
	SAY("getdents64: %ld entries\n", total);
	SYS(lseek(fd, 0, SEEK_SET));
	ERR(syscall(SYS_getdents64, fd, buf, 8), EINVAL);
	close(fd);
	fd = SYS(open("rd/file-001", O_RDONLY));
	ERR(syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOTDIR);
	close(fd);
	ERR(opendir("rd/file-001") ? 0 : -1, ENOTDIR);
	/* scandir sorts. */
	struct dirent **list;
	int k = scandir("rd", &list, NULL, alphasort);
	CHECK(k == 103 && !strcmp(list[2]->d_name, "file-000-with-a-rather-long-name-to-fill-buffers"));
	SAY("scandir: %d, third %s\n", k, k > 2 ? list[2]->d_name : "-");
	for (int i = 0; i < n; i++) {
		char p[300];
		snprintf(p, sizeof(p), "rd/%s", names[i]);
		if (strcmp(names[i], "sub")) SYS(unlink(p));
	}
	SYS(rmdir("rd/sub"));
	SYS(rmdir("rd"));
	DONE();
}
