/* A named pipe made with mkfifo. */
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
	unlink("fifo");
	SAY("mkfifo round trip ok\n");
	DONE();
}
