/* access and faccessat on files with various modes. */
#include "check.h"

int main(void)
{
	umask(022);
	int fd = SYS(open("acc.txt", O_CREAT | O_WRONLY, 0600));
	close(fd);
	SYS(access("acc.txt", F_OK));
	SYS(access("acc.txt", R_OK | W_OK));
	ERR(access("acc.txt", X_OK), EACCES);
	fd = SYS(open("acc.exe", O_CREAT | O_WRONLY, 0700));
	close(fd);
	SYS(access("acc.exe", X_OK));
	unlink("acc.exe");
	SAY("owner modes ok\n");
	ERR(access("acc.missing", F_OK), ENOENT);
	ERR(access("acc.txt/x", F_OK), ENOTDIR);
	SYS(access("/usr/bin/true", X_OK));
	SYS(access("/etc/passwd", R_OK));
	SYS(access("/", R_OK | X_OK));
	SAY("system files ok\n");
	SYS(faccessat(AT_FDCWD, "acc.txt", R_OK, 0));
	SYS(faccessat(AT_FDCWD, "acc.txt", R_OK, AT_EACCESS));
	SYS(symlink("acc.missing", "acc.link"));
	ERR(faccessat(AT_FDCWD, "acc.link", F_OK, 0), ENOENT);
	ERR(access("acc.txt", 0x40), EINVAL);
	unlink("acc.link");
	unlink("acc.txt");
	DONE();
}
