/* umask applies to new files and directories. */
#include "check.h"

static unsigned mode_of(const char *p) { struct stat st; return stat(p, &st) ? 0xffff : st.st_mode & 07777; }

int main(void)
{
	umask(022);
	mode_t old = umask(027);
	CHECK(old == 022);
	int fd = SYS(open("um.file", O_CREAT | O_WRONLY, 0666));
	SYS(mkdir("um.dir", 0777));
	CHECK(mode_of("um.file") == 0640);
	CHECK(mode_of("um.dir") == 0750);
	SAY("umask 027: file %o, dir %o\n", mode_of("um.file"), mode_of("um.dir"));
	umask(0);
	int fd2 = SYS(open("um.file2", O_CREAT | O_WRONLY, 0777));
	CHECK(mode_of("um.file2") == 0777);
	CHECK(umask(077) == 0);
	SYS(mkdir("um.dir2", 0777));
	CHECK(mode_of("um.dir2") == 0700);
	CHECK(umask(022) == 077);
	SAY("umask 0: %o; umask 077: dir %o\n", mode_of("um.file2"), mode_of("um.dir2"));
	rmdir("um.dir2");
	close(fd); close(fd2);
	unlink("um.file"); unlink("um.file2"); rmdir("um.dir");
	DONE();
}
