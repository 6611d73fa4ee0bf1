/* 4 MB through a pipe between processes: the child writes a generated
 * stream in chunks of varying size, the parent reads with other sizes;
 * byte count and checksum match on both sides; then the other direction
 * with the parent writing. */
#include "check.h"
#include <sys/wait.h>

#define TOTAL (4 << 20)

static unsigned char gen(size_t i)
{
	uint32_t x = (uint32_t)i * 2654435761u;
	return (unsigned char)(x >> 24 ^ i);
}

static uint32_t fold(uint32_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* Writes the stream; returns its checksum, 0 on a short write. */
static uint32_t send_stream(int fd)
{
	static unsigned char buf[70000];
	uint32_t h = 2166136261u;
	size_t off = 0, k = 0;
	while (off < TOTAL) {
		size_t n = 1 + (k++ * 7919) % sizeof(buf);
		if (n > TOTAL - off)
			n = TOTAL - off;
		for (size_t i = 0; i < n; i++)
			buf[i] = gen(off + i);
		h = fold(h, buf, n);
		size_t done = 0;
		while (done < n) {
			ssize_t w = write(fd, buf + done, n - done);
			if (w <= 0)
				return 0;
			done += w;
		}
		off += n;
	}
	return h;
}

/* Reads to EOF; checks every byte against the generator. */
static uint32_t recv_stream(int fd, size_t *total, int *match)
{
	static unsigned char buf[5000];
	uint32_t h = 2166136261u;
	size_t off = 0, k = 0;
	*match = 1;
	for (;;) {
		size_t want = 1 + (k++ * 104729) % sizeof(buf);
		ssize_t n = read(fd, buf, want);
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != gen(off + i))
				*match = 0;
		h = fold(h, buf, n);
		off += n;
	}
	*total = off;
	return h;
}

int main(void)
{
	alarm(5);
	int p[2], sum[2];
	SYS(pipe(p));
	SYS(pipe(sum));
	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		close(p[0]);
		close(sum[0]);
		uint32_t h = send_stream(p[1]);
		close(p[1]);
		_exit(write(sum[1], &h, sizeof(h)) == sizeof(h) && h ? 0 : 1);
	}
	SYS(close(p[1]));
	SYS(close(sum[1]));
	size_t total = 0;
	int match = 0;
	uint32_t h = recv_stream(p[0], &total, &match);
	uint32_t theirs = 0;
	CHECK(read(sum[0], &theirs, sizeof(theirs)) == sizeof(theirs));
	CHECK(total == TOTAL);
	SAY("child to parent: %zu bytes\n", total);
	CHECK(match && h == theirs);
	SAY("every byte as generated %d, checksums agree %d\n", match, h == theirs);
	CHECK(wait_ok(pid));
	SYS(close(p[0]));
	SYS(close(sum[0]));

	/* Parent to child; the child reports its count and checksum. */
	SYS(pipe(p));
	SYS(pipe(sum));
	pid = FORK();
	if (pid == 0) {
		alarm(5);
		close(p[1]);
		close(sum[0]);
		size_t t = 0;
		int m = 0;
		uint32_t v[3];
		v[0] = recv_stream(p[0], &t, &m);
		v[1] = (uint32_t)t;
		v[2] = (uint32_t)m;
		_exit(write(sum[1], v, sizeof(v)) == sizeof(v) ? 0 : 1);
	}
	SYS(close(p[0]));
	SYS(close(sum[1]));
	h = send_stream(p[1]);
	SYS(close(p[1]));
	uint32_t v[3] = { 0, 0, 0 };
	CHECK(read(sum[0], v, sizeof(v)) == sizeof(v));
	CHECK(v[1] == TOTAL && v[2] == 1 && v[0] == h && h != 0);
	SAY("parent to child: %u bytes, every byte as generated %u, checksums agree %d\n",
	    v[1], v[2], v[0] == h);
	CHECK(wait_ok(pid));
	SYS(close(sum[0]));
	DONE();
}
