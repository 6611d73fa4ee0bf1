/* 16 MiB written in odd-sized chunks, fsync, read back and checked. */
#include "check.h"

int main(void)
{
	int fd = SYS(open("big.dat", O_RDWR | O_CREAT | O_TRUNC, 0644));
	static unsigned char buf[1 << 20];
	unsigned long total = 0, sum = 0;
	size_t sizes[] = { 1, 511, 4096, 65537, 1 << 20, 12345 };
	int k = 0;
	while (total < (16UL << 20)) {
		size_t n = sizes[k++ % 6];
		if (total + n > (16UL << 20)) n = (16UL << 20) - total;
		for (size_t i = 0; i < n; i++) { buf[i] = (unsigned char)((total + i) % 251); sum += buf[i]; }
		CHECK(write(fd, buf, n) == (ssize_t)n);
		total += n;
	}
	SYS(fsync(fd));
	SYS(fdatasync(fd));
	SYS(lseek(fd, 0, SEEK_SET));
	unsigned long back = 0, rsum = 0, pos = 0;
	int ok = 1;
	ssize_t r;
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] != (pos + i) % 251) ok = 0;
			rsum += buf[i];
		}
		pos += r;
		back += r;
	}
	CHECK(ok && back == total && rsum == sum);
	SAY("wrote and read %lu bytes, sum %lu, content right %d\n", back, rsum, ok);
	sync();
	SYS(syncfs(fd));
	close(fd);
	SYS(unlink("big.dat"));
	DONE();
}
