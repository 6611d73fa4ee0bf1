/* A MAP_SHARED file mapping (a file in the current directory) across fork:
 * the child's stores reach the parent's mapping and the file; a mapping the
 * child makes after fork shares the same pages; the parent's write() is
 * seen in the child's mapping; a MAP_PRIVATE mapping in the child keeps its
 * stores to itself. */
#include "check.h"
#include <sys/mman.h>
#include <sys/wait.h>

int main(void)
{
	alarm(5);
	long pg = sysconf(_SC_PAGESIZE);
	int fd = SYS(open("shared.dat", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SYS(ftruncate(fd, 2 * pg));
	char *m = PSYS(mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));

	pid_t pid = FORK();
	if (pid == 0) {
		strcpy(m, "inherited mapping");
		/* A fresh mapping of the same file in the child. */
		char *n = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
		if (n == MAP_FAILED)
			_exit(1);
		strcpy(n + 100, "new mapping");
		/* A private mapping's stores go nowhere. */
		char *p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED || strcmp(p, "inherited mapping"))
			_exit(2);
		strcpy(p, "PRIVATE");
		_exit(0);
	}
	CHECK(wait_ok(pid));
	CHECK(!strcmp(m, "inherited mapping"));
	SAY("child's store through the inherited mapping: '%s'\n", m);
	CHECK(!strcmp(m + pg + 100, "new mapping"));
	SAY("child's store through its own mapping: '%s'\n", m + pg + 100);
	char buf[32] = {0};
	CHECK(pread(fd, buf, 17, 0) == 17 && !strcmp(buf, "inherited mapping"));
	SAY("and in the file: '%s'\n", buf);

	/* The parent writes with write(); a child reads it from a mapping it
	 * makes, and changes the file with its own write(). */
	int go[2], back[2];
	SYS(pipe(go));
	SYS(pipe(back));
	pid = FORK();
	if (pid == 0) {
		alarm(5);
		char c;
		close(go[1]);
		close(back[0]);
		char *n = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (n == MAP_FAILED || read(go[0], &c, 1) != 1)
			_exit(1);
		int ok = !strcmp(n + 200, "by write()");
		if (pwrite(fd, "pwrite in child", 15, 300) != 15)
			_exit(2);
		if (write(back[1], "d", 1) != 1)
			_exit(3);
		_exit(ok ? 0 : 4);
	}
	SYS(close(go[0]));
	SYS(close(back[1]));
	SYS(pwrite(fd, "by write()", 11, 200));
	SYS(write(go[1], "g", 1));
	char c = 0;
	CHECK(read(back[0], &c, 1) == 1);
	CHECK(!strcmp(m + 300, "pwrite in child"));
	SAY("child's pwrite seen in the parent's mapping: '%s'\n", m + 300);
	CHECK(wait_ok(pid));
	SAY("parent's pwrite seen in the child's mapping: ok\n");
	SYS(close(go[1]));
	SYS(close(back[0]));

	/* The file keeps it all after unmapping. */
	SYS(munmap(m, 2 * pg));
	SYS(close(fd));
	fd = SYS(open("shared.dat", O_RDONLY));
	memset(buf, 0, sizeof(buf));
	CHECK(pread(fd, buf, 11, pg + 100) == 11 && !strcmp(buf, "new mapping"));
	SAY("file after unmapping: '%s'\n", buf);
	memset(buf, 0, sizeof(buf));
	CHECK(pread(fd, buf, 8, 0) == 8 && !memcmp(buf, "inherite", 8));
	SAY("private store absent from the file: %d\n", memcmp(buf, "PRIVATE", 7) != 0);
	SYS(close(fd));
	SYS(unlink("shared.dat"));
	DONE();
}
