/* chdir, fchdir, getcwd and relative paths. */
#include "check.h"

int main(void)
{
	char start[4096], cur[4096];
	PSYS(getcwd(start, sizeof(start)));
	CHECK(start[0] == '/');
	SYS(mkdir("cwd.a", 0755));
	SYS(mkdir("cwd.a/b", 0755));
	SYS(chdir("cwd.a/b"));
	PSYS(getcwd(cur, sizeof(cur)));
	char want[4200];
	snprintf(want, sizeof(want), "%s/cwd.a/b", start);
	CHECK(!strcmp(cur, want));
	SAY("after chdir: ends with /cwd.a/b %d\n", !strcmp(cur, want));
	int fd = SYS(open("here.txt", O_CREAT | O_WRONLY, 0644));
	close(fd);
	SYS(chdir("../.."));
	PSYS(getcwd(cur, sizeof(cur)));
	CHECK(!strcmp(cur, start));
	SYS(access("cwd.a/b/here.txt", F_OK));
	SAY("relative file seen from the start: ok\n");
	int dfd = SYS(open("cwd.a", O_RDONLY | O_DIRECTORY));
	SYS(fchdir(dfd));
	SYS(access("b/here.txt", F_OK));
	SYS(chdir(start));
	fd = SYS(openat(dfd, "b/there.txt", O_CREAT | O_WRONLY, 0644));
	close(fd);
	SYS(access("cwd.a/b/there.txt", F_OK));
	SAY("fchdir and openat ok\n");
	char small[4];
	ERR(getcwd(small, sizeof(small)) ? 0 : -1, ERANGE);
	ERR(chdir("cwd.a/b/here.txt"), ENOTDIR);
	ERR(chdir("cwd.missing"), ENOENT);
	SYS(chdir("/"));
	PSYS(getcwd(cur, sizeof(cur)));
	CHECK(!strcmp(cur, "/"));
	SYS(chdir("/usr/bin"));
	SYS(access("true", X_OK));
	SAY("chdir / and /usr/bin ok\n");
	SYS(chdir(start));
	unlink("cwd.a/b/here.txt"); unlink("cwd.a/b/there.txt");
	rmdir("cwd.a/b"); rmdir("cwd.a");
	DONE();
}
