/* A named pipe made with mkfifo; O_PATH of it opens at once. */
#include "check.h"

int main(void)
{
	SYS(mkfifo("fifo", 0644));
	struct stat st;
	SYS(stat("fifo", &st));
	CHECK(S_ISFIFO(st.st_mode));
	int r = SYS(open("fifo", O_RDONLY | O_NONBLOCK));
	int w = SYS(open("fifo", O_WRONLY));
	char b[4];
	CHECK(write(w, "ff", 2) == 2 && read(r, b, 2) == 2);
	close(w);
	CHECK(read(r, b, 2) == 0);
	close(r);
	ERR(open("fifo", O_WRONLY | O_NONBLOCK), ENXIO);
	/* O_PATH opens no end: it must not wait for a writer. */
	alarm(5);
	int p = SYS(open("fifo", O_PATH));
	struct stat pst;
	SYS(fstat(p, &pst));
	CHECK(S_ISFIFO(pst.st_mode));
	ERR(read(p, b, 1), EBADF);
	close(p);
	alarm(0);
	unlink("fifo");
	SAY("mkfifo round trip ok; O_PATH of it does not wait\n");
	DONE();
}
