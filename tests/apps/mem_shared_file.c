/* File mappings: MAP_SHARED writes reach the file, MAP_PRIVATE ones do not. */
#include "check.h"
#include <sys/mman.h>

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = SYS(open("mapped.dat", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SYS(ftruncate(fd, 3 * pg));
	char *p = PSYS(mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	memcpy(p, "hello", 5);
	memcpy(p + 2 * pg + 10, "world", 5);
	SYS(msync(p, 3 * pg, MS_SYNC));
	char buf[8] = {0};
	SYS(pread(fd, buf, 5, 0));
	CHECK(!memcmp(buf, "hello", 5));
	SYS(pread(fd, buf, 5, 2 * pg + 10));
	CHECK(!memcmp(buf, "world", 5));
	SAY("shared write reached the file: %.5s\n", buf);
	/* A write through the file is seen in the mapping. */
	SYS(pwrite(fd, "XY", 2, 1));
	CHECK(p[1] == 'X' && p[2] == 'Y');
	SAY("file write seen in mapping: %.5s\n", p);
	SYS(munmap(p, 3 * pg));
	/* Unmapping without msync also keeps the data. */
	p = PSYS(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg));
	strcpy(p, "second page");
	SYS(munmap(p, pg));
	SYS(close(fd));
	fd = SYS(open("mapped.dat", O_RDONLY));
	char b2[16] = {0};
	SYS(pread(fd, b2, 11, pg));
	CHECK(!strcmp(b2, "second page"));
	SAY("after munmap and reopen: %s\n", b2);
	/* A private mapping is copy-on-write. */
	char *q = PSYS(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	CHECK(q[0] == 'h');
	q[0] = 'J';
	SYS(pread(fd, buf, 5, 0));
	CHECK(buf[0] == 'h');
	SAY("private write stays private: %c %c\n", q[0], buf[0]);
	SYS(munmap(q, pg));
	/* Writing through a read-only descriptor's mapping is refused. */
	ERR(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
	/* A mapping past the end of the file: SIGBUS is not tested, size is. */
	struct stat st;
	SYS(fstat(fd, &st));
	CHECK(st.st_size == 3 * pg);
	SAY("size: %ld pages\n", (long)(st.st_size / pg));
	SYS(close(fd));
	SYS(unlink("mapped.dat"));
	DONE();
}
