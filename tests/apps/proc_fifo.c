/* Named pipes (mkfifo in the current directory) between processes: a
 * blocking open for reading waits for the writer child; 100 lines arrive in
 * order, then EOF; a non-blocking open for writing with no reader gives
 * ENXIO, for reading it succeeds; two writer children at once. */
#include "check.h"
#include <sys/wait.h>

static pid_t writer(const char *tag, int lines)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	alarm(5);
	int fd = open("fifo", O_WRONLY);
	if (fd < 0)
		_exit(1);
	for (int i = 0; i < lines; i++) {
		char line[32];
		int n = snprintf(line, sizeof(line), "%s %03d\n", tag, i);
		if (write(fd, line, n) != n)
			_exit(2);
	}
	_exit(0);
}

int main(void)
{
	alarm(5);
	SYS(mkfifo("fifo", 0600));
	struct stat st;
	SYS(stat("fifo", &st));
	CHECK(S_ISFIFO(st.st_mode));
	SAY("mkfifo made a fifo: %d\n", S_ISFIFO(st.st_mode));
	ERR(open("fifo", O_WRONLY | O_NONBLOCK), ENXIO);
	SAY("non-blocking open for writing without a reader: ENXIO\n");

	pid_t pid = writer("w", 100);
	int fd = SYS(open("fifo", O_RDONLY));
	FILE *f = fdopen(fd, "r");
	CHECK(f != NULL);
	char line[64];
	int n = 0, inorder = 1;
	while (f && fgets(line, sizeof(line), f)) {
		char want[32];
		snprintf(want, sizeof(want), "w %03d\n", n);
		if (strcmp(line, want))
			inorder = 0;
		n++;
	}
	CHECK(n == 100 && inorder);
	SAY("read %d lines in order %d, then EOF\n", n, inorder);
	if (f)
		fclose(f);
	CHECK(wait_ok(pid));

	/* A non-blocking reader opens at once; a writer child then connects. */
	int r = SYS(open("fifo", O_RDONLY | O_NONBLOCK));
	char buf[4096];
	CHECK(read(r, buf, sizeof(buf)) == 0);
	SAY("non-blocking reader with no writer: read gives 0\n");
	pid_t a = writer("a", 50);
	pid_t b = writer("b", 50);
	SYS(fcntl(r, F_SETFL, 0));
	/* Keep one write end so EOF waits for both children. */
	int keep = SYS(open("fifo", O_WRONLY));
	int counts[2] = { 0, 0 }, next[2] = { 0, 0 }, bad = 0;
	int done = 0;
	char acc[8192];
	size_t have = 0;
	while (!done) {
		ssize_t k = read(r, acc + have, sizeof(acc) - have);
		if (k <= 0)
			break;
		have += k;
		char *nl;
		while ((nl = memchr(acc, '\n', have))) {
			size_t len = nl - acc + 1;
			int w = acc[0] == 'b';
			if ((acc[0] != 'a' && acc[0] != 'b') || len != 6 || atoi(acc + 2) != next[w]++)
				bad++;
			counts[w]++;
			memmove(acc, acc + len, have - len);
			have -= len;
		}
		if (counts[0] + counts[1] == 100) {
			CHECK(wait_ok(a));
			CHECK(wait_ok(b));
			SYS(close(keep));
			keep = -1;
			done = read(r, acc, sizeof(acc)) == 0;
		}
	}
	CHECK(done && counts[0] == 50 && counts[1] == 50 && bad == 0);
	SAY("two writers: %d and %d whole lines, each in order %d, then EOF %d\n", counts[0],
	    counts[1], bad == 0, done);
	if (keep >= 0)
		close(keep);
	SYS(close(r));
	SYS(unlink("fifo"));
	DONE();
}
