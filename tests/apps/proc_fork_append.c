/* O_APPEND from two processes at once: each opens the file itself and
 * writes 200 whole lines; every line lands whole, none is lost or
 * overwritten, each writer's lines keep their order.  Then the same through
 * one O_APPEND descriptor shared across fork. */
#include "check.h"
#include <sys/wait.h>

#define LINES 200
#define LEN 48

static void writer(const char *path, int fd, char tag)
{
	if (fd < 0)
		fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0)
		return;
	char line[LEN];
	for (int i = 0; i < LINES; i++) {
		memset(line, tag, LEN);
		snprintf(line, LEN, "%c %03d ", tag, i);
		line[strlen(line)] = tag;
		line[LEN - 1] = '\n';
		if (write(fd, line, LEN) != LEN)
			break;
	}
}

/* Checks the file: 2*LINES lines, each whole, each writer's in order. */
static int verify(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	static char buf[2 * LINES * LEN + 1];
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != 2 * LINES * LEN)
		return 0;
	int next[2] = { 0, 0 };
	for (int l = 0; l < 2 * LINES; l++) {
		char *p = buf + l * LEN;
		char tag = p[0];
		if (tag != 'P' && tag != 'C')
			return 0;
		int num = atoi(p + 2);
		int w = tag == 'C';
		if (num != next[w]++)
			return 0;
		if (p[LEN - 1] != '\n')
			return 0;
		for (int i = 6; i < LEN - 1; i++)
			if (p[i] != tag)
				return 0;
	}
	return next[0] == LINES && next[1] == LINES;
}

static void run(const char *path, int shared_fd)
{
	int go[2];
	SYS(pipe(go));
	pid_t pid = FORK();
	if (pid == 0) {
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		writer(path, shared_fd, 'C');
		_exit(0);
	}
	SYS(close(go[0]));
	SYS(write(go[1], "g", 1));
	writer(path, shared_fd, 'P');
	CHECK(wait_ok(pid));
	SYS(close(go[1]));
}

int main(void)
{
	alarm(5);
	int fd = SYS(open("append.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	SYS(close(fd));
	run("append.txt", -1);
	struct stat st;
	SYS(stat("append.txt", &st));
	CHECK(st.st_size == 2 * LINES * LEN);
	SAY("separate opens: size %ld (%d lines)\n", (long)st.st_size, (int)(st.st_size / LEN));
	int ok = verify("append.txt");
	CHECK(ok);
	SAY("every line whole and in order per writer: %d\n", ok);

	fd = SYS(open("append2.txt", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644));
	run("append2.txt", fd);
	SYS(fstat(fd, &st));
	CHECK(st.st_size == 2 * LINES * LEN);
	CHECK(lseek(fd, 0, SEEK_CUR) == 2 * LINES * LEN);
	SAY("shared descriptor: size %ld, offset at the end %d\n", (long)st.st_size,
	    lseek(fd, 0, SEEK_CUR) == st.st_size);
	ok = verify("append2.txt");
	CHECK(ok);
	SAY("every line whole and in order per writer: %d\n", ok);
	SYS(close(fd));
	SYS(unlink("append.txt"));
	SYS(unlink("append2.txt"));
	DONE();
}
