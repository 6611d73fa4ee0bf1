/* sendfile, copy_file_range and splice. */
#include "check.h"
#include <sys/sendfile.h>

static long fill(const char *p, long n)
{
	int fd = SYS(open(p, O_RDWR | O_CREAT | O_TRUNC, 0644));
	long sum = 0;
	for (long i = 0; i < n; i++) {
		unsigned char c = (unsigned char)(i * 7 + 3);
		sum += c;
	}
	char buf[4096];
	for (long off = 0; off < n; off += sizeof(buf)) {
		long len = n - off < (long)sizeof(buf) ? n - off : (long)sizeof(buf);
		for (long i = 0; i < len; i++) buf[i] = (char)((off + i) * 7 + 3);
		SYS(write(fd, buf, len));
	}
	close(fd);
	return sum;
}

static long sum_of(const char *p, long *size)
{
	int fd = SYS(open(p, O_RDONLY));
	unsigned char buf[4096];
	long sum = 0, n, total = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (long i = 0; i < n; i++) sum += buf[i];
		total += n;
	}
	close(fd);
	*size = total;
	return sum;
}

int main(void)
{
	long want = fill("cp.src", 300000), size;
	int in = SYS(open("cp.src", O_RDONLY));
	int out = SYS(open("cp.sendfile", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	long total = 0, n;
	while ((n = sendfile(out, in, NULL, 65536)) > 0)
		total += n;
	CHECK(total == 300000);
	close(out);
	CHECK(sum_of("cp.sendfile", &size) == want && size == 300000);
	SAY("sendfile copied %ld bytes\n", total);
	off_t off = 1000;
	out = SYS(open("cp.part", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	CHECK(sendfile(out, in, &off, 500) == 500 && off == 1500);
	CHECK(lseek(in, 0, SEEK_CUR) == 300000);
	close(out);
	SAY("sendfile with an offset leaves the file position\n");
	SYS(lseek(in, 0, SEEK_SET));
	out = SYS(open("cp.cfr", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	total = 0;
	while ((n = copy_file_range(in, NULL, out, NULL, 100000, 0)) > 0)
		total += n;
	CHECK(total == 300000);
	close(out);
	CHECK(sum_of("cp.cfr", &size) == want && size == 300000);
	SAY("copy_file_range copied %ld bytes\n", total);
	int p[2];
	SYS(pipe(p));
	SYS(lseek(in, 0, SEEK_SET));
	out = SYS(open("cp.splice", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	total = 0;
	for (;;) {
		n = splice(in, NULL, p[1], NULL, 32768, 0);
		if (n <= 0) break;
		while (n > 0) {
			long m = splice(p[0], NULL, out, NULL, n, 0);
			if (m <= 0) { CHECK(0); break; }
			n -= m;
			total += m;
		}
	}
	CHECK(total == 300000);
	close(out);
	CHECK(sum_of("cp.splice", &size) == want && size == 300000);
	SAY("splice through a pipe copied %ld bytes\n", total);
	int q[2];
	SYS(pipe(q));
	SYS(write(p[1], "tee!", 4));
	char b[5] = {0};
	long teed = tee(p[0], q[1], 4, 0);
	CHECK(teed == 4);
	if (teed == 4)
		CHECK(read(q[0], b, 4) == 4 && !strcmp(b, "tee!"));
	CHECK(read(p[0], b, 4) == 4);
	SAY("tee duplicated: %s\n", b);
	int f1 = SYS(open("cp.src", O_RDONLY)), f2 = SYS(open("cp.part", O_WRONLY));
	ERR(splice(f1, NULL, f2, NULL, 10, 0), EINVAL);
	close(f1); close(f2);
	close(in);
	unlink("cp.src"); unlink("cp.sendfile"); unlink("cp.part"); unlink("cp.cfr"); unlink("cp.splice");
	DONE();
}
