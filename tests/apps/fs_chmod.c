/* chmod, fchmod, fchmodat change the mode bits. */
#include "check.h"

static unsigned mode_of(const char *p) { struct stat st; return stat(p, &st) ? 0xffff : st.st_mode & 07777; }

int main(void)
{
	umask(022);
	int fd = SYS(open("cm.file", O_CREAT | O_WRONLY, 0644));
	SYS(mkdir("cm.dir", 0755));
	SYS(fchmod(fd, 0604));
	CHECK(mode_of("cm.file") == 0604);
	SYS(chmod("cm.dir", 01777));
	CHECK(mode_of("cm.dir") == 01777);
	SAY("chmod: %o %o\n", mode_of("cm.file"), mode_of("cm.dir"));
	SYS(fchmodat(AT_FDCWD, "cm.file", 0400, 0));
	CHECK(mode_of("cm.file") == 0400);
	SAY("fchmodat: %o\n", mode_of("cm.file"));
	SYS(chmod("cm.file", 0755));
	SYS(access("cm.file", X_OK));
	ERR(chmod("cm.missing", 0644), ENOENT);
	close(fd);
	unlink("cm.file"); rmdir("cm.dir");
	DONE();
}
