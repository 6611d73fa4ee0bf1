/* /proc/self/maps lists the mappings the program made, with their permissions. */
#include "check.h"
#include <sys/mman.h>

static int find(const char *maps, unsigned long addr, char *perms, char *path)
{
	const char *line = maps;
	while (*line) {
		unsigned long lo, hi;
		char pr[8] = "", pa[512] = "";
		int n = sscanf(line, "%lx-%lx %7s %*s %*s %*s %511[^\n]", &lo, &hi, pr, pa);
		if (n >= 3 && addr >= lo && addr < hi) {
			strcpy(perms, pr);
			strcpy(path, n == 4 ? pa : "");
			return 1;
		}
		const char *nl = strchr(line, '\n');
		if (!nl) break;
		line = nl + 1;
	}
	return 0;
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = SYS(open("maps.dat", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SYS(ftruncate(fd, pg));
	char *f = PSYS(mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0));
	char *a = PSYS(mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	SYS(mprotect(a + pg, pg, PROT_NONE));
	static char maps[1 << 20];
	int m = SYS(open("/proc/self/maps", O_RDONLY));
	size_t len = 0;
	ssize_t n;
	while ((n = read(m, maps + len, sizeof(maps) - 1 - len)) > 0)
		len += n;
	maps[len] = 0;
	close(m);
	char perms[8], path[512];
	int found = find(maps, (unsigned long)f, perms, path);
	CHECK(found);
	const char *base = strrchr(path, '/');
	CHECK(found && base && !strcmp(base, "/maps.dat") && !strcmp(perms, "r--s"));
	SAY("file mapping: %s %s\n", perms, base ? base + 1 : path);
	found = find(maps, (unsigned long)a, perms, path);
	CHECK(found && !strcmp(perms, "rw-p"));
	SAY("anonymous: %s\n", perms);
	found = find(maps, (unsigned long)a + pg, perms, path);
	CHECK(found && !strcmp(perms, "---p"));
	SAY("PROT_NONE: %s\n", perms);
	int x;
	found = find(maps, (unsigned long)&x, perms, path);
	CHECK(found && !strcmp(perms, "rw-p") && !strcmp(path, "[stack]"));
	SAY("stack: %s %s\n", perms, path);
	found = find(maps, (unsigned long)&main, perms, path);
	CHECK(found && perms[2] == 'x');
	SAY("code executable: %d\n", perms[2] == 'x');
	SYS(munmap(a, 2 * pg));
	SYS(munmap(f, pg));
	close(fd);
	unlink("maps.dat");
	DONE();
}
