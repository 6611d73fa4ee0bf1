/* truncate, ftruncate, fallocate and posix_fallocate. */
#include "check.h"

static long size_of(const char *p) { struct stat st; return stat(p, &st) ? -1 : (long)st.st_size; }

int main(void)
{
	int fd = SYS(open("tr.dat", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SYS(write(fd, "0123456789", 10));
	SYS(ftruncate(fd, 4));
	CHECK(size_of("tr.dat") == 4);
	char b[16] = {0};
	CHECK(pread(fd, b, 16, 0) == 4 && !memcmp(b, "0123", 4));
	SAY("shrunk: %s\n", b);
	SYS(ftruncate(fd, 8));
	CHECK(pread(fd, b, 16, 0) == 8 && b[4] == 0 && b[7] == 0);
	SAY("grown with zeros: size %ld\n", size_of("tr.dat"));
	SYS(truncate("tr.dat", 100000));
	CHECK(size_of("tr.dat") == 100000);
	SYS(truncate("tr.dat", 0));
	CHECK(size_of("tr.dat") == 0);
	SAY("truncate by path: ok\n");
	/* The offset is not moved by truncation. */
	SYS(lseek(fd, 50, SEEK_SET));
	SYS(ftruncate(fd, 10));
	CHECK(lseek(fd, 0, SEEK_CUR) == 50);
	SYS(write(fd, "x", 1));
	CHECK(size_of("tr.dat") == 51);
	SAY("write past truncated end: size %ld\n", size_of("tr.dat"));
	SYS(fallocate(fd, 0, 0, 65536));
	CHECK(size_of("tr.dat") == 65536);
	SYS(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 200000));
	CHECK(size_of("tr.dat") == 65536);
	ZERO(posix_fallocate(fd, 0, 70000));
	CHECK(size_of("tr.dat") == 70000);
	SAY("fallocate: size %ld\n", size_of("tr.dat"));
	ERR(ftruncate(fd, -1), EINVAL);
	int ro = SYS(open("tr.dat", O_RDONLY));
	ERR(ftruncate(ro, 0), EINVAL);
	close(ro);
	SYS(mkdir("tr.dir", 0755));
	ERR(truncate("tr.dir", 0), EISDIR);
	rmdir("tr.dir");
	close(fd);
	unlink("tr.dat");
	DONE();
}
