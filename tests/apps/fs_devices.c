/* /dev/null, /dev/zero, /dev/urandom, /dev/full. */
#include "check.h"

int main(void)
{
	char buf[4096];
	int n = SYS(open("/dev/null", O_RDWR));
	CHECK(write(n, "gone", 4) == 4);
	CHECK(read(n, buf, sizeof(buf)) == 0);
	struct stat st;
	SYS(fstat(n, &st));
	CHECK(S_ISCHR(st.st_mode));
	SAY("/dev/null: write 4, read 0, character device %d\n", S_ISCHR(st.st_mode));
	close(n);
	int z = SYS(open("/dev/zero", O_RDONLY));
	memset(buf, 'x', sizeof(buf));
	CHECK(read(z, buf, sizeof(buf)) == sizeof(buf));
	int zeros = 1;
	for (size_t i = 0; i < sizeof(buf); i++) if (buf[i]) zeros = 0;
	CHECK(zeros);
	SAY("/dev/zero: %zu zero bytes\n", sizeof(buf));
	close(z);
	int u = SYS(open("/dev/urandom", O_RDONLY));
	unsigned char r1[64], r2[64];
	CHECK(read(u, r1, 64) == 64 && read(u, r2, 64) == 64);
	CHECK(memcmp(r1, r2, 64) != 0);
	int nonzero = 0;
	for (int i = 0; i < 64; i++) if (r1[i]) nonzero++;
	CHECK(nonzero > 32);
	SAY("/dev/urandom: two reads differ\n");
	close(u);
	int r = SYS(open("/dev/random", O_RDONLY));
	CHECK(read(r, r1, 16) == 16);
	close(r);
	int f = SYS(open("/dev/full", O_WRONLY));
	ERR(write(f, "x", 1), ENOSPC);
	close(f);
	SAY("/dev/full: ENOSPC\n");
	FILE *fp = fopen("/dev/null", "w");
	CHECK(fp && fprintf(fp, "%d\n", 42) == 3);
	if (fp) fclose(fp);
	DONE();
}
